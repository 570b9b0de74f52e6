"""The Characters tab's reference versions (studio/ui/characters_tab.py): a card lists a character's reference
pictures newest first with what each was made from and the current one marked; picking an earlier one and "Use this
picture" makes it current again for its owner only, through the editor (the same step as PUT …/reference-image/current).
"""

from __future__ import annotations

import io
import uuid
from typing import Any

import gradio as gr
import pytest
from PIL import Image

from studio import accounts, editor, projects, workspace
from studio.ui.characters_tab import _CardHandlers, reference_caption, reference_strip

DRAWN = {"key": "a.png", "is_current": False, "params": {"source": "drawn", "seed": 7, "created_at": "2024-05-01T10:00"}}
UPLOADED = {"key": "b.png", "is_current": True, "params": {"source": "uploaded", "created_at": "2024-05-02T10:00"}}
OLD = {"key": "c.png", "is_current": False, "params": {}}  # from before versions kept what they were made from


def _png(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 48), color).save(out, "PNG")
    return out.getvalue()


def _picked(index: int) -> gr.SelectData:
    return gr.SelectData(None, {"index": index, "value": None, "selected": True})


def test_the_strip_is_newest_first_with_what_each_was_made_from() -> None:
    # the API lists them oldest first by when each became current; the strip by when each was made
    assert [v["key"] for v in reference_strip([OLD, UPLOADED, DRAWN])] == ["b.png", "a.png", "c.png"]
    assert [v["key"] for v in reference_strip([DRAWN, OLD, UPLOADED])] == ["b.png", "a.png", "c.png"]
    assert reference_strip([]) == []
    assert [reference_caption(v, "en") for v in (DRAWN, UPLOADED, OLD)] == ["drawn · seed 7", "✓ uploaded", ""]
    assert [reference_caption(v, "zh") for v in (DRAWN, UPLOADED)] == ["绘制 · 种子 7", "✓ 上传"]
    assert reference_caption({**OLD, "is_current": True}, "en") == "✓"


@pytest.fixture
def svc(settings):
    from studio.services import build_services

    services = build_services(settings.model_copy(update={"auth_enabled": True}), immediate=True)
    yield services
    services.stop()


def _request(token: str, lang: str = "en-US") -> gr.Request:
    return gr.Request(headers={"authorization": f"Bearer {token}", "accept-language": lang}, cookies={})


def _handlers(svc: Any, cid: str, strip: list[dict[str, Any]]) -> _CardHandlers:
    def reload(user: uuid.UUID, pid: str) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        chars = editor.list_characters(svc, user_id=user, project_id=pid)
        return chars, workspace.storyboard(svc, user_id=user, project_id=pid)

    return _CardHandlers(svc, cid, reload, strip)


def test_an_earlier_picture_is_made_current_again_by_its_owner_only(svc) -> None:
    owner = accounts.register(svc, email="ann@example.com", password="correct horse battery", username="ann")
    other = accounts.register(svc, email="bob@example.com", password="correct horse battery", username="bob")
    user = uuid.UUID(owner["user_id"])
    pid = projects.create_project(svc, user_id=user, name="refs", aspect_ratio="1:1")["id"]
    cid = editor.create_character(svc, user_id=user, project_id=pid, name="阿强")["id"]
    for color in ("red", "blue"):
        editor.set_reference_image(svc, user_id=user, project_id=pid, character_id=cid, data=_png(color))
    card = editor.get_character(svc, user_id=user, project_id=pid, character_id=cid)
    first, second = (v["key"] for v in card["reference_versions"])
    assert card["reference_image_key"] == second

    strip = reference_strip(card["reference_versions"])
    assert [v["key"] for v in strip] == [second, first]  # newest first
    assert [reference_caption(v, "en") for v in strip] == ["✓ uploaded", "uploaded"]
    h = _handlers(svc, cid, strip)
    key, button = h.pick_reference(_picked(1))
    assert (key, button["interactive"]) == (first, True)
    assert h.pick_reference(_picked(0))[1]["interactive"] is False  # the current one: nothing to do

    # someone else, with the project's id and the key, changes nothing
    with pytest.raises(gr.Error, match=f"project {pid} does not exist"):
        h.use_reference(pid, first, _request(other["access_token"]))
    assert editor.get_character(svc, user_id=user, project_id=pid, character_id=cid)["reference_image_key"] == second
    with pytest.raises(gr.Error, match="先在参考图版本中点选一张"):
        h.use_reference(pid, None, _request(owner["access_token"], "zh-CN"))

    message, chars, _board = h.use_reference(pid, first, _request(owner["access_token"]))
    assert message == ""
    (shown,) = chars  # the cast the card is drawn from again
    assert shown["reference_image_key"] == first
    assert editor.get_character(svc, user_id=user, project_id=pid, character_id=cid)["reference_image_key"] == first
    again = reference_strip(shown["reference_versions"])
    assert [v["key"] for v in again] == [second, first]  # the strip stays in place; the mark moves
    assert [reference_caption(v, "en") for v in again] == ["uploaded", "✓ uploaded"]

    with pytest.raises(gr.Error, match="not one of the character's reference pictures"):
        h.use_reference(pid, "projects/elsewhere/x.png", _request(owner["access_token"]))
