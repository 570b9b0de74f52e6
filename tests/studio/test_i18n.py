"""The studio's two languages: every key the UI uses exists in both tables, with the same placeholders."""

from __future__ import annotations

import re
import string

from studio.ui.i18n import I18N, TEXTS, request_lang, say
from tests.conftest import REPO


def _used_keys() -> set[str]:
    keys: set[str] = set()
    for path in (REPO / "studio" / "ui").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"\b(?:t|say)\(\s*\"([a-z_]+)\"", source))
        keys |= {f"status_{s}" for s in ("draft", "generating", "completed", "failed")} if "status_" in source else set()
    return keys


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_the_ui_uses_is_in_both_languages() -> None:
    used = _used_keys()
    assert len(used) > 40
    missing = used - set(TEXTS)
    assert not missing, f"keys used in studio/ui but missing from the tables: {sorted(missing)}"
    for locale in ("zh", "en", "zh-CN"):
        table = I18N.translations[locale]
        assert set(TEXTS) <= set(table), locale
        assert all(table[k].strip() for k in TEXTS), locale


def test_both_languages_take_the_same_values() -> None:
    for key, (zh, en) in TEXTS.items():
        assert _fields(zh) == _fields(en), key
        assert zh != en or key in ("title",) or not re.search(r"[a-zA-Z]", en), key


def test_messages_follow_the_browser_language() -> None:
    class FakeRequest:
        def __init__(self, header: str) -> None:
            self.headers = {"accept-language": header}

    assert request_lang(FakeRequest("zh-CN,zh;q=0.9,en;q=0.8")) == "zh"  # type: ignore[arg-type]
    assert request_lang(FakeRequest("en-US,en;q=0.9")) == "en"  # type: ignore[arg-type]
    assert request_lang(None) == "en"
    assert say("msg_cancelled", "zh") == "已取消。" and say("msg_cancelled", "en") == "Cancelled."


def test_the_language_picked_in_the_page_wins_over_the_browser_header() -> None:
    class FakeRequest:
        def __init__(self, cookie: str, header: str) -> None:
            self.headers = {"cookie": cookie, "accept-language": header}

    assert request_lang(FakeRequest("a=1; comicreel_lang=zh-CN", "en-US,en")) == "zh"  # type: ignore[arg-type]
    assert request_lang(FakeRequest("comicreel_lang=en", "zh-CN,zh")) == "en"  # type: ignore[arg-type]
    assert request_lang(FakeRequest("", "zh-TW")) == "zh"  # type: ignore[arg-type]


def test_pipeline_errors_reach_chinese_readers_in_chinese() -> None:
    from pipeline.errors import ScriptParseError
    from pipeline.parse import check_script_text, parse_script
    from studio.ui.i18n import localize_error

    for bad, expected in (("  ", "剧本是空的"), ("旁白: 好\x00", "控制字符")):
        try:
            check_script_text(bad)
        except ScriptParseError as exc:
            assert expected in localize_error(str(exc), "zh") and localize_error(str(exc), "en") == str(exc)
    try:
        parse_script("（）\n")
    except ScriptParseError as exc:
        assert localize_error(str(exc), "zh").startswith("没有找到台词")
    assert localize_error("something new", "zh") == "something new"  # unknown messages are shown as they are
    message = "Rendering the video failed unexpectedly; the server log has the details (task 1b2c-3d)."
    assert localize_error(message, "zh") == "任务意外失败,服务器日志里有详情 (任务 1b2c-3d)。"
