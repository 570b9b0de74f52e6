"""What a project bundle holds: its documents (checked on import, field by field) and its files, and how a zip from
outside is read without trusting it: member names, sizes, counts, compression, and each file's real type."""

from __future__ import annotations

import base64
import binascii
import io
import json
import uuid
import wave
import zipfile
import zlib
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from PIL import Image, UnidentifiedImageError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.errors import VoiceError
from pipeline.models import AspectRatio, ParsedScript, StoryboardShot, Style
from pipeline.parse import MAX_SCRIPT_CHARS, Format
from pipeline.tts.base import check_voice
from studio.edit_checks import MAX_CHARACTER_NAME
from studio.errors import InvalidParams
from studio.projects import MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS

FORMAT_NAME = "comicreel-bundle"
FORMAT_VERSION = 2  # 2: characters' reference_params
READABLE_VERSIONS = (1, 2)  # 1 reads as 2 without what it lacks
MANIFEST = "manifest.json"
DOCUMENT = "project.json"
MAX_MEMBERS = 20_000
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
MAX_IMAGE_SIDE = 8192
# Where each kind of file lives in the zip, and the formats it may be in (Pillow's names; MPO is a camera JPEG).
FOLDERS = {"panel": "panels", "voice": "voices", "reference": "references"}
IMAGE_TYPES = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "MPO": ("jpg", "image/jpeg"),
               "WEBP": ("webp", "image/webp")}  # fmt: skip
ACCEPTED = {"panel": ("PNG", "JPEG", "MPO"), "reference": ("PNG", "JPEG", "MPO", "WEBP")}
ACCEPTED_NAMES = {"panel": "PNG or JPEG", "reference": "PNG, JPEG or WebP"}

FileKind = Literal["panel", "voice", "reference"]
Long = Annotated[str, Field(max_length=MAX_SCRIPT_CHARS)]
Member = Annotated[str, Field(min_length=1, max_length=300)]
Name = Annotated[str, Field(max_length=MAX_CHARACTER_NAME)]
Hash = Annotated[str, Field(max_length=64)]


