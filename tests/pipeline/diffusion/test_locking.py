"""Both ways of keeping characters alike, through the real backend on the tiny SD pipeline: IP-Adapter weights
loaded by diffusers' own loader and conditioned on a reference picture, and consistent self-attention shared
across a batch; each changes the image, reproduces exactly, and leaves the UNet as it found it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from pipeline.digests import file_digest
from pipeline.errors import DrawError
from pipeline.image.diffusion import DiffusersImageBackend, DiffusionConfig
from tests.pipeline.diffusion.conftest import TinyModels, pixels, request, shot


def config(tiny: TinyModels, **fields) -> DiffusionConfig:
    return DiffusionConfig(model=tiny.sd, preview_steps=2, final_steps=2, ip_adapter=tiny.ip_adapter, **fields)


def digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def backend(tiny: TinyModels) -> DiffusersImageBackend:
    return DiffusersImageBackend(config(tiny, batch_size=3))


def test_a_reference_conditions_the_shot_through_ip_adapter(tiny, backend, tmp_path) -> None:
    plain = backend.draw(request(3), str(tmp_path / "plain.png"))
    refs = {"Mia": tiny.reference}
    locked = backend.draw(request(3, lock="reference", references=refs), str(tmp_path / "locked.png"))
    assert np.abs(pixels(locked.path) - pixels(plain.path)).mean() > 1
    params = locked.params
    assert params["lock"] == "reference" and params["lock_method"] == "ip_adapter"
    assert params["ip_adapter"] == tiny.ip_adapter and params["ip_adapter_scale"] == 0.6
    assert params["reference_character"] == "Mia" and params["references"] == {"Mia": file_digest(tiny.reference)}
    other = backend.draw(request(3, lock="reference", references={"Mia": tiny.reference_2}), str(tmp_path / "o.png"))
    assert np.abs(pixels(other.path) - pixels(locked.path)).mean() > 0.5  # the picture is what conditions it
    # reproducible, also from a fresh backend; and the adapter leaves no trace on later unlocked panels
    fresh = DiffusersImageBackend(config(tiny)).draw(request(3, lock="reference", references=refs),
                                                     str(tmp_path / "fresh.png"))  # fmt: skip
    assert digest(fresh.path) == digest(locked.path)
    after = backend.draw(request(3), str(tmp_path / "after.png"))
    assert digest(after.path) == digest(plain.path)


def test_the_speakers_reference_is_used_and_a_batch_embeds_each_its_own(tiny, backend, tmp_path) -> None:
    two = shot(characters=("Mia", "Joe"), speaker="Joe")
    refs = {"Mia": tiny.reference, "Joe": tiny.reference_2}
    requests = [request(1, shot=two, lock="reference", references=refs),
                request(2, lock="reference", references=refs)]  # fmt: skip
    panels = list(backend.draw_many(requests, [str(tmp_path / "a.png"), str(tmp_path / "b.png")]))
    assert [p.params["reference_character"] for p in panels] == ["Joe", "Mia"]
    assert len(panels[0].params["batch"]) == 2
    alone = backend.draw(requests[0], str(tmp_path / "alone.png"))
    mias = backend.draw(request(1, shot=two, lock="reference", references={"Mia": tiny.reference}),
                        str(tmp_path / "mias.png"))  # fmt: skip
    # in the batch it was conditioned on Joe's picture, as alone (the encoder's batch rounds a little differently)
    close = np.abs(pixels(alone.path) - pixels(panels[0].path)).mean()
    far = np.abs(pixels(mias.path) - pixels(panels[0].path)).mean()
    assert close < 0.1 and far > 1


def test_reference_locking_without_weights_names_the_setting(tiny, tmp_path) -> None:
    backend = DiffusersImageBackend(DiffusionConfig(model=tiny.sd, preview_steps=2, final_steps=2))
    with pytest.raises(DrawError, match="set COMICREEL_DIFFUSERS_IP_ADAPTER"):
        backend.draw(request(lock="reference", references={"Mia": tiny.reference}), str(tmp_path / "p.png"))


def test_a_shot_without_a_reference_is_drawn_unlocked_and_says_why(tiny, backend, tmp_path) -> None:
    panel = backend.draw(request(4, lock="reference", references={}), str(tmp_path / "p.png"))
    plain = backend.draw(request(4), str(tmp_path / "plain.png"))
    assert panel.params["lock_method"] == "none" and panel.params["lock_note"] == "no reference picture for Mia"
    assert digest(panel.path) == digest(plain.path)


def test_consistent_attention_shares_a_batch_and_reproduces(tiny, backend, tmp_path) -> None:
    requests = [request(20 + i, shot=shot(i + 1), lock="consistent") for i in range(3)]
    paths = [str(tmp_path / f"c{i}.png") for i in range(3)]
    shared = list(backend.draw_many(requests, paths))
    unlocked = list(backend.draw_many([request(20 + i, shot=shot(i + 1)) for i in range(3)],
                                      [str(tmp_path / f"n{i}.png") for i in range(3)]))  # fmt: skip
    for a, b in zip(shared, unlocked, strict=True):
        assert np.abs(pixels(a.path) - pixels(b.path)).mean() > 1
    params = shared[0].params
    assert params["lock_method"] == "consistent_self_attention" and params["consistent_attention"]["shared_by"] == "Mia"
    assert [c["seed"] for c in params["batch"]] == [20, 21, 22]  # the companions, needed to draw it again
    again = list(DiffusersImageBackend(config(tiny, batch_size=3)).draw_many(requests, [p + ".again.png" for p in paths]))
    assert [digest(p.path) for p in again] == [digest(p.path) for p in shared]


def test_consistent_batches_gather_shots_of_one_character_in_the_callers_order(backend, tmp_path) -> None:
    joe = shot(characters=("Joe",), speaker="Joe")
    nobody = shot(characters=(), speaker=None, camera="establishing", kind="action", text="Rain on the school.")
    requests = [request(1, lock="consistent"), request(2, shot=joe, lock="consistent"),
                request(3, lock="consistent"), request(4, shot=nobody, lock="consistent")]  # fmt: skip
    panels = list(backend.draw_many(requests, [str(tmp_path / f"{i}.png") for i in range(4)]))
    assert [p.seed for p in panels] == [1, 2, 3, 4]
    assert [c["seed"] for c in panels[0].params["batch"]] == [1, 3] == [c["seed"] for c in panels[2].params["batch"]]
    assert panels[1].params["consistent_attention"]["shared_by"] == "Joe"
    assert panels[3].params["lock_method"] == "none"  # nobody to keep alike


def test_the_unets_processors_come_back_after_a_batch(tiny, backend, tmp_path) -> None:
    from pipeline.image.diffusion.consistent_attention import ConsistentSelfAttnProcessor, consistent_self_attention

    unet = backend.loaded().pipe.unet
    before = {name: type(p) for name, p in unet.attn_processors.items()}
    list(backend.draw_many([request(i, lock="consistent") for i in range(2)], [str(tmp_path / "a.png"),
                                                                              str(tmp_path / "b.png")]))  # fmt: skip
    assert {name: type(p) for name, p in unet.attn_processors.items()} == before
    with pytest.raises(RuntimeError), consistent_self_attention(unet, 2, seed=1) as shared:
        assert any(isinstance(p, ConsistentSelfAttnProcessor) for p in unet.attn_processors.values())
        raise RuntimeError("a failed batch")
    assert {name: type(p) for name, p in unet.attn_processors.items()} == before
    assert shared.calls == 0


def test_each_image_sees_its_own_tokens_and_a_share_of_the_others(tiny) -> None:
    import torch

    from pipeline.image.diffusion.consistent_attention import SharedTokens

    shared = SharedTokens(3, 0.5, seed=0)
    index = shared.sample(4, torch.device("cpu"))
    assert index.shape == (3, 4 + 4)  # own 4 + half of the other 8
    for i, row in enumerate(index.tolist()):
        assert row[:4] == list(range(4 * i, 4 * i + 4))
        assert not set(row[4:]) & set(range(4 * i, 4 * i + 4)) and len(set(row[4:])) == 4


def test_memory_savers_work_with_both_locks(tiny, tmp_path, monkeypatch) -> None:
    backend = DiffusersImageBackend(config(tiny, attention_slicing=True, vae_tiling=True, batch_size=2))
    vae = backend.loaded().pipe.vae
    assert vae.use_tiling  # what AutoencoderKL.enable_tiling sets (diffusers 0.42)
    tiled: list[tuple[int, ...]] = []
    tiled_decode = vae.tiled_decode
    monkeypatch.setattr(vae, "tiled_decode", lambda z, **kw: tiled.append(tuple(z.shape)) or tiled_decode(z, **kw))
    refs = {"Mia": tiny.reference}
    locked = backend.draw(request(1, lock="reference", references=refs), str(tmp_path / "r.png"))
    shared = list(backend.draw_many([request(i, lock="consistent") for i in range(2)],
                                    [str(tmp_path / "c0.png"), str(tmp_path / "c1.png")]))  # fmt: skip
    assert locked.params["lock_method"] == "ip_adapter"
    assert shared[0].params["lock_method"] == "consistent_self_attention"
    processors = {type(p).__name__ for p in backend.loaded().pipe.unet.attn_processors.values()}
    assert processors == {"SlicedAttnProcessor"}  # slicing is back once the adapter is off
    # A panel wider than the VAE's tile (64 px here: a 128x64 latent of 64x32) is decoded in tiles, and drawn.
    assert tiled == []  # the native-size panels fit one tile
    wide = backend.draw(request(1, width=128, height=64, lock="reference", references=refs), str(tmp_path / "w.png"))
    assert tiled == [(1, 4, 32, 64)] and (wide.params["width"], wide.params["height"]) == (128, 64)
    picture = pixels(wide.path)
    assert picture.shape == (64, 128, 3) and picture.std() > 5
