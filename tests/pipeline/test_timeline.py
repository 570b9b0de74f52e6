"""Pacing: the silence between lines is the setting, shots nobody speaks in last what their action needs, and a
project's target duration is still met."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pipeline.errors import PlanError, RenderError
from pipeline.models import VoiceClip
from pipeline.parse import parse_script
from pipeline.plan import PlanOptions, action_seconds, plan_storyboard
from pipeline.timeline import VOICE_LEAD, Pacing, build_timeline


def _timeline(samples, name: str, pacing: Pacing, plan: PlanOptions | None = None):
    board = plan_storyboard(parse_script(samples[name]), plan)
    voices = {s.order: VoiceClip(f"/voices/{s.order}.wav", 1.0 + 0.23 * s.order) for s in board.shots if s.voiced}
    images = {s.order: f"/panels/{s.order}.png" for s in board.shots}
    return board, build_timeline(board, images, voices, fps=25, size=(640, 360), pacing=pacing)


@pytest.mark.parametrize("gap", [0.5, 0.3, 0.1, 1.2])
def test_the_silence_between_two_lines_is_the_line_gap(samples, gap) -> None:
    _, timeline = _timeline(samples, "confession.zh.txt", Pacing(line_gap=gap))
    shots = timeline.shots
    pairs = [(a, b) for a, b in zip(shots, shots[1:], strict=False) if a.voice and b.voice]
    assert len(pairs) >= 5
    for a, b in pairs:
        assert a.voice and b.voice
        silence = (b.start + b.voice_offset) - (a.start + a.voice_offset + a.voice.duration)
        assert silence == pytest.approx(gap, abs=0.002), (a.order, silence)
        # the picture comes first: the voice starts after its shot does, never before
        assert b.voice_offset == pytest.approx(min(VOICE_LEAD, gap)) and b.voice_offset <= gap


def test_shots_nobody_speaks_in_last_what_their_action_needs(samples) -> None:
    board, timeline = _timeline(samples, "lighthouse.en.fountain", Pacing(), PlanOptions(shot_duration_range=(1, 8)))
    actions = [s for s in board.shots if s.kind == "action"]
    assert len(actions) >= 4
    for shot in actions:
        assert 1.5 <= shot.duration <= 4.0
        assert shot.duration == pytest.approx(min(4.0, max(1.5, action_seconds(shot.text))), abs=0.05)
    assert [s.duration for s in timeline.shots if s.kind == "action"] == [s.duration for s in actions]
    short = plan_storyboard(parse_script("INT. ROOM - DAY\n\nShe nods.\n"), PlanOptions(shot_duration_range=(1, 8)))
    epic = "The storm tears the roof away while the crowd runs, screaming, through the flooded market square " * 3
    long = plan_storyboard(parse_script(f"INT. ROOM - DAY\n\n{epic}\n"), PlanOptions(shot_duration_range=(1, 8)))
    assert (short.shots[0].duration, long.shots[0].duration) == (1.5, 4.0)
    # the creator's range for silent shots still bounds them, and the settings' range can be changed
    assert plan_storyboard(parse_script("INT. ROOM - DAY\n\nShe nods.\n")).shots[0].duration == 2.0
    ranged = plan_storyboard(parse_script(f"INT. ROOM - DAY\n\n{epic}\n"),
                             PlanOptions(action_duration_range=(1.0, 2.5)))  # fmt: skip
    assert ranged.shots[0].duration == 2.5


def test_a_target_duration_is_still_met_by_the_silent_shots(samples) -> None:
    parsed = parse_script(samples["lighthouse.en.fountain"])
    loose = plan_storyboard(parsed)
    voiced = sum(s.duration for s in loose.shots if s.kind != "action")
    silent = sum(1 for s in loose.shots if s.kind == "action")
    target = round(voiced + silent * 6.5, 1)  # more than the action pacing gives
    fitted = plan_storyboard(parsed, PlanOptions(target_duration=target))
    assert fitted.duration == pytest.approx(target, abs=0.05 * silent)
    assert fitted.duration > loose.duration + silent * 2


def test_pacing_out_of_range_is_refused_with_the_setting_to_change(tmp_path) -> None:
    from studio.config import Settings
    from studio.services import build_services

    with pytest.raises(RenderError, match="line gap 5.0"):
        Pacing(line_gap=5.0).check()
    with pytest.raises(RenderError, match="action shot range"):
        Pacing(action_range=(3.0, 2.0)).check()
    with pytest.raises(PlanError, match="COMICREEL_ACTION_MIN_SECONDS"):
        PlanOptions(action_duration_range=(5.0, 2.0)).check()
    with pytest.raises(ValidationError, match="COMICREEL_ACTION_MIN_SECONDS"):
        Settings(_env_file=None, action_min_seconds=5.0, action_max_seconds=2.0)
    with pytest.raises(ValidationError):
        Settings(_env_file=None, line_gap=-0.1)
    settings = Settings(_env_file=None, data_dir=tmp_path, embedded_workers=0, line_gap=0.3, action_max_seconds=3.0)
    svc = build_services(settings, immediate=True)
    try:
        assert svc.ctx.pacing == Pacing(line_gap=0.3, action_range=(1.5, 3.0))
    finally:
        svc.stop()