def _utc(value: datetime) -> datetime:
    """Times are UTC (the app writes them so); SQLite gives them back without their zone."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


Stamp = Annotated[datetime, AfterValidator(_utc)]


def refuse(message: str) -> InvalidParams:
    return InvalidParams(f"{message}. Import a .zip that ComicReel's export made.", field="bundle")


# -- the documents -----------------------------------------------------------------------------------------------


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Manifest(Doc):
    format: str
    version: int
    app_version: str = Field(max_length=50)
    created_at: Stamp
    counts: dict[str, int]


class AudioDoc(Doc):
    bgm_id: uuid.UUID | None = None
    bgm_volume: float
    bgm_start_time: float
    fade_in: float
    fade_out: float
    settings: dict[str, Any]


class ProjectDoc(Doc):
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION_CHARS)
    style: Style
    aspect_ratio: AspectRatio
    target_duration: int | None = Field(None, ge=5, le=3600)
    config: dict[str, Any] | None = None  # the project's settings row, when it has one
    audio: AudioDoc | None = None


class ScriptVersionDoc(Doc):
    version: int = Field(ge=1)
    content: Long
    format: Format
    created_at: Stamp
    word_count: int = Field(0, ge=0)  # absent from bundles written before versions kept their counts
    estimated_duration: float = Field(0.0, ge=0, le=1e6)
    source: Literal["creator", "llm"] = "creator"


class ScriptDoc(Doc):
    content: Long
    format: Format
    word_count: int = Field(ge=0)
    estimated_duration: float = Field(0.0, ge=0, le=1e6)
    version: int = Field(ge=1)
    versions: list[ScriptVersionDoc]


class ParseDoc(Doc):
    id: str = Field(max_length=64, description="The parse's id in the bundle (the storyboard names its parse by it).")
    script_version: int
    scenes: list[Any]
    characters: list[Any]
    metadata: dict[str, Any]  # title, language, format, counts and the parser's warnings
    parsed_at: Stamp


class CharacterDoc(Doc):
    name: Name = Field(min_length=1)
    description: Long | None = None
    attributes: dict[str, str]
    appearance: dict[str, str | list[str]]
    voice: dict[str, Any]
    voice_id: str | None = Field(None, max_length=100)
    reference_images: list[Member] = Field(max_length=20, description="Files, the last one current.")
    reference_params: list[dict[str, Any]] = Field(default_factory=list, max_length=20, description="What each "
                                                   "reference picture was made from, in the same order.")  # fmt: skip
    embedding_data: str | None = Field(None, max_length=16 * 1024 * 1024, description="base64")
    created_at: Stamp  # the cast's order (it picks default colours)


class ImageDoc(Doc):
    file: Member
    seed: int = Field(ge=0, le=2**63 - 1)
    prompt: Long
    params: dict[str, Any]
    is_current: bool
    created_at: Stamp
    inputs_hash: Hash | None = None
    up_to_date: bool = Field(description="Drawn from the shot's inputs as exported: the import keeps it current.")


class VoiceDoc(Doc):
    file: Member
    duration: float | None = Field(None, ge=0)
    inputs_hash: Hash | None = None
    up_to_date: bool


class EffectDoc(Doc):
    """A library sound effect added to a shot, by its library file (row ids differ between machines)."""

    library: str = Field(pattern=r"^library:[\w./-]+$", max_length=200)
    volume: float = Field(1.0, ge=0, le=4)
    offset: float = Field(0.0, ge=0, le=3600)


class ShotDoc(Doc):
    planned: StoryboardShot = Field(description="The shot as planned and edited (pipeline.models.StoryboardShot): "
                                                "order, kind, camera, text, prompts, transition, duration...")  # fmt: skip
    generation_params: dict[str, Any]
    status: str = Field(max_length=20)
    panel: Member | None = Field(description="The current panel's file.")
    voice: VoiceDoc | None
    images: list[ImageDoc] = Field(description="Every panel drawn for the shot, oldest first.")
    effects: list[EffectDoc] = Field(default_factory=list, description="Library effects the creator added.")

    @field_validator("planned")
    @classmethod
    def _fits_the_columns(cls, shot: StoryboardShot) -> StoryboardShot:
        limits = {"location": 255, "time": 100, "speaker": MAX_CHARACTER_NAME, "emotion": 50,
                  "text": MAX_SCRIPT_CHARS, "scene_description": MAX_SCRIPT_CHARS, "prompt": MAX_SCRIPT_CHARS,
                  "prompt_override": MAX_SCRIPT_CHARS}  # fmt: skip
        for name, limit in limits.items():
            if len(getattr(shot, name) or "") > limit:
                raise ValueError(f"{name} is longer than {limit} characters")
        if any(len(n) > MAX_CHARACTER_NAME for n in shot.characters) or not 0 < shot.duration <= 3600:
            raise ValueError("characters must be names of at most 100 characters, duration 0-3600 seconds")
        return shot


class StoryboardDoc(Doc):
    aspect_ratio: AspectRatio
    style: Style
    language: Literal["zh", "en"]
    options: dict[str, Any]
    parse_id: str | None = Field(None, max_length=64)
    shots: list[ShotDoc]


class SubtitleDoc(Doc):
    """A subtitle the creator edited or added (the ones a render makes are made again)."""

    text: str = Field(min_length=1, max_length=2000)
    start_time: float = Field(ge=0, le=36000)
    end_time: float = Field(gt=0, le=36000)
    origin: Literal["edited", "manual"]
    shot_order: int | None = Field(None, ge=1, description="The storyboard shot it belongs to, by order.")
    shot_start: float | None = None


class BundleDoc(Doc):
    project: ProjectDoc
    script: ScriptDoc | None
    parses: list[ParseDoc]
    characters: list[CharacterDoc]
    storyboard: StoryboardDoc | None
    subtitles: list[SubtitleDoc] = Field(default_factory=list)

    def files(self) -> dict[str, FileKind]:
        """Every file the documents name, with what it must be."""
        named: list[tuple[str, FileKind]] = [(m, "reference") for c in self.characters for m in c.reference_images]
        for shot in self.storyboard.shots if self.storyboard else ():
            named += [(i.file, "panel") for i in shot.images] + ([(shot.panel, "panel")] if shot.panel else [])
            named += [(shot.voice.file, "voice")] if shot.voice else []
        kinds: dict[str, FileKind] = {}
        for member, kind in named:
            if kinds.setdefault(member, kind) != kind:
                raise refuse(f"{member} is named both as a {kinds[member]} and as a {kind}")
        return kinds

    def counts(self) -> dict[str, int]:
        shots = self.storyboard.shots if self.storyboard else []
        kinds: list[str] = list(self.files().values())
        return {"script_versions": len(self.script.versions) if self.script else 0, "parses": len(self.parses),
                "characters": len(self.characters), "shots": len(shots),
                "panel_versions": sum(len(s.images) for s in shots),
                **{f"{kind}_files": kinds.count(kind) for kind in FOLDERS}}  # fmt: skip


# -- reading a zip from outside ------------------------------------------------------------------------------------


def checked_members(archive: zipfile.ZipFile, max_bytes: int) -> dict[str, zipfile.ZipInfo]:
    """The zip's files by name, once every member passed: a safe relative name, stored or deflated, not encrypted,
    and all of them together at most MAX_MEMBERS files and `max_bytes` unpacked (what a zip bomb breaks)."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise refuse(f"the zip holds {len(infos)} files; a bundle holds at most {MAX_MEMBERS}")
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        raise refuse(f"the zip unpacks to {total} bytes; at most {max_bytes} are accepted "
                     "(COMICREEL_MAX_IMPORT_BYTES)")  # fmt: skip
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts or "\x00" in name:
            raise refuse(f"the zip member {name[:200]!r} points outside the bundle (an absolute path or '..')")
        if info.flag_bits & 0x1:
            raise refuse(f"the zip member {name[:200]!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refuse(f"the zip member {name[:200]!r} uses compression method {info.compress_type}; "
                         "bundles use stored or deflated members")  # fmt: skip
        if name in members:
            raise refuse(f"the zip holds {name[:200]!r} twice")
        if not info.is_dir():
            members[name] = info
    return members


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes, never more than its declared size (zipfile checks the size and the CRC as it reads)."""
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise refuse(f"the zip member {info.filename!r} cannot be read ({exc})") from None
    if len(data) != info.file_size:
        raise refuse(f"the zip member {info.filename!r} is not the size the zip declares")
    return data


def read_json(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str) -> Any:
    info = members.get(name)
    if info is None:
        raise refuse(f"the zip has no {name}")
    if info.file_size > MAX_DOCUMENT_BYTES:
        raise refuse(f"{name} is {info.file_size} bytes; at most {MAX_DOCUMENT_BYTES} are accepted")
    try:
        return json.loads(read_member(archive, info).decode("utf-8"))
    except UnicodeDecodeError:
        raise refuse(f"{name} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise refuse(f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise refuse(f"{name} is nested too deeply") from None


def validated(model: type[Doc], value: Any, name: str) -> Any:
    """`value` as `model`, or the first thing wrong with it, named by where it is."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the document"
        raise refuse(f"{name}: {where}: {first['msg']}") from None


