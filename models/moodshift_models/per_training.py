"""EPEM's Precise Extra-emotion Retaining (PER) module (§3.3–3.4) for training: the Emotion Attention Interaction
block, the adapter, their zero initialisation, the conditioning they give a frozen InstructPix2Pix UNet, and L_PER.

Conditioning. The renderer's contract (models/README.md, "The PER contract") is h = [q_t + f ; q′]: K rows of q′
after the 77 text rows. SD's cross-attention key and value projections have no bias, so K rows of zeros still take
a share of every softmax: with q′ concatenated, no initialisation gives the plain InstructPix2Pix prediction. The
paper asks for exactly that at the start of training (all of θ's matrices zero, after Hu et al. 2022 and Zhang et al.
2023b), so the default join is "add": h = q_t + f, K = 0 rows, and q′ reaches the UNet through the adapter
(q′ → v′ by EAI's back-attention, v′ → f). f is the adapter's output layer, zero at step 0, so h = q_t exactly.
join="concat" is the contract's K > 0 form (paper-literal wording "h includes f and q′"); it does not reduce to
plain InstructPix2Pix at step 0 (test_per_training checks both).

Loss (Eq. 7). v = VAE latent mode of the original (unscaled, as diffusers' InstructPix2Pix), z₀ = VAE latent mode of
the edited picture × scaling_factor, z_t = DDPM add_noise(z₀, ε, t) with t and ε from one dedicated torch.Generator,
L = ‖ε − ε_θ(t, [z_t, v], h)‖² (mean) + λ2 · mean_j (o_j − e_j)², where e = VAE-decode(x̂₀ / scaling_factor) of the
predicted clean latent x̂₀ = (z_t − √(1−ᾱ_t) ε_θ) / √ᾱ_t, pictures in [0, 1], and o the original: the paper's
pixel term "retains the emotion-agnostic contents of the image o".

Frozen (the paper's split, §4.3): CLIP text encoder, SD UNet, VAE, BLIP-2's image encoder. Trained here: the
Q-Former (its query tokens, the Q-Former and the projection into OPT's width, whose output EAI reads), EAI and the
adapter. (EIC's edited OPT MLPs are trained by the EIC module.)"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
from torch import nn
from torch.nn import functional as F

from .files import ExportError, require_files, require_one_of

Join = Literal["add", "concat"]
TEXT_LENGTH = 77


class EmotionAttentionInteraction(nn.Module):
    """Eq. 3–4: self-attention on the queries, cross-attention queries → image latent, MLP → q′ (in CLIP's
    width); cross-attention image latent → q′ → v′."""

    def __init__(self, query_width: int, latent_channels: int, text_width: int, width: int = 32, heads: int = 4):
        super().__init__()
        self.query_in = nn.Linear(query_width, width)
        self.latent_in = nn.Linear(latent_channels, width)
        self.self_attention = nn.MultiheadAttention(width, heads, batch_first=True)
        self.cross_attention = nn.MultiheadAttention(width, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, text_width))
        self.q_prime_in = nn.Linear(text_width, width)
        self.back_attention = nn.MultiheadAttention(width, heads, batch_first=True)

    def forward(self, query_embeds, image_latents):
        q = self.query_in(query_embeds)
        v = self.latent_in(image_latents.flatten(2).transpose(1, 2))
        q = q + self.self_attention(q, q, q, need_weights=False)[0]
        q = q + self.cross_attention(q, v, v, need_weights=False)[0]
        q_prime = self.mlp(q)
        k = self.q_prime_in(q_prime)
        v_prime = v + self.back_attention(v, k, k, need_weights=False)[0]
        return q_prime, v_prime


class PerAdapter(nn.Module):
    """Eq. 5: MLPs on the CLIP text features q_t and on v′, cross-attention (q_t the query, v′ key and value),
    output MLP → f, added to q_t."""

    def __init__(self, text_width: int, width: int = 32, heads: int = 4):
        super().__init__()
        self.text_mlp = nn.Sequential(nn.Linear(text_width, width), nn.GELU(), nn.Linear(width, width))
        self.v_mlp = nn.Sequential(nn.Linear(width, width), nn.GELU(), nn.Linear(width, width))
        self.attention = nn.MultiheadAttention(width, heads, batch_first=True)
        self.out = nn.Sequential(nn.Linear(width, width), nn.GELU(), nn.Linear(width, text_width))

    def forward(self, text_embeds, v_prime):
        t = self.text_mlp(text_embeds)
        v = self.v_mlp(v_prime)
        return self.out(self.attention(t, v, v, need_weights=False)[0])


def zero_initialise(eai: EmotionAttentionInteraction, adapter: PerAdapter) -> None:
    """Zeroes the last Linear of EAI's MLP (q′ = 0) and the adapter's output layer (f = 0); everything else keeps
    its random initialisation, so gradients reach the rest once the output layers move off zero."""
    with torch.no_grad():
        for layer in (eai.mlp[-1], adapter.out[-1]):
            layer.weight.zero_()
            layer.bias.zero_()


def build_per_blocks(query_width: int, latent_channels: int, text_width: int, width: int = 32, heads: int = 4, seed: int = 0, zero: bool = True):
    """EAI and adapter, initialised from `seed` without touching the global RNG, zero-initialised unless told."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        eai = EmotionAttentionInteraction(query_width, latent_channels, text_width, width, heads)
        adapter = PerAdapter(text_width, width, heads)
    if zero:
        zero_initialise(eai, adapter)
    return eai, adapter


