"""Job bodies: load rows by id, call the pipeline, store files and rows. Each is safe to run again. (Panels and
character sheets: jobs.panels.)"""


from __future__ import annotations

import hashlib
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.mapping import (
    add_script_version,
    characters_of,
    parsed_from_row,
    parsed_row_values,
    script_counts,
    shot_row_values,
    shot_states,
    storyboard_from_row,
)
from db.models import CharacterRow, ParsedScriptRow, Project, Script, ShotRow, StoryboardRow
from db.queries import latest_parsed_script, lock_project
from db.session import transaction
from jobs.context import JobContext
from jobs.inputs import JobInputError, Progress, storyboard_or_fail
from jobs.panels import draw_panels
from jobs.workdirs import work_dir
from pipeline.llm import LLMError, enrich_shots, make_chat_model, prose_to_script
from pipeline.models import Storyboard
from pipeline.parse import FORMATS, ScriptWarning, is_prose, parse_result, parse_script_with_warnings
from pipeline.plan import PlanOptions, plan_storyboard
from pipeline.shot_requests import voice_inputs_hash, voice_request
from pipeline.timeline import shot_duration
from pipeline.tts.base import VoiceRequest
from storage.base import project_key


def parse_project_script(ctx: JobContext, project_id: uuid.UUID, progress: Progress) -> dict[str, Any]:
    """Parse the project's script. A story in prose (no script markup) is first written as a script by the
    language model, when one is configured: that script becomes the newest version (the story stays the one
    before), so the creator sees and edits what was parsed."""
    with ctx.sessions() as s:
        script = s.scalars(select(Script).where(Script.project_id == project_id)).first()
        if script is None or not script.content.strip():
            raise JobInputError("The project has no script: save a script before parsing it.")
        content, version, user_id = script.content, script.version, script.project.user_id
        fmt = script.format if script.format in FORMATS else None
    progress(0.2, "parsing_script")
    parsed, warnings = parse_script_with_warnings(content, fmt=fmt, pace=ctx.pacing)  # type: ignore[arg-type]
    written: str | None = None
    if is_prose(warnings) and ctx.llm.backend != "none":
        progress(0.3, "writing_script")
        written, notes = _script_from_prose(ctx, content, parsed.language)
        if written:
            parsed, warnings = parse_script_with_warnings(written, fmt="text", pace=ctx.pacing)
            counts = script_counts(written, "text", ctx.pacing)
        warnings = [ScriptWarning(1, note) for note in notes] + warnings
    with transaction(ctx.sessions) as s:
        if not lock_project(s, project_id=project_id, user_id=user_id):
            raise JobInputError("The project was deleted while its script was parsed.")
        current = s.scalars(select(Script.version).where(Script.project_id == project_id)).first()
        if written and current == version:
            version = add_script_version(s, project_id, written, "text", counts, source="llm").version
        elif written:  # the creator saved meanwhile: their text stays the script; this parse is of the story
            parsed, warnings = parse_script_with_warnings(content, fmt=fmt, pace=ctx.pacing)  # type: ignore[arg-type]
            warnings = [ScriptWarning(1, "The script was changed while the language model wrote it: its script was "
                                         "not kept. Parse again to use the newest text.")] + warnings  # fmt: skip
        row = ParsedScriptRow(project_id=project_id, script_version=version, **parsed_row_values(parsed, warnings))
        s.add(row)
        # New characters are added; ones the creator already has (and may have edited) are kept as they are.
        known = set(s.scalars(select(CharacterRow.name).where(CharacterRow.project_id == project_id)))
        for c in parsed.characters:
            if c.name not in known:
                s.add(
                    CharacterRow(project_id=project_id, name=c.name, attributes=c.attributes, appearance=c.appearance)
                )
        s.flush()
        return {"parse_id": str(row.id), **parse_result(parsed, warnings)["metadata"], "script_version": version,
                "characters": [c.name for c in parsed.characters]}  # fmt: skip


def _script_from_prose(ctx: JobContext, story: str, language: str) -> tuple[str | None, list[str]]:
    """The language model's script for a story, or None; and what to tell the creator either way."""
    try:
        model = make_chat_model(ctx.llm)
    except LLMError as exc:
        return None, [f"The language model could not be used ({exc}): the story was read as narration."]
    if model is None:
        return None, []
    result = prose_to_script(story, model, language=language, retries=ctx.llm.retries)
    if result.script is None:
        return None, result.warnings
    return result.script, [*result.warnings, f"The story was written as a script by the language model "
                                              f"({model.name}); the story itself is the version before."]  # fmt: skip


