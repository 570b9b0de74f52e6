"""A project whose configured voice engine is broken still gets every line voiced, audibly, by espeak-ng, and its
task says which lines and why; the engine a character chooses is part of its voice (changing it revoices it)."""

from __future__ import annotations

import os
import shutil
import uuid
import wave

import pytest

from db.models import ShotRow
from pipeline.tts.piper import default_voice
from studio import editor, projects
from tests.voices import rms

SCRIPT = "Characters: Anna (female, 30s), Ben (male, 8)\nAnna: Dinner is ready, come and sit down.\nBen: Can I play a little longer?\nNarrator: The rain taps on the window.\n"  # fmt: skip


def _services(settings):
    from studio.services import build_services

    return build_services(settings, immediate=True)


def _voice(svc, pid: str) -> dict:
    for step in ("nlp", "storyboard"):
        task = projects.get_task(svc, user_id=svc.default_user_id, task_id=projects.start_task(
            svc, user_id=svc.default_user_id, project_id=pid, task_type=step))  # fmt: skip
        assert task["status"] == "completed", task
    task_id = projects.start_task(svc, user_id=svc.default_user_id, project_id=pid, task_type="tts")
    task = projects.get_task(svc, user_id=svc.default_user_id, task_id=task_id)
    assert task["status"] == "completed", task
    return task["result"]


def _project(svc) -> str:
    pid = projects.create_project(svc, user_id=svc.default_user_id, name="rain", aspect_ratio="16:9")["id"]
    projects.save_script(svc, user_id=svc.default_user_id, project_id=pid, content=SCRIPT)
    return pid


def _stored_voices(svc, pid: str, tmp_path) -> list[float]:
    """The RMS of every stored voice clip of the project."""
    levels = []
    shots = projects.get_storyboard(svc, user_id=svc.default_user_id, project_id=pid)["shots"]
    with svc.sessions() as s:
        for shot in shots:
            key = s.get(ShotRow, uuid.UUID(shot["shot_id"])).audio_key
            if key:
                path = tmp_path / f"{shot['order']}.wav"
                path.write_bytes(svc.storage.get_bytes(key))
                with wave.open(str(path)) as w:
                    assert w.getnframes() > w.getframerate() // 2
                levels.append(rms(str(path)))
    return levels


def test_a_garbage_piper_voice_is_voiced_by_espeak_and_the_task_says_so(settings, tmp_path) -> None:
    broken = tmp_path / "voice.onnx"
    broken.write_bytes(os.urandom(2048))
    shutil.copyfile(default_voice()[1], tmp_path / "voice.onnx.json")
    svc = _services(settings.model_copy(update={"piper_model_path": broken}))
    try:
        pid = _project(svc)
        result = _voice(svc, pid)
        assert result["voiced"] == 3
        assert [(f["order"], f["engine"]) for f in result["fallbacks"]] == [(1, "espeak"), (2, "espeak"), (3, "espeak")]
        assert all(f["reason"].startswith("piper failed: The Piper voice voice.onnx cannot be loaded")
                   for f in result["fallbacks"])  # fmt: skip
        levels = _stored_voices(svc, pid, tmp_path)
        assert len(levels) == 3 and min(levels) > 300, levels  # heard, not silence
    finally:
        svc.stop()


def test_a_coqui_engine_without_its_model_is_voiced_by_espeak(settings, tmp_path) -> None:
    svc = _services(settings.model_copy(update={"tts_engine": "coqui", "coqui_model_path": tmp_path / "gone.pth"}))
    try:
        pid = _project(svc)
        result = _voice(svc, pid)
        assert len(result["fallbacks"]) == 3 and all("coqui failed" in f["reason"] for f in result["fallbacks"])
        assert min(_stored_voices(svc, pid, tmp_path)) > 300
    finally:
        svc.stop()


def test_a_working_engine_reports_no_fallback_and_a_characters_engine_revoices_it(settings, tmp_path) -> None:
    svc = _services(settings)
    try:
        pid = _project(svc)
        assert "fallbacks" not in _voice(svc, pid)  # Piper spoke every English line
        anna = next(c for c in editor.list_characters(svc, user_id=svc.default_user_id, project_id=pid)
                    if c["name"] == "Anna")  # fmt: skip
        assert anna["voice"]["engine"] is None
        changed = editor.update_character(svc, user_id=svc.default_user_id, project_id=pid, character_id=anna["id"],
                                          changes={"voice": {**anna["voice"], "engine": "espeak"}})  # fmt: skip
        assert changed["voice"]["engine"] == "espeak"
        shots = projects.get_storyboard(svc, user_id=svc.default_user_id, project_id=pid)["shots"]
        assert [s["voice_stale"] for s in shots] == [True, False, False]
    finally:
        svc.stop()


def test_settings_refuse_coqui_without_a_model(settings) -> None:
    from pydantic import ValidationError

    from studio.config import Settings

    with pytest.raises(ValidationError, match="COMICREEL_TTS_ENGINE=coqui needs COMICREEL_COQUI_MODEL_PATH"):
        Settings(_env_file=None, data_dir=settings.data_dir, tts_engine="coqui")
