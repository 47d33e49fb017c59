"""The process that runs fuzz cases on one store: ``python -m tests.fuzz.worker STORE CAPTURE``.

It says ``{"ready": true}``, then reads one JSON case a line on standard input and answers
one JSON outcome a line; ``{"setup": SURFACE}`` first makes what a surface needs (the seed
knowledge base, shared by the surfaces; an Oxigraph store; the server app) and answers
``{"ready": true}`` too. Cases run here, not in the test process, so that a
native crash, a runaway allocation or a hang ends this process and is reported as a
failure of the case that caused it, while the test run goes on.

An outcome's ``kind`` is ``ok`` (a result), ``clean`` (an ``EvkgError``, or an HTTP status
of 400 to 499 or 503), ``timeout`` (stopped by the case's time limit), ``skipped`` (a request
the HTTP client itself will not send) or ``failure`` (any other exception, HTTP 500, or a
traceback or panic written to standard error meanwhile).
"""

from __future__ import annotations

import base64
import faulthandler
import json
import os
import resource
import sys
import tempfile
import traceback
from pathlib import Path

#: Seconds a case may take before the signal timer stops it.
CASE_SECONDS = float(os.environ.get("EVKG_FUZZ_CASE_SECONDS", "10"))
#: Bytes of data segment a worker may hold: a memory bomb ends in MemoryError, not in swap.
MEMORY_BYTES = int(os.environ.get("EVKG_FUZZ_MEMORY_BYTES", str(3 * 1024**3)))
#: Where the worker keeps its stores and files: its Worker's folder, removed when it closes.
_FOLDER = os.environ.get("EVKG_FUZZ_FOLDER") or None
_STDERR_MARKS = ("Traceback (most recent call last)", "panicked at", "Fatal Python error")


