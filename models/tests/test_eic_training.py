"""EIC (MEND-style editing of OPT's last MLPs) on the tiny random BLIP-2: the recorded rank-1 factors are the raw
gradient, identity transforms give ΔW = −α ∇W, the loss is finite and falls on a fixed batch, frozen weights stay
bit-for-bit and trainable ones move, and too many edited blocks are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from moodshift_models.dataset import EMOTIONS, load_dataset, make_tiny_dataset
from moodshift_models.eic_training import PLANNER_PROMPT, EicError, LexiconEmotions, load_eic_system, make_eic_batch, rank1_sum

torch.set_num_threads(1)
LAYERS = 2  # the tiny OPT has 2 blocks


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    path = make_tiny_dataset(tmp_path_factory.mktemp("lavc-eic") / "tiny", count=2, size=64, seed=0)
    return load_dataset(path, require=["caption", "edited_caption"])


def system_and_batch(tiny, records, count=1, **options):
    system, pixels = load_eic_system(tiny["blip2"], layers=LAYERS, hidden=16, **options)
    return system, make_eic_batch(records[:count], system.tokenizer, pixels)


def test_prompt_is_the_planners():
    prompt = (Path(__file__).resolve().parents[2] / "prompts/epem-planner.txt").read_text().strip()
    assert PLANNER_PROMPT == prompt


def test_rank1_factors_sum_to_the_raw_gradient(tiny, records):
    system, batch = system_and_batch(tiny, records, count=2)
    layers = list(system.edited.values())
    assert len(layers) == 2 * LAYERS
    for layer in layers:
        layer.weight.requires_grad_(True)
    loss, factors, grads = system.edit_factors(batch, also=tuple(layer.weight for layer in layers))
    assert torch.isfinite(loss)
    for (name, (u, delta)), grad in zip(factors.items(), grads):
        assert u.shape[0] == delta.shape[0] > 0
        summed = rank1_sum(u, delta)
        assert grad.abs().max() > 0, name
        assert torch.allclose(summed, grad, rtol=1e-4, atol=1e-7), f"{name}: max difference {(summed - grad).abs().max()}"
    # Padding rows (the shorter sample) were dropped, the rest kept.
    tokens = int(batch["attention_mask"].sum()) + batch["blip_pixels"].shape[0] * system.query_tokens.weight.shape[0]
    assert all(u.shape[0] <= tokens for u, _ in factors.values())


def test_identity_transforms_give_minus_alpha_gradient(tiny, records):
    system, batch = system_and_batch(tiny, records, normalise=False)
    _, factors, _ = system.edit_factors(batch)
    shifts = system.editor(factors)
    for index, name in enumerate(system.editor.names):
        u, delta = factors[name]
        expected = -system.editor.alphas[index] * rank1_sum(u, delta)
        assert torch.allclose(shifts[name], expected, rtol=1e-5, atol=1e-12)


def test_loss_falls_frozen_unchanged_trainable_changed(tiny, records):
    system, batch = system_and_batch(tiny, records)
    frozen = {f"{part}.{k}": v.detach().clone() for part, module in system.frozen_modules().items() for k, v in module.named_parameters() if not v.requires_grad}
    trainable = {k: v.detach().clone() for k, v in system.trainable_state().items()}
    parameters = [p for module in system.trainable_modules().values() for p in module.parameters()]
    assert all(p.requires_grad for p in parameters)
    # Frozen: the vision encoder and every OPT weight but the edited fc1/fc2.
    assert any(k.startswith("vision_model.") for k in frozen) and any(".layers.0.self_attn." in k for k in frozen)
    assert not any(k.startswith("language_model.") and (".fc1." in k or ".fc2." in k) for k in frozen)
    optimizer = torch.optim.AdamW(parameters, lr=3e-3, weight_decay=1e-4)
    system.train()
    losses = []
    for _ in range(6):
        result = system.loss(batch, lambda1=0.5)
        assert all(torch.isfinite(v) for v in result.values())
        optimizer.zero_grad(set_to_none=True)
        result["loss"].backward()
        optimizer.step()
        losses.append(result["loss"].item())
    print(f"EIC losses on one fixed batch: {[round(x, 4) for x in losses]}")
    assert losses[-1] < losses[0] * 0.9, losses
    for name, module in system.frozen_modules().items():
        for key, value in module.named_parameters():
            if f"{name}.{key}" in frozen:
                assert torch.equal(value, frozen[f"{name}.{key}"]), f"frozen {name}.{key} changed"
    after = system.trainable_state()
    moved = [k for k, v in trainable.items() if v.is_floating_point() and not torch.equal(v, after[k])]
    for prefix in ("qformer.", "query_tokens.", "language_projection.", "editor.alphas", "editor.transforms.0.w1.", "editor.transforms.0.w2.", "edited_mlps.0.weight"):
        assert any(k.startswith(prefix) for k in moved), f"{prefix} did not change"
    # The running statistics were filled.
    assert float(system.editor.transforms[0].norm_u.count) > 1


def test_freeze_base_keeps_the_edited_weights(tiny, records):
    """train_base=False (MEND's default): the edited fc1/fc2 stay bit-for-bit; only the editor and Q-Former train."""
    system, batch = system_and_batch(tiny, records, train_base=False)
    assert "edited_mlps" not in system.trainable_modules()
    before = {n: layer.weight.detach().clone() for n, layer in system.edited.items()}
    parameters = [p for module in system.trainable_modules().values() for p in module.parameters()]
    optimizer = torch.optim.AdamW(parameters, lr=3e-3)
    alphas = system.editor.alphas.detach().clone()
    system.train()
    for _ in range(2):
        result = system.loss(batch)
        optimizer.zero_grad(set_to_none=True)
        result["loss"].backward()
        optimizer.step()
    assert all(torch.equal(layer.weight, before[n]) and layer.weight.grad is None for n, layer in system.edited.items())
    assert not torch.equal(system.editor.alphas, alphas)


def test_edit_changes_the_prediction(tiny, records):
    """The edit takes part: once W2 is non-zero and α is large, the edited model's NLL differs from the unedited one."""
    system, batch = system_and_batch(tiny, records, alpha=1.0)
    with torch.no_grad():
        system.editor.transforms[-1].w2.weight.normal_(0, 0.1)
    result = system.loss(batch)
    assert abs(result["nll"].item() - result["edit_nll"].item()) > 1e-4


def test_gradient_checkpointing_gives_the_same_loss_and_gradients(tiny, records):
    """checkpointed_layers (every OPT block recomputed in the backward pass, the edited weights passed in): the same
    loss terms and the same gradient for every trainable tensor as the plain passes, on a non-trivial edit."""
    system, batch = system_and_batch(tiny, records, count=2, alpha=0.5)
    with torch.no_grad():
        for transform in system.editor.transforms:
            transform.w2.weight.normal_(0, 0.05)
    system.eval()  # (no running-statistics update, so both passes see the same editor)
    parameters = {f"{n}.{k}": p for n, module in system.trainable_modules().items() for k, p in module.named_parameters()}

    def run(checkpointing):
        system.gradient_checkpointing = checkpointing
        for p in parameters.values():
            p.grad = None
        result = system.loss(batch, lambda1=0.5)
        result["loss"].backward()
        return {k: v.item() for k, v in result.items()}, {k: p.grad.clone() for k, p in parameters.items() if p.grad is not None}

    plain, plain_grads = run(False)
    checkpointed, checkpointed_grads = run(True)
    system.gradient_checkpointing = False
    print(f"EIC gradient checkpointing: loss {plain['loss']:.6f} plain, {checkpointed['loss']:.6f} checkpointed")
    assert abs(plain["nll"] - plain["edit_nll"]) > 1e-3, "the edit should move the prediction"
    for key in plain:
        assert checkpointed[key] == pytest.approx(plain[key], rel=1e-5, abs=1e-7), key
    assert plain_grads.keys() == checkpointed_grads.keys() and any(k.startswith("qformer.") for k in plain_grads)
    for key, grad in plain_grads.items():
        assert torch.allclose(checkpointed_grads[key], grad, rtol=1e-4, atol=1e-7), f"{key}: {(checkpointed_grads[key] - grad).abs().max()}"
    # The blocks' own forward is back afterwards.
    assert all("forward" not in vars(block) for block in system.language_model.model.decoder.layers)


def test_lexicon_classifier_reads_emotion_words(tiny):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny["blip2"], local_files_only=True)
    classifier = LexiconEmotions(tokenizer)
    probs = torch.full((1, 3, len(tokenizer)), 1e-9)
    sad = tokenizer(" sad", add_special_tokens=False).input_ids[0]
    probs[0, :, sad] = 1.0
    emotions = classifier(probs, torch.tensor([[1, 1, 0]]))
    assert emotions.shape == (1, len(EMOTIONS)) and torch.allclose(emotions.sum(-1), torch.tensor([1.0]))
    assert emotions[0, EMOTIONS.index("sadness")] == emotions.max()


