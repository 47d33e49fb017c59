"""SPARQL results as text: an aligned table, or the W3C formats (JSON, XML, CSV, TSV) for
SELECT/ASK and Turtle, N-Triples or JSON-LD for CONSTRUCT/DESCRIBE.

CSV and TSV cells that a spreadsheet would take for a formula (``=``, ``+``, ``-``,
``@``, tab, carriage return) get a leading single quote (:func:`evkg.export.formula_safe`)
unless ``raw``; plain numbers stay as they are.

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

from rdflib import BNode, Literal, URIRef
from rdflib.query import Result

from ..errors import UnknownFormat
from ..export import csv_row, formula_safe
from ..ontology import PREFIXES
from .text import table

__all__ = ["result_lines", "csv_lines", "csv_result_lines", "tsv_lines", "compact"]

_TABULAR = {"table", "csv", "tsv", "json", "xml"}
#: Formats of CONSTRUCT/DESCRIBE results, as the server names them (json and xml, the
#: names of results formats, mean JSON-LD and RDF/XML for a graph there too).
_GRAPH = {"turtle": "turtle", "ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "json": "json-ld",
          "rdfxml": "xml", "xml": "xml"}
#: Where QUDT's units live: a table cell shows such a unit by its short name (GWh).
_UNIT_NS = "http://qudt.org/vocab/unit/"


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


def cell_text(term) -> str:
    """A term for a table cell: a QUDT unit by its short name (``GWh``, ``EUR``), else
    as :func:`compact` gives it.

    >>> cell_text(URIRef("http://qudt.org/vocab/unit/GigaW-HR")), cell_text(URIRef("http://qudt.org/vocab/unit/CCY_EUR"))
    ('GWh', 'EUR')
    """
    if isinstance(term, URIRef) and str(term).startswith(_UNIT_NS):
        from ..kb import unit_text

        return unit_text(term) or compact(term)  # a plain count (unit:NUM) has no short name
    return compact(term)


def csv_result_lines(names, rows, *, raw: bool = False) -> Iterator[str]:
    """SPARQL 1.1 CSV results from variable names and rows of terms (None where unbound):
    a header, then one record per row, IRIs and literals as their plain text, blank nodes
    as ``_:label``. Lines come without their line ends (the format's are CRLF).

    >>> from rdflib import Literal
    >>> print(*csv_result_lines(["x", "y"], [(Literal("=1+2"), Literal(-3.5))]), sep="\\n")
    x,y
    "'=1+2",-3.5
    >>> print(*csv_result_lines(["x"], [(Literal("=1+2"),)], raw=True), sep="\\n")
    x
    =1+2
    """
    yield csv_row(names, raw=raw)
    for row in rows:
        yield csv_row(("" if term is None else f"_:{term}" if isinstance(term, BNode) else str(term) for term in row), raw=raw)


def csv_lines(result: Result, *, raw: bool = False) -> Iterator[str]:
    """SPARQL 1.1 CSV results of a SELECT or ASK result (see :func:`csv_result_lines`).

    >>> from rdflib import Graph
    >>> list(csv_lines(Graph().query("ASK {}")))
    ['_askResult', 'true']
    """
    if result.type == "ASK":
        yield "_askResult"
        yield "true" if result.askAnswer else "false"
        return
    names = list(result.vars or [])
    yield from csv_result_lines([str(name) for name in names], (tuple(row) for row in result), raw=raw)


_NUMERIC = ("#integer", "#decimal", "#double")


def _tsv_term(term, raw: bool) -> str:
    if term is None:
        return ""
    if not isinstance(term, Literal):
        return term.n3().replace("\t", "\\t")
    lexical = str(term)
    numeric = term.datatype is not None and str(term.datatype).endswith(_NUMERIC)
    if numeric and (raw or formula_safe(lexical) == lexical):
        return lexical
    if not raw:
        safe = formula_safe(lexical)
        if safe != lexical:
            # The quote goes inside the string, where a spreadsheet that reads the
            # term's quotes as a text qualifier still sees it first.
            suffix = f"@{term.language}" if term.language else f"^^<{term.datatype}>" if term.datatype else ""
            return (Literal(safe).n3() + suffix).replace("\t", "\\t")
    return term.n3().replace("\t", "\\t")


def tsv_lines(result: Result, *, raw: bool = False) -> Iterator[str]:
    """SPARQL 1.1 TSV results: a header of ``?var`` names, then terms in Turtle syntax
    (rdflib ships a TSV parser but no serializer). A literal that would start like a
    formula gets a single quote at the start of its string, unless ``raw``.

    >>> from rdflib import Graph
    >>> list(tsv_lines(Graph().query('SELECT ?x ?y WHERE { VALUES (?x ?y) { ("a" 1) } }')))
    ['?x\\t?y', '"a"\\t1']
    >>> lines = tsv_lines(Graph().query('SELECT ?x ?y WHERE { VALUES (?x ?y) { ("=1+2" -3) } }'))
    >>> print(*(line.replace(chr(9), " | ") for line in lines), sep="\\n")
    ?x | ?y
    "'=1+2" | -3
    """
    if result.type == "ASK":
        yield "?_askResult"
        yield "true" if result.askAnswer else "false"
        return
    names = list(result.vars or [])
    yield "\t".join(f"?{name}" for name in names)
    for row in result:
        yield "\t".join(_tsv_term(term, raw) for term in row)


def result_lines(result: Result, fmt: str | None, *, raw_csv: bool = False, width: int | None = None) -> Iterator[str]:
    """Yield the lines of a query result in ``fmt`` (None: table or Turtle by query type).
    ``raw_csv`` keeps CSV and TSV cells that start like a spreadsheet formula as they are.
    A table fits ``width`` columns by wrapping values (None: values whole on one line),
    and shows QUDT units by their short names. JSON-LD carries the ``@context`` of
    ``evkg export --format jsonld``.

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
            rows = [[cell_text(row[i]) for i in range(len(names))] for row in result]
            yield from table(names, rows, width=width)
            yield ""
            yield f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
            return
        if fmt == "tsv":
            yield from tsv_lines(result, raw=raw_csv)
            return
        if fmt == "csv":
            yield from csv_lines(result, raw=raw_csv)
            return
        text = result.serialize(format=fmt)
        yield from (text.decode("utf-8") if isinstance(text, bytes) else text).splitlines()
        return
    fmt = fmt or "turtle"
    if fmt not in _GRAPH:
        raise UnknownFormat(
            f"--format {fmt} is for SELECT/ASK results; this {result.type} query gives a "
            "graph: use turtle, nt, jsonld or rdfxml."
        )
    graph = result.graph
    if _GRAPH[fmt] == "json-ld":
        from rdflib import Dataset

        from ..export import serialize_dataset

        dataset = Dataset()
        dataset.default_context.addN((s, p, o, dataset.default_context) for s, p, o in graph)
        yield from serialize_dataset(dataset, "jsonld", prefixes=PREFIXES).splitlines()
        return
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    text = graph.serialize(format=_GRAPH[fmt])
    lines = text.splitlines()
    if fmt == "nt":
        lines = sorted(line for line in lines if line.strip())
    yield from lines
