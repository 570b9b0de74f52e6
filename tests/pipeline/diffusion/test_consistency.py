"""Consistency scores: the arithmetic on embeddings (cosine to the reference, to the character's other shots, the
copy-paste score), and the real scorer embedding pictures with a tiny CLIP vision model loaded from disk."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from pipeline.errors import DrawError
from pipeline.image.diffusion.consistency import (
    REGIONS,
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

    def embed(pictures):
        calls.append(list(pictures))
        return np.stack([vectors[p] for p in pictures])

    shots = {1: ShotImage("a", ("Mia",)), 3: ShotImage("c", ("Joe",))}
    scores = score_shots(shots, {"Mia": "ref"}, embed)
    assert calls == [["a", "c", "ref"]]  # every picture embedded once, in one call
    assert scores[1]["Mia"].reference == pytest.approx(0.707107, abs=1e-5) and scores[1]["Mia"].others is None
    shots = {1: ShotImage("a", ("Mia",)), 2: ShotImage("b", ("Mia",)), 3: ShotImage("c", ("Joe",)),
             4: ShotImage("c", ("Joe",))}  # fmt: skip
    scores = score_shots(shots, {"Mia": "ref"}, embed)
    mia = scores[1]["Mia"]
    assert mia.reference == pytest.approx(0.707107, abs=1e-5) and mia.others == pytest.approx(0.5, abs=1e-5)
    assert mia.copy_paste == pytest.approx((0.707107 - 0.5) / 0.5, abs=1e-4)
    joe = scores[3]["Joe"]  # no reference: only the other shot
    assert joe.reference is None and joe.others == pytest.approx(1.0, abs=1e-5) and joe.copy_paste is None


def test_each_character_of_a_crowded_shot_is_scored_on_the_region_most_like_it() -> None:
    """Two in frame: Mia is the half of the panel nearest her reference, Joe (no reference) the region nearest his
    shots alone; one in frame: the whole panel."""
    left, right, thirds = REGIONS[0], REGIONS[1], REGIONS[2:]
    vectors = {"ref": unit(1, 0, 0), "joe": unit(0, 1, 0), "two": unit(1, 1, 1),
               ("two", left): unit(1, 0.1, 0), ("two", right): unit(0.1, 1, 0),
               **{("two", box): unit(0, 0, 1) for box in thirds}}  # fmt: skip
    calls = []

    def embed(pictures):
        calls.append(list(pictures))
        return np.stack([vectors[p] for p in pictures])

    shots = {1: ShotImage("two", ("Mia", "Joe")), 2: ShotImage("joe", ("Joe",))}
    scores = score_shots(shots, {"Mia": "ref"}, embed)
    assert calls == [["two", "joe", "ref", *(("two", box) for box in REGIONS)]]
    assert scores[1]["Mia"].reference == pytest.approx(float(unit(1, 0.1, 0) @ unit(1, 0, 0)), abs=1e-5)
    assert scores[1]["Joe"].others == pytest.approx(float(unit(0.1, 1, 0) @ unit(0, 1, 0)), abs=1e-5)
    assert scores[2]["Joe"].others == scores[1]["Joe"].others  # Joe's two looks compared, each way
    assert scores[1]["Mia"].others is None and scores[1]["Joe"].reference is None


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


def test_the_scorer_finds_each_character_in_a_panel_of_two(tiny: TinyModels, tmp_path) -> None:
    """A panel made of Mia's reference (left) and Joe's (right): each is scored on its own half, nearer its
    reference than the whole panel is, and the regions are cropped from the file as asked."""
    from PIL import Image

    scorer = ConsistencyScorer(tiny.image_encoder)
    with Image.open(tiny.reference) as mia, Image.open(tiny.reference_2) as joe:
        mia, joe = mia.convert("RGB"), joe.convert("RGB").resize(mia.size)
        panel = Image.new("RGB", (mia.width * 2, mia.height))
        panel.paste(mia, (0, 0))
        panel.paste(joe, (mia.width, 0))
    panel.save(tmp_path / "two.png")
    two = str(tmp_path / "two.png")
    whole, left, ref = scorer.embed([two, (two, REGIONS[0]), tiny.reference])
    assert float(left @ ref) > float(whole @ ref)
    scores = score_shots({1: ShotImage(two, ("Mia", "Joe"))}, {"Mia": tiny.reference, "Joe": tiny.reference_2},
                         scorer.embed)  # fmt: skip
    assert scores[1]["Mia"].reference == pytest.approx(float(left @ ref), abs=1e-4)
    joe_ref, right = scorer.embed([tiny.reference_2, (two, REGIONS[1])])
    assert scores[1]["Joe"].reference == pytest.approx(float(right @ joe_ref), abs=1e-4)


def test_a_tall_region_is_embedded_whole_and_many_pictures_in_batches(tiny: TinyModels, tmp_path, monkeypatch) -> None:
    """A full-height third of a 9:16 panel is padded to a square, not centre-cropped to its middle: a mark at its top
    changes its embedding. Pictures go through the model in batches, with the same rows as one by one."""
    from PIL import Image

    from pipeline.image.diffusion import consistency

    scorer = ConsistencyScorer(tiny.image_encoder)
    plain = Image.new("RGB", (90, 160), (40, 90, 160))
    marked = plain.copy()
    marked.paste((250, 250, 0), (0, 0, 30, 20))  # in the left third's top eighth
    plain.save(tmp_path / "plain.png")
    marked.save(tmp_path / "marked.png")
    third = REGIONS[2]
    a, b = scorer.embed([(str(tmp_path / "plain.png"), third), (str(tmp_path / "marked.png"), third)])
    assert float(a @ b) < 1 - 1e-4
    monkeypatch.setattr(consistency, "EMBED_BATCH", 2)
    pictures = [str(tmp_path / "plain.png"), *((str(tmp_path / "marked.png"), box) for box in REGIONS)]
    assert np.allclose(scorer.embed(pictures), np.concatenate([scorer.embed([p]) for p in pictures]), atol=1e-5)


def test_a_missing_scoring_model_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(DrawError, match="no vision model here"):
        ConsistencyScorer(str(tmp_path)).embed([])
