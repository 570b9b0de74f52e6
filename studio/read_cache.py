"""A small in-memory cache of hot reads (task status, project list and detail) that is never staler than the last
write this process committed, and at most `ttl` seconds stale for writes committed by other processes.

Every session of the app's sessionmaker reports its commits here: a commit that wrote anything (an ORM flush, or an
UPDATE/DELETE/INSERT statement) empties the cache. In embedded mode every writer (the API, the studio, the worker
threads) is in this process, so the TTL can be long; with `comicreel worker` processes writing elsewhere it is short.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

T = TypeVar("T")


class ReadCache:
    """Values by key, each kept until the next committed write in this process or `ttl` seconds, whichever first.

    A value read from the database while a write commits is not kept (the generation check in `put`), so a reader
    can never store what a write just replaced.
    """

    def __init__(self, *, ttl: float, max_entries: int = 10_000) -> None:
        if ttl < 0:
            raise ValueError(f"ttl must be at least 0 seconds (got {ttl}); 0 turns the cache off")
        self.ttl = ttl
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._generation = 0
        self.hits = 0
        self.misses = 0

    @property
    def generation(self) -> int:
        """Changes at every invalidation; take it before reading the database and give it back to `put`."""
        return self._generation

    def get(self, key: Hashable) -> Any | None:
        entry = self._entries.get(key)
        if entry is not None and time.monotonic() < entry[0]:
            self.hits += 1
            return entry[1]
        self.misses += 1
        return None

    def put(self, key: Hashable, value: Any, generation: int) -> None:
        """Keep `value` unless a write committed since `generation` was taken (then it may be stale already)."""
        if self.ttl <= 0:
            return
        with self._lock:
            if generation != self._generation:
                return
            self._entries[key] = (time.monotonic() + self.ttl, value)
            if len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    async def load(self, key: Hashable, loader: Callable[..., T], *args: Any) -> T:
        """`loader(*args)`'s value, from the cache when a fresh one is there, else read in a worker thread (the event
        loop never waits on the database) and kept."""
        value: T | None = self.get(key)
        if value is None:
            generation = self._generation
            value = await anyio.to_thread.run_sync(functools.partial(loader, *args))
            self.put(key, value, generation)
        return value

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def watch(self, sessions: sessionmaker[Session]) -> None:
        """Empty the cache after every commit of a session from `sessions` that wrote something."""

        def wrote_rows(session: Session, _flush: UOWTransaction) -> None:
            session.info["comicreel_wrote"] = True

        def wrote_statement(state: ORMExecuteState) -> None:
            if state.is_update or state.is_delete or state.is_insert:
                state.session.info["comicreel_wrote"] = True

        def committed(session: Session) -> None:
            if session.info.pop("comicreel_wrote", False):
                self.invalidate()

        def rolled_back(session: Session, _previous: Any = None) -> None:
            if session.info.pop("comicreel_wrote", False):
                self.invalidate()  # harmless, and covers a write committed before a later failure

        event.listen(sessions, "after_flush", wrote_rows)
        event.listen(sessions, "do_orm_execute", wrote_statement)
        event.listen(sessions, "after_commit", committed)
        event.listen(sessions, "after_soft_rollback", rolled_back)
