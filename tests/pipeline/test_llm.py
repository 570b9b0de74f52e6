"""Language-model backends and prose to script: a fake OpenAI-compatible server on loopback, and a tiny random
causal LM built from a config here (its replies are noise, so the rule-based fallback runs)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from pipeline.llm import LLMConfig, LLMError, ScriptDoc, enrich_shots, make_chat_model, prose_to_script, script_text
from pipeline.llm.local import LocalCausalLM
from pipeline.llm.openai_compat import OpenAICompatChat
from pipeline.llm.prose import CAMERA_LINE_WORDS, invented_dialogue
from pipeline.models import CAMERAS
from pipeline.parse import parse_script
from pipeline.script_builder import camera_from_words
from tests.conftest import free_port
from tests.fake_llm import FakeServer

ZH_STORY = """放学后的街道上,路灯一盏一盏亮了起来。小明和小红并肩走着。
小明忽然停下脚步,紧张地说:“那个……我有话想对你说。”
小红歪着头看他:“嗯?怎么了,突然这么认真。”
小明红着脸:“其实,从开学第一天起,我就一直想和你一起回家。”"""

EN_STORY = """The storm had not let up for three days. Mara climbed the stairs of the lighthouse, lamp in hand.
"Is anyone out there?" she called into the dark.
A voice answered from the rocks below. "Help! The boat is gone!"
Mara set her jaw. "Hold on. I'm coming down.\""""


