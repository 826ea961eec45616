"""PER training on tiny random models: step-0 reduction to plain InstructPix2Pix, a finite loss that falls on a fixed
batch, frozen weights bit-for-bit unchanged and trainable ones changed."""

from __future__ import annotations

import pytest
import torch

from moodshift_models.dataset import load_dataset, make_tiny_dataset
from moodshift_models.files import ExportError
from moodshift_models.per_training import build_per_blocks, load_per_system, make_batch

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    path = make_tiny_dataset(tmp_path_factory.mktemp("lavc") / "tiny", count=2, size=64, seed=0)
    return load_dataset(path, require=["edited_image"])


def system_and_batch(tiny, records, join="add"):
    system, pixels = load_per_system(tiny["ip2p"], tiny["blip2"], join=join, seed=0)
    return system, make_batch(records[:1], pixels)


def unet_inputs(system, batch, seed=5):
    generator = torch.Generator().manual_seed(seed)
    v = system.latents(batch["original"])
    z0 = system.latents(batch["edited"]) * system.vae.config.scaling_factor
    t = torch.tensor([400])
    z_t = system.scheduler.add_noise(z0, torch.randn(z0.shape, generator=generator), t)
    return torch.cat([z_t, v], dim=1), t, v


def test_step_zero_is_plain_instruct_pix2pix(tiny, records):
    system, batch = system_and_batch(tiny, records)
    sample, t, v = unet_inputs(system, batch)
    with torch.no_grad():
        h, q_t = system.conditioning(batch, v)
        assert h.shape == q_t.shape
        ours = system.unet(sample, t, encoder_hidden_states=h).sample
        plain = system.unet(sample, t, encoder_hidden_states=q_t).sample
    assert torch.equal(h, q_t)
    assert torch.equal(ours, plain), f"max difference {(ours - plain).abs().max()}"
    # Not trivially so: the blocks are live (random apart from the zeroed output layers), and a non-zero adapter
    # output changes the prediction.
    with torch.no_grad():
        q_prime, v_prime = system.eai(system.query_embeds(batch["blip_pixels"]), v)
        assert torch.count_nonzero(q_prime) == 0 and v_prime.abs().mean() > 0.01
        system.adapter.out[-1].bias.fill_(0.1)
        moved = system.unet(sample, t, encoder_hidden_states=system.conditioning(batch, v)[0]).sample
    assert (moved - plain).abs().max() > 1e-4


def test_concatenated_zero_rows_are_not_plain(tiny, records):
    """Why the default join adds: the README contract's h = [q_t + f ; q′] with q′ = 0 still changes the UNet's
    prediction (bias-free keys: zero rows take a softmax share)."""
    system, batch = system_and_batch(tiny, records, join="concat")
    sample, t, v = unet_inputs(system, batch)
    with torch.no_grad():
        h, q_t = system.conditioning(batch, v)
        assert h.shape[1] == q_t.shape[1] + 8 and torch.count_nonzero(h[:, q_t.shape[1]:]) == 0
        ours = system.unet(sample, t, encoder_hidden_states=h).sample
        plain = system.unet(sample, t, encoder_hidden_states=q_t).sample
    assert (ours - plain).abs().max() > 1e-4


def test_zero_initialisation_touches_only_the_output_layers():
    eai, adapter = build_per_blocks(32, 4, 32, seed=1)
    random_eai, random_adapter = build_per_blocks(32, 4, 32, seed=1, zero=False)
    zeroed = {"mlp.2.weight", "mlp.2.bias"}
    for name, value in eai.state_dict().items():
        if name in zeroed:
            assert torch.count_nonzero(value) == 0, name
        else:
            assert torch.equal(value, random_eai.state_dict()[name]), name
    for name, value in adapter.state_dict().items():
        if name in {"out.2.weight", "out.2.bias"}:
            assert torch.count_nonzero(value) == 0, name
        else:
            assert torch.equal(value, random_adapter.state_dict()[name]), name


def test_loss_falls_on_a_fixed_batch_and_only_trainables_move(tiny, records):
    system, batch = system_and_batch(tiny, records)
    frozen = {f"{n}.{k}": v.clone() for n, m in system.frozen_modules().items() for k, v in m.state_dict().items()}
    trainable = {k: v.clone() for k, v in system.trainable_state().items()}
    parameters = [p for m in system.trainable_modules().values() for p in m.parameters()]
    assert all(not p.requires_grad for m in system.frozen_modules().values() for p in m.parameters())
    optimizer = torch.optim.AdamW(parameters, lr=1e-2, weight_decay=1e-4)
    system.train()
    # One fixed batch: the same timestep and noise every step (an overfit check).
    timesteps = torch.tensor([500])
    noise = torch.randn((1, 4, 8, 8), generator=torch.Generator().manual_seed(2))
    losses = []
    for _ in range(10):
        out = system.loss(batch, torch.Generator().manual_seed(0), lambda2=0.3, timesteps=timesteps, noise=noise)
        assert torch.isfinite(out["loss"]) and torch.isfinite(out["pixel"]) and out["pixel"] > 0
        optimizer.zero_grad()
        out["loss"].backward()
        optimizer.step()
        losses.append(out["loss"].item())
    print("PER losses on a fixed batch:", [round(x, 5) for x in losses])
    assert losses[-1] < losses[0] * 0.97, losses
    assert all(b < a for a, b in zip(losses[1:], losses[2:])), losses
    for name, value in system.frozen_modules().items():
        for key, tensor in value.state_dict().items():
            assert torch.equal(tensor, frozen[f"{name}.{key}"]), f"frozen {name}.{key} changed"
    after = system.trainable_state()
    for prefix in ("eai.", "adapter.", "qformer.", "query_tokens.", "language_projection."):
        assert any(not torch.equal(after[k], trainable[k]) for k in after if k.startswith(prefix)), f"{prefix} did not change"
    for key in after:
        if key.startswith(("eai.", "adapter.")):
            assert not torch.equal(after[key], trainable[key]), f"{key} did not change"


