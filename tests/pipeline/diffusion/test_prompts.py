"""The diffusion prompt assembled from a panel request: style, framing, each character's structured looks, action,
place, time and weather; within CLIP's 77 tokens by priority, never at the characters' expense."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.errors import DrawError
from pipeline.image.diffusion.prompts import (
    STYLE_WORDS,
    PromptPart,
    build_prompt,
    fit_prompt,
    prompt_parts,
    token_counter,
)
from pipeline.models import STYLES, Character
from tests.diffusion_models import require_gpu_extra
from tests.pipeline.diffusion.conftest import CAST, request, shot


def test_every_style_has_its_words() -> None:
    assert set(STYLE_WORDS) == set(STYLES)
    with pytest.raises(DrawError, match="unknown style 'pastel'; use one of anime"):
        build_prompt(request(style="pastel"))


def test_the_prompt_reads_the_request() -> None:
    text = build_prompt(request(style="noir", weather=("rain",)), lambda s: 0)
    assert text.startswith(STYLE_WORDS["noir"])
    for words in ("medium shot", "solo", "teenage girl", "short black hair", "red coat", "happy expression",
                  "classroom", "indoors", "at night", "rain"):  # fmt: skip
        assert words in text, words
    assert "Mia" not in text and "Hello there" not in text  # no names, no spoken words (no text in the picture)


def test_an_action_is_drawn_and_an_override_replaces_it() -> None:
    action = shot(characters=("Mia", "Joe"), kind="action", text="Mia throws the ball to Joe", camera="long")
    text = build_prompt(request(shot=action), lambda s: 0)
    assert "throws the ball to" in text and "two people" in text and "wide shot" in text
    assert "plaid shirt" in text and "glasses" in text
    own = build_prompt(request(shot=action, prompt_override="a kite over the sea"), lambda s: 0)
    assert own.startswith(STYLE_WORDS["anime"] + ", a kite over the sea") and "throws" not in own


def test_words_clip_cannot_read_are_left_out() -> None:
    chinese = replace(shot(), location="学校天台", time="傍晚")
    cast = {"Mia": Character("Mia", {"gender": "female"}, {"features": ["神秘的气质", "star tattoo"]})}
    text = build_prompt(replace(request(shot=chinese), characters=cast), lambda s: 0)
    assert "rooftop" in text and "at dusk" in text and "star tattoo" in text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_a_long_prompt_drops_low_priority_parts_first_and_keeps_the_characters() -> None:
    def words(text: str) -> int:
        return 2 + len(text.replace(",", " ").split())

    crowd = request(shot=shot(characters=("Mia", "Joe"), kind="action", text="they run across the wet playground"),
                    weather=("rain",))  # fmt: skip
    full = build_prompt(crowd, lambda s: 0)
    tight = fit_prompt(prompt_parts(crowd), words, limit=40)
    assert words(full) > 40 >= words(tight)
    for kept in ("teenage girl", "short black hair", "red coat", "plaid shirt", "glasses", STYLE_WORDS["anime"],
                 "run across"):  # fmt: skip
        assert kept in tight, kept
    assert "best quality" not in tight and "at night" not in tight  # quality and time of day go first


def test_characters_are_shortened_from_their_least_telling_words_only_when_nothing_else_is_left() -> None:
    parts = [PromptPart("style", 90), PromptPart("girl, black hair, red coat, scarf", 100, keep=True),
             PromptPart("boy, glasses", 100, keep=True)]  # fmt: skip
    assert fit_prompt(parts, lambda s: len(s.split(", ")), limit=5) == "girl, black hair, red coat, boy, glasses"
    assert fit_prompt(parts, lambda s: len(s.split(", ")), limit=3) == "girl, black hair, boy"


def test_the_pipeline_tokenizer_counts_clip_tokens() -> None:
    require_gpu_extra()
    from pipeline.image.diffusion.random_models import clip_tokenizer

    count = token_counter(clip_tokenizer(["anime", "girl"]))
    assert count("anime girl") == 4  # start, 2 words, end
    assert count("xyz") == 5  # an unknown word is spelt out in bytes
    long = request(shot=shot(characters=("Mia", "Joe"), kind="action", text="they run " * 30))
    assert count(build_prompt(long, count)) <= 77
    assert "short black hair" in build_prompt(long, count) or "girl" in build_prompt(long, count)


def test_the_cast_fixture_reads_as_expected() -> None:
    from pipeline.image.diffusion.prompts import character_words

    assert character_words(CAST["Mia"]).startswith("teenage girl, short black hair")
