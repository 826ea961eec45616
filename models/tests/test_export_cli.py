"""The export commands as an operator meets them: a folder missing a file is one message naming it, a failure
leaves MODELS_DIR as it was, fp16 exports load, and `moodshift models check` accepts what they write."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import onnx
import pytest

from conftest import REPO

PYTHON = [sys.executable, "-m", "moodshift_models"]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*PYTHON, *args], cwd=REPO / "models", capture_output=True, text=True)


def models_check(folder, backend) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(REPO / "bin/moodshift.js"), "models", "check", str(folder), "--backend", backend],
                          cwd=REPO, capture_output=True, text=True)


@pytest.mark.parametrize(
    ("command", "source", "remove", "named"),
    [
        ("export-ip2p", "ip2p", "unet/diffusion_pytorch_model.safetensors", "unet/diffusion_pytorch_model.safetensors or unet/diffusion_pytorch_model.bin"),
        ("export-ip2p", "ip2p", "tokenizer/tokenizer_config.json", "tokenizer/tokenizer_config.json"),
        ("export-blip2", "blip2", "model.safetensors", "model.safetensors or model.safetensors.index.json"),
        ("export-blip2", "blip2", "config.json", "config.json"),
    ],
)
def test_a_missing_file_is_named_and_nothing_is_written(command, source, remove, named, tiny, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(tiny[source], broken)
    (broken / remove).unlink()
    out = tmp_path / "out"
    result = cli(command, "--from", str(broken), "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert f"missing {named}" in result.stderr and str(broken) in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_a_plain_stable_diffusion_folder_is_refused(tiny, tmp_path):
    plain = tmp_path / "sd"
    shutil.copytree(tiny["ip2p"], plain)
    config = json.loads((plain / "unet/config.json").read_text())
    (plain / "unet/config.json").write_text(json.dumps({**config, "in_channels": 4}))
    result = cli("export-ip2p", "--from", str(plain), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "in_channels 4" in result.stderr and "InstructPix2Pix UNet takes 8" in result.stderr


def test_a_failed_export_leaves_the_previous_one(tiny, exported, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(exported, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    broken = tmp_path / "broken"
    shutil.copytree(tiny["ip2p"], broken)
    (broken / "vae/diffusion_pytorch_model.safetensors").write_bytes(b"not weights")
    result = cli("export-ip2p", "--from", str(broken), "--out", str(out))
    assert result.returncode != 0
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_fp32_exports_pass_models_check(exported):
    for backend in ("diffusion", "onnx"):
        result = models_check(exported, backend)
        assert result.returncode == 0, result.stdout + result.stderr


def test_fp16_exports_keep_the_qformer_fp32_and_pass_models_check(tiny, tmp_path):
    out = tmp_path / "fp16"
    for command, source in (("export-ip2p", "ip2p"), ("export-blip2", "blip2")):
        result = cli(command, "--from", str(tiny[source]), "--out", str(out), "--fp16")
        assert result.returncode == 0, result.stderr
    element = lambda path, name: {i.name: i.type.tensor_type.elem_type for i in onnx.load(str(out / path)).graph.input}[name]
    assert element("unet/model.onnx", "sample") == onnx.TensorProto.FLOAT16
    assert element("blip2/decoder_model_merged.onnx", "inputs_embeds") == onnx.TensorProto.FLOAT16
    assert element("blip2/qformer.onnx", "image_embeds") == onnx.TensorProto.FLOAT
    metadata = {p.key: p.value for p in onnx.load(str(out / "blip2/decoder_model_merged.onnx")).metadata_props}
    assert metadata["end_token_id"] == str(json.loads((out / "blip2/export.json").read_text())["end_token_id"])
    for backend in ("diffusion", "onnx"):
        result = models_check(out, backend)
        assert result.returncode == 0, result.stdout + result.stderr


def test_make_tiny_writes_both_folders(tmp_path):
    result = cli("make-tiny", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "instruct-pix2pix/unet/config.json").exists() and (tmp_path / "blip2-opt/config.json").exists()
