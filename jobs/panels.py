"""Drawing panels: the shots that need one (missing, stale, below the asked quality, or forced), in batches through
the image backend, each stored as the shot's new current image with all it was drawn from; character sheets as
reference pictures (drawn first when a project locks its characters by reference); with a project's scene
references on, each scene's first shot drawn before the others, whose scene reference its new panel becomes;
consistency measured after."""

from __future__ import annotations

import contextlib
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.mapping import add_reference, characters_of, shot_states, storyboard_from_row
from db.models import CharacterRow, Project, ProjectConfig, ShotImage, ShotRow, utcnow
from db.session import changed_rows, transaction
from jobs.consistency_step import consistent, keep_best, measure_storyboard, retry_seed
from jobs.context import ConsistencyCheck, JobContext
from jobs.inputs import JobInputError, Progress, storyboard_or_fail
from jobs.workdirs import work_dir
from pipeline.digests import file_digest
from pipeline.image.base import DrawnPanel, ImageBackend, PanelRequest
from pipeline.models import Character, Storyboard, StoryboardShot
from pipeline.shot_requests import (
    PANEL_DIGEST_PARAM,
    QUALITIES,
    PanelExtras,
    PanelSettings,
    SceneReference,
    character_sheet_request,
    panel_digest,
    panel_inputs_hash,
    panel_request,
    scene_openers,
    sheet_seed,
    shot_seed,
)
from storage.base import StorageError, project_key


