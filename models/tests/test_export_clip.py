"""export-clip: a local CLIP folder → moodshift eval's CLIP-I/CLIP-T files, which `moodshift models check` accepts
and which give the same embeddings as transformers' CLIPModel on the same inputs."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import onnxruntime as ort
import pytest
import torch

from conftest import REPO


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory):
    from moodshift_models.tiny import make_tiny_clip

    return make_tiny_clip(tmp_path_factory.mktemp("tiny-clip") / "clip")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "moodshift_models", *args], cwd=REPO / "models", capture_output=True, text=True)


def test_export_clip_passes_models_check_and_matches_transformers(tiny_clip, tmp_path):
    from transformers import CLIPModel, CLIPTokenizerFast

    out = tmp_path / "models"
    result = run_cli("export-clip", "--from", str(tiny_clip), "--out", str(out))
    assert result.returncode == 0, result.stderr
    check = subprocess.run(["node", str(REPO / "bin/moodshift.js"), "models", "check", str(out), "--backend", "eval"],
                           cwd=REPO, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "CLIP-I   measured" in check.stdout and "CLIP-T   measured" in check.stdout, check.stdout
    assert "LPIPS    not measured" in check.stdout

    model = CLIPModel.from_pretrained(tiny_clip).eval()
    tokenizer = CLIPTokenizerFast.from_pretrained(tiny_clip)
    pixels = torch.from_numpy(np.random.default_rng(0).standard_normal((2, 3, 224, 224)).astype(np.float32))
    tokens = tokenizer(["a sad photo", "a joyful photo"], padding="max_length", max_length=77, return_tensors="pt")
    with torch.no_grad():
        image_ref = model.get_image_features(pixel_values=pixels).numpy()
        text_ref = model.get_text_features(input_ids=tokens.input_ids, attention_mask=tokens.attention_mask).numpy()
    vision = ort.InferenceSession(str(out / "eval/clip-vision/model.onnx"), providers=["CPUExecutionProvider"])
    text = ort.InferenceSession(str(out / "eval/clip-text/model.onnx"), providers=["CPUExecutionProvider"])
    (image,) = vision.run(["image_embeds"], {"pixel_values": pixels.numpy()})
    (text_out,) = text.run(["text_embeds"], {"input_ids": tokens.input_ids.numpy(), "attention_mask": tokens.attention_mask.numpy()})
    np.testing.assert_allclose(image, image_ref, atol=1e-5)
    np.testing.assert_allclose(text_out, text_ref, atol=1e-5)
    # The tokenizer file the eval reads gives the ids transformers gives.
    from tokenizers import Tokenizer

    ids = Tokenizer.from_file(str(out / "eval/clip-text/tokenizer.json")).encode("a sad photo").ids
    assert ids == tokenizer("a sad photo").input_ids


def test_a_folder_without_weights_is_named_and_nothing_is_written(tiny_clip, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(tiny_clip, broken)
    (broken / "model.safetensors").unlink()
    out = tmp_path / "models"
    result = run_cli("export-clip", "--from", str(broken), "--out", str(out))
    assert result.returncode == 2
    assert "missing model.safetensors or pytorch_model.bin" in result.stderr
    assert not (out / "eval").exists()
