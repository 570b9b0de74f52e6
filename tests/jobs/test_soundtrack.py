"""A rendered project as it is delivered: espeak voices, the project's music ducked under them, a script cue played
from the built-in library, an unmatched cue reported; loudness, true peak, sync and dead air measured on the MP4."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest

import assets_library
from db.models import BGM, ProjectAudio, ShotRow, SoundEffect
from db.session import transaction
from jobs.render_job import load_timeline
from jobs.soundtrack import build_audio_plan
from pipeline.mix import MusicBed
from pipeline.presets import RenderSettings
from studio import projects
from studio.services import build_services
from tests.audio import band_db, decode, longest_silence, loudness, onsets, srt_starts, write_wav

# The cue before the action line is the library's door knock; the one before the last line matches nothing.
SCRIPT = ("场景:老房子,夜晚\n角色:小明(男,高中生),小红(女,高中生)\n小明(紧张): 外面好像有人。\n[音效: 敲门声]\n"
          "（小红慢慢走到门口）\n小红(害怕): 是谁在那里?\n[音效: 外星飞船降落]\n小明: 别开门!\n")  # fmt: skip
SPEECH_BAND = (300.0, 4000.0)
# The music lies above anything espeak says (its clips stop at 11 kHz) and below the AAC encoder's 17 kHz cutoff,
# so its level can be read under the voices.
MUSIC_BAND = (12500.0, 15000.0)


def high_music(path: Path, seconds: float = 4.0, rate: int = 44100) -> str:
    t = np.arange(int(seconds * rate)) / rate
    x = sum(np.sin(2 * np.pi * f * t) for f in (13000.0, 13500.0, 14200.0)) * (0.8 + 0.2 * np.sin(2 * np.pi * t))
    x *= np.minimum(1, np.minimum(t, seconds - t) / 0.01)
    return write_wav(path, 0.2 * np.stack([x, x], axis=1), rate)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("soundtrack")
    from studio.config import Settings

    svc = build_services(Settings(_env_file=None, data_dir=tmp / "data", embedded_workers=0, task_retries=0),
                         immediate=True)  # fmt: skip
    user = svc.default_user_id
    pid = projects.create_project(svc, user_id=user, name="t", aspect_ratio="16:9")["id"]
    projects.save_script(svc, user_id=user, project_id=pid, content=SCRIPT)
    for step in ("nlp", "storyboard"):
        task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type=step)
        assert projects.get_task(svc, user_id=user, task_id=task_id)["status"] == "completed"
    key = f"projects/{pid}/audio/music_upload.wav"
    svc.storage.put_file(key, high_music(tmp / "music.wav"), "audio/wav")
    with transaction(svc.sessions) as s:
        bgm = BGM(name="high chord", category="calm", duration=4, file_url=key, tags=["test"])
        s.add(bgm)
        s.flush()
        s.add(ProjectAudio(project_id=uuid.UUID(pid), bgm_id=bgm.id, bgm_volume=0.5, bgm_start_time=0.0,
                           fade_in=0.5, fade_out=1.0))  # fmt: skip
    task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type="video_render",
                                  payload={"settings": {"kind": "preview"}})  # fmt: skip
    task = projects.get_task(svc, user_id=user, task_id=task_id)
    assert task["status"] == "completed", task
    result = task["result"]
    with svc.sessions() as s:
        shots = sorted(s.query(ShotRow).filter(ShotRow.project_id == uuid.UUID(pid)), key=lambda r: r.order)
        kinds = [(r.kind, r.sound_effects) for r in shots]
    video = svc.storage.local_path(result["video_key"])
    srt = svc.storage.local_path(result["subtitles_key"])
    yield result, kinds, video, srt, decode(video), svc, pid
    svc.stop()


def test_the_delivered_mix_is_at_minus_14_lufs_under_minus_1_dbtp(rendered) -> None:
    _, _, video, _, x, _, _ = rendered
    integrated, peak = loudness(video)
    assert abs(integrated + 14) <= 1.0 and peak <= -1.0, (integrated, peak)
    assert longest_silence(x) < 1.0  # the music fills the gaps


def test_every_voice_starts_with_its_subtitle(rendered) -> None:
    _, _, _, srt, x, _, _ = rendered
    starts = srt_starts(srt)
    found = np.array(onsets(x, band=SPEECH_BAND, rise_db=35.0))  # the voices, and the knock on the action shot
    assert len(starts) == 3 and len(found) == 4, (found, starts)
    assert max(np.abs(found - t).min() for t in starts) <= 0.04, (found, starts)


def test_the_music_ducks_under_speech_and_the_cue_is_heard(rendered) -> None:
    result, kinds, _, srt, x, _, _ = rendered
    durations = result["shot_durations"]
    shot_starts = np.concatenate([[0.0], np.cumsum(durations)])
    action = [k for k, _ in kinds].index("action")
    assert kinds[action][1] == ["敲门声"]
    # Between lines: the action shot, once the music is back up; during speech: the middle of each line.
    between = band_db(x, shot_starts[action] + 0.9, shot_starts[action + 1] - 0.05, MUSIC_BAND)
    ends = [t + 0.4 for t in srt_starts(srt)]
    for t0 in ends:
        assert between - band_db(x, t0, t0 + 0.4, MUSIC_BAND) >= 6.0, (t0, between)
    at = shot_starts[action]
    knock = band_db(x, at + 0.02, at + 0.25, SPEECH_BAND) - band_db(x, at - 0.3, at - 0.02, SPEECH_BAND)
    assert knock >= 15.0, knock
    assert any("外星飞船降落" in w for w in result["warnings"]), result["warnings"]


def test_library_music_library_effects_uploads_and_missing_files_make_the_plan(rendered, tmp_path) -> None:
    *_, svc, pid = rendered
    project = uuid.UUID(pid)
    music_item, effect_item = assets_library.audio_catalog()["music"][0], assets_library.match_effect("gong")
    assert effect_item is not None
    upload = f"projects/{pid}/audio/hit.wav"
    svc.storage.put_file(upload, write_wav(tmp_path / "hit.wav", np.full(4410, 0.1), 44100), "audio/wav")
    with transaction(svc.sessions) as s:
        bgm = BGM(name="lib", category="calm", duration=30, file_url=assets_library.library_url(music_item))
        effect = SoundEffect(
            name="gong", category="misc", duration=6.0, file_url=assets_library.library_url(effect_item)
        )
        s.add_all([bgm, effect])
        s.flush()
        audio = s.query(ProjectAudio).filter(ProjectAudio.project_id == project).one()
        audio.bgm_id, audio.bgm_volume, audio.bgm_start_time, audio.fade_in, audio.fade_out = bgm.id, 0.7, 1.5, 2, 3
        first = s.query(ShotRow).filter(ShotRow.project_id == project, ShotRow.order == 1).one()
        first.sound_effects = [{"effect_id": str(effect.id), "volume": 0.5, "offset": 0.25}, {"key": upload},
                               {"key": f"projects/{pid}/audio/gone.wav"}, {"effect_id": "not-a-uuid"},
                               {"key": upload, "volume": "loud"}]  # fmt: skip
    output = RenderSettings(kind="preview").resolve("16:9")
    timeline, _, _ = load_timeline(svc.ctx, project, output)
    plan, warnings = build_audio_plan(svc.ctx, project, timeline)
    assert plan.music == MusicBed(path=str(assets_library.audio_file(music_item)), volume=0.7, start=1.5,
                                  fade_in=2.0, fade_out=3.0)  # fmt: skip
    knock = timeline.shots[1].start  # the script's cue on the action shot
    assert [(Path(h.path).name, h.at, h.volume) for h in plan.effects] == [
        ("hit.wav", 0.0, 1.0), ("gong.ogg", 0.25, 0.5), ("door-knock.ogg", knock, 1.0)]  # fmt: skip
    assert sum("missing" in w for w in warnings) == 2 and sum("not a number" in w for w in warnings) == 1
    assert sum("外星飞船降落" in w for w in warnings) == 1
