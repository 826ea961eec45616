"""`python -m moodshift_models COMMAND`: export-ip2p, export-blip2, export-clip, export (a trained checkpoint), train, build-dataset, make-tiny, make-tiny-dataset (see models/README.md)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from .files import ExportError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m moodshift_models", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    ip2p = commands.add_parser("export-ip2p", help="a local InstructPix2Pix folder → the diffusion renderer's ONNX files")
    ip2p.add_argument("--from", dest="source", type=Path, required=True, help="local diffusers folder (e.g. a copy of timbrooks/instruct-pix2pix)")
    ip2p.add_argument("--out", type=Path, required=True, help="MODELS_DIR to write into")
    ip2p.add_argument("--fp16", action="store_true", help="float16 weights and inputs (default float32)")

    blip2 = commands.add_parser("export-blip2", help="a local BLIP-2 OPT folder → the onnx planner's ONNX files")
    blip2.add_argument("--from", dest="source", type=Path, required=True, help="local transformers folder (e.g. a copy of Salesforce/blip2-opt-2.7b)")
    blip2.add_argument("--out", type=Path, required=True, help="MODELS_DIR to write into")
    blip2.add_argument("--fp16", action="store_true", help="float16 vision encoder and decoder (the Q-Former stays float32)")

    clip = commands.add_parser("export-clip", help="a local CLIP folder → moodshift eval's CLIP-I and CLIP-T files (eval/clip-*)")
    clip.add_argument("--from", dest="source", type=Path, required=True, help="local transformers folder (e.g. a copy of openai/clip-vit-large-patch14)")
    clip.add_argument("--out", type=Path, required=True, help="MODELS_DIR to write into")

    export = commands.add_parser("export", help="a trained PER and/or EIC checkpoint → the renderer's and planner's ONNX files (models/README.md)")
    export.add_argument("--checkpoint", type=Path, action="append", required=True, help="a `train --out` folder (give a --part per and a --part eic run: --checkpoint twice)")
    export.add_argument("--models", type=Path, required=True, help="the --models folder the runs were trained with (instruct-pix2pix/, blip2-opt/)")
    export.add_argument("--out", type=Path, required=True, help="MODELS_DIR to write into")
    export.add_argument("--dataset", type=Path, default=None, help="EIC: the L-AVC file the run trained on (the baked-in edit is the mean over its records)")
    export.add_argument("--qformer-from", choices=["per", "eic"], default=None, help="whose trained Q-Former blip2/qformer.onnx gets when a PER and an EIC run differ")
    export.add_argument("--fp16", action="store_true", help="float16 weights and inputs (default float32; the Q-Former stays float32)")

    build = commands.add_parser("build-dataset", help="an L-AVC JSONL from an EmoSet-style folder: captions from the configured OpenAI-compatible model, edited pictures from InstructPix2Pix (resumable)")
    build.add_argument("--emoset", type=Path, required=True, help="the EmoSet folder: annotation/<emotion>/<id>.json beside image/<emotion>/<id>.jpg")
    build.add_argument("--out", type=Path, required=True, help="the JSONL file to write or continue (edited pictures go beside it in edited/)")
    build.add_argument("--ip2p", type=Path, required=True, help="a local InstructPix2Pix diffusers folder (e.g. a copy of timbrooks/instruct-pix2pix)")
    build.add_argument("--split", default=None, help="read only EMOSET/<split>.json's entries (e.g. train)")
    build.add_argument("--limit", type=int, default=None, help="at most this many records in OUT")
    build.add_argument("--per-element", type=int, default=None, help="at most this many records per visual element (the paper: 2000)")
    build.add_argument("--seed", type=int, default=0, help="seeds each image's element, target emotion and picture (default 0)")
    build.add_argument("--steps", type=int, default=20, help="InstructPix2Pix steps (default 20)")
    build.add_argument("--guidance", type=float, default=7.5, help="text guidance scale (default 7.5)")
    build.add_argument("--image-guidance", type=float, default=1.5, help="image guidance scale (default 1.5)")
    build.add_argument("--resolution", type=int, default=512, help="long side the picture is rendered at, never upscaled (default 512)")
    build.add_argument("--device", default=None, help="torch device (default cuda when present)")
    build.add_argument("--llm-base-url", default=None, help="OpenAI-compatible base URL (default LLM_BASE_URL)")
    build.add_argument("--llm-api-key", default=None, help="API key (default LLM_API_KEY)")
    build.add_argument("--llm-model", default=None, help="vision model (default LLM_VISION_MODEL, else LLM_MODEL, else gpt-4o-mini)")

    tiny = commands.add_parser("make-tiny", help="tiny random-weight InstructPix2Pix and BLIP-2 folders for tests")
    tiny.add_argument("--out", type=Path, required=True, help="writes OUT/instruct-pix2pix and OUT/blip2-opt")
    tiny.add_argument("--seed", type=int, default=0)

    tiny_dataset = commands.add_parser("make-tiny-dataset", help="a tiny synthetic L-AVC dataset (random PNGs + dataset.jsonl) for tests")
    tiny_dataset.add_argument("out", type=Path, help="folder to write (replaced when complete): OUT/dataset.jsonl, OUT/original, OUT/edited")
    tiny_dataset.add_argument("--count", type=int, default=4, help="number of records (default 4)")
    tiny_dataset.add_argument("--size", type=int, default=64, help="picture side in pixels (default 64)")
    tiny_dataset.add_argument("--seed", type=int, default=0)

    train = commands.add_parser("train", help="train EPEM's PER blocks or EIC editor on an L-AVC dataset (paper defaults; checkpoints with exact resume)")
    train.add_argument("--dataset", type=Path, required=True, help="the L-AVC JSONL file, or a folder holding dataset.jsonl")
    train.add_argument("--models", type=Path, required=True, help="folder holding instruct-pix2pix/ and blip2-opt/ (local copies; --part eic needs only blip2-opt/)")
    train.add_argument("--out", type=Path, required=True, help="OUT/checkpoint (trainable.safetensors, optimizer.pt, rng.pt, state.json) and OUT/log.jsonl")
    train.add_argument("--resume", action="store_true", help="continue OUT/checkpoint exactly (settings come from it)")
    for name, kind, default, text in (
        ("lr", float, 1e-6, "AdamW learning rate"), ("weight-decay", float, 1e-4, "AdamW weight decay"), ("batch-size", int, 1, "batch size"),
        ("epochs", int, 3, "epochs"), ("lambda2", float, 0.3, "weight of the pixel term"), ("seed", int, 0, "seed (initialisation, t, noise, data order)"),
        ("resolution", int, 256, "training side in pixels, a multiple of 8"), ("join", str, "add", "add (h = q_t + f) or concat (h = [q_t + f ; q']) "),
        ("per-width", int, None, "EAI/adapter inner width (default: the text encoder's)"), ("per-heads", int, 8, "EAI/adapter attention heads"),
        ("part", str, "per", "what to train: per (EAI, adapter), eic (the MEND editor of OPT's last MLPs) or both (L = L_EIC + L_PER, one shared Q-Former)"),
        ("lambda1", float, 0.5, "EIC: weight of the emotion term"), ("eic-layers", int, 3, "EIC: edit fc1/fc2 of the last N OPT blocks"),
        ("eic-hidden", int, 1920, "EIC: hidden width of each gradient transform"), ("eic-alpha", float, 1e-4, "EIC: initial per-layer step size α"),
    ):
        train.add_argument(f"--{name}", type=kind, default=None, help=f"{text} (default {default})")
    train.add_argument("--eic-freeze-base", dest="eic_train_base", action="store_const", const=False, default=None,
                       help="EIC: keep the edited fc1/fc2 weights frozen, train only their editor (MEND's default; the paper's split trains them)")
    train.add_argument("--save-every", type=int, default=500, help="checkpoint every N steps, and at each epoch's end (default 500)")
    train.add_argument("--max-steps", type=int, default=None, help="stop (with a checkpoint) after this many steps in all")
    train.add_argument("--device", default=None, help="torch device (default cuda when present, else cpu)")
    train.add_argument("--mixed-precision", choices=["no", "bf16"], default="no", help="bf16 autocast (default no)")
    train.add_argument("--gradient-checkpointing", action="store_true", help="recompute activations in the backward pass (PER: UNet and VAE; EIC: every OPT block)")

    args = parser.parse_args(argv)
    try:
        if args.command == "export-ip2p":
            from .export_ip2p import export_ip2p

            written = export_ip2p(args.source, args.out, fp16=args.fp16)
        elif args.command == "export-blip2":
            from .export_blip2 import export_blip2

            written = export_blip2(args.source, args.out, fp16=args.fp16)
        elif args.command == "export-clip":
            from .export_clip import export_clip

            written = export_clip(args.source, args.out)
        elif args.command == "build-dataset":
            from .build_dataset import LlmSettings, build_dataset

            llm = LlmSettings.from_env(base_url=args.llm_base_url, api_key=args.llm_api_key, model=args.llm_model)
            written = build_dataset(
                args.emoset, args.out, args.ip2p, llm, split=args.split, limit=args.limit, per_element=args.per_element, seed=args.seed,
                steps=args.steps, guidance=args.guidance, image_guidance=args.image_guidance, resolution=args.resolution, device=args.device,
            )
        elif args.command == "export":
            from .export_checkpoint import export_checkpoints

            written = export_checkpoints(args.checkpoint, args.models, args.out, dataset=args.dataset, qformer_from=args.qformer_from, fp16=args.fp16)
        elif args.command == "train":
            import torch

            from .training import Runtime, Settings, train as run_training

            given = {f.name: getattr(args, f.name) for f in dataclasses.fields(Settings) if getattr(args, f.name) is not None}
            runtime = Runtime(
                save_every=args.save_every, max_steps=args.max_steps, device=args.device or ("cuda" if torch.cuda.is_available() else "cpu"), mixed_precision=args.mixed_precision,
                gradient_checkpointing=args.gradient_checkpointing,
            )
            if args.resume:
                run_training(args.dataset, args.models, args.out, runtime=runtime, resume=True, expect=given)
            else:
                run_training(args.dataset, args.models, args.out, Settings(**given), runtime)
            written = [args.out / "checkpoint"]
        elif args.command == "make-tiny-dataset":
            from .dataset import make_tiny_dataset

            written = [make_tiny_dataset(args.out, count=args.count, size=args.size, seed=args.seed)]
        else:
            from .tiny import make_tiny_blip2, make_tiny_ip2p

            written = [make_tiny_ip2p(args.out / "instruct-pix2pix", args.seed), make_tiny_blip2(args.out / "blip2-opt", args.seed)]
    except ExportError as error:
        print(f"moodshift_models {args.command}: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
