"""The motion comic: the speaker's mouth moves with the loudness of their voice and stays closed in silence, faces
blink, the characters move apart from the background; and a panel's layers composite to the flat panel."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from pipeline.models import PanelLayers, PanelSprite, TimedShot, Timeline, VoiceClip
from pipeline.motion_comic import _without_single_frames, blink_track, comic_plates, frame_ranges, mouth_track
from pipeline.parse import parse_script
from pipeline.plan import plan_storyboard
from pipeline.presets import RenderSettings
from pipeline.render import default_output, render_video
from pipeline.tts.dsp import write_wav
from tests.media import gray_frames, pan_motion

W, H, FPS = 360, 640, 25
MOUTH = (160, 300, 200, 330)  # the mouth sprite's box on the panel


def _voice(path, *, silence: float, speech: float, rate: int = 16000) -> str:
    """Silence, then a "voice" whose loudness swells and falls twice a second."""
    t = np.arange(int(speech * rate)) / rate
    tone = 0.6 * np.sin(2 * np.pi * 220 * t) * (0.5 - 0.5 * np.cos(2 * np.pi * 2 * t))
    write_wav(str(path), np.concatenate([np.zeros(int(silence * rate)), tone]), rate)
    return str(path)


def _layers(tmp_path) -> PanelLayers:
    """A grey textured background; a foreground face (a skin disc with a closed mouth line); sprites: the mouth
    half and wide open, the eyes closed."""
    rng = np.random.default_rng(1)
    bg = tmp_path / "bg.png"
    Image.fromarray(rng.integers(60, 200, (H, W, 3), dtype=np.uint8)).save(bg)
    fg = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    d = ImageDraw.Draw(fg)
    d.ellipse([120, 200, 240, 360], fill=(250, 215, 180, 255), outline=(20, 20, 20, 255), width=3)
    d.line([170, 315, 190, 315], fill=(20, 20, 20, 255), width=3)
    fg.save(tmp_path / "fg.png")
    sprites = []
    for state, height in (("mouth_half", 8), ("mouth_open", 20)):
        sprite = Image.new("RGBA", (MOUTH[2] - MOUTH[0], MOUTH[3] - MOUTH[1]), (250, 215, 180, 255))
        ImageDraw.Draw(sprite).ellipse([8, 15 - height // 2, 32, 15 + height // 2], fill=(120, 20, 30, 255))
        sprite.save(tmp_path / f"{state}.png")
        sprites.append(PanelSprite("A", state, str(tmp_path / f"{state}.png"), MOUTH))
    eyes = Image.new("RGBA", (80, 20), (250, 215, 180, 255))
    ImageDraw.Draw(eyes).line([5, 10, 75, 10], fill=(20, 20, 20, 255), width=3)
    eyes.save(tmp_path / "eyes.png")
    sprites.append(PanelSprite("A", "eyes_closed", str(tmp_path / "eyes.png"), (140, 250, 220, 270)))
    return PanelLayers(str(bg), (str(tmp_path / "fg.png"),), tuple(sprites))


def _flat(layers: PanelLayers, path) -> str:
    image = Image.open(layers.background).convert("RGB")
    fg = Image.open(layers.foreground[0])
    image.paste(fg, (0, 0), fg)
    image.save(path)
    return str(path)


@pytest.mark.parametrize("motion", ["none", "zoom-in", "pan-right"])
def test_the_mouth_moves_with_the_voice_and_stays_closed_in_silence(tmp_path, motion) -> None:
    layers = _layers(tmp_path)
    voice = _voice(tmp_path / "line.wav", silence=1.0, speech=1.6)
    shot = TimedShot(order=1, image_path=_flat(layers, tmp_path / "flat.png"), start=0.0, duration=3.0,
                     transition="cut", subtitle="", speaker="A", voice=VoiceClip(voice, 2.6), voice_offset=0.0,
                     motion=motion, anchors={"A": (0.5, 0.4)}, layers=layers)  # fmt: skip
    timeline = Timeline(W, H, FPS, (shot,))
    output = default_output(timeline, RenderSettings(text_mode="subtitles"))
    # (a work folder whose name has a % in it: pictures are read as named, not as numbered sequences)
    comic = render_video(timeline, str(tmp_path / "comic.mp4"), str(tmp_path / "w%d1"), output=output, cues=[])
    frames = gray_frames(comic.path, "null", W, H)
    mouth = [_open_mouth(f) for f in frames]
    silent, spoken = mouth[3:20], mouth[30:70]
    assert max(silent) < 40, silent  # closed all through the silence (the edges of its line only)
    assert max(spoken) > 150 and min(spoken) < 40, spoken  # open and closed again and again while it is said
    plain = render_video(timeline, str(tmp_path / "plain.mp4"), str(tmp_path / "w2"), cues=[],
                         output=default_output(timeline, RenderSettings(motion_comic=False)))  # fmt: skip
    assert max(_open_mouth(f) for f in gray_frames(plain.path, "null", W, H)) < 40  # plain panels: never open


def _open_mouth(frame: np.ndarray) -> int:
    """Pixels of an open mouth's dark red (grey 35-90) near where the mouth is (the picture moves a little)."""
    x0, y0, x1, y1 = MOUTH
    window = frame[y0 - 14 : y1 + 14, x0 - 14 : x1 + 14]
    return int(((window > 35) & (window < 90)).sum())


