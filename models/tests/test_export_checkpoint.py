"""A trained checkpoint to the files moodshift runs: a tiny L-AVC set → a few PER and EIC training steps →
`python -m moodshift_models export` → `moodshift models check` passes → moodshift's diffusion renderer and onnx
planner (TypeScript, ONNX Runtime) give what PyTorch gives with the trained weights on the same inputs: the picture
within 2/255 of diffusers' pipeline conditioned on h = q_t + f from the trained blocks, the planner the same tokens
as transformers' generate on BLIP-2 with the trained Q-Former and the mean EIC edit written into its fc1/fc2."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from conftest import REPO, read_json, run_node
from moodshift_models import training
from moodshift_models.dataset import load_dataset, make_tiny_dataset
from moodshift_models.files import ExportError
from moodshift_models.training import Runtime, Settings, train
from test_diffusion_parity import CAPTION, INSTRUCTION, PROMPT, SEED, STEPS, TOLERANCE, report

torch.set_num_threads(1)
QFORMER = ("qformer.", "query_tokens.", "language_projection.")
# Learning rates large enough that a few steps move the zero-initialised blocks and the editor visibly.
PER_SETTINGS = Settings(lr=2e-2, epochs=2, resolution=64, seed=1)
EIC_SETTINGS = Settings(part="eic", lr=1e-3, epochs=2, eic_layers=2, eic_hidden=16, seed=1)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "moodshift_models", *map(str, args)], cwd=REPO / "models", capture_output=True, text=True)


def models_check(folder, backend) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(REPO / "bin/moodshift.js"), "models", "check", str(folder), "--backend", backend], cwd=REPO, capture_output=True, text=True)


@pytest.fixture(scope="module")
def run(tiny, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("export-checkpoint")
    models = root / "models"
    models.mkdir()
    (models / training.IP2P_FOLDER).symlink_to(tiny["ip2p"])
    (models / training.BLIP2_FOLDER).symlink_to(tiny["blip2"])
    dataset = make_tiny_dataset(root / "lavc", count=2, size=64, seed=1)
    train(dataset, models, root / "per", PER_SETTINGS, Runtime(progress=False))
    train(dataset, models, root / "eic", EIC_SETTINGS, Runtime(progress=False))
    out = root / "out"
    result = cli("export", "--checkpoint", root / "per", "--checkpoint", root / "eic", "--models", models, "--dataset", dataset, "--out", out, "--qformer-from", "eic")
    assert result.returncode == 0, result.stderr
    return {"root": root, "models": models, "dataset": dataset, "out": out, "per": root / "per", "eic": root / "eic"}


def test_the_export_passes_models_check(run):
    for backend in ("diffusion", "onnx"):
        result = models_check(run["out"], backend)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"{backend}: ready" in result.stdout
    info = read_json(run["out"] / "blip2/export.json")["epem"]
    assert info["qformer_from"] == "eic" and info["eic"]["records"] == 2 and info["eic"]["step"] == 4
    assert len(info["eic"]["edited"]) == 4 and sum(info["eic"]["pairs"].values()) == 2
    assert read_json(run["out"] / "per/export.json")["join"] == "add"
    assert not [p for p in run["out"].iterdir() if p.name.startswith(".")], "a temporary folder was left behind"


def per_reference(run):
    """The trained PER system in PyTorch, with the EIC run's Q-Former (what --qformer-from eic exports)."""
    from moodshift_models.per_training import load_per_system

    system, _ = load_per_system(run["models"] / training.IP2P_FOLDER, run["models"] / training.BLIP2_FOLDER, join="add", heads=8, seed=1)
    per = load_file(str(run["per"] / "checkpoint/trainable.safetensors"))
    eic = load_file(str(run["eic"] / "checkpoint/trainable.safetensors"))
    assert any(not torch.equal(per[k], eic[k]) for k in per if k.startswith(QFORMER)), "both runs should have moved their Q-Former"
    system.load_trainable_state({**per, **{k: v for k, v in eic.items() if k.startswith(QFORMER)}})
    return system.eval()


