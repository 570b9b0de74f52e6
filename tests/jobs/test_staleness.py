"""Staleness: editing a character or a shot marks exactly the panels and voice lines it affects; "update stale"
(and a render) redraws and revoices only those, each panel with its seed; regenerating one shot touches no other."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from db.models import ShotRow
from pipeline.models import Character, Storyboard, StoryboardShot
from pipeline.shot_requests import panel_inputs_hash, voice_inputs_hash
from pipeline.tts.base import voice_for
from studio import editor, projects

SCRIPT = ("场景:学校天台,白天\n角色:小明(男,高中生),小红(女)\n小红(惊讶): 昨天的话,我想了一整天。\n"
          "（小明看着远处）\n小明(开心): 太好了!\n旁白: 夕阳西下。\n小红: 走吧。\n")  # fmt: skip
# Shots (in frame): 1 小红 speaks (小红) · 2 action (小明) · 3 小明 speaks (小明, 小红) · 4 narration () ·
# 5 小红 speaks (小红, 小明)


# -- the hashes, as pure functions -----------------------------------------------------------------------------

CAST = {"小明": Character("小明", {"gender": "男"}, {"hair": "黑色短发"}), "小红": Character("小红", {"gender": "女"})}
SHOT = StoryboardShot(order=1, scene_id=1, kind="dialogue", camera="medium", scene_description="天台", location="天台",
                      time="白天", interior=False, characters=("小明",), text="你好。", duration=3.0,
                      transition="dissolve", speaker="小明", emotion="开心", prompt="comic panel")  # fmt: skip
BOARD = Storyboard(aspect_ratio="1:1", style="comic", language="zh", shots=(SHOT,))


@pytest.mark.parametrize("change", [
    {"kind": "narration"}, {"camera": "closeup"}, {"scene_description": "夜"}, {"location": "街道"}, {"time": "夜晚"},
    {"interior": True}, {"characters": ("小明", "小红")}, {"speaker": "小红"}, {"emotion": "伤心"},
    {"prompt": "night"}, {"prompt_override": "rain"},
])  # fmt: skip
def test_the_panel_hash_covers_what_a_panel_shows(change) -> None:
    assert panel_inputs_hash(BOARD, replace(SHOT, **change), CAST) != panel_inputs_hash(BOARD, SHOT, CAST)


def test_the_panel_hash_covers_the_storyboard_and_the_characters_in_frame_only() -> None:
    base = panel_inputs_hash(BOARD, SHOT, CAST)
    assert panel_inputs_hash(replace(BOARD, style="anime"), SHOT, CAST) != base
    assert panel_inputs_hash(replace(BOARD, aspect_ratio="9:16"), SHOT, CAST) != base
    for changed in ({"appearance": {"hair": "红色长发"}}, {"attributes": {"gender": "女"}}, {"reference_image": "k.png"}):
        assert panel_inputs_hash(BOARD, SHOT, {**CAST, "小明": replace(CAST["小明"], **changed)}) != base
    # Its place in the cast picks a default coat colour: a cast without someone before it draws it differently.
    assert panel_inputs_hash(BOARD, SHOT, {"小红": CAST["小红"], "小明": CAST["小明"]}) != base
    # Not in the panel: the line (the renderer shows it), order, duration, transition, camera move, sound, a voice,
    # a character out of frame, the language.
    same = replace(SHOT, text="再见。", order=9, duration=8.0, transition="cut", motion="pan-up", sound_effects=("rain",))
    assert panel_inputs_hash(replace(BOARD, language="en"), same, {
        "小明": replace(CAST["小明"], voice={"pitch": 90}), "小红": replace(CAST["小红"], appearance={"hair": "金发"}),
    }) == base  # fmt: skip


def test_the_voice_hash_covers_text_language_emotion_and_the_voice() -> None:
    base = voice_inputs_hash(SHOT, CAST, "zh")
    for shot in (replace(SHOT, text="再见。"), replace(SHOT, emotion="伤心"), replace(SHOT, speaker="小红")):
        assert voice_inputs_hash(shot, CAST, "zh") != base
    assert voice_inputs_hash(SHOT, CAST, "en") != base
    assert voice_inputs_hash(SHOT, {**CAST, "小明": replace(CAST["小明"], voice={"pitch": 90})}, "zh") != base
    # A look, the frame or the camera are not heard.
    looks = {**CAST, "小明": replace(CAST["小明"], appearance={"hair": "红色长发"}, reference_image="k.png")}
    assert voice_inputs_hash(replace(SHOT, camera="long", characters=(), order=4), looks, "zh") == base


def test_voice_settings_apply_over_the_derived_voice() -> None:
    derived = voice_for(CAST["小明"])
    tuned = voice_for(replace(CAST["小明"], voice={"pitch": 90, "speed": 1.5}))
    assert (tuned.pitch, tuned.speed, tuned.gender, tuned.variant) == (90, 1.5, derived.gender, derived.variant)
    female = voice_for(replace(CAST["小明"], voice={"gender": "female"}))
    assert female.gender == "female" and female.pitch > derived.pitch  # a female pitch, unless one is set
    assert voice_for(replace(CAST["小明"], voice={})) == derived


# -- the jobs ----------------------------------------------------------------------------------------------------


@pytest.fixture
def svc(settings):
    from studio.services import build_services

    services = build_services(settings, immediate=True)
    yield services
    services.stop()


def _run(svc, pid: str, task_type: str, payload=None) -> dict:
    task_id = projects.start_task(svc, user_id=svc.default_user_id, project_id=pid, task_type=task_type, payload=payload)
    task = projects.get_task(svc, user_id=svc.default_user_id, task_id=task_id)
    assert task["status"] == "completed", task
    return task["result"]


def _drawn(svc) -> str:
    pid = projects.create_project(svc, user_id=svc.default_user_id, name="s", aspect_ratio="1:1")["id"]
    projects.save_script(svc, user_id=svc.default_user_id, project_id=pid, content=SCRIPT)
    for step in ("nlp", "storyboard", "image_generation", "tts"):
        _run(svc, pid, step)
    return pid


def _shots(svc, pid: str) -> list[dict]:
    return projects.get_storyboard(svc, user_id=svc.default_user_id, project_id=pid)["shots"]


def _files(svc, pid: str) -> dict[int, tuple[bytes | None, bytes | None]]:
    """Each shot's current panel and voice, as stored bytes (None where it has none)."""
    out = {}
    with svc.sessions() as s:
        for shot in _shots(svc, pid):
            row = s.get(ShotRow, uuid.UUID(shot["shot_id"]))
            out[shot["order"]] = tuple(svc.storage.get_bytes(k) if k else None for k in (row.image_key, row.audio_key))
    return out


