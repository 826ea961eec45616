"""An L-AVC dataset from an EmoSet-style folder (`python -m moodshift_models build-dataset`, models/README.md,
"Building the dataset from EmoSet"), after the paper's §4.1: per image, a caption and an edited caption from the
configured OpenAI-compatible vision model (the paper used GPT-4V and annotators), a target emotion, and the edited
picture rendered by InstructPix2Pix from the original and the edited caption.

The folder (EmoSet-118K as distributed):
    EMOSET/annotation/<emotion>/<id>.json   one per image: "emotion" (one of the eight) and the element fields
                                             "facial_expression", "human_action" (strings), "object" (a list of
                                             strings), "scene" (a string), "brightness", "colorfulness" (numbers)
    EMOSET/image/<emotion>/<id>.jpg          the picture (also .jpeg, .png or .webp), same relative path and stem
    EMOSET/<split>.json (optional)           EmoSet's split lists, [[emotion, image path, annotation path], …];
                                             with --split only those entries are read, else every annotation

Per image (in a fixed order: the split list's, else the annotation paths sorted), the element edited is one the
annotation has (facial ← facial_expression, action ← human_action, object ← object, scene ← scene, color ←
brightness or colorfulness), and the target emotion one of the other seven, both drawn from a generator seeded by
--seed and the image's path (so a resumed run draws the same). The model is asked once per image, with the picture,
for {"caption", "edited_caption"}; the edited picture is diffusers' StableDiffusionInstructPix2PixPipeline from a
local folder, prompted with the edited caption, its generator seeded the same way.

Resumable: OUT (the JSONL file) is appended one complete line per record (one write, then fsync), after the edited
picture was written (temporary file, os.replace); records already in OUT are skipped, and a last line cut short by
a crash is dropped when the run resumes. Everything (every annotation, every picture's presence, the pipeline
folder, the model's address) is checked before the first request."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .dataset import ELEMENTS, EMOTIONS, DatasetError, Record, instruction_for
from .files import ExportError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
# EmoSet's attribute fields → the paper's five visual elements.
ELEMENT_FIELDS = {"facial": ("facial_expression",), "action": ("human_action",), "object": ("object",), "scene": ("scene",), "color": ("brightness", "colorfulness")}
EDITED_FOLDER = "edited"

SYSTEM_PROMPT = (
    "You write captions for an image-editing dataset. Answer with one JSON object and nothing else: "
    '{"caption": "...", "edited_caption": "..."}.'
)
USER_PROMPT = (
    "The image evokes {source}. 1) caption: one sentence describing the image as it is. 2) edited_caption: the same "
    "sentence after changing only the image's {element_text} so that the image evokes {target} instead, keeping "
    "everything else as it is. {hint}"
)
ELEMENT_TEXT = {
    "facial": "facial expression", "action": "human action", "object": "objects", "scene": "scene", "color": "colour and brightness",
}


class BuildError(ExportError):
    """A problem the operator can fix (a broken annotation, an unreachable model); one sentence, exit status 2."""


@dataclass(frozen=True)
class Source:
    """One EmoSet image to turn into an L-AVC record."""

    image: Path
    annotation: Path
    key: str  # the image's path relative to the EmoSet folder (POSIX), what seeds its draws
    emotion: str
    attributes: dict


@dataclass(frozen=True)
class LlmSettings:
    base_url: str
    api_key: str = "not-needed"
    model: str = "gpt-4o-mini"
    timeout: float = 60.0
    retries: int = 1

    @staticmethod
    def from_env(env=os.environ, base_url: str | None = None, api_key: str | None = None, model: str | None = None) -> "LlmSettings":
        """The bot's LLM settings (src/llm/llm-options.ts): LLM_BASE_URL, LLM_API_KEY, LLM_VISION_MODEL or LLM_MODEL,
        LLM_PLANNER_TIMEOUT_MS, LLM_MAX_RETRIES; arguments win over the environment."""
        url = base_url or env.get("LLM_BASE_URL")
        if not url:
            raise BuildError("no model to ask: set LLM_BASE_URL (the OpenAI-compatible server's base URL, usually ending in /v1) or give --llm-base-url.")
        timeout = float(env.get("LLM_PLANNER_TIMEOUT_MS") or 60_000) / 1000
        return LlmSettings(
            base_url=url.rstrip("/"), api_key=api_key or env.get("LLM_API_KEY") or "not-needed",
            model=model or env.get("LLM_VISION_MODEL") or env.get("LLM_MODEL") or "gpt-4o-mini",
            timeout=timeout, retries=int(env.get("LLM_MAX_RETRIES") or 1),
        )


# -- reading the EmoSet folder ---------------------------------------------------------------------------------------


def _elements_of(attributes: dict) -> list[str]:
    present = []
    for element, fields in ELEMENT_FIELDS.items():
        if any(attributes.get(field) not in (None, "", []) for field in fields):
            present.append(element)
    return present


def _read_annotation(path: Path, root: Path) -> dict:
    where = str(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise BuildError(f"{where}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}).") from None
    except OSError as error:
        raise BuildError(f"{where}: cannot be read ({error.strerror}).") from None
    if not isinstance(raw, dict):
        raise BuildError(f"{where}: expected a JSON object, found {type(raw).__name__}.")
    emotion = raw.get("emotion")
    if emotion is None:
        raise BuildError(f"{where}, field 'emotion': missing (an EmoSet annotation names the image's emotion).")
    if emotion not in EMOTIONS:
        raise BuildError(f"{where}, field 'emotion': {json.dumps(emotion)} is not one of {', '.join(EMOTIONS)}.")
    for field in ("facial_expression", "human_action", "scene"):
        if raw.get(field) is not None and not isinstance(raw[field], str):
            raise BuildError(f"{where}, field {field!r}: expected a string, found {json.dumps(raw[field])}.")
    if raw.get("object") is not None and not (isinstance(raw["object"], list) and all(isinstance(o, str) for o in raw["object"])):
        raise BuildError(f"{where}, field 'object': expected a list of strings, found {json.dumps(raw['object'])}.")
    for field in ("brightness", "colorfulness"):
        if raw.get(field) is not None and not isinstance(raw[field], (int, float)):
            raise BuildError(f"{where}, field {field!r}: expected a number, found {json.dumps(raw[field])}.")
    if not _elements_of(raw):
        raise BuildError(f"{where}: names no visual element (none of facial_expression, human_action, object, scene, brightness, colorfulness).")
    return raw


def _image_for(annotation: Path, root: Path) -> Path:
    relative = annotation.relative_to(root / "annotation").with_suffix("")
    for suffix in IMAGE_SUFFIXES:
        candidate = root / "image" / relative.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    raise BuildError(f"{annotation}: no picture for it at {root / 'image' / relative}{{{','.join(IMAGE_SUFFIXES)}}}.")


def read_emoset(root: Path, split: str | None = None) -> list[Source]:
    """Every image of the folder (or of its split list) with its checked annotation, in a fixed order."""
    root = Path(root)
    if not (root / "annotation").is_dir():
        raise BuildError(f"{root} is not an EmoSet folder: it has no annotation/ folder (annotation/<emotion>/<id>.json beside image/<emotion>/<id>.jpg).")
    pairs: list[tuple[Path, Path | None]] = []
    if split is not None:
        listing = root / f"{split}.json"
        if not listing.is_file():
            raise BuildError(f"{root} has no {split}.json split list (EmoSet's [[emotion, image, annotation], …]).")
        try:
            entries = json.loads(listing.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise BuildError(f"{listing}: not valid JSON ({error.msg} at line {error.lineno}).") from None
        for number, entry in enumerate(entries, start=1):
            if not (isinstance(entry, list) and len(entry) >= 3 and all(isinstance(e, str) for e in entry[:3])):
                raise BuildError(f"{listing}, entry {number}: expected [emotion, image path, annotation path], found {json.dumps(entry)[:120]}.")
            pairs.append((root / entry[2], root / entry[1]))
    else:
        pairs = [(path, None) for path in sorted((root / "annotation").rglob("*.json"))]
    if not pairs:
        raise BuildError(f"{root / 'annotation'} holds no annotation files.")
    sources = []
    for annotation, image in pairs:
        if not annotation.is_file():
            raise BuildError(f"{annotation}: no such annotation file.")
        attributes = _read_annotation(annotation, root)
        if image is None:
            image = _image_for(annotation, root)
        elif not image.is_file():
            raise BuildError(f"{annotation}: no picture for it at {image}.")
        sources.append(Source(image=image, annotation=annotation, key=image.relative_to(root).as_posix(), emotion=attributes["emotion"], attributes=attributes))
    return sources


def draws(source: Source, seed: int) -> tuple[str, str, int]:
    """(element, target emotion, picture seed) for one image: fixed by --seed and the image's path."""
    digest = hashlib.sha256(f"{seed}:{source.key}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    element = rng.choice(_elements_of(source.attributes))
    target = rng.choice([e for e in EMOTIONS if e != source.emotion])
    return element, target, int.from_bytes(digest[8:12], "big")


# -- the model -------------------------------------------------------------------------------------------------------


def _hint(source: Source, element: str) -> str:
    attributes = source.attributes
    values = [attributes.get(f) for f in ELEMENT_FIELDS[element] if attributes.get(f) not in (None, "", [])]
    if not values:
        return ""
    shown = ", ".join(", ".join(v) if isinstance(v, list) else str(v) for v in values)
    return f"The annotated {ELEMENT_TEXT[element]}: {shown}."


def _picture_url(path: Path, side: int = 512) -> str:
    from PIL import Image

    with Image.open(path) as opened:
        image = opened.convert("RGB")
    image.thumbnail((side, side))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def parse_answer(text: str) -> tuple[str, str]:
    """(caption, edited caption) from the model's answer: the first JSON object in it."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no JSON object")
    answer = json.loads(text[start : end + 1])
    caption, edited = answer.get("caption"), answer.get("edited_caption")
    if not (isinstance(caption, str) and caption.strip() and isinstance(edited, str) and edited.strip()):
        raise ValueError('no "caption" and "edited_caption" strings')
    return " ".join(caption.split()), " ".join(edited.split())


def ask_captions(llm: LlmSettings, source: Source, element: str, target: str, session=None) -> tuple[str, str]:
    """One chat completion with the picture; retries a failed call (5xx, connection) llm.retries times."""
    import requests

    session = session or requests
    text = USER_PROMPT.format(source=source.emotion, element_text=ELEMENT_TEXT[element], target=target, hint=_hint(source, element)).strip()
    body = {
        "model": llm.model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": [{"type": "text", "text": text}, {"type": "image_url", "image_url": {"url": _picture_url(source.image)}}]},
        ],
    }
    url = f"{llm.base_url}/chat/completions"
    problem = ""
    for attempt in range(llm.retries + 1):
        try:
            response = session.post(url, json=body, headers={"Authorization": f"Bearer {llm.api_key}"}, timeout=llm.timeout)
        except requests.RequestException as error:
            problem = f"{type(error).__name__}: {error}"
        else:
            if response.status_code == 200:
                try:
                    content = response.json()["choices"][0]["message"]["content"]
                    return parse_answer(content if isinstance(content, str) else "")
                except (ValueError, KeyError, IndexError, TypeError) as error:
                    raise BuildError(
                        f"{url} ({llm.model}) gave an answer for {source.key} without a caption and an edited caption ({error}): "
                        f"{response.text[:300]!r}; the records before it are kept, run the same command again to retry."
                    ) from None
            problem = f"HTTP {response.status_code}: {response.text[:200]!r}"
            if response.status_code < 500 and response.status_code != 429:
                break
        if attempt < llm.retries:
            time.sleep(min(2.0 ** attempt, 10.0))
    raise BuildError(f"{url} ({llm.model}) failed for {source.key} ({problem}); the records before it are kept, run the same command again to resume.")


# -- writing ---------------------------------------------------------------------------------------------------------


def _existing(out: Path) -> list[dict]:
    """The complete lines already in OUT; a last line cut short (no newline, or not JSON) is cut off the file."""
    if not out.exists():
        return []
    data = out.read_bytes()
    keep = data[: data.rfind(b"\n") + 1] if not data.endswith(b"\n") else data
    lines = []
    for number, line in enumerate(keep.decode("utf-8").splitlines(), start=1):
        if line.strip():
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                raise BuildError(f"{out} line {number} is not valid JSON: not a file this command wrote; move it away or choose another --out.") from None
    if len(keep) != len(data):
        with open(out, "r+b") as file:
            file.truncate(len(keep))
    return lines


def _append_line(out: Path, record: dict) -> None:
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    descriptor = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, line)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _save_picture(image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".png", dir=path.parent)
    os.close(handle)
    try:
        image.save(temporary, format="PNG")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_ip2p(folder: Path, device: str):
    from diffusers import StableDiffusionInstructPix2PixPipeline

    from .export_ip2p import check_ip2p_folder

    check_ip2p_folder(Path(folder))
    pipe = StableDiffusionInstructPix2PixPipeline.from_pretrained(folder, safety_checker=None, requires_safety_checker=False, local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)


def build_dataset(emoset: Path, out: Path, ip2p: Path, llm: LlmSettings, split: str | None = None, limit: int | None = None,
                  per_element: int | None = None, seed: int = 0, steps: int = 20, guidance: float = 7.5, image_guidance: float = 1.5,
                  resolution: int = 512, device: str | None = None, progress: bool = True, pipe=None) -> list[Path | str]:
    """Builds (or continues) OUT; returns its path. Raises BuildError."""
    import torch
    from PIL import Image
    from tqdm import tqdm

    from .export_ip2p import check_ip2p_folder

    out = Path(out)
    emoset = Path(emoset).resolve()
    if out.suffix != ".jsonl":
        raise BuildError(f"--out {out}: give the JSONL file to write (e.g. /data/lavc/dataset.jsonl); pictures go beside it in {EDITED_FOLDER}/.")
    if resolution % 8 or resolution <= 0:
        raise BuildError(f"--resolution {resolution} is not a positive multiple of 8.")
    sources = read_emoset(emoset, split)
    if pipe is None:
        check_ip2p_folder(Path(ip2p))
    out.parent.mkdir(parents=True, exist_ok=True)
    root = out.parent.resolve()
    done_lines = _existing(out)
    done = {str((root / line["original_image"]).resolve()) for line in done_lines if "original_image" in line}
    counts = {element: 0 for element in ELEMENTS}
    for line in done_lines:
        if line.get("element") in counts:
            counts[line["element"]] += 1

    chosen = []
    for source in sources:
        element, target, picture_seed = draws(source, seed)
        if str(source.image.resolve()) in done:
            continue
        if per_element is not None and counts[element] >= per_element:
            continue
        if limit is not None and len(done_lines) + len(chosen) >= limit:
            break
        counts[element] += 1
        chosen.append((source, element, target, picture_seed))
    if not chosen:
        return [out]
    if pipe is None:
        pipe = load_ip2p(Path(ip2p), device or ("cuda" if torch.cuda.is_available() else "cpu"))

    import requests

    session = requests.Session()
    bar = tqdm(total=len(done_lines) + len(chosen), initial=len(done_lines), desc="L-AVC", unit="image", disable=not progress or not sys.stderr.isatty())
    try:
        for source, element, target, picture_seed in chosen:
            caption, edited_caption = ask_captions(llm, source, element, target, session)
            with Image.open(source.image) as opened:
                original = opened.convert("RGB")
            scale = resolution / max(original.size)
            width, height = (max(8, round(side * min(scale, 1.0) / 8) * 8) for side in original.size)
            conditioning = original.resize((width, height), Image.Resampling.BICUBIC) if (width, height) != original.size else original
            generator = torch.Generator(device="cpu").manual_seed(picture_seed)
            edited = pipe(edited_caption, image=conditioning, num_inference_steps=steps, guidance_scale=guidance, image_guidance_scale=image_guidance, generator=generator).images[0]
            edited_path = root / EDITED_FOLDER / Path(source.key).with_suffix(".png")
            _save_picture(edited, edited_path)
            record = Record(
                original_image=source.image, instruction=instruction_for(source.emotion, target), target_emotion=target, caption=caption,
                source_emotion=source.emotion, edited_caption=edited_caption, edited_image=edited_path, element=element,
            )
            _append_line(out, record.to_json(root))
            bar.update(1)
    finally:
        bar.close()
    return [out]


__all__ = ["BuildError", "DatasetError", "LlmSettings", "build_dataset", "read_emoset", "draws", "parse_answer"]
