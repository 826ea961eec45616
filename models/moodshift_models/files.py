"""Local folders in, a complete export out: inputs are checked before any work, and results are written to a
temporary folder beside the destination and moved into place only when every file is written."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path


class ExportError(Exception):
    """A problem the operator can fix (a missing file, a wrong folder); printed as one sentence, exit status 2."""


def require_files(folder: Path, relative: Iterable[str], what: str) -> None:
    """Fails with one message naming every missing file (and what the folder should be)."""
    if not folder.is_dir():
        raise ExportError(f"{folder} is not a folder; give a local copy of {what}.")
    missing = [name for name in relative if not (folder / name).exists()]
    if missing:
        raise ExportError(
            f"{folder} is not a complete local copy of {what}: missing {', '.join(missing)}."
        )


def require_one_of(folder: Path, options: Iterable[str], what: str) -> str:
    """The first of `options` present in `folder`; fails naming all of them."""
    options = list(options)
    for name in options:
        if (folder / name).exists():
            return name
    raise ExportError(f"{folder} is not a complete local copy of {what}: missing {' or '.join(options)}.")


@contextlib.contextmanager
def staged_output(out_dir: Path, parts: Iterable[str]) -> Iterator[Path]:
    """Yields a temporary folder to write the export into; on success each of `parts` (a file or folder relative
    to the export) replaces the one in `out_dir`; on failure nothing in `out_dir` changes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".export-", dir=out_dir))
    try:
        yield stage
        for part in parts:
            source = stage / part
            if not source.exists():
                raise ExportError(f"the export did not write {part} (a bug in moodshift_models).")
        for part in parts:
            source, target = stage / part, out_dir / part
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_dir() and not target.is_symlink():
                old = target.with_name(f".{target.name}.old-{os.getpid()}")
                target.rename(old)
                source.rename(target)
                shutil.rmtree(old)
            else:
                os.replace(source, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
