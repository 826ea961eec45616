"""Random stand-ins for EPEM's PER blocks with the paper's shapes and the renderer's file contract
(models/README.md, "The PER contract"): eai(query_embeds, image_latents) → (q_prime, v_prime) and
adapter(text_embeds, v_prime) → f. Not the trained modules (issue 20 builds those): the reference test only needs
non-zero blocks with the right inputs and outputs to check that moodshift joins them into the conditioning
h = [q_t + f ; q′] as the Python reference does."""

from __future__ import annotations

import torch
from torch import nn


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
