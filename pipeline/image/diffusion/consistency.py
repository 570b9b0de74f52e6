"""Character consistency measured on drawn panels: image embeddings from a CLIP-style vision model (transformers),
and per shot and character the cosine to the character's reference, to the same character's other shots, and a
copy-paste score (ViStoryBench's point: a shot that merely repeats the reference picture is not consistency).

A diffusion panel comes with no character boxes: a shot with one character in frame is its whole image; in a shot
with several, each character is the region of the panel (a half or a third, full height) that looks most like it
(its reference picture, else its shots alone, else the whole panel stands in)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from pipeline.errors import DrawError

K = TypeVar("K", bound=Hashable)
Box = tuple[float, float, float, float]  # left, top, right, bottom as fractions of the image
Picture = str | tuple[str, Box]  # an image file, or a region of one
Embed = Callable[[Sequence[Picture]], np.ndarray]
_SAME = 1e-4  # cosines this close to 1 are the same picture
MAX_COPY_PASTE = 0.9  # a shot nearer its reference than this (copy_paste) is a copy, not consistency
EMBED_BATCH = 32  # pictures through the vision model at once
# Where a character of a shot with several may stand: the halves and the thirds of the panel, full height.
REGIONS: tuple[Box, ...] = ((0, 0, 1 / 2, 1), (1 / 2, 0, 1, 1), (0, 0, 1 / 3, 1), (1 / 3, 0, 2 / 3, 1), (2 / 3, 0, 1, 1))


@dataclass(frozen=True)
class ShotImage:
    """A drawn shot: its image file and the characters in frame."""

    path: str
    characters: tuple[str, ...]


@dataclass(frozen=True)
class CharacterScore:
    """How one character in one shot holds up (None where there is nothing to compare with).

    reference: cosine between the shot and the character's reference image.
    others: mean cosine between the shot and the character's other shots.
    copy_paste: how much closer the shot is to the reference than the character's shots are to each other,
        `clip((reference - others) / (1 - others), 0, 1)`: 0 when the shot is no nearer the reference than to its
        siblings (a character drawn anew each time), 1 when it is the reference picture itself. Needs both.
    """

    reference: float | None
    others: float | None
    copy_paste: float | None

    def to_dict(self) -> dict[str, float | None]:
        return {"reference": self.reference, "others": self.others, "copy_paste": self.copy_paste}


def copy_paste_score(reference: float | None, others: float | None) -> float | None:
    """See CharacterScore.copy_paste. When the siblings are all one picture (others ≈ 1), the score is 1 if the
    shot is the reference too, else 0."""
    if reference is None or others is None:
        return None
    if 1 - others < _SAME:
        return 1.0 if 1 - reference < _SAME else 0.0
    return float(np.clip((reference - others) / (1 - others), 0.0, 1.0))


def score_shots(shots: Mapping[K, ShotImage], references: Mapping[str, str], embed: Embed) -> dict[K, dict[str, CharacterScore]]:  # fmt: skip
    """Score every character in every shot (see CharacterScore). `embed` maps pictures (image paths, or (path, box)
    regions) to L2-normalised rows (ConsistencyScorer.embed); every distinct one is embedded once, in one call.

    Args:
        shots: the drawn shots by any key (shot id, order).
        references: each character's reference image (characters without one get reference=None).
        embed: pictures → (n, d) array of unit rows.
    """
    crowded = {key for key, shot in shots.items() if len(set(shot.characters)) > 1}
    pictures: list[Picture] = list(dict.fromkeys([
        *(s.path for s in shots.values()), *references.values(),
        *((shots[key].path, box) for key in crowded for box in REGIONS)]))  # fmt: skip
    vectors = dict(zip(pictures, embed(pictures), strict=True)) if pictures else {}
    appearances: dict[str, list[K]] = {}
    for key, shot in shots.items():
        for name in dict.fromkeys(shot.characters):
            appearances.setdefault(name, []).append(key)
    seen = {name: _looks(name, keys, shots, crowded, references, vectors) for name, keys in appearances.items()}
    scores: dict[K, dict[str, CharacterScore]] = {}
    for key, shot in shots.items():
        row: dict[str, CharacterScore] = {}
        for name in dict.fromkeys(shot.characters):
            here = seen[name][key]
            ref = float(here @ vectors[references[name]]) if name in references else None
            siblings = [seen[name][k] for k in appearances[name] if k != key]
            others = float(np.mean([here @ v for v in siblings])) if siblings else None
            row[name] = CharacterScore(_round(ref), _round(others), _round(copy_paste_score(ref, others)))
        scores[key] = row
    return scores


def _looks(name: str, keys: list[K], shots: Mapping[K, ShotImage], crowded: set[K], references: Mapping[str, str],
           vectors: Mapping[Picture, np.ndarray]) -> dict[K, np.ndarray]:  # fmt: skip
    """How `name` looks in each of its shots: the whole panel where it is alone; where others are in frame, the
    region nearest its reference (else the mean of its shots alone; with neither, the whole panel)."""
    alone = [vectors[shots[k].path] for k in keys if k not in crowded]
    anchor = vectors[references[name]] if name in references else (np.mean(alone, axis=0) if alone else None)
    looks = {}
    for key in keys:
        path = shots[key].path
        if key not in crowded or anchor is None:
            looks[key] = vectors[path]
        else:
            looks[key] = max((vectors[(path, box)] for box in REGIONS), key=lambda v: float(v @ anchor))
    return looks


def passes(score: CharacterScore, threshold: float, max_copy_paste: float = MAX_COPY_PASTE) -> bool:
    """Whether a character's shot is consistent enough to keep: its similarity (to the reference, or to its other
    shots when there is no reference) is at least `threshold`, and it is not a copy of the reference
    (copy_paste above `max_copy_paste`). Nothing to compare with passes."""
    similarity = score.reference if score.reference is not None else score.others
    if similarity is not None and similarity < threshold:
        return False
    return score.copy_paste is None or score.copy_paste <= max_copy_paste


def image_processor(path: str | None, image_size: int) -> Any:
    """The image processor saved with a vision model, else CLIP's default at `image_size`."""
    processor: Any
    try:  # transformers 5 without torchvision: the Pillow processor, without a warning on every load
        from transformers import CLIPImageProcessorPil as processor
    except ImportError:
        from transformers import CLIPImageProcessor as processor
    if path and Path(path, "preprocessor_config.json").is_file():
        return processor.from_pretrained(path)
    return processor(size={"shortest_edge": image_size}, crop_size={"height": image_size, "width": image_size})


