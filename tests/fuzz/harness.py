"""The test side of the fuzzing: a :class:`Worker` process per store that runs cases and
is started again when a case kills it, the cases of each surface as JSON, and the
regression files of ``regressions/``.

A regression file holds one case: ``key: value`` header lines, a blank line, then the
input, byte for byte (``encoding: base64`` when it is not text)::

    surface: sparql
    store: oxigraph
    found: a segmentation fault in Oxigraph's query parser

    SELECT * WHERE { (((((( ...
"""

from __future__ import annotations

import base64
import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["Worker", "Regression", "read_regressions", "regression_text", "case_of", "signature", "examples", "ROOT"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REGRESSIONS = HERE / "regressions"

#: Seconds a worker may take to get ready (a loaded machine parses the seeds slowly).
READY_SECONDS = 300.0
#: Seconds past a case's own limit (and the hard stop after it) before the worker counts as hung.
HANG_MARGIN = 20.0


def examples(default: int) -> int:
    """Cases per surface: ``default``, or ``EVKG_FUZZ_EXAMPLES`` when set."""
    return int(os.environ.get("EVKG_FUZZ_EXAMPLES") or default)


class Worker:
    """A ``tests.fuzz.worker`` process for one store, started on first use and
    again after a case ended it. ``run(case)`` returns the case's outcome dict; a worker
    that dies is a ``failure`` with the signal and what it wrote to standard error (the
    faulthandler's stack for a segmentation fault), one that does not answer in time a
    ``failure`` named ``hang``."""

    def __init__(self, store: str = "memory", *, case_seconds: float | None = None):
        self.store = store
        self.ready: set[str] = set()
        self.case_seconds = case_seconds or float(os.environ.get("EVKG_FUZZ_CASE_SECONDS", "10"))
        self.folder = Path(tempfile.mkdtemp(prefix=f"evkg-fuzz-{store}-"))
        self.capture = self.folder / "stderr.txt"
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self._buffer = b""

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        env = dict(os.environ, EVKG_FUZZ_CASE_SECONDS=str(self.case_seconds), PYTHONFAULTHANDLER="1",
                   EVKG_FUZZ_FOLDER=str(self.folder))
        env.setdefault("EVKG_CACHE_DIR", str(self.folder / "cache"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fuzz.worker", self.store, str(self.capture)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.starts += 1
        self._buffer = b""
        self.ready = set()
        self._wait_ready("start")

    def _wait_ready(self, what: str) -> None:
        ready = self._read_line(READY_SECONDS)
        if ready is None or not json.loads(ready).get("ready"):
            died = self.process.poll()
            self.close()
            raise RuntimeError(f"the {self.store} fuzz worker did not {what} (exit {died}): {self._stderr_tail()}")

    def _setup(self, surface: str) -> None:
        self.process.stdin.write((json.dumps({"setup": surface}) + "\n").encode())
        self.process.stdin.flush()
        self._wait_ready(f"set up {surface}")
        self.ready.add(surface)

    def close(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.stdin.close()
                try:
                    self.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def run(self, case: dict) -> dict:
        if self.process is None or self.process.poll() is not None:
            self.start()
        if case["surface"] not in self.ready:
            self._setup(case["surface"])
        try:
            self.process.stdin.write((json.dumps(case) + "\n").encode())
            self.process.stdin.flush()
        except BrokenPipeError:
            pass  # the worker died: the read below says how
        line = self._read_line(self.case_seconds + 2 + HANG_MARGIN)
        if line is not None:
            outcome = json.loads(line)
            if outcome.get("error") == "hard stop":
                self._reap()
            return outcome
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
            outcome = {"kind": "failure", "error": "hang", "where": self._stderr_tail(),
                       "message": f"no answer {self.case_seconds + 2 + HANG_MARGIN:g} s after the case began"}
        else:
            code = self.process.returncode
            tail = self._stderr_tail()
            outcome = {"kind": "failure", "error": f"crash (signal {-code})" if code < 0 else f"exit {code}",
                       "where": _crash_where(tail), "message": tail}
        self.process = None
        return outcome

    def _reap(self) -> None:
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def _read_line(self, seconds: float) -> bytes | None:
        deadline = time.monotonic() + seconds
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    return None
                chunk = os.read(self.process.stdout.fileno(), 1 << 16)
                if not chunk:
                    return None
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def _stderr_tail(self) -> str:
        try:
            return self.capture.read_text(encoding="utf-8", errors="replace")[-3000:]
        except OSError:
            return ""


def _crash_where(text: str) -> str:
    """The innermost Python frame of a faulthandler dump (``File "...", line N in f``)."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("File ") and " in " in line:
            path = line.split('"')[1] if '"' in line else line
            for root in ("/evkg/", "/site-packages/"):
                if root in path:
                    path = ("evkg/" if root == "/evkg/" else "") + path.split(root, 1)[1]
            return f"{path}:{line.rsplit(' in ', 1)[1]}"
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:160] if lines else "?"


def signature(outcome: dict) -> str:
    """What tells two failures apart: the error and where it happened."""
    return f"{outcome.get('error')} at {outcome.get('where', '?')}"


# --------------------------------------------------------------------------- cases


def case_of(surface: str, value, *, store: str = "memory") -> dict:
    """The JSON case a worker reads, from what a strategy drew."""
    if surface == "sparql":
        return {"surface": surface, "store": store, "text": value}
    if surface == "rdf":
        suffix, data = value
        return {"surface": surface, "store": store, "suffix": suffix, "data": base64.b64encode(data).decode()}
    if surface == "csv":
        kind, data = value
        return {"surface": surface, "kind": kind, "data": base64.b64encode(data).decode()}
    if surface == "article":
        return {"surface": surface, "data": base64.b64encode(value).decode()}
    if surface == "http":
        return {"surface": surface, "method": value["method"], "path": value["path"],
                "params": [list(p) for p in value["params"]], "headers": [list(h) for h in value["headers"]],
                "body": base64.b64encode(value["body"]).decode()}
    raise ValueError(surface)


class Regression:
    """One case of ``regressions/``: its file, headers and input."""

    def __init__(self, path: Path):
        self.path = path
        raw = path.read_bytes()
        head, _, payload = raw.partition(b"\n\n")
        self.headers: dict[str, list[str]] = {}
        for line in head.decode("utf-8").splitlines():
            key, _, value = line.partition(":")
            self.headers.setdefault(key.strip(), []).append(value.strip())
        if self.header("encoding") == "base64":
            payload = base64.b64decode(payload)
        self.payload = payload

    def header(self, key: str, default: str | None = None) -> str | None:
        return self.headers.get(key, [default])[0]

    @property
    def surface(self) -> str:
        return self.header("surface")

    @property
    def store(self) -> str:
        return self.header("store", "memory")

    def case(self) -> dict:
        surface = self.surface
        if surface == "sparql":
            return case_of(surface, self.payload.decode("utf-8", "surrogatepass"), store=self.store)
        if surface == "rdf":
            return case_of(surface, (self.header("suffix"), self.payload), store=self.store)
        if surface == "csv":
            return case_of(surface, (self.header("kind"), self.payload))
        if surface == "article":
            return case_of(surface, self.payload)
        if surface == "http":
            pairs = lambda key: [tuple(json.loads(v)) for v in self.headers.get(key, [])]  # noqa: E731
            return case_of(surface, {"method": self.header("method"), "path": self.header("path"),
                                     "params": pairs("param"), "headers": pairs("header"), "body": self.payload})
        raise ValueError(f"{self.path}: unknown surface {surface!r}")


def read_regressions() -> list[Regression]:
    return [Regression(path) for path in sorted(REGRESSIONS.glob("*.txt"))]


def regression_text(case: dict, found: str) -> bytes:
    """The regression file of a case (see the module docstring)."""
    surface = case["surface"]
    headers = [f"surface: {surface}", f"found: {' '.join(found.split())[:300]}"]
    if "store" in case and surface in ("sparql", "rdf"):
        headers.append(f"store: {case['store']}")
    if surface == "sparql":
        payload = case["text"].encode("utf-8", "surrogatepass")
    elif surface == "http":
        headers += [f"method: {case['method']}", f"path: {case['path']}"]
        headers += [f"param: {json.dumps(p)}" for p in case["params"]]
        headers += [f"header: {json.dumps(h)}" for h in case["headers"]]
        payload = base64.b64decode(case["body"])
    else:
        if surface == "rdf":
            headers.append(f"suffix: {case['suffix']}")
        if surface == "csv":
            headers.append(f"kind: {case['kind']}")
        payload = base64.b64decode(case["data"])
    try:
        payload.decode("utf-8")
        if b"\r" in payload:
            raise UnicodeError
    except UnicodeError:
        headers.append("encoding: base64")
        payload = base64.encodebytes(payload)
    return "\n".join(headers).encode() + b"\n\n" + payload
