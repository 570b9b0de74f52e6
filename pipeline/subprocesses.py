"""Child processes that die with their parent: a killed worker (SIGKILL, OOM) must not leave ffmpeg running.

Linux's parent-death signal, set in the child before it runs the program: either by prefixing the command with
util-linux's `setpriv --pdeathsig KILL --` (`dying_with_parent(cmd)`: nothing runs in Python between fork and exec,
so it is safe in a threaded worker), or by a `preexec_fn` (`die_with_parent()`). The signal is tied to the thread
that started the child: start it from a thread that outlives it (a job's thread, or a pool's worker thread inside
its `with` block), as the renderer does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import shutil
import signal
import sys
from collections.abc import Callable, Sequence

_PR_SET_PDEATHSIG = 1


@functools.cache
def _setpriv() -> str | None:
    return shutil.which("setpriv") if sys.platform.startswith("linux") else None


def dying_with_parent(cmd: Sequence[str]) -> list[str]:
    """`cmd` run so that the kernel SIGKILLs it when its parent dies; unchanged where `setpriv` is missing."""
    setpriv = _setpriv()
    return [setpriv, "--pdeathsig", "KILL", "--", *cmd] if setpriv else list(cmd)


def die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` for subprocess.Popen with the same effect; None where the platform has no such thing.
    Call it in the parent (it looks the function up there): `Popen(cmd, preexec_fn=die_with_parent())`."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    sigkill = int(signal.SIGKILL)

    def preexec() -> None:  # runs in the child between fork and exec: nothing allocation-heavy here
        prctl(_PR_SET_PDEATHSIG, sigkill, 0, 0, 0)

    return preexec
