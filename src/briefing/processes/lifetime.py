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
import threading
from typing import NoReturn

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """End this process (SIGKILL) when ``parent`` ends; at once if it has ended already."""
    with contextlib.suppress(OSError, AttributeError):  # no libc prctl: not Linux
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


# A stop asked for by a signal. The handler raises KeyboardInterrupt where the main thread is;
# Python drops an exception raised inside a fork hook or a finaliser ("Exception ignored in"),
# so ``run_jobs`` also looks at this flag each time round its loop and raises it there.
_stop = threading.Event()


def ask_stop() -> None:
    """Stop the runs of this process: ``run_jobs`` raises KeyboardInterrupt in whichever thread
    runs it (``serve`` builds in its watcher thread), killing its workers on the way out."""
    _stop.set()


def interrupt() -> NoReturn:
    """Stop the run now (from a signal handler): KeyboardInterrupt here, and again in ``run_jobs``
    if this one is lost."""
    _stop.set()
    raise KeyboardInterrupt


def _stop_now(signum: int, frame: object) -> None:
    interrupt()


def stop_on_signals() -> None:
    """SIGTERM (and SIGINT) stop the run where it is, as Ctrl-C does; handlers someone else set stay."""
    for sig, default in ((signal.SIGTERM, signal.SIG_DFL), (signal.SIGINT, signal.default_int_handler)):
        if signal.getsignal(sig) is default:
            signal.signal(sig, _stop_now)


def check_stop() -> None:
    """Raise the KeyboardInterrupt a signal asked for, if it was lost on its way."""
    if _stop.is_set():
        _stop.clear()
        raise KeyboardInterrupt


def clear_stop() -> None:
    _stop.clear()
