"""EIC and PER trained together (`train --part both`): the paper's L = L_EIC + L_PER (§3.4) on one BLIP-2 whose
Q-Former (query tokens, Q-Former, language projection) both parts read and train, as in the paper's split (the edited
MLPs, Q-Former, EAI block and adapter trained; CLIP, SD, the image encoder and the other OPT blocks frozen). Each
batch is one set of records seen by both: EIC's edit and loss on its captions, PER's ε and pixel terms on its
pictures, the same t and ε draws as `--part per`. The checkpoint's tensor names are the union of the two parts'
(`qformer.`, `query_tokens.`, `language_projection.`, `editor.`, `edited_mlps.`, `eai.`, `adapter.`), so `export`
reads a `both` run as a PER and an EIC run that share their Q-Former."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from .per_training import PerSystem, build_per_blocks, make_batch


class JointSystem(nn.Module):
    def __init__(self, eic, per):
        super().__init__()
        self.eic, self.per = eic, per
        self.tokenizer = eic.tokenizer

    def frozen_modules(self) -> dict[str, nn.Module]:
        return {**self.per.frozen_modules(), **self.eic.frozen_modules()}

    def trainable_modules(self) -> dict[str, nn.Module]:
        return {**self.eic.trainable_modules(), "eai": self.per.eai, "adapter": self.per.adapter}

    def trainable_state(self) -> dict[str, torch.Tensor]:
        return {f"{name}.{key}": value for name, module in self.trainable_modules().items() for key, value in module.state_dict().items()}

    def load_trainable_state(self, state: dict[str, torch.Tensor]) -> None:
        for name, module in self.trainable_modules().items():
            prefix = f"{name}."
            module.load_state_dict({key[len(prefix):]: value for key, value in state.items() if key.startswith(prefix)}, strict=True)

    def train(self, mode: bool = True):
        super().train(mode)
        self.eic.train(mode)
        self.per.train(mode)
        return self

    @property
    def unet(self):
        return self.per.unet

    @property
    def vae(self):
        return self.per.vae

    def loss(self, batch: dict, generator: torch.Generator, lambda1: float = 0.5, lambda2: float = 0.3) -> dict[str, torch.Tensor]:
        eic = self.eic.loss(batch["eic"], lambda1)
        per = self.per.loss(batch["per"], generator, lambda2)
        return {"loss": eic["loss"] + per["loss"], "eic": eic["loss"].detach(), "per": per["loss"].detach(),
                **{k: v for k, v in eic.items() if k != "loss"}, **{k: v for k, v in per.items() if k != "loss"}}


def load_joint_system(ip2p: Path, blip2: Path, join: str = "add", width: int | None = None, heads: int = 8, layers: int = 3, hidden: int = 1920,
                      alpha: float = 1e-4, train_base: bool = True, seed: int = 0):
    """(JointSystem, BlipPixels): the EIC system on the whole BLIP-2 and the PER system on the same vision encoder,
    Q-Former, query tokens and projection, with the frozen InstructPix2Pix parts and zero-initialised PER blocks."""
    from diffusers import AutoencoderKL, DDPMScheduler, UNet2DConditionModel
    from transformers import AutoTokenizer, CLIPTextModel

    from .eic_training import load_eic_system
    from .per_training import check_model_folders

    ip2p, blip2 = Path(ip2p), Path(blip2)
    check_model_folders(ip2p, blip2)
    eic, pixels = load_eic_system(blip2, layers=layers, hidden=hidden, alpha=alpha, train_base=train_base, seed=seed)
    unet = UNet2DConditionModel.from_pretrained(ip2p, subfolder="unet", local_files_only=True, low_cpu_mem_usage=False)
    vae = AutoencoderKL.from_pretrained(ip2p, subfolder="vae", local_files_only=True, low_cpu_mem_usage=False)
    text_encoder = CLIPTextModel.from_pretrained(ip2p, subfolder="text_encoder", local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(ip2p / "tokenizer", local_files_only=True)
    scheduler = DDPMScheduler.from_pretrained(ip2p, subfolder="scheduler", local_files_only=True)
    text_width = text_encoder.config.hidden_size
    eai, adapter = build_per_blocks(eic.language_projection.out_features, vae.config.latent_channels, text_width, width or text_width, heads, seed)
    per = PerSystem(unet, vae, text_encoder, tokenizer, scheduler, eic.vision_model, eic.qformer, eic.query_tokens, eic.language_projection, eai, adapter, join)
    return JointSystem(eic, per), pixels


def make_joint_batch(records, tokenizer, blip_pixels, resolution: int | None = None) -> dict:
    from .eic_training import make_eic_batch

    return {"eic": make_eic_batch(records, tokenizer, blip_pixels), "per": make_batch(records, blip_pixels, resolution)}
