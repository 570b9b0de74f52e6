"""The diffusers backend wired into the jobs, through the settings (COMICREEL_IMAGE_BACKEND=diffusers) with a tiny
random model: panels come from the model in batches with all their parameters, one loaded pipeline serves every
task, the project's character lock and image quality reach the model, consistency is measured and low-scoring shots
drawn again, and a missing model fails the task (and the CLI) naming the setting."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest

from db.models import CharacterRow, ShotImage, ShotRow
from jobs import work
from studio import editor, projects
from studio.config import Settings
from studio.services import Services, build_services
from tests.conftest import REPO
from tests.diffusion_models import TinyDiffusion, diffusion_settings, one_torch_thread, tiny_diffusion

# Three shots: 小红 speaks, 小明 acts, 小明 speaks (both in frame).
SCRIPT = "场景:学校天台,白天\n角色:小明(男,高中生),小红(女)\n小红(微笑): 昨天的话,我想了一整天。\n（小明看着远处）\n小明(开心): 太好了!\n"


@pytest.fixture(scope="module")
def models() -> TinyDiffusion:
    return tiny_diffusion()


@pytest.fixture(scope="module", autouse=True)
def _one_thread() -> Iterator[None]:
    with one_torch_thread():
        yield


def _services(settings: Settings, models: TinyDiffusion, **overrides: object) -> Services:
    return build_services(settings.model_copy(update=diffusion_settings(models, **overrides)), immediate=True)


def _drawn_project(svc: Services, **fields: str) -> str:
    user = svc.default_user_id
    pid = projects.create_project(svc, user_id=user, name="t", aspect_ratio="1:1", **fields)["id"]
    projects.save_script(svc, user_id=user, project_id=pid, content=SCRIPT)
    for step in ("nlp", "storyboard", "image_generation"):
        task = _run(svc, pid, step)
        assert task["status"] == "completed", task
    return pid


def _run(svc: Services, pid: str, task_type: str, payload: dict | None = None) -> dict:
    task_id = projects.start_task(svc, user_id=svc.default_user_id, project_id=pid, task_type=task_type,
                                  payload=payload)  # fmt: skip
    return projects.get_task(svc, user_id=svc.default_user_id, task_id=task_id)


def _versions(svc: Services, pid: str) -> dict[int, list[dict]]:
    """Every shot's panels (oldest first) by shot order."""
    board = projects.get_storyboard(svc, user_id=svc.default_user_id, project_id=pid)
    return {s["order"]: editor.list_shot_images(svc, user_id=svc.default_user_id, project_id=pid, shot_id=s["shot_id"])
            for s in board["shots"]}  # fmt: skip


def test_panels_come_from_the_model_in_batches_with_every_parameter(settings, models, monkeypatch) -> None:
    svc = _services(settings, models)
    try:
        backend = svc.ctx.image_backend
        calls: list[int] = []
        draw_many = backend.draw_many  # type: ignore[attr-defined]
        monkeypatch.setattr(backend, "draw_many", lambda requests, paths: calls.append(len(requests)) or
                            draw_many(requests, paths))  # fmt: skip
        pid = _drawn_project(svc)
        assert calls == [3]  # the three panels asked of the backend at once, drawn in batches of two
        loaded = backend.loaded()  # type: ignore[attr-defined]
        panels = [images[-1]["params"] for images in _versions(svc, pid).values()]
        assert [len(p["batch"]) for p in panels] == [2, 2, 1]
        board = projects.get_storyboard(svc, user_id=svc.default_user_id, project_id=pid)
        for shot, params in zip(board["shots"], panels, strict=True):
            assert (params["backend"], params["model"], params["steps"], params["guidance"], params["quality"]) == (
                "diffusers", models.model, 2, 7.0, "final")  # fmt: skip
            assert (params["width"], params["height"], params["generated_width"], params["generated_height"]) == (
                1080, 1080, 64, 64)  # fmt: skip
            assert params["seed"] == shot["seed"] and params["prompt"] and params["negative_prompt"]
            assert (params["scheduler"], params["lock"], params["lock_method"]) == ("EulerDiscreteScheduler", "none",
                                                                                    "none")  # fmt: skip
            assert params["model_hash"] and params["dtype"] == "float32" and params["device"] == "cpu"
        # Regenerating a shot adds a version, drawn by the same loaded pipeline (one per worker process).
        shot = board["shots"][0]
        again = _run(svc, pid, "image_generation", {"shot_ids": [shot["shot_id"]], "force": True, "seed": 7})
        assert again["status"] == "completed" and calls == [3, 1]
        assert backend.loaded() is loaded  # type: ignore[attr-defined]
        versions = _versions(svc, pid)[1]
        assert [v["seed"] for v in versions][1:] == [7] and versions[-1]["is_current"]
    finally:
        svc.stop()


