"""EPEM's Efficient Inter-emotion Converting (EIC) module (§3.2, Eq. 1–2, loss Eq. 6) for training, after MEND
(Mitchell et al. 2022, "Fast Model Editing at Scale").

The edit. fc1 and fc2 of the last N OPT decoder blocks (default 3, §4.3) are the edited layers. For a batch (the edit
sample (o, c, y, x) and its targets (ĉ, ŷ)):
  1. a pass with the unedited weights computes the edit loss −log p_θ(ĉ, ŷ | o, c, y, x); hooks record each edited
     layer's input u_t and, by autograd.grad, the gradient δ_t of that loss at its output (both detached: MEND
     treats them as inputs to the editor, not as part of the graph). Σ_t δ_t u_tᵀ is exactly ∇_W of the edit loss
     (a test checks it);
  2. per layer, MEND's gradient transform: u and δ normalised per feature by running mean and standard deviation
     (MEND's online statistics, buffers saved in the checkpoint; `normalise=False` skips them), then a rank-1
     factor network on the joined [ũ; δ̃]: g(x) = x + rms(x)·W2·relu(W1·x/rms(x)), W2 zero-initialised, so g is
     the identity at the start;
  3. ΔW = −α Σ_t δ̃_t ũ_tᵀ with a learned per-layer step size α (Eq. 2), and the edited model p_θ′ runs with
     W + ΔW through torch.func.functional_call: the module's weights are never written to.
A batch of several samples gets one edit from all their tokens (MEND's batched edits); the paper trains with batch 1.

Loss (Eq. 6). L_EIC = −log p_θ′(ĉ, ŷ | o, c, y, x) − λ1 Σ_i ŷ_i log p(ĉ)_i. The MLLM's input is BLIP-2's query
embeddings, then the planner's prompt (prompts/epem-planner.txt, the instruction x names y and ŷ) and the answer's
start " Caption: c Edited:" (teacher-forced: the condition c); the target is " ĉ Emotion: ŷ\\n", the form the onnx
planner reads. The first term is the mean token NLL over the target. p(ĉ) is an emotion distribution read from the
caption the edited model writes; the paper does not say which classifier, so the default is an offline lexicon
classifier (`LexiconEmotions`): at every position that predicts a token of ĉ (teacher-forced), the softmax mass on
the first tokens of a small table of words per emotion (`EMOTION_WORDS`), averaged over those positions and
normalised over the eight emotions (with a small floor, so no emotion has probability 0). It is differentiable,
needs no download, and is replaceable: any callable (probs [B, T, V], mask [B, T]) → [B, 8] (rows summing to 1, in
dataset.EMOTIONS order) can be given as `classifier`.

Frozen and trained (§4.3: "the edited MLP layer, Q-Former, EAI block and adapter are fully optimized, while CLIP,
SD, the image encoder and the rest transformer blocks in BLIP2 are frozen"). Frozen: the vision encoder and every
OPT weight outside the edited MLPs (embeddings, attention, layer norms, the unedited blocks, the head). Trained:
the gradient transforms and the step sizes α (the hyper-network g of Eq. 1), the Q-Former with its query tokens and
language projection, and, by default, the edited MLPs' own fc1/fc2 weights and biases: the paper's "edited MLP
layer ... fully optimized" (MEND's `train_base`). Whether the paper means the base weights or only their editor is
not clear; `train_base=False` (MEND's default) freezes them too."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable

import torch
from torch import nn
from torch.func import functional_call
from torch.nn import functional as F

from .dataset import EMOTIONS
from .files import ExportError, require_files, require_one_of

# The onnx planner's prompt (prompts/epem-planner.txt, trimmed; a test checks that they agree).
PLANNER_PROMPT = (
    "Question: {instruction}. Describe the image, then the image after the change, then the emotion it should evoke, "
    "as Caption: ... Edited: ... Emotion: ... Answer:"
)

# A few common words per emotion (in dataset.EMOTIONS order). The lexicon classifier reads the first token of
# " word" for each; with OPT's GPT-2 tokenizer most of these are single tokens.
EMOTION_WORDS: dict[str, tuple[str, ...]] = {
    "amusement": ("amusement", "funny", "playful", "silly", "laughing", "amusing", "fun", "joke"),
    "awe": ("awe", "majestic", "vast", "towering", "breathtaking", "grand", "sublime", "magnificent"),
    "contentment": ("contentment", "calm", "peaceful", "cozy", "serene", "gentle", "relaxed", "content"),
    "excitement": ("excitement", "exciting", "thrilling", "vibrant", "energetic", "lively", "excited", "dynamic"),
    "anger": ("anger", "angry", "furious", "rage", "hostile", "aggressive", "fierce", "violent"),
    "disgust": ("disgust", "disgusting", "filthy", "rotten", "gross", "slimy", "foul", "dirty"),
    "fear": ("fear", "scary", "eerie", "frightening", "ominous", "creepy", "menacing", "terrifying"),
    "sadness": ("sadness", "sad", "gloomy", "lonely", "melancholy", "sorrow", "grey", "tears"),
}

Classifier = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class EicError(ExportError):
    """An EIC set-up problem the operator can fix (one sentence)."""


class LexiconEmotions(nn.Module):
    """p(ĉ) from the caption positions' next-token distributions: per emotion, the probability mass on its words'
    first tokens, averaged over the masked positions, normalised over the eight emotions. No parameters."""

    def __init__(self, tokenizer, words: dict[str, tuple[str, ...]] = EMOTION_WORDS, floor: float = 1e-6):
        super().__init__()
        vocab = len(tokenizer)
        table = torch.zeros(len(EMOTIONS), vocab)
        for row, emotion in enumerate(EMOTIONS):
            for word in words[emotion]:
                ids = tokenizer(" " + word, add_special_tokens=False).input_ids
                if ids:
                    table[row, ids[0]] = 1.0
        self.register_buffer("table", table, persistent=False)
        self.floor = floor

    def forward(self, probs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        mass = probs.float() @ self.table.T.to(probs.device)  # [B, T, 8]
        weights = mask.float().unsqueeze(-1)
        mean = (mass * weights).sum(1) / weights.sum(1).clamp_min(1.0)
        mean = mean + self.floor
        return mean / mean.sum(-1, keepdim=True)


class RunningNorm(nn.Module):
    """Per-feature running mean and standard deviation (Chan et al.'s parallel update of Welford's sums), updated
    from every row in training mode before normalising, as MEND's gradient transform does."""

    def __init__(self, features: int, eps: float = 1e-7):
        super().__init__()
        self.register_buffer("mean", torch.zeros(features))
        self.register_buffer("m2", torch.zeros(features))
        self.register_buffer("count", torch.zeros((), dtype=torch.float64))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and x.shape[0]:
            with torch.no_grad():
                n_b = x.shape[0]
                mean_b = x.mean(0)
                m2_b = ((x - mean_b) ** 2).sum(0)
                n_a = float(self.count)
                total = n_a + n_b
                delta = mean_b - self.mean
                self.mean += delta * (n_b / total)
                self.m2 += m2_b + delta ** 2 * (n_a * n_b / total)
                self.count += n_b
        if float(self.count) < 2:
            return x - self.mean
        std = (self.m2 / (float(self.count) - 1)).sqrt()
        return (x - self.mean) / (std + self.eps)


