"""Tiny random-weight models built from small configs (no downloads), saved as local folders laid out like the
public checkpoints the exporters read: an InstructPix2Pix folder (as `timbrooks/instruct-pix2pix`) and a BLIP-2
OPT folder (as `Salesforce/blip2-opt-2.7b`). transformers and diffusers test their models the same way."""

from __future__ import annotations

import json
from pathlib import Path

import torch

# GPT-2's byte-to-unicode table: the alphabet of byte-level BPE (CLIP's and OPT's tokenizers).
def _byte_alphabet() -> list[str]:
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return [chr(c) for c in codes]


# A few merges so that the tokenizers do real BPE work on the test prompts.
_CLIP_MERGES = ["t h", "th e</w>", "a n", "i n", "e r</w>", "o n</w>", "i t</w>", "a r", "o r</w>", "e n"]
_OPT_MERGES = ["Ġ t", "h e", "Ġt he", "i n", "Ġ a", "o n", "e r", "Ġ i", "Ġ o", "Ġ c"]

# The tiny scheduler config, as timbrooks/instruct-pix2pix ships it (no timestep_spacing: diffusers' default).
IP2P_SCHEDULER_CONFIG = {
    "_class_name": "EulerAncestralDiscreteScheduler",
    "beta_start": 0.00085,
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "num_train_timesteps": 1000,
    "steps_offset": 1,
    "trained_betas": None,
    "clip_sample": False,
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "prediction_type": "epsilon",
}


def _clip_tokenizer(folder: Path):
    from transformers import CLIPTokenizerFast

    alphabet = _byte_alphabet()
    vocab: dict[str, int] = {}
    for token in alphabet + [t + "</w>" for t in alphabet]:
        vocab.setdefault(token, len(vocab))
    for merge in _CLIP_MERGES:
        vocab.setdefault(merge.replace(" ", ""), len(vocab))
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    # CLIP's merges.txt starts with a version line that the tokenizer skips.
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(_CLIP_MERGES) + "\n")
    tokenizer = CLIPTokenizerFast(
        vocab_file=str(folder / "vocab.json"),
        merges_file=str(folder / "merges.txt"),
        pad_token="<|endoftext|>",
        model_max_length=77,
    )
    tokenizer.save_pretrained(folder)
    return tokenizer


def make_tiny_ip2p(out: Path, seed: int = 0) -> Path:
    """A random InstructPix2Pix pipeline folder: CLIP text encoder (width 32), an 8-input-channel UNet, an SD-like
    VAE that downsamples by 8, the CLIP tokenizer and timbrooks' scheduler config."""
    from diffusers import AutoencoderKL, EulerAncestralDiscreteScheduler, StableDiffusionInstructPix2PixPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(seed)
    tokenizer = _clip_tokenizer(out / "tokenizer")
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(tokenizer),
            hidden_size=32,
            intermediate_size=37,
            num_hidden_layers=2,
            num_attention_heads=4,
            max_position_embeddings=77,
            bos_token_id=tokenizer.convert_tokens_to_ids("<|startoftext|>"),
            eos_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"),
            pad_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"),
        )
    )
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=2,
        sample_size=8,
        in_channels=8,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        attention_head_dim=8,
    )
    vae = AutoencoderKL(
        block_out_channels=(32, 32, 32, 32),
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=32,
        sample_size=64,
    )
    scheduler = EulerAncestralDiscreteScheduler.from_config(IP2P_SCHEDULER_CONFIG)
    pipeline = StableDiffusionInstructPix2PixPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipeline.save_pretrained(out, safe_serialization=True)
    return out


def _opt_tokenizer(folder: Path):
    from transformers import GPT2TokenizerFast

    vocab: dict[str, int] = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for token in _byte_alphabet():
        vocab.setdefault(token, len(vocab))
    for merge in _OPT_MERGES:
        vocab.setdefault(merge.replace(" ", ""), len(vocab))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(_OPT_MERGES) + "\n")
    # OPT's tokenizer: `</s>` is the BOS token that starts every prompt.
    tokenizer = GPT2TokenizerFast(
        vocab_file=str(folder / "vocab.json"),
        merges_file=str(folder / "merges.txt"),
        bos_token="</s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        add_bos_token=True,
        add_prefix_space=False,
    )
    tokenizer.add_tokens(["<image>"], special_tokens=True)
    tokenizer.save_pretrained(folder)
    return tokenizer


