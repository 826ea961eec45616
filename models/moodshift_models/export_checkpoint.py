"""A trained EPEM checkpoint (`train --part per|eic|both`) → the ONNX files moodshift runs (models/README.md, "Exporting a
trained checkpoint"): `python -m moodshift_models export --checkpoint RUN [--checkpoint RUN] --models BASE --out DIR`.

PER (a `--part per` run): per/eai.onnx and per/adapter.onnx with the trained EAI block and adapter (the contract's
names: query_embeds, image_latents → q_prime, v_prime; text_embeds, v_prime → f), the InstructPix2Pix files of the
frozen base (`export-ip2p`), and blip2/ with the trained Q-Former (its query tokens and projection), whose output
the EAI block reads. With the default `--join add` the EAI export's q_prime has no rows (K = 0: h = q_t + f, what
the run trained); a `--join concat` run's has its rows. The attention in both files is written out (the same
weights and arithmetic as torch's nn.MultiheadAttention, which the TorchScript exporter traces with the example's
sequence lengths), so they take any picture size.

EIC (a `--part eic` run): blip2/ with the trained Q-Former and the decoder with the EIC edit baked into the weights
of the edited fc1/fc2 (the run's trained base weights, when it trained them, plus ΔW). MEND's edit ΔW is computed
per edit sample from the gradient of that sample's target; the planner at run time has no target to take a
gradient of, and an ONNX file holds one set of weights. So the export bakes in the **mean edit over the dataset's
records**: ΔW = mean over records r of −α Σ_t δ̃_t ũ_tᵀ (the editor in evaluation mode: its running statistics as
trained). The source and target emotions reach the decoder through the prompt (the instruction names both), as in
training. export.json records the records per source→target pair the edit was averaged over. (Considered and not
taken: one low-rank (ũ, δ̃) set per pair fed as extra decoder inputs; that changes the onnx planner's file contract
and the planner would need a per-pair table; the mean edit keeps the contract as it is.)

A `--part both` run is both a PER and an EIC checkpoint with one Q-Former. Separate runs train their own copy of
BLIP-2's Q-Former and the renderer and planner share blip2/qformer.onnx; with a PER and an EIC checkpoint whose
Q-Formers differ, `--qformer-from per|eic` says whose is exported (the other part
then reads a Q-Former it was not trained with).

Everything is checked before any model loads, and the export is written into a temporary folder inside --out and
moved into place only when every file is written."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from .dataset import DatasetError, load_dataset
from .files import ExportError, staged_output
from .onnx_io import export_module

CHECKPOINT_FILES = ("state.json", "trainable.safetensors")
IP2P_PARTS = ("tokenizer", "text_encoder", "vae_encoder", "unet", "vae_decoder")


def checkpoint_folder(path: Path) -> Path:
    """A training OUT (holding checkpoint/) or the checkpoint folder itself."""
    path = Path(path)
    for folder in (path / "checkpoint", path):
        if all((folder / name).is_file() for name in CHECKPOINT_FILES):
            return folder
    raise ExportError(f"{path} holds no training checkpoint (checkpoint/state.json and checkpoint/trainable.safetensors): give a `train --out` folder.")


def read_checkpoints(paths: list[Path]) -> dict[str, tuple[Path, dict]]:
    """{part: (checkpoint folder, its state.json)}, at most one per part."""
    found: dict[str, tuple[Path, dict]] = {}
    if not paths:
        raise ExportError("give at least one --checkpoint (a `train --part per`, `--part eic` or `--part both` run).")
    for path in paths:
        folder = checkpoint_folder(path)
        state = json.loads((folder / "state.json").read_text())
        part = state["settings"].get("part", "per")
        for one in ("per", "eic") if part == "both" else (part,):
            if one in found:
                raise ExportError(f"{found[one][0]} and {folder} are both {one.upper()} checkpoints (a --part both run is both); give one of each part at most.")
            found[one] = (folder, state)
    return found


# -- export-friendly attention -------------------------------------------------------------------------------------


def attention(module: nn.MultiheadAttention, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
    """nn.MultiheadAttention(query, key, value) (batch first, no mask, no dropout in eval) with its own weights,
    written with free sequence lengths."""
    width, heads = module.embed_dim, module.num_heads
    size = width // heads
    w_q, w_k, w_v = module.in_proj_weight.chunk(3)
    b_q, b_k, b_v = module.in_proj_bias.chunk(3) if module.in_proj_bias is not None else (None, None, None)
    batch = query.shape[0]

    def split(x, weight, bias):
        return F.linear(x, weight, bias).reshape(batch, -1, heads, size).transpose(1, 2)

    q, k, v = split(query, w_q, b_q), split(key, w_k, b_k), split(value, w_v, b_v)
    weights = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(size), dim=-1)
    context = torch.matmul(weights, v).transpose(1, 2).reshape(batch, -1, width)
    return module.out_proj(context)


class EaiForExport(nn.Module):
    """EmotionAttentionInteraction.forward with `attention`; with join "add" q_prime has no rows (K = 0)."""

    def __init__(self, eai, join: str):
        super().__init__()
        self.eai, self.join = eai, join

    def forward(self, query_embeds, image_latents):
        eai = self.eai
        q = eai.query_in(query_embeds)
        v = eai.latent_in(image_latents.flatten(2).transpose(1, 2))
        q = q + attention(eai.self_attention, q, q, q)
        q = q + attention(eai.cross_attention, q, v, v)
        q_prime = eai.mlp(q)
        k = eai.q_prime_in(q_prime)
        v_prime = v + attention(eai.back_attention, v, k, k)
        if self.join == "add":
            q_prime = q_prime[:, :0]
        return q_prime, v_prime


class AdapterForExport(nn.Module):
    def __init__(self, adapter):
        super().__init__()
        self.adapter = adapter

    def forward(self, text_embeds, v_prime):
        a = self.adapter
        t = a.text_mlp(text_embeds)
        v = a.v_mlp(v_prime)
        return a.out(attention(a.attention, t, v, v))


def export_per_blocks(eai, adapter, join: str, query_shape: tuple[int, int], latent_channels: int, text_shape: tuple[int, int], folder: Path, fp16: bool = False) -> None:
    """Writes folder/eai.onnx and folder/adapter.onnx (free batch-1 sequence and latent sizes)."""
    queries, query_width = query_shape
    tokens, text_width = text_shape
    eai_module, adapter_module = EaiForExport(eai, join).eval(), AdapterForExport(adapter).eval()
    export_module(
        eai_module, (torch.zeros((1, queries, query_width)), torch.zeros((1, latent_channels, 4, 6))), folder / "eai.onnx",
        input_names=["query_embeds", "image_latents"], output_names=["q_prime", "v_prime"],
        dynamic_axes={"query_embeds": {1: "queries"}, "image_latents": {2: "latent_height", 3: "latent_width"}, "q_prime": {1: "rows"}, "v_prime": {1: "pixels"}},
        fp16=fp16,
    )
    inner = eai.latent_in.out_features
    export_module(
        adapter_module, (torch.zeros((1, tokens, text_width)), torch.zeros((1, 24, inner))), folder / "adapter.onnx",
        input_names=["text_embeds", "v_prime"], output_names=["f"],
        dynamic_axes={"text_embeds": {1: "tokens"}, "v_prime": {1: "pixels"}, "f": {1: "tokens"}}, fp16=fp16,
    )


# -- the EIC edit ----------------------------------------------------------------------------------------------------


def mean_edit(system, records, blip_pixels) -> dict[str, torch.Tensor]:
    """The mean over `records` of the editor's ΔW per edited weight (the system in evaluation mode)."""
    from .eic_training import make_eic_batch

    system.eval()
    total: dict[str, torch.Tensor] = {}
    for record in records:
        batch = make_eic_batch([record], system.tokenizer, blip_pixels)
        _, factors, _ = system.edit_factors(batch)
        with torch.no_grad():
            for name, shift in system.editor(factors).items():
                total[name] = total.get(name, 0) + shift.float()
    return {name: value / len(records) for name, value in total.items()}


