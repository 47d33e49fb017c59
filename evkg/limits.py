"""Time limits on work a user starts from the command line or the Python API.

Python code (rdflib's SPARQL engine, evkg's own loops) is stopped where it stands by a
timer signal; native code that never returns to Python (a query evaluated inside
Oxigraph) cannot be interrupted that way, so :func:`time_limit` can also call a
``hard_stop`` once the grace period after the limit has passed, which a command line uses
to end the process with its message.

Examples
--------
>>> with time_limit(5):
...     sum(range(10))
45
>>> import time
>>> try:
...     with time_limit(0.05, what="the loop"):
...         while True:
...             time.sleep(0.001)
... except TimeLimitExceeded as exc:
...     print(exc)
the loop was stopped after 0.05 s (the time limit). Narrow it down, add a LIMIT, or raise --timeout.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator

from .errors import TimeLimitExceeded

__all__ = ["time_limit", "TimeLimitExceeded", "HARD_STOP_GRACE"]

#: Seconds past the limit after which ``hard_stop`` is called, when the work is stuck in
#: native code the timer signal cannot interrupt.
HARD_STOP_GRACE = 2.0


def _message(what: str, seconds: float) -> str:
    return (
        f"{what} was stopped after {seconds:g} s (the time limit). "
        "Narrow it down, add a LIMIT, or raise --timeout."
    )


@contextlib.contextmanager
def time_limit(
    seconds: float | None,
    *,
    what: str = "the query",
    hard_stop: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Stop the block with :class:`~evkg.errors.TimeLimitExceeded` after ``seconds``.

    ``None`` or ``0`` means no limit. The timer signal works in the main thread of a
    POSIX process; elsewhere only ``hard_stop`` (if given) acts. ``hard_stop`` gets the
    message and is called from a watchdog thread ``HARD_STOP_GRACE`` seconds after the
    limit if the block still runs (it should end the process: the block cannot be
    interrupted from Python).
    """
    if not seconds:
        yield
        return
    message = _message(what, seconds)
    finished = threading.Event()
    watchdog = None
    if hard_stop is not None:

        def watch() -> None:
            if not finished.wait(seconds + HARD_STOP_GRACE):
                hard_stop(message)

        watchdog = threading.Thread(target=watch, name="evkg-time-limit", daemon=True)
        watchdog.start()
    use_signal = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    previous = None
    if use_signal:

        def on_alarm(signum, frame):
            raise TimeLimitExceeded(message)

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        finished.set()
        if use_signal:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