def per_conditioning(eai, adapter, query_embeds, image_latents, text_embeds, join: Join = "add"):
    """The UNet's encoder_hidden_states: q_t + f ("add", K = 0) or [q_t + f ; q′] ("concat", the README contract)."""
    q_prime, v_prime = eai(query_embeds, image_latents)
    f = adapter(text_embeds, v_prime)
    if join == "add":
        return text_embeds + f
    if join == "concat":
        return torch.cat([text_embeds + f, q_prime], dim=1)
    raise ValueError(f"join must be 'add' or 'concat', not {join!r}")


def prompt_text(instruction: str, edited_caption: str | None) -> str:
    """The text the UNet is conditioned on, as the renderer builds it: "<instruction>. <edited caption>"."""
    return f"{instruction}. {edited_caption}" if edited_caption else instruction


IP2P_FILES = ("model_index.json", "unet/config.json", "vae/config.json", "text_encoder/config.json", "tokenizer", "scheduler/scheduler_config.json")
BLIP2_FILES = ("config.json", "preprocessor_config.json")


class PerSystem(nn.Module):
    """The frozen InstructPix2Pix parts, BLIP-2's image side and the PER blocks, with L_PER."""

    def __init__(self, unet, vae, text_encoder, tokenizer, scheduler, vision_model, qformer, query_tokens, language_projection, eai, adapter, join: Join = "add"):
        super().__init__()
        self.unet, self.vae, self.text_encoder = unet, vae, text_encoder
        self.vision_model = vision_model
        self.qformer, self.query_tokens, self.language_projection = qformer, query_tokens, language_projection
        self.eai, self.adapter = eai, adapter
        self.tokenizer, self.scheduler, self.join = tokenizer, scheduler, join
        for module in self.frozen_modules().values():
            module.requires_grad_(False)
            module.eval()

    def frozen_modules(self) -> dict[str, nn.Module]:
        return {"unet": self.unet, "vae": self.vae, "text_encoder": self.text_encoder, "vision_model": self.vision_model}

    def trainable_modules(self) -> dict[str, nn.Module]:
        """What PER training optimises and a checkpoint saves (query_tokens is a module holding one Parameter)."""
        return {"qformer": self.qformer, "query_tokens": self.query_tokens, "language_projection": self.language_projection, "eai": self.eai, "adapter": self.adapter}

    def trainable_state(self) -> dict[str, torch.Tensor]:
        return {f"{name}.{key}": value for name, module in self.trainable_modules().items() for key, value in module.state_dict().items()}

    def load_trainable_state(self, state: dict[str, torch.Tensor]) -> None:
        for name, module in self.trainable_modules().items():
            prefix = f"{name}."
            module.load_state_dict({key[len(prefix):]: value for key, value in state.items() if key.startswith(prefix)}, strict=True)

    def train(self, mode: bool = True):
        super().train(mode)
        for module in self.frozen_modules().values():
            module.eval()
        return self

    # -- the pieces of the forward pass --------------------------------------------------------------------------

    def encode_text(self, prompts: list[str]) -> torch.Tensor:
        ids = self.tokenizer(prompts, padding="max_length", max_length=TEXT_LENGTH, truncation=True, return_tensors="pt").input_ids
        ids = ids.to(self.text_encoder.device)
        with torch.no_grad():
            return self.text_encoder(ids)[0]

    def query_embeds(self, blip_pixels: torch.Tensor) -> torch.Tensor:
        """q: the Q-Former output in OPT's width (what the planner's qformer.onnx gives), trainable."""
        with torch.no_grad():
            image_embeds = self.vision_model(pixel_values=blip_pixels).last_hidden_state
        output = self.qformer(
            query_embeds=self.query_tokens.weight.expand(image_embeds.shape[0], -1, -1),
            encoder_hidden_states=image_embeds,
            encoder_attention_mask=torch.ones(image_embeds.shape[:-1], dtype=torch.long, device=image_embeds.device),
        ).last_hidden_state
        return self.language_projection(output)

    def latents(self, pictures: torch.Tensor) -> torch.Tensor:
        """The VAE latent mode of pictures in [0, 1] (unscaled)."""
        with torch.no_grad():
            return self.vae.encode(pictures * 2 - 1).latent_dist.mode()

    def conditioning(self, batch: dict, image_latents: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(h, q_t) for a batch."""
        text = self.encode_text(batch["prompts"])
        return per_conditioning(self.eai, self.adapter, self.query_embeds(batch["blip_pixels"]), image_latents, text, self.join), text

    def loss(self, batch: dict, generator: torch.Generator, lambda2: float = 0.3, timesteps: torch.Tensor | None = None, noise: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """L_PER for a batch {original, edited: [B, 3, H, W] in [0, 1]; blip_pixels; prompts}. t and ε come from
        `generator` (a CPU generator: t first, then ε, the same draws on every device) unless given."""
        original, edited = batch["original"], batch["edited"]
        v = self.latents(original)
        scaling = self.vae.config.scaling_factor
        z0 = self.latents(edited) * scaling
        if timesteps is None:
            timesteps = torch.randint(0, self.scheduler.config.num_train_timesteps, (z0.shape[0],), generator=generator, dtype=torch.long)
        if noise is None:
            noise = torch.randn(z0.shape, generator=generator, dtype=torch.float32)
        timesteps, noise = timesteps.to(z0.device), noise.to(device=z0.device, dtype=z0.dtype)
        z_t = self.scheduler.add_noise(z0, noise, timesteps)
        h, _ = self.conditioning(batch, v)
        prediction = self.unet(torch.cat([z_t, v], dim=1), timesteps, encoder_hidden_states=h).sample
        eps_loss = F.mse_loss(prediction.float(), noise.float())
        alpha_bar = self.scheduler.alphas_cumprod.to(device=z_t.device, dtype=z_t.dtype)[timesteps].view(-1, 1, 1, 1)
        x0 = (z_t - (1 - alpha_bar).sqrt() * prediction) / alpha_bar.sqrt()
        decoded = self.vae.decode(x0 / scaling).sample / 2 + 0.5
        pixel_loss = F.mse_loss(decoded.float(), original.float())
        return {"loss": eps_loss + lambda2 * pixel_loss, "eps": eps_loss.detach(), "pixel": pixel_loss.detach()}


class _Tokens(nn.Module):
    """BLIP-2's learned query tokens as a module (so the trainable parts are all modules)."""

    def __init__(self, tokens: torch.Tensor):
        super().__init__()
        self.weight = nn.Parameter(tokens.detach().clone())


@dataclass
class BlipPixels:
    """BLIP-2's image preprocessing (the folder's preprocessor_config.json)."""

    processor: object

    def __call__(self, images) -> torch.Tensor:
        return self.processor(images=images, return_tensors="pt").pixel_values


BLIP2_WEIGHTS = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")
IMAGE_SIDE = ("vision_model.", "qformer.", "query_tokens", "language_projection.")


def _image_side_weights(folder: Path) -> dict[str, torch.Tensor]:
    """Only the vision encoder's, Q-Former's, query tokens' and projection's tensors from a BLIP-2 folder (single
    or sharded safetensors or .bin): PER never reads OPT's weights (about 10.6 GB in fp32 for OPT-2.7B)."""
    from safetensors import safe_open

    name = next(n for n in BLIP2_WEIGHTS if (folder / n).exists())
    if name.endswith(".index.json"):
        shards = sorted({shard for key, shard in json.loads((folder / name).read_text())["weight_map"].items() if key.startswith(IMAGE_SIDE)})
    else:
        shards = [name]
    tensors: dict[str, torch.Tensor] = {}
    for shard in shards:
        if shard.endswith(".safetensors"):
            with safe_open(str(folder / shard), framework="pt") as weights:
                tensors.update({key: weights.get_tensor(key) for key in weights.keys() if key.startswith(IMAGE_SIDE)})
        else:
            state = torch.load(folder / shard, map_location="cpu", weights_only=True, mmap=True)
            tensors.update({key: value.clone() for key, value in state.items() if key.startswith(IMAGE_SIDE)})
    return tensors


def load_blip2_image_side(folder: Path):
    """(vision_model, qformer, query_tokens [Q, D], language_projection, OPT width) as in
    Blip2ForConditionalGeneration (eager attention), without building or reading the OPT language model."""
    from transformers import Blip2Config
    from transformers.models.blip_2.modeling_blip_2 import Blip2QFormerModel, Blip2VisionModel

    folder = Path(folder)
    config = Blip2Config.from_pretrained(folder, local_files_only=True)
    for part in (config.vision_config, config.qformer_config):
        part._attn_implementation = "eager"
    weights = _image_side_weights(folder)

    def part(prefix: str) -> dict[str, torch.Tensor]:
        return {key[len(prefix):]: value for key, value in weights.items() if key.startswith(prefix)}

    vision = Blip2VisionModel(config.vision_config)
    vision.load_state_dict(part("vision_model."), strict=True)
    qformer = Blip2QFormerModel(config.qformer_config)
    # (checkpoints may omit buffers such as position ids: strict on parameters only)
    missing = [k for k in qformer.load_state_dict(part("qformer."), strict=False).missing_keys if k in dict(qformer.named_parameters())]
    if missing:
        raise ExportError(f"{folder} lacks the Q-Former weights {', '.join(missing[:3])}{'…' if len(missing) > 3 else ''}.")
    projection = nn.Linear(config.qformer_config.hidden_size, config.text_config.hidden_size)
    projection.load_state_dict(part("language_projection."), strict=True)
    if "query_tokens" not in weights:
        raise ExportError(f"{folder} lacks BLIP-2's query_tokens weight.")
    return vision.eval(), qformer.eval(), weights["query_tokens"][0], projection.eval(), config.text_config.hidden_size


def check_model_folders(ip2p: Path, blip2: Path) -> None:
    """Fails with one sentence naming the folder and what it lacks, before anything loads."""
    require_files(Path(ip2p), IP2P_FILES, "an InstructPix2Pix diffusers folder (e.g. timbrooks/instruct-pix2pix)")
    require_files(Path(blip2), BLIP2_FILES, "a BLIP-2 OPT transformers folder (e.g. Salesforce/blip2-opt-2.7b)")
    require_one_of(Path(blip2), BLIP2_WEIGHTS, "a BLIP-2 OPT transformers folder (e.g. Salesforce/blip2-opt-2.7b)")
    unet_config = json.loads((Path(ip2p) / "unet/config.json").read_text())
    if unet_config.get("in_channels") != 8:
        raise ExportError(f"{Path(ip2p) / 'unet'} takes {unet_config.get('in_channels')} input channels, not 8: not an InstructPix2Pix UNet.")


def load_per_system(ip2p: Path, blip2: Path, join: Join = "add", width: int | None = None, heads: int = 8, seed: int = 0) -> tuple[PerSystem, BlipPixels]:
    """Loads the frozen parts from local folders (checked first, before anything loads) and builds zero-initialised
    PER blocks sized from them: `width` is the blocks' inner width (default the text encoder's, 768 for SD 1.5),
    `heads` their attention heads."""
    from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
    from transformers import AutoTokenizer, BlipImageProcessor, CLIPTextModel

    ip2p, blip2 = Path(ip2p), Path(blip2)
    check_model_folders(ip2p, blip2)
    unet = UNet2DConditionModel.from_pretrained(ip2p, subfolder="unet", local_files_only=True, low_cpu_mem_usage=False)
    vae = AutoencoderKL.from_pretrained(ip2p, subfolder="vae", local_files_only=True, low_cpu_mem_usage=False)
    text_encoder = CLIPTextModel.from_pretrained(ip2p, subfolder="text_encoder", local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(ip2p / "tokenizer", local_files_only=True)
    scheduler = DDPMScheduler.from_pretrained(ip2p, subfolder="scheduler", local_files_only=True)
    vision, qformer, query_tokens, projection, query_width = load_blip2_image_side(blip2)
    processor = BlipImageProcessor.from_pretrained(blip2, local_files_only=True)
    text_width = text_encoder.config.hidden_size
    eai, adapter = build_per_blocks(
        query_width, vae.config.latent_channels, text_width, width or text_width, heads, seed
    )
    system = PerSystem(unet, vae, text_encoder, tokenizer, scheduler, vision, qformer, _Tokens(query_tokens), projection, eai, adapter, join)
    return system, BlipPixels(processor)


def load_picture(path: Path, resolution: int | None = None) -> torch.Tensor:
    """A picture as [3, H, W] float32 in [0, 1], RGB, resized to resolution×resolution (bicubic) when given."""
    import numpy as np
    from PIL import Image

    with Image.open(path) as opened:
        image = opened.convert("RGB")
    if resolution is not None and image.size != (resolution, resolution):
        image = image.resize((resolution, resolution), Image.Resampling.BICUBIC)
    return torch.from_numpy(np.asarray(image, dtype=np.float32) / 255).permute(2, 0, 1).contiguous()


def make_batch(records, blip_pixels: BlipPixels, resolution: int | None = None) -> dict:
    """A training batch from dataset Records (each needs edited_image)."""
    from PIL import Image

    originals = [load_picture(r.original_image, resolution) for r in records]
    images = []
    for record in records:
        with Image.open(record.original_image) as opened:
            images.append(opened.convert("RGB"))
    return {
        "original": torch.stack(originals),
        "edited": torch.stack([load_picture(r.edited_image, resolution) for r in records]),
        "blip_pixels": blip_pixels(images),
        "prompts": [prompt_text(r.instruction, r.edited_caption) for r in records],
    }