def test_the_project_lock_and_quality_reach_the_model(settings, models) -> None:
    svc = _services(settings, models)
    try:
        user = svc.default_user_id
        pid = _drawn_project(svc, character_lock="reference", image_quality="preview")
        # reference: every character got a character sheet first, and each panel is conditioned on one of them
        with svc.sessions() as s:
            sheets = {r.name: r.reference_images for r in s.query(CharacterRow).filter_by(project_id=uuid.UUID(pid))}
        assert sorted(sheets) == ["小明", "小红"] and all(len(keys) == 1 for keys in sheets.values())
        digests = {name: hashlib.sha256(svc.storage.get_bytes(keys[0])).hexdigest() for name, keys in sheets.items()}
        first = {order: images[-1]["params"] for order, images in _versions(svc, pid).items()}
        assert {p["lock_method"] for p in first.values()} == {"ip_adapter"}
        assert first[1]["references"] == {"小红": digests["小红"]}  # the speaker's sheet
        assert first[3]["references"] == {"小明": digests["小明"]}
        assert {(p["quality"], p["steps"], p["guidance"]) for p in first.values()} == {("preview", 1, 5.0)}
        # Final quality: update-stale redraws the preview panels (with their seeds) at final quality. A sheet drawn
        # for locking has a seed from the character's looks: drawn again, it is the same picture.
        with svc.sessions() as s:
            s.query(CharacterRow).filter_by(project_id=uuid.UUID(pid), name="小明").one().reference_images = []
            s.commit()
        projects.update_project(svc, user_id=user, project_id=pid, changes={"image_quality": "final"})
        assert _run(svc, pid, "image_generation", {"update_stale": True})["status"] == "completed"
        versions = _versions(svc, pid)
        assert all(len(images) == 2 for images in versions.values())
        final = {order: images[-1]["params"] for order, images in versions.items()}
        assert {(p["quality"], p["steps"], p["lock_method"]) for p in final.values()} == {("final", 2, "ip_adapter")}
        assert [final[o]["seed"] for o in (1, 2, 3)] == [first[o]["seed"] for o in (1, 2, 3)]
        assert final[3]["references"] == {"小明": digests["小明"]}
        # consistent: the shots of a batch that share a character share attention
        projects.update_project(svc, user_id=user, project_id=pid, changes={"character_lock": "consistent"})
        assert projects.get_project(svc, user_id=user, project_id=pid)["character_lock"] == "consistent"
        assert _run(svc, pid, "image_generation", {"force": True})["status"] == "completed"
        shared = {order: images[-1]["params"] for order, images in _versions(svc, pid).items()}
        assert {p["lock_method"] for p in shared.values()} == {"consistent_self_attention"}
        assert shared[2]["consistent_attention"]["shared_by"] == "小明" and len(shared[2]["batch"]) == 2
    finally:
        svc.stop()


def test_consistency_is_measured_and_shots_under_the_threshold_drawn_again(settings, models) -> None:
    svc = _services(settings, models, consistency_model=models.image_encoder, consistency_threshold=1.01,
                    consistency_retries=2)  # fmt: skip
    try:
        pid = _drawn_project(svc)
        # No cosine reaches 1.01: every shot with a character was drawn twice more (a new seed each), every try kept.
        versions = _versions(svc, pid)
        assert {order: len(images) for order, images in versions.items()} == {1: 3, 2: 3, 3: 3}
        for images in versions.values():
            assert len({i["seed"] for i in images}) == 3
            assert all(i["params"]["consistency"] for i in images)  # each try measured while it was current
        board = projects.get_storyboard(svc, user_id=svc.default_user_id, project_id=pid)
        scores = {s["order"]: s["generation_params"]["consistency"] for s in board["shots"]}
        assert set(scores[3]) == {"小明", "小红"} and set(scores[1]) == {"小红"}
        ming = scores[3]["小明"]
        assert ming["reference"] is None and 0 < ming["others"] <= 1 and ming["copy_paste"] is None  # no sheet
        # A threshold every shot passes: measured, nothing drawn again.
        ctx = replace(svc.ctx, consistency=replace(svc.ctx.consistency, threshold=0.0))
        done = work.draw_panels(ctx, uuid.UUID(pid), lambda f, step: None, force=True)
        assert done == {"drawn": 3, "total_shots": 3, "measured": 3}
        assert {order: len(images) for order, images in _versions(svc, pid).items()} == {1: 4, 2: 4, 3: 4}
        with svc.sessions() as s:
            current = s.query(ShotImage).join(ShotRow).filter(ShotRow.project_id == uuid.UUID(pid),
                                                              ShotImage.is_current.is_(True)).all()  # fmt: skip
            assert len(current) == 3 and all("consistency" in i.params for i in current)
    finally:
        svc.stop()


