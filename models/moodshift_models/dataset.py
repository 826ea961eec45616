"""The L-AVC dataset (EPEM §4.1) as JSONL: one edit per line, image paths relative to the JSONL file's folder.

    {"original_image": "images/0001.png", "instruction": "Please change the emotion of this image from fear to awe",
     "target_emotion": "awe", "caption": "...", "source_emotion": "fear", "edited_caption": "...",
     "edited_image": "edited/0001.png", "element": "scene"}

`original_image`, `instruction` and `target_emotion` are required; `caption`, `source_emotion`, `edited_caption`,
`edited_image` and `element` are optional (PER training needs `edited_image`, see `require`). Emotions are EmoSet's
eight Mikels categories and elements the five kinds of visual element, as in src/emotions.ts. The loader checks every
line before returning anything and names the line and field of the first problem; the tiny-dataset generator writes
into a temporary folder and moves it into place only when complete."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from .files import ExportError

# The same tables as src/emotions.ts (EMOTIONS, ELEMENTS); test_dataset checks that they agree.
EMOTIONS = ("amusement", "awe", "contentment", "excitement", "anger", "disgust", "fear", "sadness")
ELEMENTS = ("facial", "action", "object", "scene", "color")

REQUIRED = ("original_image", "instruction", "target_emotion")
OPTIONAL = ("caption", "source_emotion", "edited_caption", "edited_image", "element")
IMAGE_FIELDS = ("original_image", "edited_image")


class DatasetError(ExportError):
    """A dataset problem the operator can fix; names the file, the line and the field."""


@dataclass(frozen=True)
class Record:
    """One L-AVC edit. Image fields are absolute paths once loaded."""

    original_image: Path
    instruction: str
    target_emotion: str
    caption: str | None = None
    source_emotion: str | None = None
    edited_caption: str | None = None
    edited_image: Path | None = None
    element: str | None = None

    def to_json(self, root: Path) -> dict:
        """The JSONL object, image paths relative to `root`; optional fields left out when absent."""
        out = {}
        for key, value in asdict(self).items():
            if value is None:
                continue
            out[key] = Path(os.path.relpath(value, root)).as_posix() if key in IMAGE_FIELDS else value
        return out


def instruction_for(source: str, target: str) -> str:
    """The paper's instruction template."""
    return f"Please change the emotion of this image from {source} to {target}"


def _check_record(raw: object, root: Path, where: str) -> Record:
    if not isinstance(raw, dict):
        raise DatasetError(f"{where}: expected a JSON object, found {type(raw).__name__}.")
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise DatasetError(
            f"{where}, field {unknown[0]!r}: not an L-AVC field (the fields are {', '.join(REQUIRED + OPTIONAL)})."
        )
    for field in REQUIRED:
        if field not in raw or raw[field] is None:
            raise DatasetError(f"{where}, field {field!r}: missing (required: {', '.join(REQUIRED)}).")
    values: dict[str, object] = {}
    for field in REQUIRED + OPTIONAL:
        value = raw.get(field)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise DatasetError(f"{where}, field {field!r}: expected a non-empty string, found {json.dumps(value)}.")
        if field in ("target_emotion", "source_emotion") and value not in EMOTIONS:
            raise DatasetError(f"{where}, field {field!r}: {value!r} is not one of {', '.join(EMOTIONS)}.")
        if field == "element" and value not in ELEMENTS:
            raise DatasetError(f"{where}, field 'element': {value!r} is not one of {', '.join(ELEMENTS)}.")
        if field in IMAGE_FIELDS:
            path = (root / value).resolve()
            if not path.is_file():
                raise DatasetError(f"{where}, field {field!r}: no file at {path}.")
            value = path
        values[field] = value
    return Record(**values)  # type: ignore[arg-type]


def load_dataset(path: Path, require: Iterable[str] = ()) -> list[Record]:
    """Every record of the JSONL file at `path` (blank lines skipped); `require` names optional fields that must be
    present on every line (e.g. `edited_image` for training). Raises DatasetError naming the line and field."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no dataset file there (give the L-AVC JSONL file, e.g. DATASET/dataset.jsonl).")
    require = tuple(require)
    for field in require:
        if field not in OPTIONAL:
            raise ValueError(f"{field} is not an optional L-AVC field")
    root = path.parent
    records: list[Record] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path} line {number}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as error:
                raise DatasetError(f"{where}: not valid JSON ({error.msg} at column {error.colno}).") from None
            record = _check_record(raw, root, where)
            for field in require:
                if getattr(record, field) is None:
                    raise DatasetError(f"{where}, field {field!r}: missing (needed here: {', '.join(require)}).")
            records.append(record)
    if not records:
        raise DatasetError(f"{path}: no records (one JSON object per line).")
    return records


def write_dataset(records: Iterable[Record], path: Path) -> Path:
    """Writes the JSONL file at `path` through a temporary file in the same folder (os.replace), so a reader never
    sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record.to_json(path.parent), ensure_ascii=False) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


DATASET_FILE = "dataset.jsonl"


def make_tiny_dataset(out: Path, count: int = 4, size: int = 64, seed: int = 0) -> Path:
    """A synthetic L-AVC folder for tests: OUT/dataset.jsonl and `count` random size×size PNG pairs (the edited
    picture a brightened, noisier copy of the original), every field filled in. Built in a temporary folder
    beside OUT and moved into place when complete; an existing OUT is replaced. Returns the JSONL path."""
    import numpy as np
    from PIL import Image

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        rng = np.random.default_rng(seed)
        (stage / "original").mkdir()
        (stage / "edited").mkdir()
        records = []
        for index in range(count):
            source = EMOTIONS[rng.integers(len(EMOTIONS))]
            target = EMOTIONS[(EMOTIONS.index(source) + 1 + rng.integers(len(EMOTIONS) - 1)) % len(EMOTIONS)]
            element = ELEMENTS[rng.integers(len(ELEMENTS))]
            y, x = np.mgrid[0:size, 0:size]
            base = np.stack([x * 255 / size, y * 255 / size, rng.uniform(0, 255) + 0 * x], -1)
            original = np.clip(base * 0.6 + rng.integers(0, 100, (size, size, 3)), 0, 255).astype(np.uint8)
            edited = np.clip(original * 0.8 + 50 + rng.integers(0, 30, (size, size, 3)), 0, 255).astype(np.uint8)
            original_path = stage / "original" / f"{index:04d}.png"
            edited_path = stage / "edited" / f"{index:04d}.png"
            Image.fromarray(original).save(original_path)
            Image.fromarray(edited).save(edited_path)
            records.append(
                Record(
                    original_image=original_path,
                    instruction=instruction_for(source, target),
                    target_emotion=target,
                    caption=f"a synthetic picture number {index}",
                    source_emotion=source,
                    edited_caption=f"a synthetic picture number {index} that evokes {target}",
                    edited_image=edited_path,
                    element=element,
                )
            )
        write_dataset(records, stage / DATASET_FILE)
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
            stage.rename(out)
            shutil.rmtree(old)
        else:
            stage.rename(out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return out / DATASET_FILE
