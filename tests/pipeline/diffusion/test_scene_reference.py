"""Scene references through the real backend on the tiny SD pipeline: a shot conditioned on its scene's reference
picture (a second copy of the IP-Adapter, with its own scale), alone or together with a character reference;
each changes the image, is recorded, reproduces exactly, and a batch conditions each image on its own picture."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from pipeline.digests import file_digest
from pipeline.errors import DrawError
from pipeline.image.diffusion import DiffusersImageBackend, DiffusionConfig
from tests.pipeline.diffusion.conftest import TinyModels, pixels, request


def config(tiny: TinyModels, **fields) -> DiffusionConfig:
    return DiffusionConfig(model=tiny.sd, preview_steps=2, final_steps=2, ip_adapter=tiny.ip_adapter, **fields)


def digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def apart(a: str, b: str) -> float:
    return float(np.abs(pixels(a) - pixels(b)).mean())


@pytest.fixture(scope="module")
def backend(tiny: TinyModels) -> DiffusersImageBackend:
    return DiffusersImageBackend(config(tiny, batch_size=3, scene_reference_scale=0.8))


def test_a_scene_reference_conditions_the_shot_is_recorded_and_reproduces(tiny, backend, tmp_path) -> None:
    plain = backend.draw(request(5), str(tmp_path / "plain.png"))
    placed = backend.draw(request(5, scene_reference=tiny.reference), str(tmp_path / "placed.png"))
    assert apart(placed.path, plain.path) > 1
    params = placed.params
    assert params["scene_reference"] == file_digest(tiny.reference) and params["scene_reference_scale"] == 0.8
    assert params["ip_adapter"] == tiny.ip_adapter and params["lock_method"] == "none"
    assert "ip_adapter_scale" not in params and "references" not in params  # the character adapter was off (scale 0)
    other = backend.draw(request(5, scene_reference=tiny.reference_2), str(tmp_path / "other.png"))
    assert apart(other.path, placed.path) > 0.5  # the picture is what conditions it
    fresh = DiffusersImageBackend(config(tiny, scene_reference_scale=0.8)).draw(
        request(5, scene_reference=tiny.reference), str(tmp_path / "fresh.png"))  # fmt: skip
    assert digest(fresh.path) == digest(placed.path)
    weaker = DiffusersImageBackend(config(tiny, scene_reference_scale=0.1)).draw(
        request(5, scene_reference=tiny.reference), str(tmp_path / "weaker.png"))  # fmt: skip
    assert weaker.params["scene_reference_scale"] == 0.1 and digest(weaker.path) != digest(placed.path)
    after = backend.draw(request(5), str(tmp_path / "after.png"))  # the adapters leave no trace
    assert digest(after.path) == digest(plain.path)


def test_a_scene_and_a_character_reference_condition_one_shot_together(tiny, backend, tmp_path) -> None:
    refs = {"Mia": tiny.reference_2}
    character = backend.draw(request(6, lock="reference", references=refs), str(tmp_path / "character.png"))
    scene = backend.draw(request(6, scene_reference=tiny.reference), str(tmp_path / "scene.png"))
    both = backend.draw(request(6, lock="reference", references=refs, scene_reference=tiny.reference),
                        str(tmp_path / "both.png"))  # fmt: skip
    assert apart(both.path, character.path) > 0.5 and apart(both.path, scene.path) > 0.5
    params = both.params
    assert params["lock_method"] == "ip_adapter" and params["references"] == {"Mia": file_digest(tiny.reference_2)}
    assert params["ip_adapter_scale"] == 0.6 and params["scene_reference"] == file_digest(tiny.reference)
    # the character-only panel is the same after two adapters were loaded (one is loaded again)
    again = backend.draw(request(6, lock="reference", references=refs), str(tmp_path / "again.png"))
    assert digest(again.path) == digest(character.path)
    fresh = DiffusersImageBackend(config(tiny, scene_reference_scale=0.8)).draw(
        request(6, lock="reference", references=refs, scene_reference=tiny.reference), str(tmp_path / "fresh.png"))
    assert digest(fresh.path) == digest(both.path)


def test_a_batch_conditions_each_image_on_its_own_scene(tiny, backend, tmp_path) -> None:
    requests = [request(7, scene_reference=tiny.reference), request(7, scene_reference=tiny.reference_2)]
    panels = list(backend.draw_many(requests, [str(tmp_path / "a.png"), str(tmp_path / "b.png")]))
    assert len(panels[0].params["batch"]) == 2
    assert [p.params["scene_reference"] for p in panels] == [file_digest(tiny.reference), file_digest(tiny.reference_2)]
    for i, panel in enumerate(panels):
        alone = backend.draw(requests[i], str(tmp_path / f"alone{i}.png"))
        assert apart(alone.path, panel.path) < 0.1  # as alone (the encoder's batch rounds a little differently)
    assert apart(panels[0].path, panels[1].path) > 0.5


def test_without_an_ip_adapter_the_scene_reference_is_left_out_and_says_why(tiny, tmp_path) -> None:
    backend = DiffusersImageBackend(DiffusionConfig(model=tiny.sd, preview_steps=2, final_steps=2))
    placed = backend.draw(request(8, scene_reference=tiny.reference), str(tmp_path / "p.png"))
    plain = backend.draw(request(8), str(tmp_path / "plain.png"))
    assert "scene_reference" not in placed.params and "COMICREEL_DIFFUSERS_IP_ADAPTER" in placed.params[
        "scene_reference_note"]  # fmt: skip
    assert digest(placed.path) == digest(plain.path)


def test_a_missing_scene_picture_and_a_bad_scale_are_named(tiny, backend, tmp_path) -> None:
    with pytest.raises(DrawError, match="scene's reference picture"):
        backend.draw(request(9, scene_reference=str(tmp_path / "gone.png")), str(tmp_path / "p.png"))
    with pytest.raises(DrawError, match="COMICREEL_DIFFUSERS_SCENE_REFERENCE_SCALE=3"):
        config(tiny, scene_reference_scale=3).check()