def test_retries_redraw_only_failing_shots_and_keep_each_ones_best_try(settings, models, monkeypatch) -> None:
    """Shot 2 passes at once; shots 1 and 3 fail every try: each of them is drawn `retries` times more (a new seed
    each), shot 2 never; and the current panel of a failing shot is its best-scoring try, not its last one."""
    from jobs import consistency_step
    from pipeline.image.diffusion.consistency import CharacterScore

    svc = _services(settings, models, consistency_model=models.image_encoder, consistency_threshold=0.75,
                    consistency_retries=2)  # fmt: skip
    try:
        user = svc.default_user_id
        pid = projects.create_project(svc, user_id=user, name="t", aspect_ratio="1:1")["id"]
        projects.save_script(svc, user_id=user, project_id=pid, content=SCRIPT)
        for step in ("nlp", "storyboard"):
            assert _run(svc, pid, step)["status"] == "completed"
        order_of = {uuid.UUID(s["shot_id"]): s["order"]
                    for s in projects.get_storyboard(svc, user_id=user, project_id=pid)["shots"]}  # fmt: skip
        # The similarity of each shot's 1st, 2nd, 3rd try (threshold 0.75): shot 1's best is its 2nd, shot 3's its 1st.
        planned = {1: [0.5, 0.7, 0.6], 2: [0.9], 3: [0.72, 0.4, 0.5]}
        seen: dict[str, float] = {}  # a panel's file -> its score (a panel keeps its score when measured again)
        tries: dict[int, int] = {}

        def score_shots(shots, references, embed):  # the real one's signature; scores by shot and try
            out = {}
            for shot_id, shot in shots.items():
                if shot.path not in seen:
                    order = order_of[shot_id]
                    tries[order] = tries.get(order, 0) + 1
                    seen[shot.path] = planned[order][min(tries[order], len(planned[order])) - 1]
                value = seen[shot.path]
                out[shot_id] = {name: CharacterScore(value, value, 0.0) for name in shot.characters}
            return out

        monkeypatch.setattr(consistency_step, "score_shots", score_shots)
        assert _run(svc, pid, "image_generation")["status"] == "completed"
        versions = _versions(svc, pid)
        assert {order: len(images) for order, images in versions.items()} == {1: 3, 2: 1, 3: 3}
        assert tries == {1: 3, 2: 1, 3: 3}
        for order in (1, 3):
            first_seed = versions[order][0]["seed"]
            assert [v["seed"] for v in versions[order][1:]] == [consistency_step.retry_seed(first_seed, attempt)
                                                                 for attempt in (1, 2)]  # fmt: skip
        current = {order: [i for i, v in enumerate(images) if v["is_current"]] for order, images in versions.items()}
        assert current == {1: [1], 2: [0], 3: [0]}  # the best try of each, whatever came after it
        board = {s["order"]: s for s in projects.get_storyboard(svc, user_id=user, project_id=pid)["shots"]}
        for order, best in ((1, 1), (2, 0), (3, 0)):
            kept = versions[order][best]
            assert board[order]["image_key"] == kept["image_key"] and board[order]["seed"] == kept["seed"]
            reference = planned[order][best]
            assert {s["reference"] for s in board[order]["generation_params"]["consistency"].values()} == {reference}
    finally:
        svc.stop()


@pytest.mark.parametrize("model", ["", "/nonexistent/sd-model"])
def test_a_missing_model_fails_the_task_naming_the_setting(settings, models, model) -> None:
    svc = _services(settings, models, diffusers_model=model)
    try:
        user = svc.default_user_id
        pid = projects.create_project(svc, user_id=user, name="t", aspect_ratio="1:1")["id"]
        projects.save_script(svc, user_id=user, project_id=pid, content=SCRIPT)
        _run(svc, pid, "nlp")
        _run(svc, pid, "storyboard")
        task = _run(svc, pid, "image_generation")
        assert task["status"] == "failed" and task["error"].startswith("COMICREEL_DIFFUSERS_MODEL"), task
    finally:
        svc.stop()


def test_the_cli_exits_2_naming_the_setting(tmp_path, models) -> None:
    script = tmp_path / "s.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "COMICREEL_IMAGE_BACKEND": "diffusers", "COMICREEL_DIFFUSERS_MODEL": str(tmp_path / "none")}
    result = subprocess.run([sys.executable, "-m", "studio.cli", "render", str(script), "-o", str(tmp_path / "o.mp4"),
                             "--aspect", "1:1", "-q"], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=600)  # fmt: skip
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"comicreel: COMICREEL_DIFFUSERS_MODEL={tmp_path / 'none'}: "), result.stderr


