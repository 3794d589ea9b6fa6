"""A child process never outlives the run that started it.

Each worker and the spare process ask the kernel for SIGKILL when their parent ends
(``prctl(PR_SET_PDEATHSIG)``, Linux), then check that the parent has not ended already (it may
have between the fork and the request). Whatever ends the run (SIGTERM, SIGINT, SIGKILL, a
crash), its workers end with it: none is left to write into the output afterwards. Where prctl
is missing (not Linux), the run's own clean-up on SIGTERM/SIGINT still kills its workers, and
``files.write_atomic`` refuses a write once the run's lock is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """End this process (SIGKILL) when ``parent`` ends; at once if it has ended already."""
    with contextlib.suppress(OSError, AttributeError):  # no libc prctl: not Linux
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