def _line(kind: str, text: str, character: str | None = None, emotion: str | None = None,
          camera: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {"kind": kind, "character": character, "emotion": emotion, "text": text, "camera": camera}


ZH_DOC = {
    "title": "放学路上", "language": "zh",
    "characters": [{"name": "小明", "description": "男, 高中生, 黑色短发"}, {"name": "小红", "description": "女, 高中生"},
                   {"name": "旁白", "description": "narrator"}],  # dropped: not a character
    "scenes": [{"location": "城市街道", "time": "傍晚", "lines": [
        _line("narration", "放学后的街道上,路灯一盏一盏亮了起来。", "旁白"),  # a narrator named: ignored
        _line("action", "小明停下脚步"),
        _line("dialogue", "那个……我有话想对你说。", "小明", "紧张"),
        _line("dialogue", "嗯?怎么了,突然这么认真。", "小红", "疑惑"),
        _line("dialogue", "其实,从开学第一天起,我就一直想和你一起回家。", "小明", "害羞"),
    ]}],
}  # fmt: skip
EN_DOC = {
    "title": "The Lighthouse", "language": "en",
    "characters": [{"name": "Mara", "description": "woman, 30s, keeper's coat"}, {"name": "Tom", "description": "man"}],
    "scenes": [{"location": "Lighthouse stairs", "time": "night", "lines": [
        _line("narration", "The storm had not let up for three days."),
        _line("dialogue", "Is anyone out there?", "Mara", "worried"),
        _line("dialogue", "Help! The boat is gone!", "Tom", "panicked"),
        _line("action", "Mara sets her jaw."),
        _line("dialogue", "Hold on. I'm coming down.", "Mara", "determined"),
    ]}],
}  # fmt: skip


@pytest.fixture
def server(llm_server: FakeServer) -> FakeServer:
    return llm_server


def _chat(server: FakeServer) -> OpenAICompatChat:
    model = make_chat_model(LLMConfig(backend="openai", base_url=server.url, model="story-7b", api_key="sk-test",
                                      timeout=10))  # fmt: skip
    assert isinstance(model, OpenAICompatChat)
    return model


# -- prose to script through the server ----------------------------------------------------------------------


@pytest.mark.parametrize(("story", "doc", "language"), [(ZH_STORY, ZH_DOC, "zh"), (EN_STORY, EN_DOC, "en")])
def test_prose_becomes_a_script_the_parser_reads_with_the_authors_dialogue(
    server: FakeServer, story: str, doc: dict[str, Any], language: str
) -> None:
    fenced = "```json\n" + json.dumps(doc, ensure_ascii=False) + "\n```"
    server.replies = ["<think>The story {has} quotes.</think>\n" + fenced]  # a reasoning model's reply
    result = prose_to_script(story, _chat(server), language=language)
    assert result.warnings == [] and result.attempts == 1 and result.script is not None

    parsed = parse_script(result.script)
    dialogue = [shot for scene in parsed.scenes for shot in scene.shots if shot.type == "dialogue"]
    assert [(s.character, s.text) for s in dialogue] == [
        (line["character"], line["text"]) for line in doc["scenes"][0]["lines"] if line["kind"] == "dialogue"]
    assert all(shot.text in story for shot in dialogue)
    assert [shot.type for shot in parsed.scenes[0].shots] == [line["kind"] for line in doc["scenes"][0]["lines"]]
    assert parsed.title == doc["title"] and parsed.scenes[0].location == doc["scenes"][0]["location"]
    assert {c.name for c in parsed.characters} == {c["name"] for c in doc["characters"]} - {"旁白"}

    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    assert request["body"]["model"] == "story-7b"
    assert request["body"]["response_format"] == {"type": "json_object"}
    assert story.strip() in request["body"]["messages"][-1]["content"]


def test_a_reply_that_is_not_json_is_retried_with_the_problem_fed_back(server: FakeServer) -> None:
    server.replies = ["Sure! Here is the script: the students walk home.", json.dumps(ZH_DOC, ensure_ascii=False)]
    result = prose_to_script(ZH_STORY, _chat(server), language="zh")
    assert result.attempts == 2 and result.warnings == [] and result.script is not None
    feedback = server.requests[1]["body"]["messages"]
    assert feedback[-2] == {"role": "assistant", "content": "Sure! Here is the script: the students walk home."}
    assert "no JSON" in feedback[-1]["content"]


def test_rewritten_dialogue_is_rejected_every_time_and_the_rules_take_over(server: FakeServer) -> None:
    paraphrased = json.loads(json.dumps(ZH_DOC))
    paraphrased["scenes"][0]["lines"][2]["text"] = "我想跟你说件事。"  # polished, not the author's words
    server.replies = [json.dumps(paraphrased, ensure_ascii=False)]
    result = prose_to_script(ZH_STORY, _chat(server), language="zh", retries=2)
    assert result.script is None and result.doc is None
    assert result.attempts == 3 and len(server.requests) == 3
    assert len(result.warnings) == 1 and "after 3 tries" in result.warnings[0]
    assert "rule-based parser" in result.warnings[0] and "我想跟你说件事" in result.warnings[0]
    assert "word for word" in server.requests[1]["body"]["messages"][-1]["content"]


def test_a_schema_error_is_retried(server: FakeServer) -> None:
    broken = json.loads(json.dumps(EN_DOC))
    broken["scenes"][0]["lines"][1]["character"] = None  # a dialogue line with no speaker
    server.replies = [json.dumps(broken), json.dumps(EN_DOC)]
    result = prose_to_script(EN_STORY, _chat(server), language="en")
    assert result.attempts == 2 and result.script is not None
    assert "speaker" in server.requests[1]["body"]["messages"][-1]["content"]


def test_a_server_error_or_a_dead_server_becomes_a_warning(server: FakeServer) -> None:
    server.replies = [(500, {"error": {"message": "CUDA out of memory"}})]
    result = prose_to_script(EN_STORY, _chat(server), language="en")
    assert result.script is None and result.attempts == 1 and len(server.requests) == 1
    assert f"{server.url}/chat/completions" in result.warnings[0] and "HTTP 500" in result.warnings[0]

    dead = f"http://127.0.0.1:{free_port()}/v1"
    chat = make_chat_model(LLMConfig(backend="openai", base_url=dead, model="m", timeout=5))
    assert chat is not None
    result = prose_to_script(EN_STORY, chat, language="en")
    assert result.script is None and result.attempts == 1
    assert f"{dead}/chat/completions" in result.warnings[0] and "rule-based parser" in result.warnings[0]
    with pytest.raises(LLMError, match="could not be reached"):
        chat.complete([{"role": "user", "content": "hi"}])


def test_a_server_that_refuses_json_mode_is_asked_again_without_it(server: FakeServer) -> None:
    server.replies = [(400, {"error": "'response_format.type' must be 'json_schema'"}), '{"descriptions": ["a"]}']
    assert _chat(server).complete([{"role": "user", "content": "hi"}]) == '{"descriptions": ["a"]}'
    assert "response_format" in server.requests[0]["body"] and "response_format" not in server.requests[1]["body"]


def test_no_key_sends_no_authorization(server: FakeServer) -> None:
    server.replies = ["{}"]
    OpenAICompatChat(server.url, "m").complete([{"role": "user", "content": "hi"}], json_mode=False)
    assert "Authorization" not in server.requests[0]["headers"]
    assert "response_format" not in server.requests[0]["body"]


# -- the verbatim check and the seed text --------------------------------------------------------------------


def _doc(lines: list[dict[str, Any]], language: str = "en") -> ScriptDoc:
    return ScriptDoc.model_validate({"language": language, "scenes": [{"location": "x", "lines": lines}]})


def test_dialogue_must_be_the_authors_words() -> None:
    story = '“I know,” she said, “but not now.”\nHe shrugged. "Fine,\n  then."'
    kept = _doc([_line("dialogue", "I know,", "Ann"), _line("dialogue", "I know, but not now.", "Ann"),
                 _line("dialogue", "“but not now.”", "Ann"), _line("dialogue", "Fine, then.", "Bo")])  # fmt: skip
    assert invented_dialogue(kept, story) == []
    assert kept.scenes[0].lines[2].text == "but not now."  # the quotation marks are not part of the line
    invented = _doc([_line("dialogue", "I know, but not today.", "Ann"), _line("narration", "Words not in it.")])
    assert invented_dialogue(invented, story) == ["I know, but not today."]


def test_script_text_writes_cameras_spaced_names_and_one_line_texts() -> None:
    doc = ScriptDoc.model_validate({
        "title": "Night", "language": "en",
        "characters": [{"name": "Grandpa Joe", "description": "old man (80s), cap"}],
        "scenes": [{"location": "Kitchen, back room", "time": "night", "lines": [
            _line("dialogue", "Who's\nthere?", "Grandpa Joe", "scared", "Close-up shot"),
            _line("narration", "Nobody answered.", camera="wide"),
            _line("action", "(He opens the door.)", camera="dutch tilt"),
        ]}],
    })  # fmt: skip
    assert script_text(doc) == (
        "Title: Night\n\nScene: Kitchen back room, night\nCharacters: Grandpa Joe (old man 80s , cap)\n"
        "[Camera: close-up]\nGrandpa Joe (scared): Who's there?\n[Camera: long]\nNarrator: Nobody answered.\n"
        "(He opens the door.)\n"
    )
    zh = ScriptDoc.model_validate({"language": "zh", "scenes": [
        {"location": "", "time": "夜晚", "lines": [_line("dialogue", "谁?", "老王", None, "over the shoulder"),
                                                  _line("action", "门开了", camera="俯拍")]},
        {"location": "街道", "lines": [_line("narration", "雨停了。", camera="low angle")]}]})  # fmt: skip
    assert script_text(zh) == ("场景: 某处, 夜晚\n[镜头: 过肩]\n老王: 谁?\n[镜头: 俯拍]\n（门开了）\n\n场景: 街道\n"
                               "[镜头: 仰拍]\n旁白: 雨停了。\n")  # fmt: skip


def test_every_camera_is_written_in_words_the_parser_reads() -> None:
    assert set(CAMERA_LINE_WORDS) == set(CAMERAS)
    for camera, words in CAMERA_LINE_WORDS.items():
        assert [camera_from_words(word) for word in words] == [camera, camera]


def test_names_are_capitalised_when_they_have_several_words() -> None:
    doc = _doc([_line("dialogue", "hi", "grandpa joe")])
    assert doc.scenes[0].lines[0].character == "Grandpa Joe"


@pytest.mark.parametrize("name", ["旁白", "Narrator", "Mia: hi", "小明(男)", "a" * 21, "The Old Man Of The Sea"])
def test_names_the_parser_would_misread_are_rejected(name: str) -> None:
    with pytest.raises(ValueError, match="name|narrat"):
        _doc([_line("dialogue", "hi", name)])


# -- shot descriptions ---------------------------------------------------------------------------------------


def test_enrich_shots_uses_a_valid_list_and_keeps_the_originals_otherwise(server: FakeServer) -> None:
    originals = ["小明在街上", "小红回头"]
    richer = ["傍晚的街道,小明背着书包,神情紧张,路灯初亮,中景", "小红回头看向小明,红色围巾随风飘动,特写"]
    server.replies = [json.dumps({"descriptions": richer}, ensure_ascii=False)]
    assert enrich_shots(originals, _chat(server), language="zh") == (richer, [])
    assert server.requests[0]["body"]["response_format"] == {"type": "json_object"}

    server.replies = [json.dumps({"descriptions": richer[:1]}, ensure_ascii=False)]
    described, warnings = enrich_shots(originals, _chat(server), language="zh")
    assert described == originals and len(warnings) == 1 and "1 descriptions for 2 shots" in warnings[0]

    server.replies = [(503, {"error": "loading"})]
    described, warnings = enrich_shots(originals, _chat(server), language="zh")
    assert described == originals and "HTTP 503" in warnings[0]
    assert enrich_shots([], _chat(server), language="zh") == ([], [])


# -- settings ------------------------------------------------------------------------------------------------


def test_make_chat_model_names_the_missing_setting(tmp_path: Path) -> None:
    assert make_chat_model(LLMConfig()) is None
    with pytest.raises(LLMError, match="COMICREEL_LLM_MODEL_PATH"):
        make_chat_model(LLMConfig(backend="local"))
    with pytest.raises(LLMError, match="COMICREEL_LLM_MODEL_PATH"):
        make_chat_model(LLMConfig(backend="local", model_path=str(tmp_path / "missing")))
    with pytest.raises(LLMError, match="COMICREEL_LLM_BASE_URL"):
        make_chat_model(LLMConfig(backend="openai", model="m"))
    with pytest.raises(LLMError, match="COMICREEL_LLM_BASE_URL"):
        make_chat_model(LLMConfig(backend="openai", base_url="localhost:8000/v1", model="m"))
    with pytest.raises(LLMError, match="COMICREEL_LLM_MODEL"):
        make_chat_model(LLMConfig(backend="openai", base_url="http://127.0.0.1:1/v1"))
    with pytest.raises(LLMError, match="COMICREEL_LLM_BACKEND"):
        make_chat_model(LLMConfig(backend="gpt"))  # type: ignore[arg-type]  # a bad setting, on purpose


# -- a tiny random local model -------------------------------------------------------------------------------

_CHAT_TEMPLATE = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
                  "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")  # fmt: skip


