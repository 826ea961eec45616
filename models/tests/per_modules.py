"""The PER blocks the reference test (test_per_parity) runs through moodshift's renderer. They live in
moodshift_models.per_training (issue 20); the parity test uses them with their random (non-zero) initialisation
from torch.manual_seed(3), to check that moodshift joins them into the conditioning h = [q_t + f ; q′] as the
Python reference does."""

from moodshift_models.per_training import EmotionAttentionInteraction, PerAdapter

__all__ = ["EmotionAttentionInteraction", "PerAdapter"]