class ConsistencyScorer:
    """Embeds panel images with a transformers vision model loaded on first use: a CLIP vision model with its
    projection (`CLIPVisionModelWithProjection`, also from a full CLIP checkpoint), or any AutoModel with
    `get_image_features` or a pooled output (SigLIP, DINOv2)."""

    def __init__(self, model_path: str, device: str = "cpu") -> None:
        self.model_path = model_path
        self.device = device
        self._model: Any = None
        self._processor: Any = None

    def _load(self) -> None:
        if not Path(self.model_path, "config.json").is_file():
            raise DrawError(f"{self.model_path}: no vision model here; set the consistency model setting to a local "
                            "CLIP-style model directory (config.json and weights).")  # fmt: skip
        try:
            import torch  # noqa: F401
            from transformers import AutoConfig, AutoModel, CLIPVisionModelWithProjection
        except ImportError as exc:
            raise DrawError("Consistency scoring needs torch and transformers: pip install -e '.[gpu]'.",
                            detail=str(exc)) from exc  # fmt: skip
        kind = AutoConfig.from_pretrained(self.model_path).model_type
        model: Any
        if kind in ("clip", "clip_vision_model"):
            model = CLIPVisionModelWithProjection.from_pretrained(self.model_path)
        else:
            model = AutoModel.from_pretrained(self.model_path)
        config = getattr(model.config, "vision_config", model.config)
        self._processor = image_processor(self.model_path, int(getattr(config, "image_size", 224)))
        self._model = model.to(self.device).eval()

    def embed(self, pictures: Sequence[Picture]) -> np.ndarray:
        """The pictures' embeddings (image files, or (path, box) regions of them), one L2-normalised float32 row
        each."""
        import torch
        from PIL import Image

        if self._model is None:
            self._load()
        if not pictures:
            return np.zeros((0, 0), dtype=np.float32)
        images = []
        for picture in pictures:
            path, box = (picture, None) if isinstance(picture, str) else picture
            with Image.open(path) as image:
                rgb = image.convert("RGB")
            if box is not None:
                w, h = rgb.size
                rgb = _square(rgb.crop((round(box[0] * w), round(box[1] * h), round(box[2] * w), round(box[3] * h))))
            images.append(rgb)
        rows = []
        for start in range(0, len(images), EMBED_BATCH):
            pixels = self._processor(images=images[start:start + EMBED_BATCH], return_tensors="pt")["pixel_values"]
            with torch.no_grad():
                pixels = pixels.to(self.device, dtype=next(self._model.parameters()).dtype)
                rows.append(_features(self._model, pixels).float().cpu().numpy())
        out = np.concatenate(rows)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def _square(image: Any) -> Any:
    """A region padded to a square (grey bars) so that a vision processor's centre crop keeps all of it: a
    full-height third of a 9:16 panel would otherwise lose four fifths of its height, the face with it."""
    from PIL import Image

    side = max(image.size)
    square = Image.new("RGB", (side, side), (127, 127, 127))
    square.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return square


def _features(model: Any, pixels: Any) -> Any:
    """The image embedding a vision model gives: projected embeds, image features, or pooled output."""
    if hasattr(model, "get_image_features"):
        out = model.get_image_features(pixel_values=pixels)
        return getattr(out, "pooler_output", out)
    out = model(pixel_values=pixels)
    for name in ("image_embeds", "pooler_output"):
        value = getattr(out, name, None)
        if value is not None:
            return value
    return out.last_hidden_state.mean(dim=1)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