def _stale(svc, pid: str) -> tuple[list[int], list[int]]:
    shots = _shots(svc, pid)
    return [s["order"] for s in shots if s["image_stale"]], [s["order"] for s in shots if s["voice_stale"]]


def _character(svc, pid: str, name: str) -> dict:
    return next(c for c in editor.list_characters(svc, user_id=svc.default_user_id, project_id=pid) if c["name"] == name)


def test_edits_mark_exactly_what_they_affect_and_update_stale_redoes_only_that(svc) -> None:
    user = svc.default_user_id
    pid = _drawn(svc)
    assert _stale(svc, pid) == ([], [])
    before = _files(svc, pid)
    seeds = {s["order"]: s["seed"] for s in _shots(svc, pid)}
    ming = _character(svc, pid, "小明")

    editor.update_character(svc, user_id=user, project_id=pid, character_id=ming["id"],
                            changes={"appearance": {"hair": "红色长发"}})  # fmt: skip
    assert _stale(svc, pid) == ([2, 3, 5], [])  # the panels 小明 is in; no voice
    assert (_character(svc, pid, "小明")["stale_panels"], _character(svc, pid, "小红")["stale_panels"]) == (3, 2)

    editor.update_character(svc, user_id=user, project_id=pid, character_id=ming["id"],
                            changes={"voice": {"pitch": ming["voice"]["pitch"] + 30}})  # fmt: skip
    assert _stale(svc, pid) == ([2, 3, 5], [3])  # and the one line 小明 says

    one = _shots(svc, pid)[0]
    edited = editor.update_shot(svc, user_id=user, project_id=pid, shot_id=one["shot_id"], changes={"text": "明天见。"})
    assert not edited["image_stale"] and edited["voice_stale"]  # the line is said, and shown by the renderer
    edited = editor.update_shot(svc, user_id=user, project_id=pid, shot_id=one["shot_id"], changes={"emotion": "伤心"})
    assert edited["image_stale"] and edited["voice_stale"]  # a sad face, a sad voice
    assert _stale(svc, pid) == ([1, 2, 3, 5], [1, 3])
    assert editor.count_stale(svc, user_id=user, project_id=pid) == {"panels": 4, "voices": 2}
    # Changing what no panel or line shows marks nothing more.
    editor.update_shot(svc, user_id=user, project_id=pid, shot_id=_shots(svc, pid)[1]["shot_id"],
                       changes={"duration": 5.0, "transition": "cut"})  # fmt: skip
    assert _stale(svc, pid) == ([1, 2, 3, 5], [1, 3])

    assert _run(svc, pid, "image_generation", {"update_stale": True}) == {"drawn": 4, "total_shots": 5, "voiced": 2}
    after = _files(svc, pid)
    assert _stale(svc, pid) == ([], [])
    assert {o for o in after if after[o][0] != before[o][0]} == {1, 2, 3, 5}  # every other panel byte-identical
    assert {o for o in after if after[o][1] != before[o][1]} == {1, 3}  # every other voice byte-identical
    assert {s["order"]: s["seed"] for s in _shots(svc, pid)} == seeds  # redrawn with the seeds they had
    assert _run(svc, pid, "image_generation", {"update_stale": True}) == {"drawn": 0, "total_shots": 5, "voiced": 0}