class GradientTransform(nn.Module):
    """MEND's per-layer editor for one Linear layer (d_in → d_out): (u [n, d_in], δ [n, d_out]) → (ũ, δ̃)."""

    def __init__(self, d_in: int, d_out: int, hidden: int = 1920, normalise: bool = True):
        super().__init__()
        self.d_in, self.d_out = d_in, d_out
        self.normalise = normalise
        self.norm_u = RunningNorm(d_in)
        self.norm_delta = RunningNorm(d_out)
        self.w1 = nn.Linear(d_in + d_out, hidden)
        self.w2 = nn.Linear(hidden, d_in + d_out)
        nn.init.zeros_(self.w2.weight)
        nn.init.zeros_(self.w2.bias)

    def forward(self, u: torch.Tensor, delta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        u, delta = u.float(), delta.float()
        if self.normalise:
            u, delta = self.norm_u(u), self.norm_delta(delta)
        x = torch.cat([u, delta], dim=-1)
        rms = (x.pow(2).mean(-1, keepdim=True) + 1e-12).sqrt()
        x = x + rms * self.w2(F.relu(self.w1(x / rms)))
        return x[:, : self.d_in], x[:, self.d_in:]


class Editor(nn.Module):
    """The hyper-network g: one GradientTransform and one step size α per edited layer."""

    def __init__(self, shapes: dict[str, tuple[int, int]], hidden: int = 1920, alpha: float = 1e-4, normalise: bool = True):
        super().__init__()
        self.names = list(shapes)
        self.transforms = nn.ModuleList(GradientTransform(d_in, d_out, hidden, normalise) for d_in, d_out in shapes.values())
        self.alphas = nn.Parameter(torch.full((len(shapes),), float(alpha)))

    def forward(self, factors: dict[str, tuple[torch.Tensor, torch.Tensor]]) -> dict[str, torch.Tensor]:
        """ΔW per layer name from its (u [n, d_in], δ [n, d_out]) rows."""
        shifts = {}
        for index, (name, transform) in enumerate(zip(self.names, self.transforms)):
            u, delta = factors[name]
            u_t, delta_t = transform(u, delta)
            shifts[name] = -self.alphas[index] * (delta_t.T @ u_t)
        return shifts


def rank1_sum(u: torch.Tensor, delta: torch.Tensor) -> torch.Tensor:
    """Σ_t δ_t u_tᵀ: [d_out, d_in], the shape of an nn.Linear weight."""
    return delta.float().T @ u.float()


class _Tokens(nn.Module):
    def __init__(self, tokens: torch.Tensor):
        super().__init__()
        self.weight = nn.Parameter(tokens.detach().clone())


def opt_layers(language_model) -> nn.ModuleList:
    return language_model.model.decoder.layers


LAYER_PREFIX = "model.decoder.layers."


@contextlib.contextmanager
def checkpointed_layers(language_model, parameters: dict[str, torch.Tensor] | None = None):
    """Runs every OPT decoder block under torch.utils.checkpoint (non-reentrant): its activations are recomputed in
    the backward pass instead of kept. `parameters` ({"model.decoder.layers.N.fc1.weight": W + ΔW, …}) are passed
    into each checkpointed block as inputs and applied inside it with functional_call, so the recomputation uses the
    edited weights too (an outer functional_call would have restored the module's own by then). transformers' own
    gradient checkpointing is not used: it works only in training mode, which would switch OPT's dropout on."""
    from torch.utils.checkpoint import checkpoint

    blocks = opt_layers(language_model)
    by_block: dict[int, dict[str, torch.Tensor]] = {}
    for name, value in (parameters or {}).items():
        index, local = name[len(LAYER_PREFIX):].split(".", 1)
        by_block.setdefault(int(index), {})[local] = value
    originals = []
    for index, block in enumerate(blocks):
        original = block.forward
        names = list(by_block.get(index, {}))
        values = [by_block[index][n] for n in names] if names else []
        state = {"inside": False}

        def forward(hidden_states, *args, _block=block, _original=original, _names=names, _values=values, _state=state, **kwargs):
            if _state["inside"]:
                return _original(hidden_states, *args, **kwargs)

            def inner(hidden, *weights):
                _state["inside"] = True
                try:
                    if _names:
                        return functional_call(_block, dict(zip(_names, weights)), (hidden, *args), kwargs, strict=False)
                    return _original(hidden, *args, **kwargs)
                finally:
                    _state["inside"] = False

            return checkpoint(inner, hidden_states, *_values, use_reentrant=False)

        block.forward = forward
        originals.append((block, original))
    try:
        yield
    finally:
        for block, _ in originals:
            del block.forward  # the class's forward again


class EicSystem(nn.Module):
    """BLIP-2 OPT with MEND-edited fc1/fc2 in its last `layers` decoder blocks, and L_EIC."""

    def __init__(self, blip2, tokenizer, layers: int = 3, hidden: int = 1920, alpha: float = 1e-4, normalise: bool = True,
                 train_base: bool = True, classifier: Classifier | None = None):
        super().__init__()
        blocks = opt_layers(blip2.language_model)
        if not 1 <= layers <= len(blocks):
            raise EicError(
                f"EIC cannot edit the last {layers} OPT blocks: this language model has {len(blocks)} decoder blocks "
                f"(give --eic-layers between 1 and {len(blocks)}; the paper edits 3 of OPT-2.7B's 32)."
            )
        self.vision_model = blip2.vision_model
        self.qformer, self.language_projection = blip2.qformer, blip2.language_projection
        self.query_tokens = _Tokens(blip2.query_tokens.data[0])
        self.language_model = blip2.language_model
        self.tokenizer = tokenizer
        self.train_base = train_base
        self.gradient_checkpointing = False  # (set by the training loop: checkpointed_layers for both passes)
        first = len(blocks) - layers
        prefix = "model.decoder.layers"
        self.edited: dict[str, nn.Linear] = {}
        for index in range(first, len(blocks)):
            for part in ("fc1", "fc2"):
                self.edited[f"{prefix}.{index}.{part}.weight"] = getattr(blocks[index], part)
        self.edited_mlps = nn.ModuleList(layer for layer in self.edited.values())
        shapes = {name: (layer.in_features, layer.out_features) for name, layer in self.edited.items()}
        self.editor = Editor(shapes, hidden, alpha, normalise)
        self.classifier = classifier if classifier is not None else LexiconEmotions(tokenizer)
        for module in self.frozen_modules().values():
            module.requires_grad_(False)
            module.eval()
        if train_base:
            self.edited_mlps.requires_grad_(True)

    def frozen_modules(self) -> dict[str, nn.Module]:
        """(With train_base, the edited fc1/fc2 inside language_model are trained: see trainable_modules.)"""
        return {"vision_model": self.vision_model, "language_model": self.language_model}

    def trainable_modules(self) -> dict[str, nn.Module]:
        modules = {"qformer": self.qformer, "query_tokens": self.query_tokens, "language_projection": self.language_projection, "editor": self.editor}
        if self.train_base:
            modules["edited_mlps"] = self.edited_mlps
        return modules

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

    def query_embeds(self, blip_pixels: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            image_embeds = self.vision_model(pixel_values=blip_pixels).last_hidden_state
        output = self.qformer(
            query_embeds=self.query_tokens.weight.expand(image_embeds.shape[0], -1, -1),
            encoder_hidden_states=image_embeds,
            encoder_attention_mask=torch.ones(image_embeds.shape[:-1], dtype=torch.long, device=image_embeds.device),
        ).last_hidden_state
        return self.language_projection(output)

    def inputs(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """(inputs_embeds [B, Q + n, D], attention_mask [B, Q + n]): query embeddings, then the token embeddings."""
        queries = self.query_embeds(batch["blip_pixels"])
        tokens = self.language_model.get_input_embeddings()(batch["input_ids"])
        mask = torch.cat([torch.ones(queries.shape[:2], dtype=batch["attention_mask"].dtype, device=queries.device), batch["attention_mask"]], 1)
        return torch.cat([queries.to(tokens.dtype), tokens], 1), mask

    def _logits(self, embeds, mask, parameters: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        kwargs = {"inputs_embeds": embeds, "attention_mask": mask, "use_cache": False}
        if self.gradient_checkpointing:
            with checkpointed_layers(self.language_model, parameters):
                return self.language_model(**kwargs).logits
        if parameters:
            return functional_call(self.language_model, parameters, (), kwargs, strict=False).logits
        return self.language_model(**kwargs).logits

    @staticmethod
    def _targets(logits: torch.Tensor, batch: dict, queries: int):
        """Logits at the positions that predict each text token (shifted by one), and the tokens."""
        text = logits[:, queries - 1 : queries - 1 + batch["input_ids"].shape[1]]
        return text, batch["input_ids"]

    def nll(self, logits: torch.Tensor, batch: dict, queries: int) -> torch.Tensor:
        text, ids = self._targets(logits, batch, queries)
        mask = batch["target_mask"].float()
        losses = F.cross_entropy(text.float().transpose(1, 2), ids, reduction="none")
        return (losses * mask).sum() / mask.sum().clamp_min(1.0)

    @contextlib.contextmanager
    def _recording(self, records: dict):
        def hook(name):
            def record(module, args, output):
                records[name] = (args[0].detach(), output)
            return record

        handles = [layer.register_forward_hook(hook(name)) for name, layer in self.edited.items()]
        try:
            yield
        finally:
            for handle in handles:
                handle.remove()

    def edit_factors(self, batch: dict, embeds: torch.Tensor | None = None, mask: torch.Tensor | None = None, also: tuple = ()):
        """The unedited pass: (edit loss, {layer: (u [n, d_in], δ [n, d_out])}, ∂loss/∂`also`). Rows are every token
        of every sample except those whose δ is all zero (padding: MEND skips them too)."""
        if embeds is None:
            embeds, mask = self.inputs(batch)
        queries = embeds.shape[1] - batch["input_ids"].shape[1]
        embeds = embeds.detach().requires_grad_(True)  # so that δ reaches every edited layer even with all weights frozen
        records: dict = {}
        with torch.enable_grad(), self._recording(records):
            loss = self.nll(self._logits(embeds, mask), batch, queries)
            names = list(self.edited)
            grads = torch.autograd.grad(loss, [records[n][1] for n in names] + list(also))
        factors = {}
        for name, delta in zip(names, grads):
            u = records[name][0].reshape(-1, records[name][0].shape[-1])
            delta = delta.detach().reshape(-1, delta.shape[-1])
            keep = (delta != 0).any(-1)
            factors[name] = (u[keep], delta[keep])
        return loss.detach(), factors, grads[len(names):]

    def edited_parameters(self, factors) -> dict[str, torch.Tensor]:
        shifts = self.editor(factors)
        return {name: layer.weight + shifts[name].to(layer.weight.dtype) for name, layer in self.edited.items()}

    def loss(self, batch: dict, lambda1: float = 0.5) -> dict[str, torch.Tensor]:
        """L_EIC for a batch (make_eic_batch): {loss, nll (edited model), emotion (−Σ ŷ log p(ĉ)), edit_nll (unedited)}."""
        embeds, mask = self.inputs(batch)
        queries = embeds.shape[1] - batch["input_ids"].shape[1]
        edit_nll, factors, _ = self.edit_factors(batch, embeds, mask)
        logits = self._logits(embeds, mask, self.edited_parameters(factors))
        nll = self.nll(logits, batch, queries)
        text, _ = self._targets(logits, batch, queries)
        emotions = self.classifier(text.float().softmax(-1), batch["caption_mask"])
        emotion_loss = -(batch["target_onehot"] * emotions.clamp_min(1e-12).log()).sum(-1).mean()
        return {"loss": nll + lambda1 * emotion_loss, "nll": nll.detach(), "emotion": emotion_loss.detach(), "edit_nll": edit_nll}


# -- data and loading ------------------------------------------------------------------------------------------------


def answer_parts(caption: str, edited_caption: str, target: str) -> tuple[str, str, str]:
    """(teacher-forced start, ĉ, the rest of the target): " Caption: c Edited:", " ĉ", " Emotion: ŷ\\n"."""
    return f" Caption: {caption.strip()} Edited:", f" {edited_caption.strip()}", f" Emotion: {target}\n"


def make_eic_batch(records, tokenizer, blip_pixels) -> dict:
    """A batch from dataset Records (each needs caption and edited_caption): token ids of BOS + prompt + answer,
    right-padded, with the target mask (ĉ and the emotion line), the caption mask (ĉ only) and ŷ one-hot."""
    from PIL import Image

    rows, targets, captions = [], [], []
    for record in records:
        start, edited, rest = answer_parts(record.caption, record.edited_caption, record.target_emotion)
        pieces = [
            ([tokenizer.bos_token_id], 0, 0),
            (tokenizer(PLANNER_PROMPT.format(instruction=record.instruction), add_special_tokens=False).input_ids, 0, 0),
            (tokenizer(start, add_special_tokens=False).input_ids, 0, 0),
            (tokenizer(edited, add_special_tokens=False).input_ids, 1, 1),
            (tokenizer(rest, add_special_tokens=False).input_ids, 1, 0),
        ]
        rows.append([t for ids, _, _ in pieces for t in ids])
        targets.append([flag for ids, flag, _ in pieces for _ in ids])
        captions.append([flag for ids, _, flag in pieces for _ in ids])
    length = max(len(r) for r in rows)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 1

    def padded(values, fill):
        return torch.tensor([v + [fill] * (length - len(v)) for v in values])

    images = []
    for record in records:
        with Image.open(record.original_image) as opened:
            images.append(opened.convert("RGB"))
    return {
        "input_ids": padded(rows, pad),
        "attention_mask": padded([[1] * len(r) for r in rows], 0),
        "target_mask": padded(targets, 0),
        "caption_mask": padded(captions, 0),
        "target_onehot": F.one_hot(torch.tensor([EMOTIONS.index(r.target_emotion) for r in records]), len(EMOTIONS)).float(),
        "blip_pixels": blip_pixels(images),
    }


BLIP2_FILES = ("config.json", "preprocessor_config.json")
BLIP2_WEIGHTS = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")


def check_blip2_folder(blip2: Path) -> None:
    what = "a BLIP-2 OPT transformers folder (e.g. Salesforce/blip2-opt-2.7b)"
    require_files(Path(blip2), BLIP2_FILES, what)
    require_one_of(Path(blip2), BLIP2_WEIGHTS, what)


def check_layers(blip2: Path, layers: int) -> None:
    """Refuses editing more OPT blocks than the folder's config.json has (read before any weight loads)."""
    import json

    count = json.loads((Path(blip2) / "config.json").read_text()).get("text_config", {}).get("num_hidden_layers")
    if count is not None and not 1 <= layers <= count:
        raise EicError(
            f"EIC cannot edit the last {layers} OPT blocks: {blip2}'s language model has {count} decoder blocks "
            f"(give --eic-layers between 1 and {count}; the paper edits 3 of OPT-2.7B's 32)."
        )


def load_eic_system(blip2: Path, layers: int = 3, hidden: int = 1920, alpha: float = 1e-4, normalise: bool = True,
                    train_base: bool = True, seed: int = 0, classifier: Classifier | None = None):
    """(EicSystem, BlipPixels) from a local BLIP-2 OPT folder (checked first). The number of OPT blocks is read
    from config.json before the weights load, so too many `layers` is refused at once. The editor's random
    initialisation comes from `seed` without touching the global RNG."""
    from transformers import AutoTokenizer, Blip2ForConditionalGeneration, BlipImageProcessor

    from .per_training import BlipPixels

    blip2 = Path(blip2)
    check_blip2_folder(blip2)
    check_layers(blip2, layers)
    model = Blip2ForConditionalGeneration.from_pretrained(blip2, local_files_only=True, attn_implementation="eager").float()
    tokenizer = AutoTokenizer.from_pretrained(blip2, local_files_only=True)
    processor = BlipImageProcessor.from_pretrained(blip2, local_files_only=True)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        system = EicSystem(model, tokenizer, layers, hidden, alpha, normalise, train_base, classifier)
    return system, BlipPixels(processor)
