"""The PER training loop on tiny random models: checkpoint → resume gives the same losses and weights as an
uninterrupted run; bad inputs are refused before any compute; checkpoints are never half-written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from moodshift_models import training
from moodshift_models.dataset import DatasetError, make_tiny_dataset
from moodshift_models.files import ExportError
from moodshift_models.training import Runtime, Settings, TrainingError, train

torch.set_num_threads(1)

# A learning rate large enough that the weights move visibly in a few steps; 3 records × 2 epochs = 6 steps.
SETTINGS = Settings(lr=1e-3, epochs=2, resolution=64, seed=4)
QUIET = Runtime(progress=False, save_every=2)


@pytest.fixture(scope="module")
def models(tiny, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("train-models")
    (folder / training.IP2P_FOLDER).symlink_to(tiny["ip2p"])
    (folder / training.BLIP2_FOLDER).symlink_to(tiny["blip2"])
    return folder


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    return make_tiny_dataset(tmp_path_factory.mktemp("train-data") / "lavc", count=3, size=64, seed=2)


def losses(entries):
    return [(e["step"], e["epoch"], e["loss"], e["eps"], e["pixel"]) for e in entries]


def test_resume_gives_the_same_losses(models, dataset, tmp_path):
    whole = train(dataset, models, tmp_path / "whole", SETTINGS, QUIET)
    assert [e["step"] for e in whole] == [1, 2, 3, 4, 5, 6] and [e["epoch"] for e in whole] == [0, 0, 0, 1, 1, 1]
    assert all(e["loss"] == e["loss"] and e["loss"] > 0 for e in whole)
    # Stopped mid-epoch (step 4 of 6, epoch 2's first batch done), then resumed in a fresh call.
    first = train(dataset, models, tmp_path / "split", SETTINGS, Runtime(progress=False, save_every=100, max_steps=4))
    state = json.loads((tmp_path / "split/checkpoint/state.json").read_text())
    assert (state["epoch"], state["batch"], state["step"], state["done"]) == (1, 1, 4, False)
    torch.manual_seed(12345)  # the resumed run must not depend on the global generator it finds
    second = train(dataset, models, tmp_path / "split", runtime=QUIET, resume=True)
    assert losses(first + second) == losses(whole)
    logged = [json.loads(line) for line in (tmp_path / "split" / training.LOG).read_text().splitlines()]
    assert losses(logged) == losses(whole)
    a = load_file(str(tmp_path / "whole/checkpoint/trainable.safetensors"))
    b = load_file(str(tmp_path / "split/checkpoint/trainable.safetensors"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert json.loads((tmp_path / "whole/checkpoint/state.json").read_text())["done"] is True
    assert sorted(p.name for p in (tmp_path / "whole/checkpoint").iterdir()) == ["optimizer.pt", "rng.pt", "state.json", "trainable.safetensors"]
    # The weights moved from the zero initialisation.
    assert torch.count_nonzero(a["adapter.out.2.weight"]) > 0


def test_resume_refuses_other_settings_and_a_missing_checkpoint(models, dataset, tmp_path):
    train(dataset, models, tmp_path / "run", SETTINGS, Runtime(progress=False, max_steps=1))
    with pytest.raises(TrainingError, match=r"trained with other settings \(lr 0.001 there, 0.5 here\)"):
        train(dataset, models, tmp_path / "run", runtime=QUIET, resume=True, expect={"lr": 0.5})
    with pytest.raises(TrainingError, match=r"already holds a checkpoint: pass --resume"):
        train(dataset, models, tmp_path / "run", SETTINGS, QUIET)
    with pytest.raises(TrainingError, match=r"holds no checkpoint to resume"):
        train(dataset, models, tmp_path / "other", runtime=QUIET, resume=True)


def test_refuses_bad_inputs_before_any_compute(models, dataset, tmp_path, monkeypatch):
    def no_loading(*args, **kwargs):
        raise AssertionError("models were loaded before the inputs were checked")

    monkeypatch.setattr(training, "load_per_system", no_loading)
    out = tmp_path / "out"
    with pytest.raises(TrainingError, match=r"is not a folder; give the folder holding instruct-pix2pix/ and blip2-opt/"):
        train(dataset, tmp_path / "no-models", out, SETTINGS, QUIET)
    half = tmp_path / "half"
    half.mkdir()
    (half / training.IP2P_FOLDER).symlink_to(models / training.IP2P_FOLDER)
    with pytest.raises(ExportError, match=r"blip2-opt is not a folder; give a local copy of a BLIP-2 OPT"):
        train(dataset, half, out, SETTINGS, QUIET)
    with pytest.raises(DatasetError, match=r"no dataset file there"):
        train(tmp_path / "nothing.jsonl", models, out, SETTINGS, QUIET)
    lines = dataset.read_text().splitlines()
    record = json.loads(lines[2])
    del record["edited_image"]
    # (image paths are relative to the JSONL file's folder)
    broken = dataset.parent / "broken.jsonl"
    broken.write_text("\n".join(lines[:2] + [json.dumps(record)]) + "\n")
    with pytest.raises(DatasetError, match=r"broken.jsonl line 3, field 'edited_image': missing"):
        train(broken, models, out, SETTINGS, QUIET)
    broken.unlink()
    with pytest.raises(TrainingError, match=r"--resolution 60 is not a positive multiple of 8"):
        train(dataset, models, out, Settings(resolution=60), QUIET)
    assert not out.exists()


def test_out_of_memory_is_a_clear_message_and_keeps_the_checkpoint(models, dataset, tmp_path, monkeypatch):
    from moodshift_models.per_training import PerSystem

    out = tmp_path / "oom"
    train(dataset, models, out, SETTINGS, Runtime(progress=False, max_steps=2))
    before = {p.name: p.read_bytes() for p in (out / "checkpoint").iterdir()}

    def out_of_memory(self, *args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(PerSystem, "loss", out_of_memory)
    with pytest.raises(TrainingError, match=r"out of memory at step 3 .*--mixed-precision bf16, --gradient-checkpointing.*still holds the last complete checkpoint"):
        train(dataset, models, out, runtime=QUIET, resume=True)
    assert {p.name: p.read_bytes() for p in (out / "checkpoint").iterdir()} == before
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint", "log.jsonl"]


def test_a_failed_checkpoint_write_leaves_the_previous_one(models, dataset, tmp_path, monkeypatch):
    out = tmp_path / "fail"
    train(dataset, models, out, SETTINGS, Runtime(progress=False, max_steps=1))
    before = {p.name: p.read_bytes() for p in (out / "checkpoint").iterdir()}

    def failing_save(obj, path, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(training.torch, "save", failing_save)
    with pytest.raises(OSError, match="No space left"):
        train(dataset, models, out, runtime=Runtime(progress=False, max_steps=2), resume=True)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in (out / "checkpoint").iterdir()} == before
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint", "log.jsonl"]


def test_cli_trains_and_refuses(models, dataset, tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "moodshift_models", "train", "--dataset", str(dataset.parent), "--models", str(models), "--out", str(tmp_path / "cli")]
    started = time.perf_counter()
    result = subprocess.run([*command[:5], str(tmp_path / "missing"), *command[6:]], cwd=Path(__file__).parents[1], capture_output=True, text=True, env=env)
    assert result.returncode == 2 and "moodshift_models train:" in result.stderr and "missing" in result.stderr, result.stderr
    result = subprocess.run(
        [*command, "--epochs", "1", "--resolution", "64", "--lr", "1e-4", "--device", "cpu"], cwd=Path(__file__).parents[1], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    state = json.loads((tmp_path / "cli/checkpoint/state.json").read_text())
    assert state["settings"] == {**vars(Settings()), "epochs": 1, "resolution": 64, "lr": 1e-4} and state["step"] == 3
    print(f"CLI: 3 tiny steps in {time.perf_counter() - started:.1f} s")