def draw_panels(
    ctx: JobContext, project_id: uuid.UUID, progress: Progress, *, shot_ids: list[str] | None = None,
    force: bool = False, prompt_override: str | None = None, seed: int | None = None, stale: bool = False,
    quality: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Draw the panels that have none, keeping every earlier image.

    With `stale`, also redraw those whose inputs changed since they were drawn, each with its current seed (and
    preview-quality ones when final quality is asked). With `force`, redraw every selected one with `seed`, or a new
    random seed so the picture changes; `prompt_override` then becomes the shot's own prompt, so later redraws keep it.
    `quality` ("preview" or "final") overrides the project's image quality. The project's character lock applies:
    with "reference", characters in frame without a reference picture get a character sheet drawn first. With the
    project's scene references on, the scenes' first shots are drawn first, and the other shots conditioned on their
    scene's first panel (with `stale`, a redrawn first shot takes its scene's other drawn shots along). With a
    consistency model set, every shot is then measured, and shots under the threshold drawn again (a new seed each
    try, every try kept, the best current).
    """
    with ctx.sessions() as s:
        board = storyboard_or_fail(s, project_id)
        storyboard = storyboard_from_row(board)
        characters = characters_of(s, project_id)
        settings = _panel_settings(s, project_id, quality)
        states = shot_states(s, board, characters) if stale else {}
        wanted = {uuid.UUID(str(i)) for i in shot_ids} if shot_ids else None
        todo: list[tuple[uuid.UUID, StoryboardShot, int]] = []
        for row, shot in zip(board.shots, storyboard.shots, strict=True):
            if wanted is not None and row.id not in wanted:
                continue
            if force:
                todo.append((row.id, replace(shot, prompt_override=prompt_override or shot.prompt_override),
                             seed if seed is not None else secrets.randbits(32)))  # fmt: skip
            elif not row.image_key:  # a first drawing has a seed from the shot's content
                todo.append((row.id, shot, shot_seed(storyboard, shot)))
            elif stale and (state := states[row.id]).seed is not None and (
                state.image_stale or _below(row.generation_params, settings)
            ):
                todo.append((row.id, shot, state.seed))  # redrawn from its new inputs with the same seed
        openers = scene_openers(storyboard)
        if settings.scene_reference and stale and not force:  # the shots a redrawn scene reference makes stale
            reopened = {shot.scene_id for _, shot, _ in todo if openers[shot.scene_id] == shot.order}
            queued = {shot_id for shot_id, _, _ in todo}
            for row, shot in zip(board.shots, storyboard.shots, strict=True):
                if (shot.scene_id in reopened and row.id not in queued and row.image_key
                        and (wanted is None or row.id in wanted) and states[row.id].seed is not None):  # fmt: skip
                    todo.append((row.id, shot, states[row.id].seed))  # type: ignore[arg-type]  # checked above
            todo.sort(key=lambda item: item[1].order)
    measured = 0
    with work_dir(ctx) as tmp:
        references: dict[str, str] = {}
        if settings.lock == "reference" and todo:
            framed = dict.fromkeys(n for _, shot, _ in todo for n in shot.characters if n in characters)
            characters, references = _reference_pictures(ctx, project_id, storyboard.style, list(framed), tmp, progress)
        extras = PanelExtras(settings, references)
        share = 0.9 if ctx.consistency else 1.0
        first: list[tuple[uuid.UUID, StoryboardShot, int]] = []
        if settings.scene_reference:  # each scene's first shot first: its panel is the others' scene reference
            first = [item for item in todo if openers[item[1].scene_id] == item[1].order]
        tries = _draw_and_store(ctx, project_id, storyboard, characters, first, extras, tmp, force=force,
                                progress=lambda f: progress(f * share * len(first) / len(todo), "generating_images"),
                                ) if first else {}  # fmt: skip
        if settings.scene_reference:
            extras = replace(extras, scenes=_scene_references(ctx, project_id, storyboard, tmp))
        rest = [item for item in todo if item not in first]
        done = len(first) / max(1, len(todo))
        tries |= _draw_and_store(ctx, project_id, storyboard, characters, rest, extras, tmp, force=force,
                                 progress=lambda f: progress(share * (done + f * (1 - done)), "generating_images"))
        if ctx.consistency is not None and tries:
            measured = _measure(ctx, ctx.consistency, project_id, storyboard, characters, todo, extras, tmp, tries,
                                force=force, progress=progress)  # fmt: skip
    return {"drawn": len(todo), "total_shots": len(storyboard.shots),
            **({"measured": measured} if ctx.consistency is not None else {})}  # fmt: skip


def _panel_settings(session: Session, project_id: uuid.UUID, quality: str | None) -> PanelSettings:
    """The project's character lock and image quality (its config), `quality` overriding the latter."""
    config = session.scalars(select(ProjectConfig.config).where(ProjectConfig.project_id == project_id)).first()
    settings = PanelSettings.from_config(config)
    if quality is None:
        return settings
    if quality not in QUALITIES:
        raise JobInputError(f"image quality {quality!r} is unknown: use one of {', '.join(QUALITIES)}.")
    return replace(settings, quality=quality)  # type: ignore[arg-type]  # checked against the Literal's values


def _below(params: dict[str, Any], settings: PanelSettings) -> bool:
    """A panel drawn at preview quality when final is asked (panels of backends without presets never are)."""
    return settings.quality == "final" and params.get("quality") == "preview"


def _draw_and_store(
    ctx: JobContext, project_id: uuid.UUID, storyboard: Storyboard, characters: dict[str, Character],
    todo: list[tuple[uuid.UUID, StoryboardShot, int]], extras: PanelExtras, tmp: str, *, force: bool,
    progress: Callable[[float], None],
) -> dict[uuid.UUID, uuid.UUID]:  # fmt: skip
    """Draw the panels (in batches when the backend draws many at once) and store each as it comes: the shot's new
    current image, every earlier one kept. Returns the new image's id by shot id (none for shots deleted
    meanwhile)."""
    requests: list[PanelRequest] = []
    paths: list[str] = []
    for _, shot, shot_seed_ in todo:
        requests.append(replace(panel_request(storyboard, shot, characters, shot_seed_, extras=extras), layers=True))
        paths.append(str(Path(tmp) / f"shot_{shot.order:03d}_{shot_seed_}_{len(paths)}.png"))
    stored_ids: dict[uuid.UUID, uuid.UUID] = {}
    for i, ((shot_id, shot, _), drawn) in enumerate(zip(todo, _draw_all(ctx.image_backend, requests, paths),
                                                        strict=True)):  # fmt: skip
        scene = extras.scene_reference(storyboard, shot)
        inputs_hash = panel_inputs_hash(storyboard, shot, characters, scene.digest if scene else None)
        image_id = _store_panel(ctx, project_id, shot_id, shot, drawn, inputs_hash, force=force)
        if image_id is not None:
            stored_ids[shot_id] = image_id
        progress((i + 1) / max(1, len(todo)))
    return stored_ids


