"""PER and EIC training (`python -m moodshift_models train [--part per|eic|both]`): the paper's settings as defaults (§4.3: AdamW, lr 1e-6, weight
decay 1e-4, batch 1, 3 epochs, λ1 = 0.5, λ2 = 0.3), a seed, checkpoints with exact resume, a progress bar and a loss log.

Layout of OUT:
    checkpoint/trainable.safetensors   the trained parts (PER: Q-Former, query tokens, projection, EAI, adapter;
                                       EIC: Q-Former, query tokens, projection, editor, edited fc1/fc2)
    checkpoint/optimizer.pt            AdamW's state
    checkpoint/rng.pt                  the loss generator (t, ε), torch's global generator (Q-Former dropout)
    checkpoint/state.json              settings, position (epoch, batch), global step
    log.jsonl                          one line per step: step, epoch, loss, its terms (PER: eps, pixel; EIC: nll,
                                       emotion, edit_nll), seconds

A checkpoint is written into a temporary folder in OUT and moved into place with os.replace, so OUT/checkpoint is
always a complete one (the previous one is kept as OUT/.checkpoint-previous during the swap and read back if the
process died inside it). Everything is checked (model folders, every dataset line, OUT) before any model loads."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from .dataset import DATASET_FILE, load_dataset
from .files import ExportError
from .per_training import check_model_folders, load_per_system, make_batch

IP2P_FOLDER = "instruct-pix2pix"
BLIP2_FOLDER = "blip2-opt"
CHECKPOINT = "checkpoint"
PREVIOUS = ".checkpoint-previous"
LOG = "log.jsonl"


class TrainingError(ExportError):
    """A training problem the operator can fix; one sentence, exit status 2."""


@dataclass(frozen=True)
class Settings:
    """What a run's results depend on; a resumed run takes them from its checkpoint."""

    lr: float = 1e-6
    weight_decay: float = 1e-4
    batch_size: int = 1
    epochs: int = 3
    lambda2: float = 0.3
    seed: int = 0
    resolution: int = 256
    join: str = "add"
    per_width: int | None = None
    per_heads: int = 8
    part: str = "per"
    lambda1: float = 0.5
    eic_layers: int = 3
    eic_hidden: int = 1920
    eic_alpha: float = 1e-4
    eic_train_base: bool = True


@dataclass(frozen=True)
class Runtime:
    """How this process runs (free to change between a run and its resume)."""

    save_every: int = 500
    max_steps: int | None = None
    device: str = "cpu"
    mixed_precision: str = "no"
    gradient_checkpointing: bool = False
    progress: bool = True


def dataset_file(dataset: Path) -> Path:
    dataset = Path(dataset)
    return dataset / DATASET_FILE if dataset.is_dir() else dataset


def check_inputs(dataset: Path, models: Path, out: Path, settings: Settings, resume: bool):
    """Every check that needs no model: returns the dataset's records. Raises TrainingError/DatasetError/ExportError."""
    models = Path(models)
    if not models.is_dir():
        raise TrainingError(f"{models} is not a folder; give the folder holding {IP2P_FOLDER}/ and {BLIP2_FOLDER}/ (as `make-tiny --out` writes).")
    if settings.part not in ("per", "eic", "both"):
        raise TrainingError(f"--part {settings.part!r} is not per, eic or both.")
    if settings.part == "both":
        from .eic_training import check_layers

        check_model_folders(models / IP2P_FOLDER, models / BLIP2_FOLDER)
        check_layers(models / BLIP2_FOLDER, settings.eic_layers)
        records = load_dataset(dataset_file(dataset), require=["caption", "edited_caption", "edited_image"])
    elif settings.part == "eic":
        from .eic_training import check_blip2_folder, check_layers

        check_blip2_folder(models / BLIP2_FOLDER)
        check_layers(models / BLIP2_FOLDER, settings.eic_layers)
        records = load_dataset(dataset_file(dataset), require=["caption", "edited_caption"])
    else:
        check_model_folders(models / IP2P_FOLDER, models / BLIP2_FOLDER)
        records = load_dataset(dataset_file(dataset), require=["edited_image"])
    if settings.resolution % 8 or settings.resolution <= 0:
        raise TrainingError(f"--resolution {settings.resolution} is not a positive multiple of 8 (the VAE downsamples by 8).")
    if settings.batch_size < 1 or settings.epochs < 1:
        raise TrainingError("--batch-size and --epochs must be at least 1.")
    if settings.join not in ("add", "concat"):
        raise TrainingError(f"--join {settings.join!r} is not add or concat.")
    has_checkpoint = (Path(out) / CHECKPOINT).is_dir() or (Path(out) / PREVIOUS).is_dir()
    if has_checkpoint and not resume:
        raise TrainingError(f"{out} already holds a checkpoint: pass --resume to continue it, or choose another --out.")
    if resume and not has_checkpoint:
        raise TrainingError(f"{out} holds no checkpoint to resume ({out / CHECKPOINT} is missing).")
    return records