def test_the_characters_move_apart_from_the_background(tmp_path) -> None:
    layers = _layers(tmp_path)
    shot = TimedShot(order=1, image_path=_flat(layers, tmp_path / "flat.png"), start=0.0, duration=3.0,
                     transition="cut", subtitle="", speaker=None, voice=None, voice_offset=0.0, motion="pan-right",
                     layers=layers)  # fmt: skip
    timeline = Timeline(W, H, FPS, (shot,))
    comic = render_video(timeline, str(tmp_path / "comic.mp4"), str(tmp_path / "w"), cues=[])
    frames = gray_frames(comic.path, "null", W, H)
    moved = _face_x(frames[-1]) - _face_x(frames[0])
    background, jitter = pan_motion(comic.path, box=(20, 400, 320, 220))  # px a frame, under the face
    assert abs(moved) > 1.2 * background * (len(frames) - 1), (moved, background)  # faster than the background
    assert jitter <= 0.3


def _face_x(frame: np.ndarray) -> float:
    """The centre of the face disc's skin (grey 216-228: the textured background never reaches it)."""
    skin = (frame[220:340] > 215) & (frame[220:340] < 229)
    return float(np.nonzero(skin)[1].mean())


def test_tracks_pick_frames_from_the_voice_and_the_name(tmp_path) -> None:
    voice = _voice(tmp_path / "v.wav", silence=0.5, speech=1.0)
    states = mouth_track(voice, fps=25, frames=50, voice_start=0.2)
    assert set(states[:16]) == {"closed"} and {"mouth_half", "mouth_open"} <= set(states[20:45])
    assert all(states[n] in (states[n - 1], states[n + 1]) for n in range(1, 49))  # no one-frame flicker
    fast = _without_single_frames(["closed", "mouth_half", "mouth_open", "mouth_half", "mouth_open", "closed"])
    assert "closed" not in fast[1:5]  # a fast run of changes while speaking holds the mouth open
    blinks = frame_ranges(blink_track("A", fps=25, frames=500, shot_start=0.0))
    assert 3 <= len(blinks) <= 9 and all(b - a + 1 == 3 for a, b in blinks)
    assert blinks == frame_ranges(blink_track("A", fps=25, frames=500, shot_start=0.0))
    assert blinks != frame_ranges(blink_track("B", fps=25, frames=500, shot_start=0.0))


def test_a_panels_layers_composite_to_the_flat_panel(samples, tmp_path) -> None:
    from pipeline.image.base import PanelRequest
    from pipeline.image.sketch import SketchImageBackend

    parsed = parse_script(samples["confession.zh.txt"])
    board = plan_storyboard(parsed)
    for shot in board.shots[:6]:
        request = PanelRequest(shot=shot, characters={c.name: c for c in parsed.characters}, width=270, height=480,
                               style="comic", seed=shot.order, layers=True)  # fmt: skip
        drawn = SketchImageBackend().draw(request, str(tmp_path / f"{shot.order}.png"))
        image = Image.open(drawn.layers["background"]).convert("RGB")
        for name, path in drawn.layers.items():
            if name != "background":
                layer = Image.open(path)
                image.paste(layer, (0, 0), layer)
        flat = np.asarray(Image.open(drawn.path).convert("RGB"), dtype=int)
        assert np.abs(np.asarray(image, dtype=int) - flat).max() == 0, shot.order


@pytest.mark.parametrize("resample", [Image.Resampling.LANCZOS, Image.Resampling.BILINEAR])  # a final's, a preview's
def test_a_sprite_is_cut_from_the_layer_fitted_with_it_to_the_pixel(tmp_path, resample) -> None:
    # A sprite is resampled from the few source pixels it reads; it must match the whole layer resampled with the
    # sprite laid on it (else its edge shows as a seam on the face), whichever filter scales the plate.
    layers = _layers(tmp_path)
    size = (W * 27 // 25 // 2 * 2, H * 27 // 25 // 2 * 2)  # a panning plate: 8 % larger than the panel
    plates = comic_plates(layers, *size, resample)
    for index, (character, state, cut, x, y) in enumerate(plates.sprites):
        face = Image.open(layers.foreground[0]).convert("RGBA")
        with Image.open(layers.sprites[index].path) as art:
            face.alpha_composite(art.convert("RGBA"), layers.sprites[index].box[:2])
        face.save(tmp_path / f"with_{state}.png")
        whole = comic_plates(PanelLayers(layers.background, (str(tmp_path / f"with_{state}.png"),), ()), *size,
                             resample).foreground.crop((x, y, x + cut.width, y + cut.height))  # fmt: skip
        ours, theirs = np.asarray(cut, dtype=int), np.asarray(whole, dtype=int)
        assert np.abs(ours - theirs).max() <= 1, (character, state, np.abs(ours - theirs).max())