def checked_file(data: bytes, kind: FileKind, member: str) -> tuple[str, str]:
    """(extension, content type) of a file that really is what the bundle says: panels PNG or JPEG, references also
    WebP, voices WAV with sound in them; each decoded in full, so a truncated file is refused too."""
    if kind == "voice":
        try:
            with wave.open(io.BytesIO(data), "rb") as clip:
                frames, width, channels = clip.getnframes(), clip.getsampwidth(), clip.getnchannels()
                whole = len(clip.readframes(frames)) == frames * width * channels  # not truncated
                ok = frames > 0 and clip.getframerate() > 0 and whole
        except (wave.Error, EOFError, ValueError):
            ok = False
        if not ok:
            raise refuse(f"{member} is not a WAV voice clip")
        return "wav", "audio/wav"
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, (width, height) = image.format or "", image.size
            if fmt in ACCEPTED[kind] and max(width, height) <= MAX_IMAGE_SIDE:
                image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        fmt = ""
    if fmt not in ACCEPTED[kind]:
        raise refuse(f"{member} is not a {ACCEPTED_NAMES[kind]} picture")
    if max(width, height) > MAX_IMAGE_SIDE:
        raise refuse(f"{member} is {width}x{height}; pictures are at most {MAX_IMAGE_SIDE} px a side")
    return IMAGE_TYPES[fmt]