def epoch_order(count: int, seed: int, epoch: int) -> list[int]:
    """The data order of one epoch: a permutation fixed by the seed and the epoch, so a resumed run needs no state."""
    return torch.randperm(count, generator=torch.Generator().manual_seed(seed * 100_003 + epoch)).tolist()


def _checkpoint_folder(out: Path) -> Path:
    return out / CHECKPOINT if (out / CHECKPOINT).is_dir() else out / PREVIOUS


def save_checkpoint(out: Path, system, optimizer, generator: torch.Generator, state: dict) -> Path:
    from safetensors.torch import save_file

    stage = Path(tempfile.mkdtemp(prefix=".checkpoint-stage-", dir=out))
    try:
        save_file({k: v.detach().cpu().contiguous() for k, v in system.trainable_state().items()}, str(stage / "trainable.safetensors"))
        torch.save(optimizer.state_dict(), stage / "optimizer.pt")
        rng = {"generator": generator.get_state(), "torch": torch.get_rng_state()}
        if torch.cuda.is_available():
            rng["cuda"] = torch.cuda.get_rng_state_all()
        torch.save(rng, stage / "rng.pt")
        (stage / "state.json").write_text(json.dumps(state, indent=2))
        target, previous = out / CHECKPOINT, out / PREVIOUS
        if target.is_dir():
            if previous.exists():
                shutil.rmtree(previous)
            os.replace(target, previous)
        os.replace(stage, target)
        shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return out / CHECKPOINT


def _rewrite_log(out: Path, last_step: int) -> None:
    """Keeps the log lines up to the checkpoint's step (a resumed run writes the rest again)."""
    path = out / LOG
    if not path.exists():
        return
    kept = [line for line in path.read_text().splitlines() if line.strip() and json.loads(line)["step"] <= last_step]
    handle, temporary = tempfile.mkstemp(prefix=f".{LOG}.", dir=out)
    with os.fdopen(handle, "w") as file:
        file.write("".join(line + "\n" for line in kept))
    os.replace(temporary, path)


