"""A local BLIP-2 OPT folder (e.g. a copy of `Salesforce/blip2-opt-2.7b`) → the `onnx` planner's files under
MODELS_DIR/blip2 (models/manifest.json): vision_encoder.onnx, qformer.onnx (Q-Former + language projection, always
float32, as transformers keeps it), embed_tokens.onnx, decoder_model_merged.onnx (OPT taking `inputs_embeds`, with
past key values; `.onnx_data` over 2 GB), tokenizer.json, and export.json with the ids generation needs: the end
token (BLIP-2 OPT ends answers with "\\n", id 50118, not `</s>`), the start token and the query count."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from .files import ExportError, require_files, require_one_of, staged_output
from .onnx_io import export_module
from .opt_decoder import OptDecoderWithPast

WHAT = "a transformers BLIP-2 OPT model (such as Salesforce/blip2-opt-2.7b)"
_WEIGHTS = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")
EXPORT_METADATA = "export.json"


def check_blip2_folder(folder: Path) -> dict:
    """Every file the export reads, before any work; returns the config."""
    require_files(folder, ["config.json", "tokenizer_config.json"], WHAT)
    require_one_of(folder, _WEIGHTS, WHAT)
    if not (folder / "tokenizer.json").exists():
        require_files(folder, ["vocab.json", "merges.txt"], WHAT)
    config = json.loads((folder / "config.json").read_text())
    if config.get("model_type") != "blip-2" or config.get("text_config", {}).get("model_type") != "opt":
        raise ExportError(
            f"{folder / 'config.json'} describes model_type {config.get('model_type')!r} with a "
            f"{config.get('text_config', {}).get('model_type')!r} language model; the planner needs BLIP-2 with OPT."
        )
    return config


def end_token_id(folder: Path, config: dict) -> int:
    """The id that ends an answer: generation_config.json's eos, else the OPT config's (50118, "\\n", for the
    public BLIP-2 OPT checkpoints)."""
    generation = folder / "generation_config.json"
    eos = json.loads(generation.read_text()).get("eos_token_id") if generation.exists() else None
    if eos is None:
        eos = config.get("text_config", {}).get("eos_token_id")
    if isinstance(eos, list):
        eos = eos[0]
    if not isinstance(eos, int):
        raise ExportError(f"{folder} names no end token (eos_token_id) in generation_config.json or config.json.")
    return eos


class _Vision(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.vision = model.vision_model

    def forward(self, pixel_values):
        return self.vision(pixel_values=pixel_values, return_dict=True).last_hidden_state


class _QFormer(torch.nn.Module):
    """The Q-Former over the image embeddings, then the language projection: the query embeddings OPT reads."""

    def __init__(self, model):
        super().__init__()
        self.query_tokens = model.query_tokens
        self.qformer = model.qformer
        self.projection = model.language_projection

    def forward(self, image_embeds):
        queries = self.query_tokens.expand(image_embeds.shape[0], -1, -1)
        mask = torch.ones(image_embeds.shape[:-1], dtype=torch.long)
        out = self.qformer(query_embeds=queries, encoder_hidden_states=image_embeds, encoder_attention_mask=mask, return_dict=True)
        return self.projection(out.last_hidden_state)


class _Embed(torch.nn.Module):
    def __init__(self, embedding):
        super().__init__()
        self.embedding = embedding

    def forward(self, input_ids):
        return self.embedding(input_ids)


def load_blip2_for_export(source: Path):
    """The float32 BLIP-2 model of a checked local folder, as the export traces it (eager attention)."""
    from transformers import Blip2ForConditionalGeneration

    check_blip2_folder(source)
    return Blip2ForConditionalGeneration.from_pretrained(
        source, local_files_only=True, dtype=torch.float32, attn_implementation="eager"
    ).eval()


def export_blip2(source: Path, out_dir: Path, fp16: bool = False, model=None, extra: dict | None = None) -> list[Path]:
    """Exports every part into MODELS_DIR/blip2; on any failure `out_dir` is left as it was. `model` (a
    Blip2ForConditionalGeneration loaded from `source`, e.g. with trained weights written in) replaces the folder's
    weights; `extra` is added to export.json."""
    from transformers import AutoTokenizer

    config = check_blip2_folder(source)
    eos = end_token_id(source, config)
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True, use_fast=True)
    if not tokenizer.is_fast:
        raise ExportError(f"{source} has no tokenizer that `tokenizers` can read (tokenizer.json, or vocab.json and merges.txt).")
    if model is None:
        model = load_blip2_for_export(source)
    model = model.eval()
    text = model.config.text_config
    heads, head_size = text.num_attention_heads, text.hidden_size // text.num_attention_heads
    layers = text.num_hidden_layers
    image_size = model.config.vision_config.image_size
    patches = (image_size // model.config.vision_config.patch_size) ** 2 + 1
    width = text.word_embed_proj_dim
    metadata = {
        "format": 1,
        "end_token_id": eos,
        "start_token_id": text.bos_token_id,
        "pad_token_id": text.pad_token_id,
        "image_token_index": getattr(model.config, "image_token_index", None),
        "num_query_tokens": model.config.num_query_tokens,
        "image_size": image_size,
        "hidden_size": width,
        "layers": layers,
        "heads": heads,
        "head_size": head_size,
        "dtype": {"vision_encoder": "float16" if fp16 else "float32", "qformer": "float32", "embed_tokens": "float16" if fp16 else "float32", "decoder": "float16" if fp16 else "float32"},
        "source": source.name,
        **(extra or {}),
    }

    with staged_output(out_dir, ["blip2"]) as stage:
        folder = stage / "blip2"
        tokenizer.save_pretrained(folder)
        for leftover in ("vocab.json", "merges.txt"):
            (folder / leftover).unlink(missing_ok=True)
        (folder / EXPORT_METADATA).write_text(json.dumps(metadata, indent=2) + "\n")
        export_module(
            _Vision(model), (torch.zeros((1, 3, image_size, image_size)),), folder / "vision_encoder.onnx",
            input_names=["pixel_values"], output_names=["last_hidden_state"],
            dynamic_axes={"pixel_values": {0: "batch"}, "last_hidden_state": {0: "batch"}}, fp16=fp16,
        )
        export_module(
            _QFormer(model), (torch.zeros((1, patches, model.config.vision_config.hidden_size)),), folder / "qformer.onnx",
            input_names=["image_embeds"], output_names=["language_model_inputs"],
            dynamic_axes={"image_embeds": {0: "batch"}, "language_model_inputs": {0: "batch"}}, fp16=False,
        )
        lm = model.language_model
        export_module(
            _Embed(lm.get_input_embeddings()), (torch.tensor([[2, 3]], dtype=torch.int64),), folder / "embed_tokens.onnx",
            input_names=["input_ids"], output_names=["inputs_embeds"],
            dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "inputs_embeds": {0: "batch", 1: "sequence"}}, fp16=fp16,
        )
        past_names = [f"past_key_values.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]
        present_names = [name.replace("past_key_values", "present") for name in past_names]
        sequence, past = 2, 3
        example = (
            torch.zeros((1, sequence, width)),
            torch.ones((1, past + sequence), dtype=torch.int64),
            torch.arange(past, past + sequence, dtype=torch.int64)[None],
            *[torch.zeros((1, heads, past, head_size)) for _ in past_names],
        )
        dynamic = {
            "inputs_embeds": {0: "batch", 1: "sequence"},
            "attention_mask": {0: "batch", 1: "total"},
            "position_ids": {0: "batch", 1: "sequence"},
            "logits": {0: "batch", 1: "sequence"},
            **{name: {0: "batch", 2: "past"} for name in past_names},
            **{name: {0: "batch", 2: "total"} for name in present_names},
        }
        export_module(
            OptDecoderWithPast(lm), example, folder / "decoder_model_merged.onnx",
            input_names=["inputs_embeds", "attention_mask", "position_ids", *past_names], output_names=["logits", *present_names],
            dynamic_axes=dynamic, fp16=fp16, metadata={"end_token_id": str(eos), "start_token_id": str(text.bos_token_id)},
        )
        written = sorted(p.relative_to(stage) for p in stage.rglob("*") if p.is_file())
    return [out_dir / p for p in written]