def plan_project_storyboard(
    ctx: JobContext, project_id: uuid.UUID, options: dict[str, Any], progress: Progress
) -> dict[str, Any]:
    with ctx.sessions() as s:
        project = s.get(Project, project_id)
        parsed_row = _parsed_script(s, project_id, options.get("parsed_script_id"))
        if project is None or parsed_row is None:
            raise JobInputError("The script has not been parsed yet: parse it before generating the storyboard.")
        # The creator's edits to the cast (Characters tab / API) win over what the parser first found.
        chars = characters_of(s, project_id)
        parsed = parsed_from_row(parsed_row)
        parsed = replace(parsed, characters=tuple(chars.values()) or parsed.characters)
        parse_id, aspect_ratio, style, target = parsed_row.id, project.aspect_ratio, project.style, project.target_duration
        user_id = project.user_id
    progress(0.3, "planning_shots")
    low, high = options.get("shot_duration_range", (2.0, 8.0))
    plan = PlanOptions(aspect_ratio=aspect_ratio, style=style, max_shots=int(options.get("max_shots", 200)),
                       shot_duration_range=(float(low), float(high)), target_duration=target,
                       action_duration_range=ctx.pacing.action_range)  # fmt: skip
    board = plan_storyboard(parsed, plan)
    warnings: list[str] = []
    if options.get("enrich"):
        progress(0.5, "enriching_shots")
        board, warnings = _enriched(ctx, board)
    with transaction(ctx.sessions) as s:
        # The project's lock first: two plans of one project store one after the other, one storyboard.
        if not lock_project(s, project_id=project_id, user_id=user_id):
            raise JobInputError("The project was deleted while its storyboard was planned.")
        s.execute(delete(StoryboardRow).where(StoryboardRow.project_id == project_id))
        row = StoryboardRow(
            project_id=project_id,
            parsed_script_id=parse_id,
            aspect_ratio=board.aspect_ratio,
            style=board.style,
            language=board.language,
            options={"max_shots": plan.max_shots, "shot_duration_range": list(plan.shot_duration_range),
                     "enrich": bool(options.get("enrich"))},  # fmt: skip
        )
        s.add(row)
        s.flush()
        for shot in board.shots:
            s.add(ShotRow(storyboard_id=row.id, project_id=project_id, **shot_row_values(shot)))
        s.execute(update(Project).where(Project.id == project_id).values(status="draft"))
        return {"storyboard_id": str(row.id), "total_shots": len(board.shots), "duration": round(board.duration, 2),
                "warnings": warnings}  # fmt: skip


def _enriched(ctx: JobContext, board: Storyboard) -> tuple[Storyboard, list[str]]:
    """The storyboard with the language model's richer shot descriptions, added to each panel's prompt; unchanged,
    with a warning, when no model is configured or its answer is unusable."""
    try:
        model = make_chat_model(ctx.llm)
    except LLMError as exc:
        return board, [f"The language model could not be used ({exc}): the planned descriptions were kept."]
    if model is None:
        return board, ["No language model is configured (COMICREEL_LLM_BACKEND): the planned descriptions were kept."]
    described, warnings = enrich_shots([s.scene_description for s in board.shots], model, language=board.language)
    if warnings:
        return board, warnings
    shots = tuple(replace(s, scene_description=d, prompt=f"{s.prompt}, {d}") for s, d in zip(board.shots, described,
                                                                                          strict=True))  # fmt: skip
    return replace(board, shots=shots), []


def _parsed_script(session: Session, project_id: uuid.UUID, parse_id: str | None) -> ParsedScriptRow | None:
    """The parse the creator chose, or the latest one."""
    if parse_id is None:
        return latest_parsed_script(session, project_id=project_id)
    row = session.get(ParsedScriptRow, uuid.UUID(str(parse_id)))
    if row is None or row.project_id != project_id:
        raise JobInputError(f"parsed script {parse_id} does not belong to this project.")
    return row


