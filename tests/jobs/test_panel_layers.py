"""A render reads a panel's layers only from the project's own files: params pointing elsewhere (an imported bundle,
a forged row) give the plain panel."""

from __future__ import annotations

import uuid

from jobs.render_job import _panel_layers
from studio.services import build_services


def test_layers_are_read_only_from_the_projects_own_files(settings) -> None:
    svc = build_services(settings, immediate=True)
    mine, other = uuid.uuid4(), uuid.uuid4()
    for project in (mine, other):
        svc.storage.put_bytes(f"projects/{project}/images/p.layer0.png", b"png", "image/png")
        svc.storage.put_bytes(f"projects/{project}/images/p.layer1.png", b"png", "image/png")
    own = {"layers": {"background": f"projects/{mine}/images/p.layer0.png",
                      "effects": f"projects/{mine}/images/p.layer1.png"}}  # fmt: skip
    layers = _panel_layers(svc.ctx, mine, own)
    assert layers is not None and len(layers.foreground) == 1
    forged = {"layers": {**own["layers"], "effects": f"projects/{other}/images/p.layer1.png"}}
    assert _panel_layers(svc.ctx, mine, forged) is None
    sprite = {**own, "sprites": [{"character": "A", "state": "mouth_open", "box": [0, 0, 2, 2],
                                  "key": f"projects/{other}/images/p.layer0.png"}]}  # fmt: skip
    assert _panel_layers(svc.ctx, mine, sprite) is None
    assert _panel_layers(svc.ctx, mine, {}) is None
    gone = {"layers": {"background": f"projects/{mine}/images/missing.png"}}
    assert _panel_layers(svc.ctx, mine, gone) is None
