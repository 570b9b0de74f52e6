"""Child processes that die with their parent: a killed worker (SIGKILL, OOM) must not leave ffmpeg running.

Linux's parent-death signal, set in the child before it runs the program, by prefixing the command with util-linux's
`setpriv --pdeathsig KILL --` (nothing runs in Python between fork and exec, so it is safe in a threaded worker,
unlike a `preexec_fn`). The signal is tied to the thread that started the child: start it from a thread that
outlives it (a job's thread, or a pool's worker thread inside its `with` block), as the renderer does. Where
`setpriv` is missing, the next worker's sweep kills what a dead one left (jobs.orphans).
"""

from __future__ import annotations

import functools
import shutil
import sys
from collections.abc import Sequence


@functools.cache
def _setpriv() -> str | None:
    return shutil.which("setpriv") if sys.platform.startswith("linux") else None


def dying_with_parent(cmd: Sequence[str]) -> list[str]:
    """`cmd` run so that the kernel SIGKILLs it when its parent dies; unchanged where `setpriv` is missing."""
    setpriv = _setpriv()
    return [setpriv, "--pdeathsig", "KILL", "--", *cmd] if setpriv else list(cmd)
