"""The L-AVC JSONL format: a good file loads, a broken line names its line and field, nothing is half-written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from moodshift_models.dataset import (
    DATASET_FILE,
    ELEMENTS,
    EMOTIONS,
    DatasetError,
    load_dataset,
    make_tiny_dataset,
    write_dataset,
)

REPO = Path(__file__).resolve().parents[2]


def test_tables_match_src_emotions():
    source = (REPO / "src/emotions.ts").read_text()

    def table(name):
        block = re.search(rf"export const {name} = \[(.*?)\] as const", source, re.S).group(1)
        return tuple(re.findall(r"'([a-z]+)'", block))

    assert table("EMOTIONS") == EMOTIONS
    assert table("ELEMENTS") == ELEMENTS


def test_tiny_dataset_loads(tmp_path):
    path = make_tiny_dataset(tmp_path / "tiny", count=3, size=32, seed=1)
    records = load_dataset(path, require=["edited_image"])
    assert len(records) == 3
    for record in records:
        assert record.original_image.is_file() and record.edited_image.is_file()
        assert record.target_emotion in EMOTIONS and record.source_emotion in EMOTIONS
        assert record.target_emotion != record.source_emotion
        assert record.instruction == f"Please change the emotion of this image from {record.source_emotion} to {record.target_emotion}"
        assert record.element in ELEMENTS
    # Paths are stored relative to the JSONL file's folder, so the folder can move.
    first = json.loads(path.read_text().splitlines()[0])
    assert first["original_image"] == "original/0000.png"
    moved = tmp_path / "moved"
    path.parent.rename(moved)
    assert load_dataset(moved / DATASET_FILE)[0].original_image == (moved / "original/0000.png").resolve()


def test_only_required_fields(tmp_path):
    path = make_tiny_dataset(tmp_path / "d", count=1, size=16)
    path.write_text(json.dumps({"original_image": "original/0000.png", "instruction": "make it awe", "target_emotion": "awe"}) + "\n\n")
    (record,) = load_dataset(path)
    assert record.caption is None and record.edited_image is None
    with pytest.raises(DatasetError, match=r"line 1, field 'edited_image': missing"):
        load_dataset(path, require=["edited_image"])


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.pop("instruction"), r"line 2, field 'instruction': missing"),
        (lambda r: r.update(target_emotion="joy"), r"line 2, field 'target_emotion': 'joy' is not one of amusement, awe"),
        (lambda r: r.update(source_emotion="Fear"), r"line 2, field 'source_emotion': 'Fear' is not one of"),
        (lambda r: r.update(element="texture"), r"line 2, field 'element': 'texture' is not one of facial"),
        (lambda r: r.update(edited_image="edited/nope.png"), r"line 2, field 'edited_image': no file at .*nope\.png"),
        (lambda r: r.update(caption=3), r"line 2, field 'caption': expected a non-empty string, found 3"),
        (lambda r: r.update(emotion="awe"), r"line 2, field 'emotion': not an L-AVC field"),
    ],
)
def test_broken_line_names_line_and_field(tmp_path, change, message):
    path = make_tiny_dataset(tmp_path / "d", count=3, size=16)
    lines = path.read_text().splitlines()
    record = json.loads(lines[1])
    change(record)
    lines[1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError, match=message) as caught:
        load_dataset(path)
    assert str(path) in str(caught.value)


def test_bad_json_and_missing_file(tmp_path):
    path = make_tiny_dataset(tmp_path / "d", count=2, size=16)
    path.write_text(path.read_text() + '{"original_image": \n')
    with pytest.raises(DatasetError, match=r"line 3: not valid JSON"):
        load_dataset(path)
    with pytest.raises(DatasetError, match=r"no dataset file there"):
        load_dataset(tmp_path / "absent.jsonl")
    path.write_text("\n")
    with pytest.raises(DatasetError, match=r"no records"):
        load_dataset(path)


def test_nothing_half_written(tmp_path, monkeypatch):
    path = make_tiny_dataset(tmp_path / "d", count=2, size=16)
    before = path.read_text()
    records = load_dataset(path)

    def broken():
        yield records[0]
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_dataset(broken(), path)
    assert path.read_text() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["dataset.jsonl", "edited", "original"]

    # A generator that fails part-way leaves the old folder as it was and no temporary folder behind.
    import PIL.Image

    calls = {"n": 0}
    save = PIL.Image.Image.save

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(PIL.Image.Image, "save", failing_save)
    with pytest.raises(OSError):
        make_tiny_dataset(tmp_path / "d", count=4, size=16, seed=9)
    monkeypatch.undo()
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]


def test_cli(tmp_path):
    out = tmp_path / "cli"
    result = subprocess.run(
        [sys.executable, "-m", "moodshift_models", "make-tiny-dataset", str(out), "--count", "2", "--size", "16"],
        cwd=REPO / "models", capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out / DATASET_FILE)
    assert len(load_dataset(out / DATASET_FILE)) == 2