def _draw_all(backend: ImageBackend, requests: list[PanelRequest], paths: list[str]) -> Iterator[DrawnPanel]:
    """The panels in order: through the backend's `draw_many` (batches, one loaded model) when it has one."""
    draw_many = getattr(backend, "draw_many", None)
    if draw_many is not None:
        yield from draw_many(requests, paths)
        return
    for request, path in zip(requests, paths, strict=True):
        yield backend.draw(request, path)


def _store_panel(ctx: JobContext, project_id: uuid.UUID, shot_id: uuid.UUID, shot: StoryboardShot, drawn: DrawnPanel,
                 inputs_hash: str, *, force: bool) -> uuid.UUID | None:  # fmt: skip
    """Store a drawn panel (and its layers) as the shot's current image, with everything it was drawn from."""
    key = project_key(project_id, "images", f"shot_{shot.order:03d}_{uuid.uuid4().hex[:8]}.png")
    ctx.storage.put_file(key, drawn.path, "image/png")
    params = {**drawn.params, "seed": drawn.seed, "width": drawn.width, "height": drawn.height,
              PANEL_DIGEST_PARAM: file_digest(drawn.path), **_store_layers(ctx, key, drawn)}  # fmt: skip
    if drawn.params.get("width") not in (None, drawn.width) or drawn.params.get("height") not in (None, drawn.height):
        # the model drew at its own size, resized to the panel's: both are needed to draw it again
        params.update(generated_width=drawn.params["width"], generated_height=drawn.params["height"])
    stored = [key, *params.get("layers", {}).values(), *(sp["key"] for sp in params.get("sprites", []))]
    with transaction(ctx.sessions) as s:
        # The shot's row lock first: two jobs drawing one shot store one after the other, one current image.
        held = changed_rows(s, update(ShotRow).where(ShotRow.id == shot_id).values(updated_at=utcnow()))
        target = s.get(ShotRow, shot_id, populate_existing=True) if held else None
        if target is None:  # the shot was deleted or the storyboard replaced meanwhile
            for stray in stored:
                ctx.storage.delete(stray)
            return None
        for old in target.images:
            old.is_current = False
        image = ShotImage(shot_id=shot_id, image_key=key, seed=drawn.seed, prompt=drawn.prompt, params=params,
                          inputs_hash=inputs_hash)  # fmt: skip
        s.add(image)
        target.image_key, target.status, target.generation_params = key, "completed", params
        if force:
            target.prompt_override = shot.prompt_override
        s.flush()
        return image.id


