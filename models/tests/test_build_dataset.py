"""build-dataset on a tiny EmoSet-style folder: a fake OpenAI-compatible server on 127.0.0.1 (http.server in a
thread) answers the caption requests, the tiny random InstructPix2Pix pipeline renders the edited pictures. The result
loads as an L-AVC dataset; an interrupted run (the server failing mid-way, a line cut short) resumes to the same
file and pictures as an uninterrupted one, asking only for what was missing; a broken annotation is named before
any request."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from conftest import REPO
from moodshift_models.build_dataset import BuildError, LlmSettings, build_dataset, draws, load_ip2p, read_emoset
from moodshift_models.dataset import EMOTIONS, load_dataset

torch.set_num_threads(1)
KEY = "test-key"
MODEL = "fake-vision"


class FakeServer:
    """POST /v1/chat/completions: {"caption", "edited_caption"} naming the target the prompt asks for. `failing`
    makes every call answer 500 (as a server that went away)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.failing = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                if server.failing:
                    self._send(500, {"error": {"message": "overloaded"}})
                    return
                text = body["messages"][1]["content"][0]["text"]
                source, target = re.search(r"evokes (\w+)\.", text).group(1), re.search(r"evokes (\w+) instead", text).group(1)
                content = json.dumps({"caption": f"a small test picture that feels {source}", "edited_caption": f"a small test picture that feels {target}"})
                self._send(200, {"choices": [{"message": {"role": "assistant", "content": f"Here it is: {content}"}}]})

            def _send(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def server():
    fake = FakeServer()
    yield fake
    fake.close()


ANNOTATIONS = [
    ("amusement", {"facial_expression": "happy", "scene": "amusement park"}),
    ("fear", {"object": ["spider", "web"], "brightness": 0.2}),
    ("sadness", {"human_action": "crying", "colorfulness": 0.1}),
    ("awe", {"scene": "mountain", "object": ["cloud"]}),
]


def make_emoset(root: Path) -> Path:
    rng = np.random.default_rng(0)
    for index, (emotion, fields) in enumerate(ANNOTATIONS):
        stem = f"{emotion}_{index:05d}"
        (root / "annotation" / emotion).mkdir(parents=True, exist_ok=True)
        (root / "image" / emotion).mkdir(parents=True, exist_ok=True)
        (root / "annotation" / emotion / f"{stem}.json").write_text(json.dumps({"image_id": stem, "emotion": emotion, **fields}))
        Image.fromarray(rng.integers(0, 255, (48, 64, 3)).astype(np.uint8)).save(root / "image" / emotion / f"{stem}.jpg")
    return root


@pytest.fixture(scope="module")
def pipe(tiny):
    return load_ip2p(tiny["ip2p"], "cpu")


def build(emoset, out, server, pipe, **options):
    llm = LlmSettings(base_url=server.url, api_key=KEY, model=MODEL, retries=0)
    return build_dataset(emoset, out, None, llm, steps=3, resolution=64, progress=False, pipe=pipe, **options)


def test_builds_a_dataset_and_resumes_to_the_same_one(tmp_path, server, pipe):
    emoset = make_emoset(tmp_path / "emoset")
    whole = tmp_path / "whole/dataset.jsonl"
    build(emoset, whole, server, pipe)
    records = load_dataset(whole, require=["caption", "edited_caption", "edited_image", "source_emotion", "element"])
    assert len(records) == 4 and len(server.requests) == 4
    sources = {s.image.resolve(): s for s in read_emoset(emoset)}
    for record, request in zip(records, server.requests):
        source = sources[record.original_image]
        element, target, _ = draws(source, 0)
        assert record.source_emotion == source.emotion and record.target_emotion == target != source.emotion and record.element == element
        assert record.instruction == f"Please change the emotion of this image from {source.emotion} to {target}"
        assert record.caption.endswith(source.emotion) and record.edited_caption.endswith(target)
        with Image.open(record.edited_image) as edited:
            assert edited.size == (64, 48)
        assert request["path"] == "/v1/chat/completions" and request["auth"] == f"Bearer {KEY}" and request["body"]["model"] == MODEL
        assert request["body"]["messages"][1]["content"][1]["image_url"]["url"].startswith("data:image/jpeg;base64,")
    assert {r.element for r in records} <= {"facial", "action", "object", "scene", "color"}

    # Interrupted: the server fails at the third image; two complete lines stay, then a line cut short by a crash.
    split = tmp_path / "split/dataset.jsonl"
    server.requests.clear()
    original_post = server.http.RequestHandlerClass.do_POST

    def fail_after_two(handler):
        if len(server.requests) >= 2:
            server.failing = True
        original_post(handler)

    server.http.RequestHandlerClass.do_POST = fail_after_two
    with pytest.raises(BuildError, match=r"HTTP 500.*run the same command again to resume"):
        build(emoset, split, server, pipe)
    assert len(split.read_text().splitlines()) == 2
    with open(split, "ab") as file:
        file.write(b'{"original_image": "../emoset/ima')
    server.http.RequestHandlerClass.do_POST = original_post
    server.failing = False
    server.requests.clear()
    build(emoset, split, server, pipe)
    assert len(server.requests) == 2, "only the two missing images are asked for again"
    assert split.read_text() == whole.read_text()
    for record in load_dataset(split, require=["edited_image"]):
        twin = whole.parent / record.edited_image.relative_to(split.parent)
        assert record.edited_image.read_bytes() == twin.read_bytes()
    # Nothing left to do: no request.
    server.requests.clear()
    build(emoset, split, server, pipe)
    assert server.requests == []


def test_limit_and_per_element(tmp_path, server, pipe):
    emoset = make_emoset(tmp_path / "emoset")
    out = tmp_path / "lavc/dataset.jsonl"
    build(emoset, out, server, pipe, limit=2)
    assert len(load_dataset(out)) == 2 and len(server.requests) == 2
    other = tmp_path / "per-element/dataset.jsonl"
    build(emoset, other, server, pipe, per_element=1)
    elements = [r.element for r in load_dataset(other)]
    drawn = {draws(source, 0)[0] for source in read_emoset(emoset)}
    assert sorted(elements) == sorted(drawn), "one record for each element drawn"


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        ('{"emotion": "joy", "scene": "x"}', "field 'emotion': \"joy\" is not one of " + ", ".join(EMOTIONS)),
        ('{"emotion": "fear", "object": "spider"}', "field 'object': expected a list of strings"),
        ('{"emotion": "fear", "scene": ', "not valid JSON"),
        ('{"emotion": "fear"}', "names no visual element"),
    ],
)
def test_a_broken_annotation_is_named_before_any_request(broken, named, tmp_path, server, tiny):
    emoset = make_emoset(tmp_path / "emoset")
    path = emoset / "annotation/fear/fear_00001.json"
    path.write_text(broken)
    out = tmp_path / "lavc/dataset.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "moodshift_models", "build-dataset", "--emoset", str(emoset), "--out", str(out), "--ip2p", str(tiny["ip2p"])],
        cwd=REPO / "models", capture_output=True, text=True, env={**os.environ, "LLM_BASE_URL": server.url, "LLM_API_KEY": KEY},
    )
    assert result.returncode == 2, result.stderr
    assert str(path) in result.stderr and named in result.stderr and "Traceback" not in result.stderr
    assert server.requests == [] and not out.exists()


def test_a_missing_picture_and_a_missing_model_address_are_named(tmp_path):
    emoset = make_emoset(tmp_path / "emoset")
    (emoset / "image/awe/awe_00003.jpg").unlink()
    with pytest.raises(BuildError, match=r"awe_00003.json: no picture for it"):
        read_emoset(emoset)
    with pytest.raises(BuildError, match="set LLM_BASE_URL"):
        LlmSettings.from_env({})
    settings = LlmSettings.from_env({"LLM_BASE_URL": "http://x/v1/", "LLM_MODEL": "a", "LLM_VISION_MODEL": "b", "LLM_PLANNER_TIMEOUT_MS": "5000"})
    assert settings == LlmSettings(base_url="http://x/v1", api_key="not-needed", model="b", timeout=5.0, retries=1)
