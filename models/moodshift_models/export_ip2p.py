"""A local diffusers InstructPix2Pix folder (e.g. a copy of `timbrooks/instruct-pix2pix`) → the `diffusion`
renderer's files under MODELS_DIR (models/manifest.json): tokenizer/tokenizer.json, text_encoder/model.onnx,
vae_encoder/model.onnx, unet/model.onnx (+ model.onnx_data over 2 GB), vae_decoder/model.onnx."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from .files import ExportError, require_files, require_one_of, staged_output
from .onnx_io import export_module

WHAT = "a diffusers InstructPix2Pix pipeline (such as timbrooks/instruct-pix2pix)"
PARTS = ("tokenizer", "text_encoder", "vae_encoder", "unet", "vae_decoder")
_DIFFUSERS_WEIGHTS = ("diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin")
_TRANSFORMERS_WEIGHTS = ("model.safetensors", "pytorch_model.bin")


def check_ip2p_folder(folder: Path) -> None:
    """Every file the export reads, before any work; the message names what is missing."""
    require_files(
        folder,
        ["model_index.json", "unet/config.json", "vae/config.json", "text_encoder/config.json", "tokenizer/tokenizer_config.json"],
        WHAT,
    )
    require_one_of(folder, [f"unet/{name}" for name in _DIFFUSERS_WEIGHTS], WHAT)
    require_one_of(folder, [f"vae/{name}" for name in _DIFFUSERS_WEIGHTS], WHAT)
    require_one_of(folder, [f"text_encoder/{name}" for name in _TRANSFORMERS_WEIGHTS], WHAT)
    if not (folder / "tokenizer/tokenizer.json").exists():
        require_files(folder, ["tokenizer/vocab.json", "tokenizer/merges.txt"], WHAT)
    in_channels = json.loads((folder / "unet/config.json").read_text()).get("in_channels")
    if in_channels != 8:
        raise ExportError(
            f"{folder / 'unet/config.json'} has in_channels {in_channels}; an InstructPix2Pix UNet takes 8 "
            "(the noisy latent and the picture's latent). Is this a plain Stable Diffusion folder?"
        )


class _TextEncoder(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids):
        return self.model(input_ids=input_ids, return_dict=True).last_hidden_state


class _VaeEncoder(torch.nn.Module):
    """The latent distribution's mode (its mean), as InstructPix2Pix conditions on: no sampling, no scaling."""

    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, sample):
        return self.vae.encode(sample).latent_dist.mode()


class _VaeDecoder(torch.nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, latent_sample):
        return self.vae.decode(latent_sample, return_dict=True).sample


class _Unet(torch.nn.Module):
    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, encoder_hidden_states):
        return self.unet(sample, timestep, encoder_hidden_states=encoder_hidden_states, return_dict=True).sample


def export_ip2p(source: Path, out_dir: Path, fp16: bool = False) -> list[Path]:
    """Exports every part; on any failure `out_dir` is left as it was. Returns the files written."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTokenizerFast

    check_ip2p_folder(source)
    tokenizer = CLIPTokenizerFast.from_pretrained(source / "tokenizer", local_files_only=True)
    text_encoder = CLIPTextModel.from_pretrained(source / "text_encoder", local_files_only=True, attn_implementation="eager").eval()
    vae = AutoencoderKL.from_pretrained(source / "vae", local_files_only=True, low_cpu_mem_usage=False).eval()
    unet = UNet2DConditionModel.from_pretrained(source / "unet", local_files_only=True, low_cpu_mem_usage=False).eval()

    tokens = tokenizer.model_max_length if tokenizer.model_max_length < 10_000 else 77
    width = text_encoder.config.hidden_size
    latent_channels = vae.config.latent_channels
    factor = 2 ** (len(vae.config.block_out_channels) - 1)
    latent_side = 8
    side = latent_side * factor

    with staged_output(out_dir, PARTS) as stage:
        tokenizer.save_pretrained(stage / "tokenizer")
        for leftover in ("vocab.json", "merges.txt"):
            (stage / "tokenizer" / leftover).unlink(missing_ok=True)
        ids = torch.zeros((1, tokens), dtype=torch.int64)
        export_module(
            _TextEncoder(text_encoder), (ids,), stage / "text_encoder/model.onnx",
            input_names=["input_ids"], output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": {0: "batch"}, "last_hidden_state": {0: "batch"}}, fp16=fp16,
        )
        picture = torch.zeros((1, 3, side, side))
        export_module(
            _VaeEncoder(vae), (picture,), stage / "vae_encoder/model.onnx",
            input_names=["sample"], output_names=["latent_sample"],
            dynamic_axes={"sample": {0: "batch", 2: "height", 3: "width"}, "latent_sample": {0: "batch", 2: "latent_height", 3: "latent_width"}},
            fp16=fp16,
        )
        sample = torch.zeros((3, unet.config.in_channels, latent_side, latent_side))
        export_module(
            _Unet(unet), (sample, torch.tensor([999.0]), torch.zeros((3, tokens, width))), stage / "unet/model.onnx",
            input_names=["sample", "timestep", "encoder_hidden_states"], output_names=["out_sample"],
            dynamic_axes={
                "sample": {0: "batch", 2: "latent_height", 3: "latent_width"},
                "encoder_hidden_states": {0: "batch", 1: "tokens"},
                "out_sample": {0: "batch", 2: "latent_height", 3: "latent_width"},
            },
            fp16=fp16,
        )
        export_module(
            _VaeDecoder(vae), (torch.zeros((1, latent_channels, latent_side, latent_side)),), stage / "vae_decoder/model.onnx",
            input_names=["latent_sample"], output_names=["sample"],
            dynamic_axes={"latent_sample": {0: "batch", 2: "latent_height", 3: "latent_width"}, "sample": {0: "batch", 2: "height", 3: "width"}},
            fp16=fp16,
        )
        written = sorted(p.relative_to(stage) for p in stage.rglob("*") if p.is_file())
    return [out_dir / p for p in written]
