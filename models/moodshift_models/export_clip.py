"""A local transformers CLIP folder (e.g. a copy of `openai/clip-vit-large-patch14`) → the files `moodshift eval`
reads for CLIP-I and CLIP-T (src/eval/eval-models.ts): eval/clip-vision/model.onnx (pixel_values → image_embeds),
eval/clip-text/model.onnx (input_ids, attention_mask → text_embeds) and eval/clip-text/tokenizer.json."""

from __future__ import annotations

from pathlib import Path

import torch

from .files import require_files, require_one_of, staged_output
from .onnx_io import export_module

WHAT = "a transformers CLIP model (such as openai/clip-vit-large-patch14)"
PARTS = ("eval/clip-vision/model.onnx", "eval/clip-text/model.onnx", "eval/clip-text/tokenizer.json")


def check_clip_folder(folder: Path) -> None:
    """Every file the export reads, before any work; the message names what is missing."""
    require_files(folder, ["config.json", "tokenizer_config.json"], WHAT)
    require_one_of(folder, ["model.safetensors", "pytorch_model.bin"], WHAT)
    if not (folder / "tokenizer.json").exists():
        require_files(folder, ["vocab.json", "merges.txt"], WHAT)


class _Vision(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model.get_image_features(pixel_values=pixel_values)


class _Text(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model.get_text_features(input_ids=input_ids, attention_mask=attention_mask)


def export_clip(source: Path, out_dir: Path) -> list[Path]:
    """Exports both towers with their projections and the tokenizer; on any failure `out_dir` is left as it was."""
    from transformers import CLIPModel, CLIPTokenizerFast

    check_clip_folder(source)
    model = CLIPModel.from_pretrained(source).eval()
    tokenizer = CLIPTokenizerFast.from_pretrained(source)
    size = model.config.vision_config.image_size
    length = model.config.text_config.max_position_embeddings
    with staged_output(out_dir, PARTS) as stage:
        export_module(
            _Vision(model),
            (torch.zeros(1, 3, size, size),),
            stage / PARTS[0],
            input_names=["pixel_values"],
            output_names=["image_embeds"],
            dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}},
            metadata={"source": source.name, "image_size": str(size)},
        )
        ids = torch.zeros(1, length, dtype=torch.int64)
        export_module(
            _Text(model),
            (ids, torch.ones_like(ids)),
            stage / PARTS[1],
            input_names=["input_ids", "attention_mask"],
            output_names=["text_embeds"],
            dynamic_axes={"input_ids": {0: "batch"}, "attention_mask": {0: "batch"}, "text_embeds": {0: "batch"}},
            metadata={"source": source.name},
        )
        saved = Path(tokenizer.save_pretrained(stage / "eval/clip-text-tokenizer")[0]).parent
        (saved / "tokenizer.json").rename(stage / PARTS[2])
    return [out_dir / part for part in PARTS]
