"""SPARQL for evkg: parse with the project's prefixes, refuse what would leave the store,
and serialize results in the W3C formats.

Examples
--------
>>> query = prepare("SELECT ?c WHERE { ?c a ev:Country }")
>>> query.algebra.name
'SelectQuery'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from rdflib import URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.sparql import Query

from .errors import NetworkAccessError, QueryError
from .ontology import PREFIXES

__all__ = [
    "prepare",
    "check_local",
    "service_iris",
    "is_update",
    "SELECT_FORMATS",
    "GRAPH_FORMATS",
    "prefix_block",
    "order_star",
]

#: Result formats for SELECT and ASK: evkg name -> rdflib result serializer.
SELECT_FORMATS = {"table": None, "csv": "csv", "tsv": "tsv", "json": "json", "xml": "xml"}
#: Result formats for CONSTRUCT and DESCRIBE: evkg name -> rdflib graph serializer.
GRAPH_FORMATS = {"turtle": "turtle", "ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


# The parts of a query text that may hold a "?" or a keyword that are not the query's
# own: strings, IRIs and comments; then variables, words and the star.
_TOKENS = re.compile(
    r'(?P<skip>"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'" r'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*)'
    r"|(?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)|(?P<word>[A-Za-z]+)|(?P<star>\*)"
)
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


def order_star(text: str, names: list) -> list:
    """The variables of a ``SELECT *`` query in the order they first appear in ``text``;
    ``names`` as they are for any other query. Engines give the columns of ``SELECT *``
    in an order of their own (rdflib's changes from one run to the next, Oxigraph's is
    alphabetical): this makes them the same on every store, every time.

    ``names`` are variables or their names, as the engine gives them.

    Examples
    --------
    >>> order_star("SELECT * WHERE { ?s ?p ?o }", ["o", "p", "s"])
    ['s', 'p', 'o']
    >>> order_star("SELECT ?o ?s WHERE { ?s ?p ?o }", ["o", "s"])
    ['o', 's']
    >>> order_star('SELECT DISTINCT * { ?x <urn:a#b> "?no" . # ?nor\\n ?y ?z ?x }', ["z", "y", "x"])
    ['x', 'y', 'z']
    """
    tokens = [(m.lastgroup, m.group()) for m in _TOKENS.finditer(text)]
    words = [i for i, (kind, value) in enumerate(tokens) if kind == "word" and value.upper() in _FORMS]
    if not words or tokens[words[0]][1].upper() != "SELECT":
        return list(names)
    after = [t for t in tokens[words[0] + 1 :] if not (t[0] == "word" and t[1].upper() in ("DISTINCT", "REDUCED"))]
    if not after or after[0][0] != "star":
        return list(names)
    first: dict[str, int] = {}
    for kind, value in tokens:
        if kind == "var":
            first.setdefault(value[1:], len(first))
    return sorted(names, key=lambda name: (first.get(str(name), len(first)), str(name)))


def prefix_block(prefixes: dict[str, str] = PREFIXES) -> str:
    """The project's prefixes as SPARQL ``PREFIX`` lines (for editors and docs)."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(prefixes.items()))


def _syntax_error(exc: Exception, text: str) -> QueryError:
    line = getattr(exc, "lineno", None) or getattr(exc, "line", None)
    col = getattr(exc, "col", None) or getattr(exc, "column", None)
    msg = getattr(exc, "msg", None) or str(exc)
    if isinstance(line, int) and isinstance(col, int):
        source_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
        pointer = f"\n    {source_line}\n    {' ' * (col - 1)}^" if source_line else ""
        return QueryError(f"SPARQL syntax error at line {line}, column {col}: {msg}.{pointer}")
    return QueryError(f"SPARQL syntax error: {msg}")


def prepare(text: str, *, prefixes: dict[str, str] = PREFIXES) -> Query:
    """Parse a SPARQL query with the project's prefixes predeclared.

    Line and column numbers in errors refer to the text as the user wrote it. The
    last few hundred queries parsed are kept: a query asked again (a page reloaded, a
    query run against each store) is not parsed again.

    Raises
    ------
    QueryError
        A syntax error (with line and column), an update where a query was expected,
        or an undeclared prefix.
    """
    return _prepare(text, tuple(sorted(prefixes.items())))


@lru_cache(maxsize=512)
def _prepare(text: str, prefixes: tuple[tuple[str, str], ...]) -> Query:
    try:
        parsed = parseQuery(text)
    except Exception as exc:
        if is_update(text):
            raise QueryError(
                "this is a SPARQL Update (INSERT/DELETE/LOAD/CLEAR ...); evkg's knowledge base "
                "is read-only here. Add facts with --data FILE instead."
            ) from None
        raise _syntax_error(exc, text) from None
    try:
        query = translateQuery(parsed, initNs=dict(prefixes))
    except Exception as exc:
        raise QueryError(f"SPARQL error: {exc}") from None
    if query.algebra.name == "SelectQuery":
        # rdflib takes the columns of the query's PV in the order it finds them in.
        query.algebra["PV"][:] = order_star(text, query.algebra["PV"])
    return query


def is_update(text: str) -> bool:
    """Whether ``text`` parses as SPARQL Update (INSERT, DELETE, LOAD, CLEAR ...)."""
    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


def _walk(node: object) -> Iterable[object]:
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, (list, tuple)):
            stack.extend(current)


def service_iris(query: Query) -> list[str]:
    """The IRIs of every ``SERVICE`` clause in the query's algebra."""
    found = []
    for node in _walk(query.algebra):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            found.append(str(node.get("term")))
    return found


def check_local(
    query: Query,
    local_graphs: Iterable[URIRef] | Callable[[], Iterable[URIRef]],
    *,
    allow_network: bool,
) -> None:
    """Refuse a query that would fetch data from outside the store.

    ``SERVICE`` is refused outright; ``FROM``/``FROM NAMED`` only when they name a graph
    the store does not hold (rdflib would try to download it). With ``allow_network``
    everything passes. ``local_graphs`` may be a function returning the graph names: it
    is called only for a query with ``FROM``, since listing a large store's graphs costs.

    Raises
    ------
    NetworkAccessError
    """
    if allow_network:
        return
    services = service_iris(query)
    if services:
        raise NetworkAccessError(
            f"the query calls SERVICE <{services[0]}>; evkg does not send queries to other "
            "endpoints or read files through SERVICE. Pass --allow-network to permit it."
        )
    clauses = query.algebra.get("datasetClause") or []
    if not clauses:
        return
    local = set(local_graphs() if callable(local_graphs) else local_graphs)
    for clause in clauses:
        # (CompValue.get answers a missing key with the key's own name: read the dict.)
        iri = dict.get(clause, "default") or dict.get(clause, "named")
        if iri is not None and URIRef(iri) not in local:
            raise NetworkAccessError(
                f"the query reads FROM <{iri}>, which is not a graph in the knowledge base; "
                "evkg does not fetch graphs from the web or the file system. "
                "Name a graph the store holds (see `evkg stats`), or pass --allow-network."
            )
