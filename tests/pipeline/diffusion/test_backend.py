"""The diffusers backend through its real code on tiny random SD 1.5 and SDXL pipelines loaded from disk: files
written at the asked size, parameters recorded and reproducing the same bytes, batching, LoRA per style,
scheduler and negative prompt, and the errors that name the setting to change."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import DrawError
from pipeline.image.diffusion import DiffusersImageBackend, DiffusionConfig, LoraSpec
from pipeline.shot_requests import character_sheet_request
from tests.pipeline.diffusion.conftest import CAST, TinyModels, pixels, request, shot


def config(model: str, **fields) -> DiffusionConfig:
    return DiffusionConfig(model=model, **{"preview_steps": 2, "final_steps": 2, **fields})


def digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def backend(tiny: TinyModels) -> DiffusersImageBackend:
    return DiffusersImageBackend(config(tiny.sd, batch_size=2))


def test_a_panel_is_written_at_the_asked_size_with_its_parameters(backend, tmp_path) -> None:
    out = str(tmp_path / "p.png")
    panel = backend.draw(request(7, width=80, height=120), out)
    with Image.open(out) as image:
        assert image.size == (80, 120) and image.format == "PNG"
    assert (panel.width, panel.height, panel.seed) == (80, 120, 7)
    params = panel.params
    assert params["backend"] == "diffusers" and params["pipeline"] == "StableDiffusionPipeline"
    assert params["model"] == backend.config.model and len(params["model_hash"]) == 64
    assert (params["width"], params["height"]) == (64, 96)  # the model's native short side, the request's aspect
    assert params["steps"] == 2 and params["guidance"] == 7.0 and params["scheduler"] == "EulerDiscreteScheduler"
    assert params["seed"] == 7 and params["prompt"] == panel.prompt and "anime" in panel.prompt
    assert params["negative_prompt"] == backend.config.negative_prompt and "text" in params["negative_prompt"]
    assert params["lora"] is None and params["lock"] == "none" and params["lock_method"] == "none"
    assert params["batch"] == [{"prompt": panel.prompt, "seed": 7}]


def test_the_same_parameters_give_the_same_bytes_and_another_seed_another_image(tiny, backend, tmp_path) -> None:
    first = backend.draw(request(3), str(tmp_path / "a.png"))
    again = DiffusersImageBackend(config(tiny.sd, batch_size=2)).draw(request(3), str(tmp_path / "b.png"))
    assert digest(first.path) == digest(again.path) and first.params == again.params
    other = backend.draw(request(4), str(tmp_path / "c.png"))
    assert np.abs(pixels(other.path) - pixels(first.path)).mean() > 5


def test_batches_yield_in_order_and_match_single_draws(backend, tmp_path) -> None:
    requests = [request(10 + i, shot=shot(i + 1)) for i in range(3)]
    paths = [str(tmp_path / f"{i}.png") for i in range(3)]
    panels = list(backend.draw_many(requests, paths))
    assert [p.seed for p in panels] == [10, 11, 12] and [p.path for p in panels] == paths
    assert [len(p.params["batch"]) for p in panels] == [2, 2, 1]  # batch_size 2
    for i, panel in enumerate(panels):
        single = backend.draw(requests[i], str(tmp_path / f"single{i}.png"))
        # each image its own generator: its batch does not change it (matrix products may round 1/255 apart)
        assert np.abs(pixels(single.path) - pixels(panel.path)).max() <= 1


def test_mixed_requests_are_grouped_but_yielded_in_the_callers_order(backend, tmp_path) -> None:
    requests = [request(1, style="anime"), request(2, style="noir"), request(3, style="anime"),
                request(4, style="noir", quality="preview")]  # fmt: skip
    panels = list(backend.draw_many(requests, [str(tmp_path / f"{i}.png") for i in range(4)]))
    assert [p.seed for p in panels] == [1, 2, 3, 4]
    assert [p.params["style"] for p in panels] == ["anime", "noir", "anime", "noir"]
    assert [s["seed"] for s in panels[0].params["batch"]] == [1, 3]  # the two anime finals shared a call
    assert panels[3].params["quality"] == "preview" and len(panels[3].params["batch"]) == 1


def test_preview_and_final_presets_set_steps_guidance_and_size(tiny, tmp_path) -> None:
    backend = DiffusersImageBackend(config(tiny.sd, preview_steps=1, final_steps=2, preview_guidance=1.0,
                                           preview_size=64, final_size=96))  # fmt: skip
    preview = backend.draw(request(1, quality="preview"), str(tmp_path / "p.png"))
    final = backend.draw(request(1), str(tmp_path / "f.png"))
    assert (preview.params["steps"], preview.params["guidance"], preview.params["width"]) == (1, 1.0, 64)
    assert (final.params["steps"], final.params["guidance"], final.params["width"]) == (2, 7.0, 96)
    for panel in (preview, final):
        with Image.open(panel.path) as image:
            assert image.size == (64, 64)


def test_a_styles_lora_changes_its_panels_only_and_is_recorded(tiny, tmp_path) -> None:
    loras = {"comic": LoraSpec(tiny.lora, 0.9), "noir": LoraSpec(tiny.lora_2, 0.5)}
    plain = DiffusersImageBackend(config(tiny.sd))
    with_lora = DiffusersImageBackend(config(tiny.sd, loras=loras))
    comic = [b.draw(request(5, style="comic"), str(tmp_path / f"comic{i}.png")) for i, b in enumerate((plain, with_lora))]
    assert np.abs(pixels(comic[0].path) - pixels(comic[1].path)).mean() > 1
    assert comic[1].params["lora"] == {"path": tiny.lora, "scale": 0.9} and comic[0].params["lora"] is None
    noir = with_lora.draw(request(5, style="noir"), str(tmp_path / "noir.png"))
    assert noir.params["lora"] == {"path": tiny.lora_2, "scale": 0.5}
    # a style without a LoRA after styles with one draws as the plain model does, bit for bit
    anime = [b.draw(request(5), str(tmp_path / f"anime{i}.png")) for i, b in enumerate((plain, with_lora))]
    assert digest(anime[0].path) == digest(anime[1].path)
    again = with_lora.draw(request(5, style="comic"), str(tmp_path / "comic_again.png"))
    assert digest(again.path) == digest(comic[1].path)


def test_scheduler_and_negative_prompt_are_applied_and_recorded(tiny, backend, tmp_path) -> None:
    base = backend.draw(request(2), str(tmp_path / "base.png"))
    ddim = DiffusersImageBackend(config(tiny.sd, scheduler="ddim")).draw(request(2), str(tmp_path / "ddim.png"))
    assert ddim.params["scheduler"] == "ddim" and digest(ddim.path) != digest(base.path)
    negative = DiffusersImageBackend(config(tiny.sd, negative_prompt="blurry"))
    drawn = negative.draw(request(2), str(tmp_path / "neg.png"))
    assert drawn.params["negative_prompt"] == "blurry" and digest(drawn.path) != digest(base.path)


def test_sdxl_draws_and_reproduces(tiny, tmp_path) -> None:
    first = DiffusersImageBackend(config(tiny.sdxl)).draw(request(9, width=96, height=64), str(tmp_path / "a.png"))
    again = DiffusersImageBackend(config(tiny.sdxl)).draw(request(9, width=96, height=64), str(tmp_path / "b.png"))
    assert first.params["pipeline"] == "StableDiffusionXLPipeline" and (first.width, first.height) == (96, 64)
    assert digest(first.path) == digest(again.path)


def test_a_missing_model_names_the_setting(tiny, tmp_path) -> None:
    backend = DiffusersImageBackend(config(str(tmp_path / "nowhere")))
    with pytest.raises(DrawError, match="COMICREEL_DIFFUSERS_MODEL=.*nowhere: no such directory or cached model"):
        backend.draw(request(), str(tmp_path / "p.png"))
    with pytest.raises(DrawError, match="COMICREEL_DIFFUSERS_MODEL=nobody/no-such-model: no such directory"):
        DiffusersImageBackend(config("nobody/no-such-model")).draw(request(), str(tmp_path / "p.png"))


def test_bad_settings_are_refused_with_the_fix(tiny, tmp_path) -> None:
    with pytest.raises(DrawError, match="COMICREEL_DIFFUSERS_SCHEDULER=fast: unknown scheduler; use one of euler,"):
        DiffusersImageBackend(config(tiny.sd, scheduler="fast")).draw(request(), str(tmp_path / "p.png"))
    with pytest.raises(DrawError, match="COMICREEL_DIFFUSERS_LORAS: unknown style 'pastel'"):
        config(tiny.sd, loras={"pastel": LoraSpec(tiny.lora)}).check()
    with pytest.raises(DrawError, match="COMICREEL_DIFFUSERS_BATCH_SIZE=0"):
        config(tiny.sd, batch_size=0).check()
    with pytest.raises(DrawError, match="COMICREEL_DIFFUSERS_CPU_OFFLOAD=true needs a CUDA device"):
        DiffusersImageBackend(config(tiny.sd, cpu_offload=True, device="cpu")).draw(request(), str(tmp_path / "p.png"))


def test_a_missing_diffusers_says_how_to_install(tiny, tmp_path, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "diffusers", None)  # what an environment without the extra sees
    with pytest.raises(DrawError, match=r"pip install -e '\.\[gpu\]'"):
        DiffusersImageBackend(config(tiny.sd)).draw(request(), str(tmp_path / "p.png"))


def test_a_character_sheet_is_just_a_request(backend, tmp_path) -> None:
    sheet = replace(character_sheet_request(CAST["Mia"], CAST, "anime", 11), width=64, height=64)
    panel = backend.draw(sheet, str(tmp_path / "sheet.png"))
    assert panel.params["camera"] == "medium" and "solo" in panel.prompt and Path(panel.path).is_file()