def edited_weights(system, shifts: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """{language model parameter name: W + ΔW} for the edited layers (W: the run's trained or frozen base)."""
    return {name: (layer.weight.detach() + shifts[name].to(layer.weight.dtype)) for name, layer in system.edited.items()}


def write_into_blip2(model, qformer_source, eic_system=None, eic_weights: dict[str, torch.Tensor] | None = None) -> None:
    """Writes a trained Q-Former (query tokens, Q-Former, projection: a PerSystem's or EicSystem's) and, for EIC,
    the edited fc1/fc2 (weights W + ΔW, biases as trained) into a Blip2ForConditionalGeneration."""
    with torch.no_grad():
        model.query_tokens.copy_(qformer_source.query_tokens.weight.detach()[None])
        model.qformer.load_state_dict(qformer_source.qformer.state_dict())
        model.language_projection.load_state_dict(qformer_source.language_projection.state_dict())
        if eic_system is not None:
            parameters = dict(model.language_model.named_parameters())
            for name, layer in eic_system.edited.items():
                parameters[name].copy_(eic_weights[name])
                parameters[name.replace(".weight", ".bias")].copy_(layer.bias.detach())


# -- the command -----------------------------------------------------------------------------------------------------


def export_checkpoints(checkpoints: list[Path], models: Path, out: Path, dataset: Path | None = None, qformer_from: str | None = None, fp16: bool = False) -> list[Path]:
    """Exports the given PER and/or EIC checkpoints; returns the files written. Raises ExportError (one sentence)."""
    from safetensors.torch import load_file

    from .eic_training import check_blip2_folder as check_eic_folder, check_layers, load_eic_system
    from .export_blip2 import check_blip2_folder, export_blip2, load_blip2_for_export
    from .export_ip2p import check_ip2p_folder, export_ip2p
    from .per_training import check_model_folders, load_per_system
    from .training import BLIP2_FOLDER, IP2P_FOLDER, dataset_file

    found = read_checkpoints(checkpoints)
    models, out = Path(models), Path(out)
    if not models.is_dir():
        raise ExportError(f"{models} is not a folder; give the --models folder the checkpoints were trained with ({IP2P_FOLDER}/ and {BLIP2_FOLDER}/).")
    ip2p, blip2 = models / IP2P_FOLDER, models / BLIP2_FOLDER
    check_blip2_folder(blip2)
    records = None
    if "per" in found:
        check_model_folders(ip2p, blip2)
        check_ip2p_folder(ip2p)
    if "eic" in found:
        settings = found["eic"][1]["settings"]
        check_eic_folder(blip2)
        check_layers(blip2, settings["eic_layers"])
        if dataset is None:
            raise ExportError("an EIC checkpoint needs --dataset: the edit baked into the decoder is the mean over its records (the run's L-AVC file).")
        records = load_dataset(dataset_file(dataset), require=["caption", "edited_caption"])
    if qformer_from is not None and qformer_from not in found:
        raise ExportError(f"--qformer-from {qformer_from}: no --part {qformer_from} checkpoint was given.")
    states = {part: load_file(str(folder / "trainable.safetensors")) for part, (folder, _) in found.items()}
    if len(found) == 2 and qformer_from is None:
        keys = [k for k in states["per"] if k.startswith(("qformer.", "query_tokens.", "language_projection."))]
        if any(k not in states["eic"] or not torch.equal(states["per"][k], states["eic"][k]) for k in keys):
            raise ExportError(
                "the PER and the EIC checkpoint trained different Q-Formers and blip2/qformer.onnx serves both: "
                "give --qformer-from per or --qformer-from eic (the other part then reads a Q-Former it was not trained with)."
            )
    qformer_part = qformer_from or ("eic" if "eic" in found else "per")

    torch.backends.mha.set_fastpath_enabled(False)
    systems: dict[str, object] = {}
    epem: dict[str, object] = {"qformer_from": qformer_part}
    if "per" in found:
        s = found["per"][1]["settings"]
        system, _ = load_per_system(ip2p, blip2, join=s["join"], width=s["per_width"], heads=s["per_heads"], seed=s["seed"])
        system.load_trainable_state(states["per"])
        systems["per"] = system.eval()
        epem["per"] = {"checkpoint": str(found["per"][0]), "step": found["per"][1]["step"], "join": s["join"]}
    eic_weights = None
    if "eic" in found:
        s = found["eic"][1]["settings"]
        system, pixels = load_eic_system(blip2, layers=s["eic_layers"], hidden=s["eic_hidden"], alpha=s["eic_alpha"], train_base=s["eic_train_base"], seed=s["seed"])
        system.load_trainable_state(states["eic"])
        systems["eic"] = system.eval()
        eic_weights = edited_weights(system, mean_edit(system, records, pixels))
        pairs = Counter(f"{r.source_emotion or '?'}->{r.target_emotion}" for r in records)
        epem["eic"] = {"checkpoint": str(found["eic"][0]), "step": found["eic"][1]["step"], "edit": "mean over records", "records": len(records),
                       "pairs": dict(sorted(pairs.items())), "edited": list(system.edited)}

    model = load_blip2_for_export(blip2)
    write_into_blip2(model, systems[qformer_part], systems.get("eic"), eic_weights)
    parts = (*IP2P_PARTS, "per", "blip2") if "per" in found else ("blip2",)
    with staged_output(out, parts) as stage:
        if "per" in found:
            per = systems["per"]
            export_ip2p(ip2p, stage, fp16=fp16)
            queries = per.query_tokens.weight.shape[0]
            export_per_blocks(
                per.eai, per.adapter, per.join, (queries, per.language_projection.out_features), per.vae.config.latent_channels,
                (77, per.text_encoder.config.hidden_size), stage / "per", fp16=fp16,
            )
            (stage / "per/export.json").write_text(json.dumps({"format": 1, **epem["per"]}, indent=2) + "\n")
        export_blip2(blip2, stage, fp16=fp16, model=model, extra={"epem": epem})
        written = sorted(p.relative_to(stage) for p in stage.rglob("*") if p.is_file())
    return [out / p for p in written]


__all__ = ["DatasetError", "export_checkpoints", "mean_edit", "edited_weights", "write_into_blip2", "EaiForExport", "AdapterForExport", "attention"]