def test_the_renderer_matches_pytorch_with_the_trained_blocks(run, picture, tmp_path):
    from diffusers import DDIMScheduler, StableDiffusionInstructPix2PixPipeline

    from moodshift_models.per_training import per_conditioning
    from moodshift_models.tiny import IP2P_SCHEDULER_CONFIG

    out, noise_path, pixels_path = tmp_path / "trained.png", tmp_path / "trained.noise", tmp_path / "trained.pixels"
    run_node(
        "render", "--models", str(run["out"]), "--image", str(picture), "--out", str(out), "--noise", str(noise_path),
        "--pixels", str(pixels_path), "--scheduler", "ddim", "--steps", str(STEPS), "--seed", str(SEED),
        "--instruction", INSTRUCTION, "--caption", CAPTION, "--emotion-blocks", "on",
    )
    ours = np.asarray(Image.open(out).convert("RGB")).astype(np.int16)

    system = per_reference(run)
    pipe = StableDiffusionInstructPix2PixPipeline.from_pretrained(run["models"] / training.IP2P_FOLDER, safety_checker=None, requires_safety_checker=False, local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    pipe.scheduler = DDIMScheduler.from_config(IP2P_SCHEDULER_CONFIG)
    image = Image.open(picture).convert("RGB")
    h, w = image.height // 8, image.width // 8
    noise = np.fromfile(noise_path, dtype=np.float32).reshape(1 + STEPS, 1, 4, h, w)
    pixels = torch.from_numpy(np.fromfile(pixels_path, dtype=np.float32).reshape(1, 3, 224, 224))
    with torch.no_grad():
        query = system.query_embeds(pixels)
        latents = pipe.vae.encode(pipe.image_processor.preprocess(image)).latent_dist.mode()
        q_t, q_empty = system.encode_text([PROMPT]), system.encode_text([""])
        h_text = per_conditioning(system.eai, system.adapter, query, latents, q_t, "add")
        h_empty = per_conditioning(system.eai, system.adapter, query, latents, q_empty, "add")
        shift = (h_text - q_t).abs().mean().item()
        common = dict(image=image, num_inference_steps=STEPS, guidance_scale=7.5, image_guidance_scale=1.5, latents=torch.from_numpy(noise[0].copy()), eta=0.0, output_type="np")
        reference = pipe(prompt_embeds=h_text, negative_prompt_embeds=h_empty, **common).images[0]
        plain = pipe(PROMPT, **common).images[0]
    reference = np.round(reference * 255).astype(np.int16)
    plain = np.round(plain * 255).astype(np.int16)
    difference = report("trained PER ddim fp32", ours, reference)
    print(f"trained PER vs plain InstructPix2Pix: max {np.abs(plain - reference).max()}/255 (mean |f| {shift:.4f})")
    assert shift > 0.01, "the trained adapter should have moved off its zero initialisation"
    assert np.abs(plain - reference).max() > TOLERANCE, "the trained blocks should change the picture"
    assert difference.max() <= TOLERANCE


def eic_reference(run):
    """BLIP-2 in PyTorch with the EIC run's Q-Former and W + mean ΔW in the edited layers, computed here from the
    editor's edited_parameters per record (not through the export's own helpers)."""
    from transformers import Blip2ForConditionalGeneration

    from moodshift_models.eic_training import load_eic_system, make_eic_batch

    state = load_file(str(run["eic"] / "checkpoint/trainable.safetensors"))
    system, pixels = load_eic_system(run["models"] / training.BLIP2_FOLDER, layers=2, hidden=16, alpha=EIC_SETTINGS.eic_alpha, seed=1)
    system.load_trainable_state(state)
    system.eval()
    records = load_dataset(run["dataset"], require=["caption", "edited_caption"])
    edited = {}
    for record in records:
        _, factors, _ = system.edit_factors(make_eic_batch([record], system.tokenizer, pixels))
        with torch.no_grad():
            for name, value in system.edited_parameters(factors).items():
                edited[name] = edited.get(name, 0) + value / len(records)
    model = Blip2ForConditionalGeneration.from_pretrained(run["models"] / training.BLIP2_FOLDER, local_files_only=True, attn_implementation="eager").eval()
    base = {k: v.clone() for k, v in model.language_model.state_dict().items()}
    weights = {f"qformer.{k[len('qformer.'):]}": v for k, v in state.items() if k.startswith("qformer.")}
    weights |= {k: v for k, v in state.items() if k.startswith("language_projection.")}
    weights["query_tokens"] = state["query_tokens.weight"][None]
    for index, name in enumerate(system.edited):
        weights[f"language_model.{name}"] = edited[name]
        bias = name.replace(".weight", ".bias")
        weights[f"language_model.{bias}"] = state[f"edited_mlps.{index}.bias"]
    missing = set(weights) - set(model.state_dict())
    assert not missing, missing
    model.load_state_dict(weights, strict=False)
    # The trained base weights alone (no ΔW), to see that the export holds the edit itself.
    unedited = {**base, **{k[len("language_model."):]: v for k, v in weights.items() if k.startswith("language_model.")}}
    unedited |= {name: state[f"edited_mlps.{index}.weight"] for index, name in enumerate(system.edited)}
    return model, base, unedited


def test_the_planner_matches_pytorch_with_the_baked_edit(run, square_picture, tmp_path):
    import onnxruntime as ort
    from transformers import AutoTokenizer

    model, base, unedited = eic_reference(run)
    out = tmp_path / "plan.json"
    run_node("plan", "--models", str(run["out"]), "--image", str(square_picture), "--out", str(out), "--beam", "1", "--max-new-tokens", "24")
    ours = read_json(out)
    tokenizer = AutoTokenizer.from_pretrained(run["models"] / training.BLIP2_FOLDER, local_files_only=True)
    prompt_ids = tokenizer(ours["prompt"]).input_ids
    ids = [model.config.image_token_index] * model.config.num_query_tokens + prompt_ids
    pixels = torch.from_numpy(np.asarray(ours["pixels"], dtype=np.float32).reshape(1, 3, 224, 224))
    with torch.no_grad():
        generated = model.generate(pixel_values=pixels, input_ids=torch.tensor([ids]), attention_mask=torch.ones((1, len(ids)), dtype=torch.long),
                                   max_new_tokens=24, num_beams=1, do_sample=False)[0, len(ids):].tolist()
    eos = model.generation_config.eos_token_id
    tokens = generated[: generated.index(eos)] if eos in generated else generated
    print(f"\ntrained EIC: transformers {tokens}; moodshift decoder {ours['tokens']}")
    assert ours["promptIds"] == prompt_ids
    assert ours["tokens"] == tokens and ours["finished"] == (eos in generated)

    # The decoder file itself holds the edit: its logits are the edited model's, not the untrained one's.
    session = ort.InferenceSession(str(run["out"] / "blip2/decoder_model_merged.onnx"))
    text = model.config.text_config
    heads, size = text.num_attention_heads, text.hidden_size // text.num_attention_heads
    embeds = torch.randn((1, 5, text.word_embed_proj_dim), generator=torch.Generator().manual_seed(0))
    feeds = {"inputs_embeds": embeds.numpy(), "attention_mask": np.ones((1, 5), np.int64), "position_ids": np.arange(5, dtype=np.int64)[None]}
    for i in range(text.num_hidden_layers):
        for kind in ("key", "value"):
            feeds[f"past_key_values.{i}.{kind}"] = np.zeros((1, heads, 0, size), np.float32)
    exported = session.run(["logits"], feeds)[0]
    lm = model.language_model
    with torch.no_grad():
        edited_logits = lm(inputs_embeds=embeds, attention_mask=torch.ones((1, 5), dtype=torch.long)).logits.numpy()
        lm.load_state_dict(unedited)
        without_edit = lm(inputs_embeds=embeds, attention_mask=torch.ones((1, 5), dtype=torch.long)).logits.numpy()
        lm.load_state_dict(base)
        untrained_logits = lm(inputs_embeds=embeds, attention_mask=torch.ones((1, 5), dtype=torch.long)).logits.numpy()
    apart, moved = np.abs(exported - edited_logits).max(), np.abs(edited_logits - untrained_logits).max()
    edit = np.abs(edited_logits - without_edit).max()
    print(f"trained EIC decoder logits: {apart:.2e} from PyTorch's edited model, which is {moved:.2e} from the untrained one "
          f"and {edit:.2e} from the trained weights without the mean edit ΔW")
    assert apart < 1e-4 and moved > 100 * apart and edit > 100 * apart


def test_refusals_name_the_problem_and_write_nothing(run, tmp_path):
    out = tmp_path / "out"
    result = cli("export", "--checkpoint", run["eic"], "--models", run["models"], "--out", out)
    assert result.returncode == 2 and "needs --dataset" in result.stderr and "Traceback" not in result.stderr
    result = cli("export", "--checkpoint", run["per"], "--checkpoint", run["eic"], "--models", run["models"], "--dataset", run["dataset"], "--out", out)
    assert result.returncode == 2 and "--qformer-from per or --qformer-from eic" in result.stderr
    result = cli("export", "--checkpoint", run["per"], "--checkpoint", run["per"], "--models", run["models"], "--out", out)
    assert result.returncode == 2 and "are both PER checkpoints" in result.stderr
    result = cli("export", "--checkpoint", tmp_path, "--models", run["models"], "--out", out)
    assert result.returncode == 2 and "holds no training checkpoint" in result.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_a_failed_export_leaves_the_previous_one(run, tmp_path, monkeypatch):
    from moodshift_models import export_checkpoint

    out = tmp_path / "out"
    shutil.copytree(run["out"], out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise ExportError("disk full (simulated)")

    monkeypatch.setattr(export_checkpoint, "export_per_blocks", broken)
    with pytest.raises(ExportError, match="simulated"):
        export_checkpoint.export_checkpoints([run["per"]], run["models"], out)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in run["out"].iterdir())


def test_per_only_export_has_the_base_decoder(run, tiny, tmp_path):
    """A PER run alone: the PER files and blip2/ with PER's Q-Former and the untrained decoder; json says so."""
    out = tmp_path / "per-only"
    result = cli("export", "--checkpoint", run["per"], "--models", run["models"], "--out", out)
    assert result.returncode == 0, result.stderr
    info = json.loads((out / "blip2/export.json").read_text())["epem"]
    assert info["qformer_from"] == "per" and "eic" not in info
    assert models_check(out, "diffusion").returncode == 0


def test_fp16_export_passes_models_check(run, tmp_path):
    import onnx

    out = tmp_path / "fp16"
    result = cli("export", "--checkpoint", run["per"], "--checkpoint", run["eic"], "--models", run["models"], "--dataset", run["dataset"], "--out", out,
                 "--qformer-from", "eic", "--fp16")
    assert result.returncode == 0, result.stderr
    element = lambda path, name: {i.name: i.type.tensor_type.elem_type for i in onnx.load(str(out / path)).graph.input}[name]
    assert element("per/eai.onnx", "image_latents") == onnx.TensorProto.FLOAT16 and element("per/adapter.onnx", "text_embeds") == onnx.TensorProto.FLOAT16
    assert element("blip2/decoder_model_merged.onnx", "inputs_embeds") == onnx.TensorProto.FLOAT16
    for backend in ("diffusion", "onnx"):
        check = models_check(out, backend)
        assert check.returncode == 0, check.stdout + check.stderr
