"""moodshift's diffusion renderer with EPEM's PER blocks (random, non-zero stand-ins with the file contract) and
diffusers' InstructPix2Pix pipeline given the same conditioning, computed in PyTorch: h = [q_t + f ; q′] for the
text row and h_∅ = [q_∅ + f_∅ ; q′] for both unconditional rows. At most 2/255 apart per pixel in float32."""

from __future__ import annotations

import shutil

import numpy as np
import torch
from PIL import Image

from conftest import run_node
from moodshift_models.onnx_io import export_module
from per_modules import EmotionAttentionInteraction, PerAdapter
from test_diffusion_parity import CAPTION, INSTRUCTION, PROMPT, SEED, STEPS, TOLERANCE, report

SCHEDULER = "ddim"


def test_per_blocks_match_the_reference(tiny, exported, picture, tmp_path):
    from diffusers import DDIMScheduler, StableDiffusionInstructPix2PixPipeline
    from transformers import Blip2ForConditionalGeneration

    from moodshift_models.tiny import IP2P_SCHEDULER_CONFIG

    pipe = StableDiffusionInstructPix2PixPipeline.from_pretrained(tiny["ip2p"], safety_checker=None, requires_safety_checker=False, local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    pipe.scheduler = DDIMScheduler.from_config(IP2P_SCHEDULER_CONFIG)
    blip2 = Blip2ForConditionalGeneration.from_pretrained(tiny["blip2"], local_files_only=True, attn_implementation="eager").eval()
    text_width = pipe.text_encoder.config.hidden_size
    torch.manual_seed(3)
    eai = EmotionAttentionInteraction(blip2.config.text_config.hidden_size, pipe.vae.config.latent_channels, text_width).eval()
    adapter = PerAdapter(text_width).eval()

    # The fused multi-head-attention fast path has no ONNX export.
    torch.backends.mha.set_fastpath_enabled(False)
    models = tmp_path / "models"
    shutil.copytree(exported, models)
    # The traced attention keeps the example's sequence lengths: export at this picture's latent size.
    with Image.open(picture) as opened:
        latent_h, latent_w = opened.height // 8, opened.width // 8
    queries = blip2.config.num_query_tokens
    export_module(
        eai, (torch.zeros((1, queries, blip2.config.text_config.hidden_size)), torch.zeros((1, 4, latent_h, latent_w))), models / "per/eai.onnx",
        input_names=["query_embeds", "image_latents"], output_names=["q_prime", "v_prime"],
        dynamic_axes={"image_latents": {2: "latent_height", 3: "latent_width"}, "v_prime": {1: "pixels"}},
    )
    export_module(
        adapter, (torch.zeros((1, 77, text_width)), torch.zeros((1, latent_h * latent_w, 32))), models / "per/adapter.onnx",
        input_names=["text_embeds", "v_prime"], output_names=["f"], dynamic_axes={"v_prime": {1: "pixels"}},
    )

    out, noise_path, pixels_path = tmp_path / "per.png", tmp_path / "per.noise", tmp_path / "per.pixels"
    run_node(
        "render", "--models", str(models), "--image", str(picture), "--out", str(out), "--noise", str(noise_path),
        "--pixels", str(pixels_path), "--scheduler", SCHEDULER, "--steps", str(STEPS), "--seed", str(SEED),
        "--instruction", INSTRUCTION, "--caption", CAPTION, "--emotion-blocks", "on",
    )
    ours = np.asarray(Image.open(out).convert("RGB")).astype(np.int16)

    image = Image.open(picture).convert("RGB")
    h, w = image.height // 8, image.width // 8
    noise = np.fromfile(noise_path, dtype=np.float32).reshape(1 + STEPS, 1, 4, h, w)
    pixels = torch.from_numpy(np.fromfile(pixels_path, dtype=np.float32).reshape(1, 3, 224, 224))
    with torch.no_grad():
        image_embeds = blip2.vision_model(pixel_values=pixels).last_hidden_state
        query = blip2.qformer(
            query_embeds=blip2.query_tokens.expand(1, -1, -1), encoder_hidden_states=image_embeds,
            encoder_attention_mask=torch.ones(image_embeds.shape[:-1], dtype=torch.long),
        ).last_hidden_state
        query = blip2.language_projection(query)
        latents = pipe.vae.encode(pipe.image_processor.preprocess(image)).latent_dist.mode()
        q_prime, v_prime = eai(query, latents)

        def text_features(prompt):
            ids = pipe.tokenizer(prompt, padding="max_length", max_length=77, truncation=True, return_tensors="pt").input_ids
            return pipe.text_encoder(ids)[0]

        q_t, q_empty = text_features(PROMPT), text_features("")
        f_t, f_empty = adapter(q_t, v_prime), adapter(q_empty, v_prime)
        assert f_t.abs().mean() > 0.05 and q_prime.abs().mean() > 0.05, "the PER stand-ins must change the conditioning"
        h_text = torch.cat([q_t + f_t, q_prime], dim=1)
        h_empty = torch.cat([q_empty + f_empty, q_prime], dim=1)
        reference = pipe(
            prompt_embeds=h_text, negative_prompt_embeds=h_empty, image=image, num_inference_steps=STEPS,
            guidance_scale=7.5, image_guidance_scale=1.5, latents=torch.from_numpy(noise[0].copy()), eta=0.0, output_type="np",
        ).images[0]
        plain = pipe(
            PROMPT, image=image, num_inference_steps=STEPS, guidance_scale=7.5, image_guidance_scale=1.5,
            latents=torch.from_numpy(noise[0].copy()), eta=0.0, output_type="np",
        ).images[0]
    reference = np.round(reference * 255).astype(np.int16)
    plain = np.round(plain * 255).astype(np.int16)
    difference = report(f"PER {SCHEDULER} fp32", ours, reference)
    print(f"PER vs plain InstructPix2Pix: max {np.abs(plain - reference).max()}/255 (the blocks change the picture)")
    assert np.abs(plain - reference).max() > 3 * TOLERANCE
    assert difference.max() <= TOLERANCE