def read_bundle(archive: zipfile.ZipFile, max_bytes: int) -> tuple[dict[str, zipfile.ZipInfo], BundleDoc]:
    """The zip's members and its document, once the manifest, the document and what they say of each other passed
    (the files' contents are checked as they are read: `checked_file`)."""
    members = checked_members(archive, max_bytes)
    manifest = read_json(archive, members, MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise refuse(f"{MANIFEST} does not say format {FORMAT_NAME!r}: this is not a ComicReel project bundle")
    if manifest.get("version") not in READABLE_VERSIONS:
        raise refuse(f"the bundle is format version {str(manifest.get('version'))[:20]}; this ComicReel reads versions "
                     f"{', '.join(map(str, READABLE_VERSIONS))} (export it again from a ComicReel of the same "
                     "version)")  # fmt: skip
    counts = validated(Manifest, manifest, MANIFEST).counts
    doc: BundleDoc = validated(BundleDoc, read_json(archive, members, DOCUMENT), DOCUMENT)
    missing = sorted(set(doc.files()) - set(members))
    if missing:
        raise refuse(f"{DOCUMENT} names {missing[0]!r}, which is not in the zip")
    if counts != doc.counts():
        raise refuse(f"{MANIFEST} counts {counts} but the bundle holds {doc.counts()}: the bundle is incomplete")
    _check_references(doc)
    return members, doc


def _check_references(doc: BundleDoc) -> None:
    """What the documents say of each other: unique names, versions and orders, and parses that exist."""
    names = [c.name for c in doc.characters]
    if len(set(names)) != len(names):
        raise refuse(f"{DOCUMENT}: characters: two characters share a name")
    versions = [v.version for v in doc.script.versions] if doc.script else []
    if len(set(versions)) != len(versions):
        raise refuse(f"{DOCUMENT}: script.versions: a version number appears twice")
    parse_ids = [p.id for p in doc.parses]
    if len(set(parse_ids)) != len(parse_ids):
        raise refuse(f"{DOCUMENT}: parses: two parses share an id")
    for i, parse in enumerate(doc.parses):
        try:
            ParsedScript.from_dict({"scenes": parse.scenes, "characters": parse.characters, **parse.metadata})
        except (KeyError, TypeError, ValueError, AttributeError):
            raise refuse(f"{DOCUMENT}: parses.{i}: not a parsed script (scenes with shots, characters with names)"
                         ) from None  # fmt: skip
    for i, character in enumerate(doc.characters):
        try:
            check_voice(character.voice)
            if character.embedding_data is not None:
                base64.b64decode(character.embedding_data, validate=True)
        except VoiceError as exc:
            raise refuse(f"{DOCUMENT}: characters.{i}: {exc}") from None
        except (binascii.Error, ValueError):
            raise refuse(f"{DOCUMENT}: characters.{i}.embedding_data: not base64") from None
    board = doc.storyboard
    if board is None:
        return
    if board.parse_id is not None and board.parse_id not in parse_ids:
        raise refuse(f"{DOCUMENT}: storyboard.parse_id {board.parse_id!r} is none of the bundle's parses")
    if sorted(s.planned.order for s in board.shots) != list(range(1, len(board.shots) + 1)):
        raise refuse(f"{DOCUMENT}: storyboard.shots: the orders must be 1 to {len(board.shots)}, each once")
    for shot in board.shots:
        if sum(i.is_current for i in shot.images) > 1:
            raise refuse(f"{DOCUMENT}: storyboard.shots: shot {shot.planned.order} has more than one current panel")