def _where(exc: BaseException) -> str:
    """The innermost frame in evkg's code and the innermost frame of all, as file:function."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"

    def name(frame) -> str:
        path = frame.filename.replace("\\", "/")
        for root in ("/tests/", "/evkg/", "/site-packages/", "/lib/python"):
            if root in path:
                path = path.split(root, 1)[1]
                path = (root.strip("/") + "/" + path) if root in ("/tests/", "/evkg/") else path
                break
        return f"{path}:{frame.name}"

    ours = [f for f in frames if "/evkg/" in f.filename.replace("\\", "/") and "/tests/" not in f.filename]
    inner = name(frames[-1])
    return inner if not ours or name(ours[-1]) == inner else f"{name(ours[-1])} > {inner}"


def failure(exc: BaseException) -> dict:
    return {
        "kind": "failure",
        "error": type(exc).__name__,
        "message": str(exc)[:500],
        "where": _where(exc),
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-4000:],
    }


# --------------------------------------------------------------------------- surfaces


def _consume(result) -> int:
    """Read a query result whole and render it as the command line does."""
    from evkg.render.results import result_lines

    formats = ("table", "json", "csv") if result.type in ("SELECT", "ASK") else ("turtle", "nt", "jsonld")
    lines = 0
    for fmt in formats:
        lines += sum(1 for _ in result_lines(result, fmt))
    return lines


def _seed_kb(store: str):
    """The seed knowledge base on ``store``, made once and shared by the surfaces of a worker."""
    if store not in _KBS:
        import evkg

        if store == "oxigraph":
            _KBS[store] = evkg.load(store=f"oxigraph:{Path(tempfile.mkdtemp(prefix='ox-', dir=_FOLDER)) / 'db'}")
        else:
            _KBS[store] = evkg.load()
    return _KBS[store]


_KBS: dict = {}


def setup_sparql(store: str):
    kb = _seed_kb(store)

    def run(case: dict):
        result = kb.query(case["text"])
        if result is None:
            raise TypeError("KnowledgeBase.query returned None instead of a result")
        return _consume(result)

    return run


def setup_rdf(store: str):
    import evkg
    from evkg.ontology import GRAPH

    folder = Path(tempfile.mkdtemp(prefix="rdf-", dir=_FOLDER))
    counter = iter(range(10**9))
    if store == "oxigraph":
        from evkg.stores import open_store

        backend = open_store(f"oxigraph:{folder / 'db'}")
        kb = evkg.load(seeds=False, store=backend)

    def run(case: dict):
        number = next(counter)
        path = folder / f"case{number}{case['suffix']}"
        path.write_bytes(base64.b64decode(case["data"]))
        try:
            if store == "oxigraph":
                graph = str(GRAPH["data/" + path.name])
                backend.load_file(path, graph_iri=graph)
                return sum(1 for _ in kb.query(f"SELECT * WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))
            from rdflib import Dataset

            from evkg.export import serialize_dataset
            from evkg.kb import KnowledgeBase

            # One case in ten goes the whole way of evkg.load (the ontology parsed again, the
            # cache); the others add the file to an empty knowledge base as load does.
            if number % 10 == 0:
                loaded = evkg.load([path], seeds=False)
            else:
                loaded = KnowledgeBase(Dataset())
                loaded.add_file(path)
            # Export what the file added: terms that load must also write.
            own = Dataset()
            for s, p, o, g in loaded.dataset.quads((None, None, None, None)):
                if getattr(g, "identifier", g) != GRAPH["ontology"]:
                    own.add((s, p, o, getattr(g, "identifier", g)))
            return sum(len(serialize_dataset(own, fmt)) for fmt in ("nq", "trig", "jsonld"))
        finally:
            path.unlink(missing_ok=True)

    return run


def setup_csv(store: str):
    import io

    from evkg.ingest.tabular import import_csv, serialize_graph

    kb = _seed_kb(store)

    def run(case: dict):
        rdf = import_csv(kb, io.BytesIO(base64.b64decode(case["data"])), kind=case["kind"])
        return len(serialize_graph(rdf))

    return run


def setup_article(store: str):
    from evkg.ingest.article import read_article
    from evkg.ingest.review import review_tables
    from evkg.ingest.suggest import suggest

    kb = _seed_kb(store)

    def run(case: dict):
        article = read_article(base64.b64decode(case["data"]))
        found = suggest(kb, article)
        tables = review_tables([found], texts={article.sha256: article.text})
        return len(found.to_json()) + sum(map(len, tables.values()))

    return run


class HttpFailure(Exception):
    """A status of 500 or above other than 503."""


class _Skipped(Exception):
    """A case the test's own tools cannot send (not evkg's outcome)."""


def setup_http(store: str):
    from starlette.testclient import TestClient

    from evkg.server import make_app

    kb = _seed_kb(store)
    app = make_app(kb, allowed_hosts=("testserver",), timeout=3)
    client = TestClient(app, raise_server_exceptions=True)
    client.__enter__()

    import httpx

    def run(case: dict):
        try:
            request = client.build_request(
                case["method"], case["path"], params=case["params"] or None, headers=case["headers"],
                content=base64.b64decode(case["body"]) or None,
            )
        except httpx.InvalidURL as exc:  # the client's own limit (a query string over 64 KiB)
            raise _Skipped(f"the client refuses the request: {exc}") from None
        response = client.send(request)
        if response.status_code >= 500 and response.status_code != 503:
            raise HttpFailure(f"HTTP {response.status_code} from {case['method']} {case['path']}: {response.text[:300]}")
        return response.status_code

    return run


SETUPS = {"sparql": setup_sparql, "rdf": setup_rdf, "csv": setup_csv, "article": setup_article, "http": setup_http}


# --------------------------------------------------------------------------- the loop


def run_case(run, case: dict, capture) -> dict:
    from evkg.errors import EvkgError, TimeLimitExceeded
    from evkg.limits import time_limit

    capture.seek(0)
    capture.truncate()
    outcome: dict
    try:
        with time_limit(CASE_SECONDS, what="the fuzz case", hard_stop=_hard_stop):
            value = run(case)
        outcome = {"kind": "ok", "value": value if isinstance(value, int) else None}
        if case["surface"] == "http" and value >= 400:  # refused with a status the client can act on
            outcome = {"kind": "clean", "error": f"HTTP {value}"}
    except TimeLimitExceeded as exc:
        kind = "timeout" if str(exc).startswith("the fuzz case") else "clean"
        outcome = {"kind": kind, "error": type(exc).__name__, "message": str(exc)[:500]}
    except _Skipped as exc:
        outcome = {"kind": "skipped", "message": str(exc)[:500]}
    except EvkgError as exc:
        outcome = {"kind": "clean", "error": type(exc).__name__, "message": str(exc)[:500]}
        if not str(exc).strip():
            outcome = failure(exc) | {"message": "an EvkgError without a message"}
    except BaseException as exc:  # noqa: BLE001 - every other exception is what the fuzzing looks for
        if isinstance(exc, HttpFailure):
            outcome = {"kind": "failure", "error": "HTTP 5xx", "message": str(exc), "where": case.get("path", "?")}
        else:
            outcome = failure(exc)
    sys.stderr.flush()
    capture.flush()
    capture.seek(0)
    written = capture.read()
    if outcome["kind"] != "failure" and any(mark in written for mark in _STDERR_MARKS):
        outcome = {"kind": "failure", "error": "traceback on stderr", "message": written[-1500:],
                   "where": _stderr_where(written), "after": outcome["kind"]}
    return outcome


def _stderr_where(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    frames = [line for line in lines if line.startswith("File ")]
    last = lines[-1] if lines else "?"
    return (frames[-1].split(", in ")[-1] + ": " if frames else "") + last[:120]


_PROTOCOL = None


def _hard_stop(message: str) -> None:
    _PROTOCOL.write(json.dumps({"kind": "timeout", "error": "hard stop", "message": message}) + "\n")
    _PROTOCOL.flush()
    os._exit(70)


def main(argv: list[str]) -> int:
    global _PROTOCOL
    store, capture_path = argv[1], argv[2]
    # The protocol keeps the real standard output; anything else printed goes nowhere.
    _PROTOCOL = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    # Standard error (this process's and its children's) goes to a file read after each case.
    capture = open(capture_path, "a+", encoding="utf-8", errors="replace")
    os.dup2(capture.fileno(), 2)
    sys.stderr = os.fdopen(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
    faulthandler.enable(sys.stderr)
    # As the command line has it (evkg.cli): rdflib's warnings about terms it cannot convert
    # (an ill-typed literal, with the exception's traceback) are not evkg's to print.
    import logging

    logging.getLogger("rdflib").setLevel(logging.ERROR)
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (min(MEMORY_BYTES, hard) if hard > 0 else MEMORY_BYTES, hard))
    runners = {}
    _PROTOCOL.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        case = json.loads(line)
        if "setup" in case:  # made before the surface's first case, outside its time limit
            runners[case["setup"]] = SETUPS[case["setup"]](store)
            _PROTOCOL.write(json.dumps({"ready": True}) + "\n")
            continue
        outcome = run_case(runners[case["surface"]], case, capture)
        _PROTOCOL.write(json.dumps(outcome) + "\n")
        if outcome["kind"] == "timeout" and case["surface"] == "http":
            return 0  # the client may be stuck mid-request: start afresh
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