def test_regenerating_one_shot_changes_it_alone_and_a_fixed_seed_is_honoured(svc) -> None:
    pid = _drawn(svc)
    before = _files(svc, pid)
    first = _shots(svc, pid)[0]
    _run(svc, pid, "image_generation", {"shot_ids": [first["shot_id"]], "force": True})
    random_seed = _shots(svc, pid)[0]["seed"]
    after = _files(svc, pid)
    assert random_seed != first["seed"] and after[1][0] != before[1][0]
    assert {o: f for o, f in after.items() if o != 1} == {o: f for o, f in before.items() if o != 1}
    # A fixed seed gives that seed, and the same picture as the first drawing had with it.
    _run(svc, pid, "image_generation", {"shot_ids": [first["shot_id"]], "force": True, "seed": first["seed"]})
    assert _shots(svc, pid)[0]["seed"] == first["seed"] and _files(svc, pid)[1][0] == before[1][0]
    assert _stale(svc, pid) == ([], [])


def test_a_prompt_override_stays_with_the_shot_for_later_redraws(svc) -> None:
    user = svc.default_user_id
    pid = _drawn(svc)
    first = _shots(svc, pid)[0]
    _run(svc, pid, "image_generation", {"shot_ids": [first["shot_id"]], "force": True, "prompt_override": "深夜 night"})
    night = _files(svc, pid)[1][0]
    assert _shots(svc, pid)[0]["prompt_override"] == "深夜 night" and _stale(svc, pid) == ([], [])
    # A later redraw of the shot (its speaker's look changed) keeps the night, with the same seed.
    hong = _character(svc, pid, "小红")
    editor.update_character(svc, user_id=user, project_id=pid, character_id=hong["id"], changes={"appearance": {"hair": "金色长发"}})
    editor.update_character(svc, user_id=user, project_id=pid, character_id=hong["id"], changes={"appearance": {}})
    assert _stale(svc, pid) == ([], [])  # back to what the panels were drawn from
    editor.update_shot(svc, user_id=user, project_id=pid, shot_id=first["shot_id"], changes={"emotion": "伤心"})
    editor.update_shot(svc, user_id=user, project_id=pid, shot_id=first["shot_id"], changes={"emotion": "惊讶"})
    assert _stale(svc, pid) == ([], [])
    editor.update_shot(svc, user_id=user, project_id=pid, shot_id=first["shot_id"], changes={"prompt": "深夜 night, 雨"})
    _run(svc, pid, "image_generation", {"update_stale": True})
    redrawn = _files(svc, pid)[1][0]
    images = editor.list_shot_images(svc, user_id=user, project_id=pid, shot_id=first["shot_id"])
    assert redrawn != night and images[-1]["prompt"] == "深夜 night, 雨" and images[-1]["seed"] == images[-2]["seed"]
    # Picking the first panel again brings back its prompt: it is current, not stale.
    picked = editor.select_shot_image(svc, user_id=user, project_id=pid, shot_id=first["shot_id"],
                                      image_id=images[0]["image_id"])  # fmt: skip
    assert (picked["prompt_override"], picked["image_stale"], picked["seed"]) == (None, False, images[0]["seed"])


def test_a_render_brings_stale_and_missing_work_up_to_date_first(svc) -> None:
    user = svc.default_user_id
    pid = _drawn(svc)
    shots = _shots(svc, pid)
    editor.update_shot(svc, user_id=user, project_id=pid, shot_id=shots[2]["shot_id"], changes={"text": "好!", "emotion": "惊讶"})
    editor.insert_shot(svc, user_id=user, project_id=pid, after_shot_id=shots[4]["shot_id"],
                       fields={"kind": "narration", "text": "完。"})  # fmt: skip
    before = _files(svc, pid)
    assert before[6] == (None, None) and _stale(svc, pid) == ([3], [3])
    result = _run(svc, pid, "video_render", {"settings": {"resolution": "720p"}})
    assert result["video_key"] and _stale(svc, pid) == ([], [])
    after = _files(svc, pid)
    assert {o for o in after if before[o][0] != after[o][0]} == {3, 6} and all(after[6])
    assert {o for o in after if before[o][1] != after[o][1]} == {3, 6}


def test_saving_a_card_with_nothing_changed_leaves_every_panel_current(svc) -> None:
    """The studio's card sends every field back, empty ones included: that is not an edit."""
    user = svc.default_user_id
    pid = _drawn(svc)
    ming = _character(svc, pid, "小明")
    same = {"name": ming["name"], "description": ming["description"], "attributes": ming["attributes"],
            "appearance": {**ming["appearance"], "clothing": ming["appearance"].get("clothing", ""),
                           "features": ming["appearance"].get("features", []), "hat": "  "}}  # fmt: skip
    editor.update_character(svc, user_id=user, project_id=pid, character_id=ming["id"], changes=same)
    assert _stale(svc, pid) == ([], [])
