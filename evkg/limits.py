"""Limits on work a user starts from the command line, the Python API or the server:
time limits, and the shape of a query a parser can take without running out of stack.

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
import re
import signal
import threading
from collections.abc import Callable, Iterator

from .errors import QueryError, TimeLimitExceeded

__all__ = [
    "time_limit",
    "TimeLimitExceeded",
    "HARD_STOP_GRACE",
    "check_query_shape",
    "MAX_QUERY_DEPTH",
    "MAX_QUERY_OPERATORS",
    "MAX_QUERY_CLAUSES",
]

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


# --------------------------------------------------------------------------- query shape

#: Most brackets ``( { [`` a query may nest. Native parsers (Oxigraph's) recurse once per
#: level and overflow the stack in the thousands; nobody writes a query 128 levels deep.
MAX_QUERY_DEPTH = 128
#: Most operators (``|| && ! = < + - * /`` and property-path ``/ |``) in one query: each
#: nests the parsed expression one level deeper.
MAX_QUERY_OPERATORS = 2000
#: Most clauses (``BIND OPTIONAL MINUS FILTER UNION GRAPH SERVICE``): each wraps the
#: algebra of the clauses before it.
MAX_QUERY_CLAUSES = 1000

_SKIPPED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'  # strings
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"  # IRIs
    r"|#[^\n]*"  # comments
    r"|[?$][\w]+"  # variables
    r"|[A-Za-z_][\w.-]*:[\w.\-%:]*|:[\w.\-%:]+"  # prefixed names (dashes are not minus)
    r"|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?"  # numbers (with their exponent sign)
)
_OPERATOR = re.compile(r"\|\||&&|!=|<=|>=|[!=<>+\-*/|^]")
_CLAUSE = re.compile(r"\b(?:BIND|OPTIONAL|MINUS|FILTER|UNION|GRAPH|SERVICE)\b", re.IGNORECASE)


def check_query_shape(text: str) -> None:
    """Refuse a query nested deeper, or with more operators or clauses, than any parser
    here can take without running out of stack (:data:`MAX_QUERY_DEPTH`,
    :data:`MAX_QUERY_OPERATORS`, :data:`MAX_QUERY_CLAUSES`): checked on the text, before
    a parser sees it.

    Raises
    ------
    QueryError
        Saying which limit the query passes, and what to write instead.

    Examples
    --------
    >>> check_query_shape("SELECT * WHERE { ?s ?p ?o FILTER(?o > 3 && ?o < 10) }")
    >>> check_query_shape("ASK { FILTER(" + "(" * 500 + "1" + ")" * 500 + ") }")
    Traceback (most recent call last):
    ...
    evkg.errors.QueryError: the query nests brackets 502 levels deep; at most 128 are allowed.
    """
    bare = _SKIPPED.sub(" ", text)
    depth = deepest = 0
    for char in bare:
        if char in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")}]":
            depth -= 1
    if deepest > MAX_QUERY_DEPTH:
        raise QueryError(
            f"the query nests brackets {deepest} levels deep; at most {MAX_QUERY_DEPTH} are allowed."
        )
    operators = len(_OPERATOR.findall(bare))
    if operators > MAX_QUERY_OPERATORS:
        raise QueryError(
            f"the query has {operators:,} operators; at most {MAX_QUERY_OPERATORS:,} are allowed. "
            "For a long list of alternatives, use VALUES or IN (...)."
        )
    clauses = len(_CLAUSE.findall(bare))
    if clauses > MAX_QUERY_CLAUSES:
        raise QueryError(
            f"the query has {clauses:,} BIND/OPTIONAL/MINUS/FILTER/UNION/GRAPH/SERVICE clauses; "
            f"at most {MAX_QUERY_CLAUSES:,} are allowed."
        )