def _measure(
    ctx: JobContext, check: ConsistencyCheck, project_id: uuid.UUID, storyboard: Storyboard,
    characters: dict[str, Character], todo: list[tuple[uuid.UUID, StoryboardShot, int]], extras: PanelExtras,
    tmp: str, tries: dict[uuid.UUID, uuid.UUID], *, force: bool, progress: Progress,
) -> int:  # fmt: skip
    """Measure the storyboard; draw the just-drawn shots that fall under the threshold again (up to `check.retries`
    times, a new seed each), then keep each one's best try current and measure again. Returns the shots measured."""
    progress(0.9, "measuring_consistency")
    scores = measure_storyboard(ctx, check, project_id)
    kept: dict[uuid.UUID, list[uuid.UUID]] = {shot_id: [image_id] for shot_id, image_id in tries.items()}
    for attempt in range(1, check.retries + 1):
        failing = [(shot_id, shot, retry_seed(seed_, attempt)) for shot_id, shot, seed_ in todo
                   if shot_id in kept and shot_id in scores and not consistent(scores[shot_id], check)]  # fmt: skip
        if not failing:
            break
        progress(0.9, f"measuring_consistency:retry {attempt}")
        again = _draw_and_store(ctx, project_id, storyboard, characters, failing, extras, tmp, force=force,
                                progress=lambda f: None)  # fmt: skip
        for shot_id, image_id in again.items():
            kept[shot_id].append(image_id)
        scores = measure_storyboard(ctx, check, project_id)
    if any(len(ids) > 1 for ids in kept.values()) and keep_best(ctx, check, kept):
        scores = measure_storyboard(ctx, check, project_id)  # the scores of the panels now current
    progress(1.0, "measuring_consistency")
    return len(scores)


def _scene_references(ctx: JobContext, project_id: uuid.UUID, storyboard: Storyboard,
                      tmp: str) -> dict[int, SceneReference]:  # fmt: skip
    """Each scene's reference picture by scene id: the current panel of its first shot (read now, after any redraw),
    downloaded into `tmp`; scenes whose first shot has no panel have none."""
    openers = scene_openers(storyboard)
    with ctx.sessions() as s:
        board = storyboard_or_fail(s, project_id)
        firsts = {row.id: shot.scene_id for row, shot in zip(board.shots, storyboard_from_row(board).shots,
                                                             strict=True) if openers.get(shot.scene_id) == shot.order}
        rows = s.execute(select(ShotImage.shot_id, ShotImage.image_key, ShotImage.params).where(
            ShotImage.shot_id.in_(list(firsts)), ShotImage.is_current.is_(True))).all()  # fmt: skip
    folder = Path(tmp) / "scenes"
    folder.mkdir(exist_ok=True)
    scenes = {}
    for shot_id, key, params in rows:
        path = ctx.storage.download(key, str(folder / f"scene_{firsts[shot_id]}_{uuid.uuid4().hex[:8]}.png"))
        scenes[firsts[shot_id]] = SceneReference(path, panel_digest(key, params))
    return scenes


def _store_layers(ctx: JobContext, key: str, drawn: DrawnPanel) -> dict[str, Any]:
    """A panel's layers and talking sprites (for the motion comic) stored beside it: their keys for its params."""
    if not drawn.layers:
        return {}
    stem = key.removesuffix(".png")
    layers = {}
    for n, (name, path) in enumerate(drawn.layers.items()):
        layers[name] = f"{stem}.layer{n}.png"
        ctx.storage.put_file(layers[name], path, "image/png")
    sprites = []
    for n, sprite in enumerate(drawn.sprites):
        sprite_key = f"{stem}.sprite{n}.png"
        ctx.storage.put_file(sprite_key, sprite["path"], "image/png")
        sprites.append({"character": sprite["character"], "state": sprite["state"], "key": sprite_key,
                        "box": sprite["box"]})  # fmt: skip
    return {"layers": layers, "sprites": sprites}


def draw_reference_image(
    ctx: JobContext, project_id: uuid.UUID, character_id: str, progress: Progress
) -> dict[str, Any]:
    """Draw a character sheet (a medium shot with only that character, no text) and make it the character's
    reference picture; the one it replaces is deleted."""
    with ctx.sessions() as s:
        row = s.get(CharacterRow, uuid.UUID(str(character_id)))
        project = s.get(Project, project_id)
        if row is None or project is None or row.project_id != project_id:
            raise JobInputError(f"character {character_id} does not exist in this project.")
        characters = characters_of(s, project_id)
        request = character_sheet_request(characters[row.name], characters, project.style, secrets.randbits(32))
    progress(0.1, "generating_reference_image")
    with work_dir(ctx) as tmp:
        key, params = _draw_sheet(ctx, project_id, uuid.UUID(str(character_id)), request, tmp)
    _set_reference(ctx, project_id, uuid.UUID(str(character_id)), key, params, keep_existing=False)
    progress(1.0, "generating_reference_image")
    return {"character_id": str(character_id), "reference_image_key": key}


