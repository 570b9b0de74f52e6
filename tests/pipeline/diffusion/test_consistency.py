"""Consistency scores: the arithmetic on embeddings (cosine to the reference, to the character's other shots, the
copy-paste score), and the real scorer embedding pictures with a tiny CLIP vision model loaded from disk."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from pipeline.errors import DrawError
from pipeline.image.diffusion.consistency import (
    CharacterScore,
    ConsistencyScorer,
    ShotImage,
    copy_paste_score,
    passes,
    score_shots,
)
from tests.pipeline.diffusion.conftest import TinyModels


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_scores_from_embeddings() -> None:
    vectors = {"ref": unit(1, 0, 0), "a": unit(1, 1, 0), "b": unit(1, 0, 1), "c": unit(0, 0, 1)}
    calls = []

    def embed(paths):
        calls.append(list(paths))
        return np.stack([vectors[p] for p in paths])

    shots = {1: ShotImage("a", ("Mia",)), 2: ShotImage("b", ("Mia", "Joe")), 3: ShotImage("c", ("Joe",))}
    scores = score_shots(shots, {"Mia": "ref"}, embed)
    assert calls == [["a", "b", "c", "ref"]]  # every picture embedded once, in one call
    mia = scores[1]["Mia"]
    assert mia.reference == pytest.approx(0.707107, abs=1e-5) and mia.others == pytest.approx(0.5, abs=1e-5)
    assert mia.copy_paste == pytest.approx((0.707107 - 0.5) / 0.5, abs=1e-4)
    joe = scores[3]["Joe"]  # no reference: only the other shot
    assert joe.reference is None and joe.others == pytest.approx(0.707107, abs=1e-5) and joe.copy_paste is None
    assert set(scores[2]) == {"Mia", "Joe"}


def test_copy_paste_is_one_for_the_reference_itself_and_zero_for_a_fresh_drawing() -> None:
    assert copy_paste_score(1.0, 0.6) == 1.0
    assert copy_paste_score(0.5, 0.6) == 0.0  # further from the reference than from its siblings
    assert copy_paste_score(0.8, 0.6) == pytest.approx(0.5)
    assert copy_paste_score(1.0, 1.0) == 1.0 and copy_paste_score(0.9, 1.0) == 0.0  # siblings all one picture
    assert copy_paste_score(None, 0.5) is None and copy_paste_score(0.5, None) is None


def test_passes_wants_similarity_and_no_copy() -> None:
    assert passes(CharacterScore(0.8, 0.7, 0.2), 0.75)
    assert not passes(CharacterScore(0.7, 0.9, 0.0), 0.75)  # the reference decides when there is one
    assert passes(CharacterScore(None, 0.8, None), 0.75) and not passes(CharacterScore(None, 0.7, None), 0.75)
    assert not passes(CharacterScore(0.99, 0.6, 0.97), 0.75)  # a copy of the reference
    assert passes(CharacterScore(None, None, None), 0.75)


def test_the_scorer_embeds_with_a_real_vision_model(tiny: TinyModels, tmp_path) -> None:
    scorer = ConsistencyScorer(tiny.image_encoder)
    assert scorer._model is None  # nothing loaded until used
    copy = tmp_path / "copy.png"
    shutil.copy(tiny.reference, copy)
    rows = scorer.embed([tiny.reference, str(copy), tiny.reference_2])
    assert rows.shape == (3, 32) and np.allclose(np.linalg.norm(rows, axis=1), 1, atol=1e-5)
    shots = {"s1": ShotImage(str(copy), ("Mia",)), "s2": ShotImage(tiny.reference_2, ("Mia",))}
    scores = score_shots(shots, {"Mia": tiny.reference}, scorer.embed)
    same, other = scores["s1"]["Mia"], scores["s2"]["Mia"]
    assert same.reference == pytest.approx(1.0, abs=1e-5) and same.copy_paste == pytest.approx(1.0, abs=1e-4)
    assert other.reference is not None and other.reference < 1 - 1e-4
    assert other.copy_paste is not None and other.copy_paste < 1e-3  # a different picture is no copy
    assert not passes(same, 0.5)


def test_a_missing_scoring_model_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(DrawError, match="no vision model here"):
        ConsistencyScorer(str(tmp_path)).embed([])
