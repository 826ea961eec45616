"""`train --part both` (L = L_EIC + L_PER on one shared Q-Former) on the tiny models: the loss is the sum of the two
parts' and finite, both parts' trained tensors move and the frozen ones stay, checkpoint → resume gives the same
losses and weights, gradient checkpointing (UNet, VAE and every OPT block) gives the same losses, and the run exports
without --qformer-from to files `moodshift models check` accepts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from conftest import REPO
from moodshift_models import training
from moodshift_models.dataset import make_tiny_dataset
from moodshift_models.training import Runtime, Settings, train

torch.set_num_threads(1)
SETTINGS = Settings(part="both", lr=1e-3, epochs=2, resolution=64, seed=3, eic_layers=2, eic_hidden=16)
KEYS = ("step", "epoch", "loss", "eic", "per", "nll", "emotion", "edit_nll", "eps", "pixel")


@pytest.fixture(scope="module")
def models(tiny, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("joint-models")
    (folder / training.IP2P_FOLDER).symlink_to(tiny["ip2p"])
    (folder / training.BLIP2_FOLDER).symlink_to(tiny["blip2"])
    return folder


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    return make_tiny_dataset(tmp_path_factory.mktemp("joint-data") / "lavc", count=2, size=64, seed=5)


def rows(entries):
    return [[e[k] for k in KEYS] for e in entries]


def test_joint_system_shares_one_qformer(models):
    from moodshift_models.joint_training import load_joint_system

    system, _ = load_joint_system(models / training.IP2P_FOLDER, models / training.BLIP2_FOLDER, layers=2, hidden=16)
    assert system.per.qformer is system.eic.qformer and system.per.query_tokens is system.eic.query_tokens
    assert system.per.language_projection is system.eic.language_projection and system.per.vision_model is system.eic.vision_model
    assert set(system.trainable_modules()) == {"qformer", "query_tokens", "language_projection", "editor", "edited_mlps", "eai", "adapter"}


def test_joint_training_resumes_and_exports(models, dataset, tmp_path, tiny):
    whole = train(dataset, models, tmp_path / "whole", SETTINGS, Runtime(progress=False, save_every=100))
    assert [e["step"] for e in whole] == [1, 2, 3, 4]
    for entry in whole:
        assert all(torch.isfinite(torch.tensor(entry[k])) for k in KEYS[2:])
        assert entry["loss"] == pytest.approx(entry["eic"] + entry["per"], rel=1e-6)
    first = train(dataset, models, tmp_path / "split", SETTINGS, Runtime(progress=False, max_steps=3))
    torch.manual_seed(777)
    second = train(dataset, models, tmp_path / "split", runtime=Runtime(progress=False), resume=True)
    assert rows(first + second) == rows(whole)
    a = load_file(str(tmp_path / "whole/checkpoint/trainable.safetensors"))
    b = load_file(str(tmp_path / "split/checkpoint/trainable.safetensors"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    # Both parts trained: the zero-initialised PER output layers, the editor, the edited MLPs, the shared Q-Former.
    from moodshift_models.joint_training import load_joint_system

    fresh, _ = load_joint_system(models / training.IP2P_FOLDER, models / training.BLIP2_FOLDER, layers=2, hidden=16, seed=3)
    start = fresh.trainable_state()
    for prefix in ("adapter.out.2.weight", "eai.mlp.2.weight", "editor.alphas", "editor.transforms.0.w2.weight", "edited_mlps.0.weight", "qformer.", "query_tokens.weight"):
        assert any(k.startswith(prefix) and not torch.equal(a[k], start[k]) for k in a), f"{prefix} did not change"

    # Gradient checkpointing: the same losses (recomputation, not a different computation).
    checkpointed = train(dataset, models, tmp_path / "checkpointed", SETTINGS, Runtime(progress=False, gradient_checkpointing=True, max_steps=2))
    for ours, plain in zip(checkpointed, whole[:2]):
        for key in KEYS[2:]:
            assert ours[key] == pytest.approx(plain[key], rel=1e-4, abs=1e-6), key
    print(f"joint losses {[round(e['loss'], 5) for e in whole[:2]]}; with gradient checkpointing {[round(e['loss'], 5) for e in checkpointed]}")

    # Export: one Q-Former, so no --qformer-from.
    out = tmp_path / "models-dir"
    result = subprocess.run(
        [sys.executable, "-m", "moodshift_models", "export", "--checkpoint", str(tmp_path / "whole"), "--models", str(models), "--dataset", str(dataset), "--out", str(out)],
        cwd=REPO / "models", capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    info = json.loads((out / "blip2/export.json").read_text())["epem"]
    assert info["per"]["checkpoint"] == info["eic"]["checkpoint"]
    for backend in ("diffusion", "onnx"):
        check = subprocess.run(["node", str(REPO / "bin/moodshift.js"), "models", "check", str(out), "--backend", backend], cwd=REPO, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_both_needs_every_field(models, tmp_path):
    from moodshift_models.dataset import DatasetError

    path = make_tiny_dataset(tmp_path / "lavc", count=1, size=64)
    line = json.loads(path.read_text())
    del line["caption"]
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(DatasetError, match=r"line 1, field 'caption': missing"):
        train(path, models, tmp_path / "out", SETTINGS, Runtime(progress=False))
    assert not (tmp_path / "out").exists()