def test_too_many_layers_refused(tiny):
    with pytest.raises(EicError, match=r"last 3 OPT blocks: .* has 2 decoder blocks \(give --eic-layers between 1 and 2"):
        load_eic_system(tiny["blip2"], layers=3)


# -- the `train --part eic` loop -------------------------------------------------------------------------------------


def eic_models(tiny, folder: Path) -> Path:
    from moodshift_models import training

    folder.mkdir()
    (folder / training.BLIP2_FOLDER).symlink_to(tiny["blip2"])  # EIC needs no instruct-pix2pix/
    return folder


def test_eic_resume_gives_the_same_losses(tiny, tmp_path):
    from safetensors.torch import load_file

    from moodshift_models.training import Runtime, Settings, train

    models = eic_models(tiny, tmp_path / "models")
    dataset = make_tiny_dataset(tmp_path / "lavc", count=3, size=64, seed=2)
    settings = Settings(part="eic", lr=1e-3, epochs=2, seed=4, eic_layers=LAYERS, eic_hidden=16)
    quiet = Runtime(progress=False, save_every=2)
    whole = train(dataset, models, tmp_path / "whole", settings, quiet)
    assert [e["step"] for e in whole] == [1, 2, 3, 4, 5, 6]
    assert all(set(e) >= {"loss", "nll", "emotion", "edit_nll"} and torch.isfinite(torch.tensor(e["loss"])) for e in whole)
    first = train(dataset, models, tmp_path / "split", settings, Runtime(progress=False, save_every=100, max_steps=4))
    torch.manual_seed(999)  # the resumed run must not depend on the global generator it finds
    second = train(dataset, models, tmp_path / "split", runtime=quiet, resume=True)
    keys = ("step", "epoch", "loss", "nll", "emotion", "edit_nll")
    assert [[e[k] for k in keys] for e in first + second] == [[e[k] for k in keys] for e in whole]
    a = load_file(str(tmp_path / "whole/checkpoint/trainable.safetensors"))
    b = load_file(str(tmp_path / "split/checkpoint/trainable.safetensors"))
    assert a.keys() == b.keys() and any(k.startswith("editor.transforms.") and k.endswith("norm_u.mean") for k in a)
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_eic_cli_refuses_too_many_layers_before_loading(tiny, tmp_path):
    import subprocess
    import sys

    models = eic_models(tiny, tmp_path / "models")
    dataset = make_tiny_dataset(tmp_path / "lavc", count=1, size=64, seed=2)
    result = subprocess.run(
        [sys.executable, "-m", "moodshift_models", "train", "--part", "eic", "--eic-layers", "5", "--dataset", str(dataset), "--models", str(models), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 2, result.stderr
    assert "EIC cannot edit the last 5 OPT blocks" in result.stderr and "between 1 and 2" in result.stderr
    assert not (tmp_path / "out").exists()