NEXT_TOKEN_SPREAD = 0.35
NEWLINE_BOOST = 1.5


def make_tiny_blip2(out: Path, seed: int = 0, queries: int = 8) -> Path:
    """A random BLIP-2 OPT folder (config, weights, tokenizer, processor files) shaped like blip2-opt-2.7b:
    pre-layer-norm OPT with learned positions, `\\n` as the end token (as transformers' conversion writes it),
    `<image>` tokens where the query embeddings go."""
    from transformers import Blip2Config, Blip2ForConditionalGeneration, Blip2QFormerConfig, Blip2VisionConfig, OPTConfig

    torch.manual_seed(seed)
    tokenizer = _opt_tokenizer(out)
    newline = tokenizer.convert_tokens_to_ids("Ċ")
    image_token = tokenizer.convert_tokens_to_ids("<image>")
    vocab_size = len(tokenizer)
    config = Blip2Config(
        vision_config=Blip2VisionConfig(
            hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4, image_size=224, patch_size=32,
            # (Blip2VisionConfig's default, 1e-10, gives near-zero image features: the picture would not matter.)
            initializer_range=0.02,
        ).to_dict(),
        qformer_config=Blip2QFormerConfig(
            vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37, encoder_hidden_size=32
        ).to_dict(),
        text_config=OPTConfig(
            vocab_size=vocab_size,
            hidden_size=32,
            ffn_dim=37,
            num_hidden_layers=2,
            num_attention_heads=4,
            max_position_embeddings=512,
            word_embed_proj_dim=32,
            do_layer_norm_before=True,
            bos_token_id=2,
            pad_token_id=1,
            eos_token_id=newline,
            init_std=0.2,
            tie_word_embeddings=False,
        ).to_dict(),
        num_query_tokens=queries,
        image_token_index=image_token,
        tie_word_embeddings=False,
    )
    model = Blip2ForConditionalGeneration(config).eval()
    # Random OPT weights give nearly flat next-token scores; a wider spread makes greedy and beam choices clear of
    # float rounding, and a louder "\n" row makes answers end within a few tokens, as trained ones do.
    # (Untied from the input embedding: tied random rows make every token predict itself.)
    with torch.no_grad():
        head = model.language_model.get_output_embeddings().weight
        head.normal_(0, NEXT_TOKEN_SPREAD)
        head[newline] *= NEWLINE_BOOST
    model.generation_config.eos_token_id = newline
    model.generation_config.bos_token_id = 2
    model.generation_config.pad_token_id = 1
    model.save_pretrained(out, safe_serialization=True)
    # BLIP-2's image processor settings (blip2-opt-2.7b's preprocessor_config.json).
    (out / "preprocessor_config.json").write_text(
        json.dumps(
            {
                "do_normalize": True,
                "do_resize": True,
                "do_rescale": True,
                "do_convert_rgb": True,
                "image_mean": [0.48145466, 0.4578275, 0.40821073],
                "image_std": [0.26862954, 0.26130258, 0.27577711],
                "image_processor_type": "BlipImageProcessor",
                "processor_class": "Blip2Processor",
                "resample": 3,
                "rescale_factor": 0.00392156862745098,
                "size": {"height": 224, "width": 224},
                "num_query_tokens": queries,
            },
            indent=2,
        )
    )
    return out


def make_tiny_clip(out: Path, seed: int = 0) -> Path:
    """A random CLIP folder (both towers width 32, projection 16, 224-pixel images in 32-pixel patches) with the
    CLIP tokenizer, as `CLIPModel.save_pretrained` writes it: the input of `export-clip` in tests."""
    from transformers import CLIPConfig, CLIPModel

    torch.manual_seed(seed)
    tokenizer = _clip_tokenizer(out)
    config = CLIPConfig(
        text_config={
            "vocab_size": len(tokenizer),
            "hidden_size": 32,
            "intermediate_size": 37,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "max_position_embeddings": 77,
            "bos_token_id": tokenizer.convert_tokens_to_ids("<|startoftext|>"),
            "eos_token_id": tokenizer.convert_tokens_to_ids("<|endoftext|>"),
            "pad_token_id": tokenizer.convert_tokens_to_ids("<|endoftext|>"),
        },
        vision_config={"hidden_size": 32, "intermediate_size": 37, "num_hidden_layers": 2, "num_attention_heads": 4, "image_size": 224, "patch_size": 32},
        projection_dim=16,
    )
    CLIPModel(config).save_pretrained(out, safe_serialization=True)
    return out
