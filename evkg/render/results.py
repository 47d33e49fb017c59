"""SPARQL results as text: an aligned table, or the W3C formats (JSON, XML, CSV, TSV) for
SELECT/ASK and Turtle, N-Triples or JSON-LD for CONSTRUCT/DESCRIBE.

Examples
--------
>>> from rdflib import Graph
>>> result = Graph().query("SELECT ?x WHERE { VALUES ?x { 1 2 } }")
>>> print("\\n".join(result_lines(result, "table")))
x
-
1
2
<BLANKLINE>
(2 rows)
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Literal, URIRef
from rdflib.query import Result

from ..errors import UnknownFormat
from ..ontology import PREFIXES
from .text import table

__all__ = ["result_lines", "tsv_lines", "compact"]

_TABULAR = {"table", "csv", "tsv", "json", "xml"}
_GRAPH = {"turtle": "turtle", "ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


def compact(term) -> str:
    """A term for a table cell: an IRI as prefix:local where a project prefix fits."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if text.startswith(namespace) and len(text) > len(namespace):
                return f"{prefix}:{text[len(namespace):]}"
        return text
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def tsv_lines(result: Result) -> Iterator[str]:
    """SPARQL 1.1 TSV results: a header of ``?var`` names, then terms in Turtle syntax
    (rdflib ships a TSV parser but no serializer).

    >>> from rdflib import Graph
    >>> list(tsv_lines(Graph().query('SELECT ?x ?y WHERE { VALUES (?x ?y) { ("a" 1) } }')))
    ['?x\\t?y', '"a"\\t1']
    """
    if result.type == "ASK":
        yield "?_askResult"
        yield "true" if result.askAnswer else "false"
        return
    names = list(result.vars or [])
    yield "\t".join(f"?{name}" for name in names)
    for row in result:
        cells = []
        for term in row:
            if term is None:
                cells.append("")
            elif isinstance(term, Literal) and term.datatype is not None and str(term.datatype).endswith(("#integer", "#decimal", "#double")):
                cells.append(str(term))
            else:
                cells.append(term.n3().replace("\t", "\\t"))
        yield "\t".join(cells)


def result_lines(result: Result, fmt: str | None) -> Iterator[str]:
    """Yield the lines of a query result in ``fmt`` (None: table or Turtle by query type).

    Raises
    ------
    UnknownFormat
        A graph format for a SELECT/ASK result, or a table format for a graph result.
    """
    if result.type in ("SELECT", "ASK"):
        fmt = fmt or "table"
        if fmt not in _TABULAR:
            raise UnknownFormat(
                f"--format {fmt} is for CONSTRUCT/DESCRIBE results; this {result.type} query "
                "gives a table: use table, csv, tsv, json or xml."
            )
        if fmt == "table":
            if result.type == "ASK":
                yield "true" if result.askAnswer else "false"
                return
            names = [str(v) for v in result.vars or []]
            rows = [[compact(row[i]) for i in range(len(names))] for row in result]
            yield from table(names, rows)
            yield ""
            yield f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
            return
        if fmt == "tsv":
            yield from tsv_lines(result)
            return
        text = result.serialize(format=fmt)
        yield from (text.decode("utf-8") if isinstance(text, bytes) else text).splitlines()
        return
    fmt = fmt or "turtle"
    if fmt not in _GRAPH:
        raise UnknownFormat(
            f"--format {fmt} is for SELECT/ASK results; this {result.type} query gives a "
            "graph: use turtle, nt or jsonld."
        )
    graph = result.graph
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    text = graph.serialize(format=_GRAPH[fmt])
    lines = text.splitlines()
    if fmt == "nt":
        lines = sorted(line for line in lines if line.strip())
    yield from lines
