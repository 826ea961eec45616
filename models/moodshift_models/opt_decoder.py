"""OPT's decoder as one export-friendly module: `inputs_embeds`, `attention_mask`, `position_ids` and one past
key/value pair per layer in; logits and the new key/value pairs out (Optimum's merged-decoder names). It runs
transformers' own OPT layers' weights with the arithmetic of transformers' `OPTDecoder` written out, because the
TorchScript exporter cannot trace transformers' cache objects; the reference tests compare its tokens with
transformers' `generate`. An empty past (length 0) is the first step, so one graph serves both branches."""

from __future__ import annotations

import torch
from torch import nn


class OptDecoderWithPast(nn.Module):
    def __init__(self, causal_lm: nn.Module):
        super().__init__()
        decoder = causal_lm.model.decoder
        config = causal_lm.config
        self.layers = decoder.layers
        self.embed_positions = decoder.embed_positions
        self.project_in = decoder.project_in
        self.project_out = decoder.project_out
        self.final_layer_norm = decoder.final_layer_norm
        self.lm_head = causal_lm.lm_head
        self.before = config.do_layer_norm_before
        self.heads = config.num_attention_heads
        self.head_size = config.hidden_size // config.num_attention_heads
        self.offset = getattr(decoder.embed_positions, "offset", 2)
        if config.activation_function != "relu":
            raise NotImplementedError(f"OPT with activation {config.activation_function} (only relu is exported)")

    def forward(self, inputs_embeds, attention_mask, position_ids, *past):
        hidden = inputs_embeds
        if self.project_in is not None:
            hidden = self.project_in(hidden)
        # nn.Embedding's own forward: OPTLearnedPositionalEmbedding adds its offset of 2 to the positions.
        hidden = hidden + nn.functional.embedding(position_ids + self.offset, self.embed_positions.weight)
        batch, length = hidden.shape[0], hidden.shape[1]
        past_length = past[0].shape[2]
        total = past_length + length
        keys = torch.arange(total, device=hidden.device)
        queries = torch.arange(length, device=hidden.device) + past_length
        allowed = (keys[None, :] <= queries[:, None])[None, None] & (attention_mask[:, None, None, :] > 0)
        minimum = torch.finfo(torch.float32).min
        mask = torch.where(allowed, torch.zeros((), dtype=torch.float32), torch.full((), minimum, dtype=torch.float32))
        presents = []
        for index, layer in enumerate(self.layers):
            residual = hidden
            if self.before:
                hidden = layer.self_attn_layer_norm(hidden)
            attention = layer.self_attn
            query = (attention.q_proj(hidden) * attention.scaling).view(batch, length, self.heads, self.head_size).transpose(1, 2)
            key = attention.k_proj(hidden).view(batch, length, self.heads, self.head_size).transpose(1, 2)
            value = attention.v_proj(hidden).view(batch, length, self.heads, self.head_size).transpose(1, 2)
            key = torch.cat([past[2 * index], key], dim=2)
            value = torch.cat([past[2 * index + 1], value], dim=2)
            presents += [key, value]
            scores = torch.matmul(query, key.transpose(-1, -2)).float() + mask
            weights = torch.softmax(scores, dim=-1).to(value.dtype)
            context = torch.matmul(weights, value).transpose(1, 2).reshape(batch, length, self.heads * self.head_size)
            hidden = residual + attention.out_proj(context)
            if not self.before:
                hidden = layer.self_attn_layer_norm(hidden)
            residual = hidden
            if self.before:
                hidden = layer.final_layer_norm(hidden)
            hidden = residual + layer.fc2(torch.relu(layer.fc1(hidden)))
            if not self.before:
                hidden = layer.final_layer_norm(hidden)
        if self.final_layer_norm is not None:
            hidden = self.final_layer_norm(hidden)
        if self.project_out is not None:
            hidden = self.project_out(hidden)
        return (self.lm_head(hidden), *presents)
