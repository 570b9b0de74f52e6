"""The diffusers image backend (COMICREEL_IMAGE_BACKEND=diffusers): Stable Diffusion 1.5 / SDXL panels with locked
characters and measured consistency. Importing this package imports no torch or diffusers; they load on first draw
(`pip install -e '.[gpu]'`)."""

from pipeline.image.diffusion.backend import DiffusersImageBackend
from pipeline.image.diffusion.config import DiffusionConfig, LoraSpec
from pipeline.image.diffusion.consistency import CharacterScore, ConsistencyScorer, ShotImage, passes, score_shots

__all__ = ["CharacterScore", "ConsistencyScorer", "DiffusersImageBackend", "DiffusionConfig", "LoraSpec", "ShotImage",
           "passes", "score_shots"]
