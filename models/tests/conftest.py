"""Shared fixtures for the reference tests: tiny random models (built once per run, no downloads), their exports
with moodshift_models, a test picture, and a runner for the Node side (test/models/reference-driver.ts)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
DRIVER = REPO / "test/models/reference-driver.ts"


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> dict[str, Path]:
    from moodshift_models.tiny import make_tiny_blip2, make_tiny_ip2p

    root = tmp_path_factory.mktemp("tiny")
    return {"ip2p": make_tiny_ip2p(root / "instruct-pix2pix"), "blip2": make_tiny_blip2(root / "blip2-opt")}


@pytest.fixture(scope="session")
def exported(tiny, tmp_path_factory) -> Path:
    """MODELS_DIR with the tiny InstructPix2Pix and BLIP-2 exports (float32)."""
    from moodshift_models.export_blip2 import export_blip2
    from moodshift_models.export_ip2p import export_ip2p

    out = tmp_path_factory.mktemp("models")
    export_ip2p(tiny["ip2p"], out)
    export_blip2(tiny["blip2"], out)
    return out


@pytest.fixture(scope="session")
def exported_fp16(tiny, tmp_path_factory) -> Path:
    """The same exports with --fp16 (the Q-Former float32)."""
    from moodshift_models.export_blip2 import export_blip2
    from moodshift_models.export_ip2p import export_ip2p

    out = tmp_path_factory.mktemp("models-fp16")
    export_ip2p(tiny["ip2p"], out, fp16=True)
    export_blip2(tiny["blip2"], out, fp16=True)
    return out


@pytest.fixture(scope="session")
def picture(tmp_path_factory) -> Path:
    """A 128×64 picture (sides multiples of 64: both sides take it as it is) with gradients and grain."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:64, 0:128]
    pixels = np.stack([x * 2, y * 4, (x + y) % 256], -1).astype(np.float64) * 0.7 + rng.integers(0, 70, (64, 128, 3))
    path = tmp_path_factory.mktemp("pictures") / "picture.png"
    Image.fromarray(pixels.astype(np.uint8)).save(path)
    return path


@pytest.fixture(scope="session")
def square_picture(tmp_path_factory) -> Path:
    """224×224, BLIP-2's input size, so neither side resizes it before the vision encoder."""
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:224, 0:224]
    pixels = np.stack([x, y, 255 - x], -1).astype(np.float64) * 0.8 + rng.integers(0, 50, (224, 224, 3))
    path = tmp_path_factory.mktemp("pictures") / "square.png"
    Image.fromarray(pixels.astype(np.uint8)).save(path)
    return path


def run_node(*args: str) -> None:
    """Runs the Node driver from the repository root; its output is shown when it fails."""
    command = ["node", "--import", "tsx", str(DRIVER), *args]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env={**os.environ, "LOG_LEVEL": "silent"})
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())
