"""Consistency measured in the product: after panels are drawn, every shot with characters is scored against each
character's reference picture and its other shots (pipeline.image.diffusion.score_shots), the scores stored with the
shot's current panel (`params["consistency"]`), and of several tries of one shot the best kept current."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from db.mapping import characters_of
from db.models import ShotImage, ShotRow
from db.queries import latest_storyboard
from db.session import transaction
from jobs.context import ConsistencyCheck, JobContext
from pipeline.image.diffusion.consistency import CharacterScore, passes, score_shots
from pipeline.image.diffusion.consistency import ShotImage as ScoredShot

Scores = dict[str, dict[str, float | None]]  # character -> CharacterScore.to_dict()
CONSISTENCY_KEY = "consistency"


def measure_storyboard(ctx: JobContext, check: ConsistencyCheck, project_id: uuid.UUID) -> dict[uuid.UUID, Scores]:
    """Score every shot of the project's storyboard that has characters in frame and a panel, and store each shot's
    scores with its current panel (and the shot's generation params). Returns the scores by shot id."""
    with ctx.sessions() as s:
        board = latest_storyboard(s, project_id=project_id)
        if board is None:
            return {}
        drawn = {r.id: (r.image_key, tuple(r.characters)) for r in board.shots if r.image_key and r.characters}
        references = {name: c.reference_image for name, c in characters_of(s, project_id).items() if c.reference_image}
    if not drawn:
        return {}
    # Stored objects as local files (the files themselves for local storage, cached copies from S3).
    shots = {shot_id: ScoredShot(ctx.storage.local_path(key), names) for shot_id, (key, names) in drawn.items()}
    pictures = {name: ctx.storage.local_path(key) for name, key in references.items()}
    scored = score_shots(shots, pictures, check.embed)
    out = {shot_id: {name: score.to_dict() for name, score in row.items()} for shot_id, row in scored.items()}
    with transaction(ctx.sessions) as s:
        for shot_id, scores in out.items():
            row = s.get(ShotRow, shot_id)
            if row is None or row.image_key != drawn[shot_id][0]:
                continue  # deleted or drawn again meanwhile: that panel is measured next time
            current = s.scalars(select(ShotImage).where(ShotImage.shot_id == shot_id, ShotImage.is_current.is_(True),
                                                        ShotImage.image_key == row.image_key)).first()  # fmt: skip
            if current is not None:
                current.params = {**current.params, CONSISTENCY_KEY: scores}
            row.generation_params = {**row.generation_params, CONSISTENCY_KEY: scores}
    return out


def consistent(scores: Mapping[str, Mapping[str, float | None]], check: ConsistencyCheck) -> bool:
    """Whether every character of a shot passes (pipeline.image.diffusion.passes)."""
    return all(passes(CharacterScore(**dict(s)), check.threshold, check.max_copy_paste) for s in scores.values())


def rank(scores: Mapping[str, Mapping[str, float | None]] | None, check: ConsistencyCheck) -> tuple[bool, float]:
    """How good a tried panel is: passing first, then its least similar character (to its reference, else to its
    other shots). A panel never measured ranks last."""
    if not scores:
        return (False, -2.0)
    similarities = [s["reference"] if s.get("reference") is not None else s.get("others") for s in scores.values()]
    known = [float(v) for v in similarities if v is not None]
    return (consistent(scores, check), min(known) if known else 1.0)


def retry_seed(seed: int, attempt: int) -> int:
    """The seed of a shot's `attempt`-th redraw: new, but the same on every run (a retried render reproduces)."""
    return int.from_bytes(hashlib.sha256(f"{seed}|consistency-retry|{attempt}".encode()).digest()[:4], "big")


def keep_best(ctx: JobContext, check: ConsistencyCheck, tries: Mapping[uuid.UUID, Iterable[uuid.UUID]]) -> int:
    """Of each shot's tried panels (image ids, all kept as versions), make the best-ranked one current. Returns how
    many shots changed their current panel."""
    changed = 0
    with transaction(ctx.sessions) as s:
        for shot_id, image_ids in tries.items():
            row = s.get(ShotRow, shot_id)
            ids = set(image_ids)
            images = [i for i in row.images if i.id in ids] if row is not None else []
            if row is None or not images:
                continue
            best = max(images, key=lambda i: rank(i.params.get(CONSISTENCY_KEY), check))  # the first of equals
            if best.image_key == row.image_key:
                continue
            for other in row.images:
                other.is_current = other.id == best.id
            row.image_key, row.generation_params = best.image_key, {**best.params, "seed": best.seed}
            changed += 1
    return changed


def scores_of(params: Mapping[str, Any]) -> Scores | None:
    """The consistency scores stored with a panel, or None when it was not measured."""
    value = params.get(CONSISTENCY_KEY)
    return value if isinstance(value, dict) else None