def _to_device(batch: dict, device: torch.device) -> dict:
    return {k: _to_device(v, device) if isinstance(v, dict) else v.to(device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}


def _out_of_memory(error: BaseException) -> bool:
    return isinstance(error, torch.OutOfMemoryError) or (isinstance(error, RuntimeError) and "can't allocate memory" in str(error))


def train(dataset: Path, models: Path, out: Path, settings: Settings | None = None, runtime: Runtime | None = None, resume: bool = False, expect: dict | None = None) -> list[dict]:
    """Trains PER or EIC (settings.part); returns the log entries of the steps this call ran. A resumed run takes its settings from the
    checkpoint; `settings` or `expect` (some Settings fields, e.g. what a command line gave) must agree with them."""
    from tqdm import tqdm

    out = Path(out)
    runtime = runtime or Runtime()
    if resume:
        folder = _checkpoint_folder(out)
        if not folder.is_dir():
            raise TrainingError(f"{out} holds no checkpoint to resume ({out / CHECKPOINT} is missing).")
        saved = json.loads((folder / "state.json").read_text())
        given = {**(dataclasses.asdict(settings) if settings is not None else {}), **(expect or {})}
        defaults = dataclasses.asdict(Settings())  # (a setting added since the checkpoint was written has its default there)
        differ = [f"{k} {saved['settings'].get(k, defaults.get(k))} there, {v} here" for k, v in given.items() if saved["settings"].get(k, defaults.get(k)) != v]
        if differ:
            raise TrainingError(f"{out}'s checkpoint was trained with other settings ({'; '.join(differ)}): resume without them, or choose another --out.")
        settings = Settings(**saved["settings"])
    settings = settings or Settings()
    records = check_inputs(dataset, models, out, settings, resume)
    if runtime.mixed_precision not in ("no", "bf16"):
        raise TrainingError(f"--mixed-precision {runtime.mixed_precision!r} is not no or bf16.")
    device = torch.device(runtime.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise TrainingError("--device cuda: this torch build or machine has no CUDA GPU.")
    out.mkdir(parents=True, exist_ok=True)

    if settings.part == "both":
        from .eic_training import make_eic_batch
        from .joint_training import load_joint_system, make_joint_batch

        system, pixels = load_joint_system(
            Path(models) / IP2P_FOLDER, Path(models) / BLIP2_FOLDER, join=settings.join, width=settings.per_width, heads=settings.per_heads,
            layers=settings.eic_layers, hidden=settings.eic_hidden, alpha=settings.eic_alpha, train_base=settings.eic_train_base, seed=settings.seed,
        )
    elif settings.part == "eic":
        from .eic_training import load_eic_system, make_eic_batch

        system, pixels = load_eic_system(
            Path(models) / BLIP2_FOLDER, layers=settings.eic_layers, hidden=settings.eic_hidden, alpha=settings.eic_alpha, train_base=settings.eic_train_base, seed=settings.seed
        )
    else:
        system, pixels = load_per_system(
            Path(models) / IP2P_FOLDER, Path(models) / BLIP2_FOLDER, join=settings.join, width=settings.per_width, heads=settings.per_heads, seed=settings.seed
        )
    if runtime.gradient_checkpointing:
        if settings.part in ("eic", "both"):
            (system.eic if settings.part == "both" else system).gradient_checkpointing = True
        if settings.part in ("per", "both"):
            system.unet.enable_gradient_checkpointing()
            system.vae.enable_gradient_checkpointing()
    system.to(device)
    parameters = [p for module in system.trainable_modules().values() for p in module.parameters()]
    optimizer = torch.optim.AdamW(parameters, lr=settings.lr, weight_decay=settings.weight_decay)
    generator = torch.Generator()
    steps_per_epoch = math.ceil(len(records) / settings.batch_size)
    if resume:
        from safetensors.torch import load_file

        folder = _checkpoint_folder(out)
        system.load_trainable_state(load_file(str(folder / "trainable.safetensors"), device=str(device)))
        optimizer.load_state_dict(torch.load(folder / "optimizer.pt", map_location=device, weights_only=True))
        rng = torch.load(folder / "rng.pt", weights_only=True)
        generator.set_state(rng["generator"])
        torch.set_rng_state(rng["torch"])
        if "cuda" in rng and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(rng["cuda"])
        state = json.loads((folder / "state.json").read_text())
        if state["dataset_records"] != len(records):
            raise TrainingError(f"{out}'s checkpoint was trained on {state['dataset_records']} records; {dataset_file(dataset)} has {len(records)}.")
        epoch, batch_index, step = state["epoch"], state["batch"], state["step"]
        _rewrite_log(out, step)
    else:
        torch.manual_seed(settings.seed)
        generator.manual_seed(settings.seed)
        epoch, batch_index, step = 0, 0, 0
        (out / LOG).unlink(missing_ok=True)

    def state_now() -> dict:
        return {"settings": dataclasses.asdict(settings), "epoch": epoch, "batch": batch_index, "step": step, "dataset_records": len(records), "done": epoch >= settings.epochs}

    total = settings.epochs * steps_per_epoch
    ran: list[dict] = []
    system.train()
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=runtime.mixed_precision == "bf16")
    bar = tqdm(total=total, initial=step, disable=not runtime.progress or not sys.stderr.isatty(), desc=settings.part.upper(), unit="step")
    with open(out / LOG, "a") as log:
        while epoch < settings.epochs:
            order = epoch_order(len(records), settings.seed, epoch)
            while batch_index < steps_per_epoch:
                if runtime.max_steps is not None and step >= runtime.max_steps:
                    save_checkpoint(out, system, optimizer, generator, state_now())
                    bar.close()
                    return ran
                chosen = [records[i] for i in order[batch_index * settings.batch_size:(batch_index + 1) * settings.batch_size]]
                started = time.perf_counter()
                try:
                    if settings.part == "both":
                        batch = make_joint_batch(chosen, system.tokenizer, pixels, settings.resolution)
                    elif settings.part == "eic":
                        batch = make_eic_batch(chosen, system.tokenizer, pixels)
                    else:
                        batch = make_batch(chosen, pixels, settings.resolution)
                    batch = _to_device(batch, device)
                    with autocast:
                        if settings.part == "both":
                            losses = system.loss(batch, generator, settings.lambda1, settings.lambda2)
                        elif settings.part == "eic":
                            losses = system.loss(batch, settings.lambda1)
                        else:
                            losses = system.loss(batch, generator, settings.lambda2)
                    optimizer.zero_grad(set_to_none=True)
                    losses["loss"].backward()
                    optimizer.step()
                except BaseException as error:
                    if _out_of_memory(error):
                        advice = ("--mixed-precision bf16, --gradient-checkpointing, a smaller --eic-hidden or --eic-layers, or --batch-size" if settings.part == "eic"
                                  else "--mixed-precision bf16, --gradient-checkpointing, a smaller --resolution or --batch-size")
                        raise TrainingError(
                            f"out of memory at step {step + 1} ({runtime.device}, {settings.part}, resolution {settings.resolution}, batch {settings.batch_size}): "
                            f"try {advice}; "
                            f"{out / CHECKPOINT} still holds the last complete checkpoint (--resume continues from it)."
                        ) from None
                    raise
                step += 1
                batch_index += 1
                entry = {"step": step, "epoch": epoch, **{k: v.item() for k, v in losses.items()}, "seconds": round(time.perf_counter() - started, 4)}
                if not math.isfinite(entry["loss"]):
                    raise TrainingError(f"the loss is {entry['loss']} at step {step}: lower --lr, or use --mixed-precision no.")
                log.write(json.dumps(entry) + "\n")
                log.flush()
                ran.append(entry)
                bar.update(1)
                bar.set_postfix(loss=f"{entry['loss']:.4f}")
                if step % runtime.save_every == 0 and batch_index < steps_per_epoch:
                    save_checkpoint(out, system, optimizer, generator, state_now())
            epoch, batch_index = epoch + 1, 0
            save_checkpoint(out, system, optimizer, generator, state_now())
    bar.close()
    return ran