# Two scenes: the roof (two shots), the classroom (two shots).
SCENES = ("场景:学校天台,白天\n角色:小明(男,高中生),小红(女)\n小红(微笑): 昨天的话,我想了一整天。\n（小明看着远处）\n"
          "场景:教室,夜晚\n小明(开心): 太好了!\n小红: 明天见。\n")  # fmt: skip


def test_scene_references_draw_each_scenes_first_shot_first_and_condition_the_others(settings, models,
                                                                                      monkeypatch) -> None:  # fmt: skip
    svc = _services(settings, models)
    try:
        user, backend = svc.default_user_id, svc.ctx.image_backend
        calls: list[list[tuple[int, bool]]] = []
        draw_many = backend.draw_many  # type: ignore[attr-defined]
        monkeypatch.setattr(backend, "draw_many", lambda requests, paths: calls.append(
            [(r.shot.order, r.scene_reference is not None) for r in requests]) or draw_many(requests, paths))
        pid = projects.create_project(svc, user_id=user, name="t", aspect_ratio="1:1", scene_reference=True)["id"]
        assert projects.get_project(svc, user_id=user, project_id=pid)["scene_reference"] is True
        projects.save_script(svc, user_id=user, project_id=pid, content=SCENES)
        for step in ("nlp", "storyboard", "image_generation"):
            assert _run(svc, pid, step)["status"] == "completed"
        shots = projects.get_storyboard(svc, user_id=user, project_id=pid)["shots"]
        with svc.sessions() as s:
            scene_of = {str(r.id): r.scene_id for r in s.query(ShotRow).filter(ShotRow.id.in_(
                [uuid.UUID(shot["shot_id"]) for shot in shots]))}  # fmt: skip
        scenes: dict[int, list[dict]] = {}
        for shot in shots:
            scenes.setdefault(scene_of[shot["shot_id"]], []).append(shot)
        assert len(scenes) == 2 and all(len(s) >= 2 for s in scenes.values())
        openers = {s[0]["order"] for s in scenes.values()}
        # the scenes' first shots drawn first, without a scene reference; then every other one, with its scene's
        assert calls == [[(o, False) for o in sorted(openers)],
                         [(s["order"], True) for s in shots if s["order"] not in openers]]  # fmt: skip
        current = {order: images[-1]["params"] for order, images in _versions(svc, pid).items()}

        def opener_digest(scene: list[dict]) -> str:
            return hashlib.sha256(svc.storage.get_bytes(scene[0]["image_key"])).hexdigest()

        for scene in scenes.values():
            assert "scene_reference" not in current[scene[0]["order"]]
            for shot in scene[1:]:
                assert current[shot["order"]]["scene_reference"] == opener_digest(scene)
                assert current[shot["order"]]["scene_reference_scale"] == 0.3
        assert not any(s["image_stale"] for s in shots)
        # Redrawing a scene's first shot makes that scene's other shots stale (and only those); update-stale redraws
        # them on the new panel, with their seeds.
        roof, classroom = scenes.values()
        assert _run(svc, pid, "image_generation", {"shot_ids": [roof[0]["shot_id"]], "force": True, "seed": 9}
                    )["status"] == "completed"  # fmt: skip
        shots = projects.get_storyboard(svc, user_id=user, project_id=pid)["shots"]
        stale = {s["order"] for s in shots if s["image_stale"]}
        assert stale == {s["order"] for s in roof[1:]}
        assert _run(svc, pid, "image_generation", {"update_stale": True})["status"] == "completed"
        roof = [s for s in projects.get_storyboard(svc, user_id=user, project_id=pid)["shots"]
                if scene_of[s["shot_id"]] == scene_of[roof[0]["shot_id"]]]  # fmt: skip
        redrawn = _versions(svc, pid)
        for shot in roof[1:]:
            assert len(redrawn[shot["order"]]) == 2 and redrawn[shot["order"]][-1]["seed"] == current[shot["order"]][
                "seed"]  # fmt: skip
            assert redrawn[shot["order"]][-1]["params"]["scene_reference"] == opener_digest(roof)
        assert all(len(redrawn[s["order"]]) == 1 for s in classroom)
        assert not any(s["image_stale"] for s in projects.get_storyboard(svc, user_id=user, project_id=pid)["shots"])
        # Off: the scene's reference no longer names a panel's inputs (nothing stale), and no shot is conditioned.
        projects.update_project(svc, user_id=user, project_id=pid, changes={"scene_reference": False})
        calls.clear()
        assert _run(svc, pid, "image_generation", {"force": True})["status"] == "completed"
        assert calls == [[(s["order"], False) for s in shots]]
    finally:
        svc.stop()