def _reference_pictures(
    ctx: JobContext, project_id: uuid.UUID, style: str, names: list[str], tmp: str, progress: Progress
) -> tuple[dict[str, Character], dict[str, str]]:
    """The cast, and each named character's reference picture downloaded into `tmp` (for lock="reference"). A
    character without one first gets a character sheet drawn, with a seed from what it looks like, and kept as its
    reference (one uploaded or drawn meanwhile wins)."""
    with ctx.sessions() as s:
        characters = characters_of(s, project_id)
        rows = s.execute(select(CharacterRow.name, CharacterRow.id).where(CharacterRow.project_id == project_id,
                                                                         CharacterRow.name.in_(names)))  # fmt: skip
        ids = {name: character_id for name, character_id in rows}
    missing = [n for n in names if n in ids and characters[n].reference_image is None]
    for i, name in enumerate(missing):
        progress(0.0, f"generating_reference_image:{i + 1}/{len(missing)}")
        sheet = character_sheet_request(characters[name], characters, style, sheet_seed(characters[name], style))
        _set_reference(ctx, project_id, ids[name], *_draw_sheet(ctx, project_id, ids[name], sheet, tmp),
                       keep_existing=True)
    if missing:
        with ctx.sessions() as s:
            characters = characters_of(s, project_id)
    folder = Path(tmp) / "references"
    folder.mkdir(exist_ok=True)
    references = {}
    for n, name in enumerate(names):
        key = characters[name].reference_image if name in characters else None
        if key:
            references[name] = ctx.storage.download(key, str(folder / f"{n}{Path(key).suffix or '.png'}"))
    return characters, references


def _draw_sheet(ctx: JobContext, project_id: uuid.UUID, character_id: uuid.UUID, request: PanelRequest,
                tmp: str) -> tuple[str, dict[str, Any]]:  # fmt: skip
    """Draw a character sheet and store it; returns its key and what it was drawn from (the panel's parameters)."""
    path = str(Path(tmp) / f"sheet_{uuid.uuid4().hex[:8]}.png")
    drawn = ctx.image_backend.draw(request, path)
    key = project_key(project_id, "references", f"char_{str(character_id)[:8]}_{uuid.uuid4().hex[:8]}.png")
    ctx.storage.put_file(key, path, "image/png")
    params = {**drawn.params, "source": "drawn", "seed": drawn.seed, "prompt": drawn.prompt,
              "created_at": utcnow().isoformat()}  # fmt: skip
    return key, params


def _set_reference(ctx: JobContext, project_id: uuid.UUID, character_id: uuid.UUID, key: str, params: dict[str, Any],
                   *, keep_existing: bool) -> None:  # fmt: skip
    """Make `key` the character's reference picture, the earlier ones kept as its versions; with `keep_existing`, a
    character that has one meanwhile keeps it (and `key` is deleted)."""
    with transaction(ctx.sessions) as s:
        # the project's write lock first (as db.queries.lock_project): one change to a character's pictures at a time
        s.execute(update(Project).where(Project.id == project_id).values(updated_at=utcnow()))
        row = s.get(CharacterRow, character_id)
        if row is None or row.project_id != project_id:  # deleted meanwhile
            ctx.storage.delete(key)
            raise JobInputError(f"character {character_id} was deleted while its picture was drawn.")
        dropped = [key] if keep_existing and row.reference_images else add_reference(row, key, params)
    for old in dropped:
        with contextlib.suppress(StorageError):  # the character is done; a stray file is only disk space
            ctx.storage.delete(str(old))