def _tiny_causal_lm(folder: Path, *, chat_template: bool) -> Path:
    """A 1-layer random Qwen2 and a byte-level BPE tokenizer trained here on the stories, saved to `folder`."""
    if not os.environ.get("CI"):
        pytest.importorskip("torch", reason="torch is an optional extra: bash scripts/install_coqui.sh")
        pytest.importorskip("transformers", reason="transformers is an optional extra: bash scripts/install_coqui.sh")
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator([ZH_STORY, EN_STORY, json.dumps(ZH_DOC, ensure_ascii=False)], trainers.BpeTrainer(
        vocab_size=600, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))  # fmt: skip
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|endoftext|>", pad_token="<|endoftext|>")
    if chat_template:
        tokenizer.chat_template = _CHAT_TEMPLATE
    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=8192,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)  # fmt: skip
    Qwen2ForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.mark.parametrize("chat_template", [True, False], ids=["chat-template", "plain-prompt"])
def test_a_tiny_local_model_answers_noise_and_the_rules_take_over(tmp_path: Path, chat_template: bool) -> None:
    folder = _tiny_causal_lm(tmp_path / "tiny-qwen2", chat_template=chat_template)
    chat = make_chat_model(LLMConfig(backend="local", model_path=str(folder), device="cpu"))
    assert isinstance(chat, LocalCausalLM)
    reply = chat.complete([{"role": "user", "content": "你好"}], max_tokens=8)
    assert isinstance(reply, str) and not reply.startswith("user")  # only the new tokens, not the prompt

    result = prose_to_script(ZH_STORY, chat, language="zh", retries=2, max_tokens=32)
    assert result.script is None and result.attempts == 3
    assert len(result.warnings) == 1 and "after 3 tries" in result.warnings[0]


def test_a_broken_model_folder_is_an_llm_error(tmp_path: Path) -> None:
    if not os.environ.get("CI"):
        pytest.importorskip("transformers", reason="transformers is an optional extra: bash scripts/install_coqui.sh")
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    chat = make_chat_model(LLMConfig(backend="local", model_path=str(tmp_path), device="cpu"))
    assert chat is not None
    with pytest.raises(LLMError, match="could not be loaded"):
        chat.complete([{"role": "user", "content": "hi"}])
    result = prose_to_script(EN_STORY, chat, language="en")
    assert result.script is None and "could not be loaded" in result.warnings[0]