def voice_dialogue(
    ctx: JobContext, project_id: uuid.UUID, progress: Progress, *, shot_ids: list[str] | None = None,
    force: bool = False, stale: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """Voice every dialogue and narration line that has no clip yet; with `stale`, also those whose text, emotion or
    voice changed since; with `force`, every selected one. The result lists the lines another engine had to speak,
    when there are any (`fallbacks`: order, the engine that spoke, why)."""
    with ctx.sessions() as s:
        board = storyboard_or_fail(s, project_id)
        storyboard = storyboard_from_row(board)
        characters = characters_of(s, project_id)
        states = shot_states(s, board, characters) if stale else {}
        wanted = {uuid.UUID(str(i)) for i in shot_ids} if shot_ids else None
        todo = [
            (row.id, shot)
            for row, shot in zip(board.shots, storyboard.shots, strict=True)
            if (wanted is None or row.id in wanted) and shot.voiced
            and (force or not row.audio_key or (stale and states[row.id].voice_stale))
        ]  # fmt: skip
    fallbacks: list[dict[str, Any]] = []
    with work_dir(ctx) as tmp:
        for i, (shot_id, shot) in enumerate(todo):
            voice_hash = voice_inputs_hash(shot, characters, storyboard.language)
            path = str(Path(tmp) / f"voice_{shot.order:03d}.wav")
            clip = ctx.tts_backend.synthesize(voice_request(shot, characters, storyboard.language), path)
            if clip.fallback:  # heard, but not in the engine chosen for it: the creator is told which and why
                fallbacks.append({"order": shot.order, "engine": clip.engine, "reason": clip.fallback})
            key = project_key(project_id, "audio", f"voice_{shot.order:03d}_{uuid.uuid4().hex[:8]}.wav")
            ctx.storage.put_file(key, path, "audio/wav")
            with transaction(ctx.sessions) as s:
                target = s.get(ShotRow, shot_id)
                if target is None:
                    ctx.storage.delete(key)
                    continue
                target.audio_key, target.audio_duration, target.voice_hash = key, round(clip.duration, 3), voice_hash
                target.duration = shot_duration(target.duration, clip, ctx.pacing)  # as long as its voice
            progress((i + 1) / max(1, len(todo)), "generating_voices")
    return {"voiced": len(todo), **({"fallbacks": fallbacks} if fallbacks else {})}


def update_stale(ctx: JobContext, project_id: uuid.UUID, progress: Progress) -> dict[str, Any]:
    """Redraw exactly the stale or missing panels (each with its current seed) and revoice exactly the stale or
    missing lines; nothing else is touched."""
    return draw_and_voice(ctx, project_id, progress)


def voice_preview(ctx: JobContext, project_id: uuid.UUID, request: VoiceRequest) -> str:
    """Voice a sample line and store it under the project's previews; return its key. The same request gives the
    same key, so asking again costs nothing."""
    name = hashlib.sha256(json.dumps(asdict(request), sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]
    key = project_key(project_id, "previews", f"voice_{name}.wav")
    if not ctx.storage.exists(key):
        with work_dir(ctx) as tmp:
            path = str(Path(tmp) / "preview.wav")
            ctx.tts_backend.synthesize(request, path)
            ctx.storage.put_file(key, path, "audio/wav")
    return key


def draw_and_voice(
    ctx: JobContext, project_id: uuid.UUID, progress: Progress, *, quality: str | None = None
) -> dict[str, Any]:
    """Draw the missing or stale panels (at `quality`, else the project's) and voice the missing or stale lines side
    by side (Pillow, torch and espeak-ng all leave the GIL). In a process that may not draw (`ctx.draws_panels`: it
    would load an image model outside the image_generation workers), refuse when a panel is missing, then only
    voice."""
    if not ctx.draws_panels:
        with ctx.sessions() as s:
            missing = sum(1 for row in storyboard_or_fail(s, project_id).shots if not row.image_key)
        if missing:
            raise JobInputError(f"{missing} panel(s) are not drawn yet: draw the panels first (Storyboard → Draw "
                                "panels, or POST …/storyboard/generate-images); this worker renders only, panels are "
                                "drawn by image_generation workers.")  # fmt: skip
        return voice_dialogue(ctx, project_id, progress, stale=True)
    done = {"draw": 0.0, "voice": 0.0}
    lock = threading.Lock()

    def part(name: str) -> Progress:
        def report(fraction: float, step: str) -> None:
            with lock:
                done[name] = fraction
                overall = sum(done.values()) / len(done)
            progress(overall, step)

        return report

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="render-prep") as pool:
        drawing = pool.submit(draw_panels, ctx, project_id, part("draw"), stale=True, quality=quality)
        voicing = pool.submit(voice_dialogue, ctx, project_id, part("voice"), stale=True)
        return {**drawing.result(), **voicing.result()}
