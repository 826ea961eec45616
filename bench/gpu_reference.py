"""The PyTorch side of bench/gpu-host-check.sh, on a GPU host without network.

1. `build FOLDER`: an InstructPix2Pix pipeline folder shaped like Stable Diffusion 1.5 (UNet 320/640/1280/1280
   with 8 input channels and cross-attention width 768, SD's VAE, CLIP ViT-L/14's 12-layer text encoder) with
   RANDOM weights, saved as diffusers saves `timbrooks/instruct-pix2pix`. Random weights cost the same
   arithmetic as trained ones, but every picture they make is noise. The CLIP tokenizer is a small byte-level
   BPE vocabulary written here (no download); the text encoder keeps CLIP's 49408-entry embedding.
2. `time FOLDER OUT.json`: diffusers' own StableDiffusionInstructPix2PixPipeline on that folder, float16 on
   CUDA, 512x512, 20 steps (one warm-up, then the median of --runs), written as the JSON `npm run bench:gpu`
   reads from BENCH_PYTORCH_RESULT.

The ONNX export in between is `python -m moodshift_models export-ip2p --from FOLDER --out DIR --fp16`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path


def byte_alphabet() -> list[str]:
    """GPT-2's byte-to-unicode table: the alphabet of CLIP's byte-level BPE."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return [chr(c) for c in codes]


def build(folder: Path, seed: int, small: bool = False) -> None:
    import torch
    from diffusers import AutoencoderKL, EulerAncestralDiscreteScheduler, StableDiffusionInstructPix2PixPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizerFast

    torch.manual_seed(seed)
    tokenizer_dir = folder / "tokenizer"
    tokenizer_dir.mkdir(parents=True, exist_ok=True)
    alphabet = byte_alphabet()
    vocab: dict[str, int] = {}
    for token in alphabet + [t + "</w>" for t in alphabet]:
        vocab.setdefault(token, len(vocab))
    merges = ["t h", "th e</w>", "a n", "i n", "e r</w>", "o n</w>"]
    for merge in merges:
        vocab.setdefault(merge.replace(" ", ""), len(vocab))
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    (tokenizer_dir / "vocab.json").write_text(json.dumps(vocab))
    (tokenizer_dir / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    tokenizer = CLIPTokenizerFast(
        vocab_file=str(tokenizer_dir / "vocab.json"), merges_file=str(tokenizer_dir / "merges.txt"), pad_token="<|endoftext|>", model_max_length=77
    )
    # Built on the GPU when there is one: initialising 1 B parameters on a few CPU cores takes minutes.
    device = "cuda" if torch.cuda.is_available() else "cpu"
    with torch.device(device):
        # --small: the same layout at a fraction of the width, to check the script itself on a CPU.
        width = 64 if small else 768
        text_encoder = CLIPTextModel(
            CLIPTextConfig(
                vocab_size=49408,
                hidden_size=width,
                intermediate_size=4 * width,
                num_hidden_layers=2 if small else 12,
                num_attention_heads=4 if small else 12,
                max_position_embeddings=77,
                hidden_act="quick_gelu",
                bos_token_id=vocab["<|startoftext|>"],
                eos_token_id=vocab["<|endoftext|>"],
                pad_token_id=vocab["<|endoftext|>"],
            )
        )
        unet = UNet2DConditionModel(
            sample_size=64,
            in_channels=8,
            out_channels=4,
            cross_attention_dim=width,
            attention_head_dim=8,
            **({"block_out_channels": (32, 32, 64, 64), "layers_per_block": 1} if small else {}),
        )
        vae = AutoencoderKL(
            block_out_channels=(32, 32, 32, 32) if small else (128, 256, 512, 512),
            down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4,
            latent_channels=4,
            layers_per_block=2,
            sample_size=512,
        )
    scheduler = EulerAncestralDiscreteScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", num_train_timesteps=1000, steps_offset=1
    )
    pipeline = StableDiffusionInstructPix2PixPipeline(
        vae=vae.to("cpu"),
        text_encoder=text_encoder.to("cpu"),
        tokenizer=tokenizer,
        unet=unet.to("cpu"),
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipeline.save_pretrained(folder)
    params = sum(p.numel() for m in (unet, vae, text_encoder) for p in m.parameters())
    print(f"gpu_reference: wrote a random SD-1.5-shaped InstructPix2Pix folder to {folder} ({params / 1e6:.0f} M parameters)")


def time_pipeline(folder: Path, out: Path, steps: int, side: int, runs: int) -> None:
    import diffusers
    import numpy as np
    import torch
    from diffusers import StableDiffusionInstructPix2PixPipeline
    from PIL import Image

    if not torch.cuda.is_available():
        sys.exit("gpu_reference: torch sees no CUDA device; the PyTorch baseline needs the GPU.")
    pipeline = StableDiffusionInstructPix2PixPipeline.from_pretrained(folder, torch_dtype=torch.float16, safety_checker=None).to("cuda")
    pipeline.set_progress_bar_config(disable=True)
    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8))
    prompt = "Please change the emotion of this image from contentment to sadness. A cat lying on a worn sofa in a grey, dim room"

    def edit(seed: int) -> float:
        torch.cuda.synchronize()
        start = time.perf_counter()
        pipeline(
            prompt,
            image=image,
            num_inference_steps=steps,
            guidance_scale=7.5,
            image_guidance_scale=1.5,
            generator=torch.Generator("cuda").manual_seed(seed),
            output_type="pil",
        )
        torch.cuda.synchronize()
        return time.perf_counter() - start

    edit(0)  # warm-up: cuDNN autotuning, allocations
    times = [edit(i + 1) for i in range(runs)]
    result = {
        "device": torch.cuda.get_device_name(0),
        "torch": torch.__version__,
        "diffusers": diffusers.__version__,
        "dtype": "float16",
        "side": side,
        "steps": steps,
        "secondsPerEdit": round(statistics.median(times), 3),
        "runs": [round(t, 3) for t in times],
    }
    out.write_text(json.dumps(result))
    print(f"gpu_reference: diffusers fp16 on {result['device']}: {result['secondsPerEdit']} s per {side}x{side} edit at {steps} steps")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser("build")
    b.add_argument("folder", type=Path)
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--small", action="store_true", help="a narrow model of the same layout, to check the script on a CPU")
    t = commands.add_parser("time")
    t.add_argument("folder", type=Path)
    t.add_argument("out", type=Path)
    t.add_argument("--steps", type=int, default=20)
    t.add_argument("--side", type=int, default=512)
    t.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.command == "build":
        build(args.folder, args.seed, args.small)
    else:
        time_pipeline(args.folder, args.out, args.steps, args.side, args.runs)


if __name__ == "__main__":
    main()
