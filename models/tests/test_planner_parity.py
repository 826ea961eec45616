"""transformers' Blip2ForConditionalGeneration.generate and moodshift's onnx planner (TypeScript, ONNX Runtime) on
the same tiny export, picture and prompt: the same tokens, greedy and with 3 beams."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from conftest import read_json, run_node

MAX_NEW_TOKENS = 24


def transformers_generate(folder, pixels, prompt, beams, max_new_tokens=MAX_NEW_TOKENS):
    """The reference: BLIP-2's own generate, with `<image>` tokens where the query embeddings go (as
    Blip2Processor writes them) before the prompt, which starts with `</s>`."""
    from transformers import AutoTokenizer, Blip2ForConditionalGeneration

    model = Blip2ForConditionalGeneration.from_pretrained(folder, local_files_only=True, attn_implementation="eager").eval()
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    prompt_ids = tokenizer(prompt).input_ids
    ids = [model.config.image_token_index] * model.config.num_query_tokens + prompt_ids
    with torch.no_grad():
        out = model.generate(
            pixel_values=torch.from_numpy(pixels),
            input_ids=torch.tensor([ids]),
            attention_mask=torch.ones((1, len(ids)), dtype=torch.long),
            max_new_tokens=max_new_tokens,
            num_beams=beams,
            do_sample=False,
            length_penalty=1.0,
            early_stopping=False,
        )
    generated = out[0, len(ids):].tolist()
    eos = model.generation_config.eos_token_id
    finished = eos in generated
    tokens = generated[: generated.index(eos)] if finished else generated
    # Beam search pads finished sequences with the pad token after the end.
    return prompt_ids, tokens, finished, tokenizer.decode(tokens, skip_special_tokens=True)


def moodshift_plan(models, picture, tmp_path, beams):
    out = tmp_path / f"plan-{beams}.json"
    run_node("plan", "--models", str(models), "--image", str(picture), "--out", str(out), "--beam", str(beams),
             "--max-new-tokens", str(MAX_NEW_TOKENS))
    return read_json(out)


@pytest.mark.parametrize("beams", [1, 3])
def test_planner_tokens_match_transformers(beams, tiny, exported, square_picture, tmp_path):
    ours = moodshift_plan(exported, square_picture, tmp_path, beams)
    pixels = np.asarray(ours["pixels"], dtype=np.float32).reshape(1, 3, 224, 224)
    prompt_ids, tokens, finished, text = transformers_generate(tiny["blip2"], pixels, ours["prompt"], beams)
    print(f"\nbeams {beams}: transformers {tokens} (finished {finished}); moodshift decoder {ours['tokens']} "
          f"(finished {ours['finished']}); planner answer {ours['answer']!r} ({ours['reason']})")
    assert ours["promptIds"] == prompt_ids, "moodshift's OPT tokenizer splits the prompt differently"
    # The tiny model's answer ends on "\n" within the limit, so the end token is put to the test.
    assert finished, "the tiny model's answer should end before the limit (make_tiny_blip2's loud newline row)"
    assert ours["tokens"] == tokens and ours["finished"] == finished
    # Through OnnxPlanner.plan itself: the same answer text, ended by the export's end token (not run to the limit).
    assert ours["answer"] is not None and ours["answer"].strip() == text.strip()
    assert "ran past" not in ours["reason"]


@pytest.mark.parametrize("beams", [1, 3])
def test_fp16_planner_writes_the_fp32_reference_tokens(beams, tiny, exported_fp16, square_picture, tmp_path):
    ours = moodshift_plan(exported_fp16, square_picture, tmp_path, beams)
    pixels = np.asarray(ours["pixels"], dtype=np.float32).reshape(1, 3, 224, 224)
    _, tokens, finished, _ = transformers_generate(tiny["blip2"], pixels, ours["prompt"], beams)
    print(f"\nbeams {beams} fp16: transformers (fp32) {tokens}; moodshift decoder {ours['tokens']}")
    assert ours["tokens"] == tokens and ours["finished"] == finished


def test_vision_input_matches_blip_processor(tiny, exported, square_picture, tmp_path):
    """moodshift's BLIP-2 pixels (sharp, bicubic) and transformers' BlipImageProcessor agree on a 224×224 picture."""
    from PIL import Image
    from transformers import BlipImageProcessor

    ours = np.asarray(moodshift_plan(exported, square_picture, tmp_path, 1)["pixels"], dtype=np.float32).reshape(1, 3, 224, 224)
    reference = BlipImageProcessor.from_pretrained(tiny["blip2"]).preprocess(Image.open(square_picture).convert("RGB"), return_tensors="np")["pixel_values"]
    print(f"\nvision input: max difference {np.abs(ours - reference).max():.2e}")
    assert np.abs(ours - reference).max() < 1e-5