def test_loss_draws_t_and_noise_from_its_generator(tiny, records):
    system, batch = system_and_batch(tiny, records)
    with torch.no_grad():
        a = system.loss(batch, torch.Generator().manual_seed(11))["loss"]
        b = system.loss(batch, torch.Generator().manual_seed(11))["loss"]
        c = system.loss(batch, torch.Generator().manual_seed(12))["loss"]
    assert torch.isfinite(a) and a == b and a != c


def test_missing_model_folders_are_named(tiny, tmp_path):
    with pytest.raises(ExportError, match=r"is not a folder; give a local copy of an InstructPix2Pix"):
        load_per_system(tmp_path / "nope", tiny["blip2"])
    with pytest.raises(ExportError, match=r"not a complete local copy of a BLIP-2 OPT .*missing preprocessor_config.json"):
        (tmp_path / "blip").mkdir()
        (tmp_path / "blip/config.json").write_text("{}")
        load_per_system(tiny["ip2p"], tmp_path / "blip")


def _loss_and_grads(system, batch, **autocast):
    system.train()
    for p in system.parameters():
        p.grad = None
    with torch.autocast("cpu", **autocast) if autocast else torch.enable_grad():
        out = system.loss(batch, torch.Generator().manual_seed(3))
    out["loss"].backward()
    grads = {n: p.grad.clone() for n, p in system.named_parameters() if p.grad is not None}
    return out["loss"].item(), grads


def test_gradient_checkpointing_and_bf16(tiny, records):
    system, batch = system_and_batch(tiny, records)
    # Step 0 only reaches the adapter's output layer (f = W·x with W = 0): move it so gradients reach everything.
    with torch.no_grad():
        system.adapter.out[-1].weight.normal_(0, 0.05)
    loss, grads = _loss_and_grads(system, batch)
    assert any(n.startswith("qformer.") for n in grads) and any(n.startswith("eai.") for n in grads)
    assert not any(n.startswith(("unet.", "vae.", "text_encoder.", "vision_model.")) for n in grads)
    system.unet.enable_gradient_checkpointing()
    system.vae.enable_gradient_checkpointing()
    checkpointed, checkpointed_grads = _loss_and_grads(system, batch)
    assert checkpointed == loss
    assert checkpointed_grads.keys() == grads.keys()
    for name in grads:
        torch.testing.assert_close(checkpointed_grads[name], grads[name], rtol=1e-5, atol=1e-7, msg=name)
    bf16, bf16_grads = _loss_and_grads(system, batch, dtype=torch.bfloat16)
    print(f"PER loss fp32 {loss:.5f}, bf16 autocast {bf16:.5f}")
    assert abs(bf16 - loss) < 0.05 * loss and bf16_grads.keys() == grads.keys()


@pytest.mark.parametrize("layout", ["as saved", "sharded safetensors", "pytorch .bin"])
def test_blip2_image_side_matches_the_full_model(tiny, tmp_path, layout):
    """PER reads only BLIP-2's vision encoder, Q-Former, query tokens and projection, never OPT's weights; q is the
    full model's get_image_features to the bit."""
    import shutil

    from transformers import Blip2ForConditionalGeneration

    from moodshift_models.per_training import load_blip2_image_side

    full = Blip2ForConditionalGeneration.from_pretrained(tiny["blip2"], local_files_only=True, attn_implementation="eager").eval()
    folder = tiny["blip2"]
    if layout != "as saved":
        folder = tmp_path / "blip2"
        full.save_pretrained(folder, safe_serialization=layout != "pytorch .bin", max_shard_size="200KB")
        shutil.copy(tiny["blip2"] / "preprocessor_config.json", folder)
        index = "model.safetensors.index.json" if layout != "pytorch .bin" else "pytorch_model.bin.index.json"
        assert (folder / index).exists()
    from moodshift_models.per_training import _image_side_weights

    read = _image_side_weights(folder)
    assert read and not any(key.startswith("language_model.") for key in read)
    assert any(key.startswith("language_model.") for key in full.state_dict())
    vision, qformer, tokens, projection, width = load_blip2_image_side(folder)
    pixels = torch.randn((2, 3, 224, 224), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = full.get_image_features(pixels)
        embeds = vision(pixel_values=pixels).last_hidden_state
        out = qformer(query_embeds=tokens.expand(2, -1, -1), encoder_hidden_states=embeds, encoder_attention_mask=torch.ones(embeds.shape[:-1], dtype=torch.long))
        ours = projection(out.last_hidden_state)
    assert width == full.config.text_config.hidden_size
    assert torch.equal(ours, expected)
