"""The secret that signs local file URLs: from settings, or generated once into data_dir/secret_key (mode 0600)."""

from __future__ import annotations

import stat

from storage.local import LocalStorage
from studio.services import build_storage, load_secret_key


def _local(settings) -> LocalStorage:
    storage = build_storage(settings)
    assert isinstance(storage, LocalStorage)
    return storage


def test_a_generated_secret_is_private_and_kept(settings) -> None:
    first = load_secret_key(settings)
    path = settings.data_dir / "secret_key"
    assert len(first) >= 32 and path.read_bytes().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret_key(settings) == first  # the next start signs with the same secret

    url = _local(settings).url("projects/p/a.png")
    expires, signature = (part.split("=", 1)[1] for part in url.partition("?")[2].split("&"))
    assert _local(settings).verify("projects/p/a.png", expires, signature)  # URLs outlive a restart


def test_a_configured_secret_is_used_and_nothing_is_written(settings) -> None:
    configured = settings.model_copy(update={"secret_key": "from-the-environment"})
    assert load_secret_key(configured) == b"from-the-environment"
    assert not (settings.data_dir / "secret_key").exists()
    url = _local(configured).url("projects/p/a.png")
    expires, signature = (part.split("=", 1)[1] for part in url.partition("?")[2].split("&"))
    assert not _local(settings).verify("projects/p/a.png", expires, signature)  # another secret
