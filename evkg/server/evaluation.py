"""One SPARQL request, evaluated and serialized: what a query worker does with a
:class:`Job`, as plain functions over a :class:`~evkg.kb.KnowledgeBase`.

Every outcome is a :class:`Reply` with an HTTP status, so nothing a query does can
raise out of the worker: syntax errors are 400 with the parser's line and column,
refused updates and network access 403, an unacceptable format 406, and evaluation
failures (a ``RecursionError`` included) 500 with a message.

Neither a query nor an update ever makes rdflib fetch a graph: :func:`forbid_graph_loading`
turns rdflib's loading of ``FROM``/``USING`` graphs off (each worker calls it when it
starts, and every evaluation again), graph names the store does not hold are refused
before evaluation (``FROM``, ``USING``, ``USING NAMED``, ``WITH``, the protocol's graph
parameters), ``LOAD`` and ``SERVICE`` are refused, and evaluation runs inside
:func:`evkg.loading.network_guard`.

CSV and TSV answers neutralise cells that a spreadsheet would run as formulas (see
:func:`evkg.export.formula_safe`) unless the job says ``raw_csv``.

Examples
--------
>>> import evkg
>>> kb = evkg.load(seeds=False)
>>> reply = run_job(kb, Job("query", "ASK { ev:Company a owl:Class }", format="json"))
>>> reply.status, reply.media_type, reply.body
(200, 'application/sparql-results+json', b'{"head": {}, "boolean": true}')
>>> run_job(kb, Job("query", "SELECT ?x WHERE {")).status
400
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.sparql import Query

from ..errors import EvkgError, NetworkAccessError, QueryError, StoreError
from ..limits import check_query_shape
from ..kb import KnowledgeBase
from ..loading import default_graph, network_guard
from ..ontology import PREFIXES
from ..render.results import csv_result_lines, tsv_lines
from ..sparql import check_local, is_update, prepare, service_iris
from .negotiation import RDF_FORMATS, TABLE_FORMATS, Format, NotAcceptable, UnknownFormatName, choose

__all__ = [
    "Job",
    "Reply",
    "run_job",
    "kb_from_nquads",
    "snapshot_of",
    "text_reply",
    "READ_ONLY_MESSAGE",
    "read_only_message",
    "TABLE_FORMAT",
    "forbid_graph_loading",
]

#: The ``format`` of a job whose answer feeds the explorer's result table: SPARQL JSON
#: results for every query form (CONSTRUCT and DESCRIBE as subject/predicate/object rows).
TABLE_FORMAT = "explorer-table"

READ_ONLY_MESSAGE = (
    "This SPARQL endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, "
    "CREATE, DROP ...) is refused. To change the data, load your own files with "
    "`evkg serve --data FILE`; for local experiments, start the server with --allow-update."
)


def read_only_message(store=None) -> str:
    """Why an update is refused, with what to do instead for the data's ``store``.

    >>> from evkg.stores import open_store
    >>> print(read_only_message(open_store("sparql:http://localhost:8890/sparql")))  # doctest: +NORMALIZE_WHITESPACE
    This SPARQL endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE,
    DROP ...) is refused. Its data lives in sparql:http://localhost:8890/sparql: add to it
    with `evkg --store sparql:http://localhost:8890/sparql load FILE...`.
    """
    if store is None or not store.persistent:
        return READ_ONLY_MESSAGE
    stopped = ", with the server stopped" if store.spec.startswith("oxigraph:") else ""
    return (
        "This SPARQL endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, "
        f"CREATE, DROP ...) is refused. Its data lives in {store.spec}: add to it with "
        f"`evkg --store {store.spec} load FILE...`{stopped}."
    )


@dataclass(frozen=True)
class Job:
    """A SPARQL request as a worker receives it.

    ``kind`` is ``"query"`` or ``"update"``. ``format`` is the request's ``format=``
    and ``output=`` values, one or a tuple of them (or :data:`TABLE_FORMAT`); ``accept``
    the request's ``Accept`` header. The graph lists
    are the protocol's ``default-graph-uri`` and ``named-graph-uri``: when either is
    given, they are the query's whole dataset.
    """

    kind: str
    text: str
    accept: str | None = None
    format: str | tuple[str, ...] | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 10_000
    allow_update: bool = False
    raw_csv: bool = False


@dataclass
class Reply:
    """An HTTP answer: status, media type, body and extra headers. After an update,
    ``snapshot`` holds the whole new dataset as N-Quads."""

    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    snapshot: str | None = None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def text_reply(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    """A plain-text answer, for errors and update confirmations."""
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode(), headers or {})


# --------------------------------------------------------------------------- data


def kb_from_nquads(text: str) -> KnowledgeBase:
    """A knowledge base holding exactly the quads of ``text`` (a :func:`snapshot_of`)."""
    dataset = Dataset(default_union=True)
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    dataset.parse(data=text, format="nquads")
    return KnowledgeBase(dataset)


def snapshot_of(kb: KnowledgeBase) -> str:
    """Every quad of ``kb`` as N-Quads, for handing the data to another process."""
    return kb.dataset.serialize(format="nquads")


def _check_graphs(kb: KnowledgeBase, iris) -> None:
    """Refuse graph names the store does not hold (rdflib would try to download them)."""
    if not iris:
        return
    known = {str(name) for name in kb.graph_names()}
    for iri in iris:
        if iri not in known:
            raise NetworkAccessError(
                f"<{iri}> is not a graph of this endpoint, and it never fetches graphs from "
                f"the web or the file system. Its graphs are: {_listing(known)}."
            )


def _listing(known) -> str:
    names = sorted(known)
    shown = ", ".join(names[:20])
    return shown + (f" and {len(names) - 20:,} more" if len(names) > 20 else "") if names else "(none)"


def forbid_graph_loading() -> None:
    """Stop rdflib from reading the graphs that ``FROM``, ``FROM NAMED``, ``USING`` or
    ``USING NAMED`` name (over HTTP or from ``file:`` IRIs): it then takes them from the
    store. rdflib reads them by default; a query worker calls this before its first job.
    """
    import rdflib.plugins.sparql as rdflib_sparql

    rdflib_sparql.SPARQL_LOAD_GRAPHS = False


def _restricted(kb: KnowledgeBase, defaults: tuple[str, ...], named: tuple[str, ...]) -> KnowledgeBase:
    """The dataset the protocol's graph parameters describe: the union of ``defaults`` as
    the default graph, and ``named`` as the only named graphs."""
    _check_graphs(kb, (*defaults, *named))
    dataset = Dataset(default_union=False)
    merged = default_graph(dataset)
    for iri in defaults:
        merged += kb.dataset.graph(URIRef(iri))
    for iri in named:
        target = dataset.graph(URIRef(iri))
        target += kb.dataset.graph(URIRef(iri))
    return KnowledgeBase(dataset)


# --------------------------------------------------------------------------- serializing


def _term(term) -> dict | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    cell = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal):
        if term.language:
            cell["xml:lang"] = term.language
        elif term.datatype is not None:
            cell["datatype"] = str(term.datatype)
    return cell


def _json_results(names: list[str], rows: list, limit: dict | None, boolean: bool | None = None) -> bytes:
    """SPARQL 1.1 Query Results JSON, exactly the members the W3C format has. When
    ``limit`` says the rows were cut, ``head.link`` holds its note as a ``data:`` IRI."""
    if boolean is not None:
        document: dict = {"head": {}, "boolean": boolean}
    else:
        bindings = []
        for row in rows:
            binding = {}
            for name, term in zip(names, row):
                if term is not None:
                    binding[name] = _term(term)
            bindings.append(binding)
        head: dict = {"vars": names}
        if limit is not None and limit["truncated"]:
            head["link"] = ["data:text/plain;charset=utf-8," + quote(limit["note"])]
        document = {"head": head, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _csv_results(names: list[str], rows: list, raw: bool) -> bytes:
    return "".join(line + "\r\n" for line in csv_result_lines(names, rows, raw=raw)).encode("utf-8")


def _limit_note(max_rows: int, rows: int, truncated: bool) -> tuple[dict, dict[str, str]]:
    limit = {"maxRows": max_rows, "rows": rows, "truncated": truncated}
    if truncated:
        limit["note"] = (
            f"The answer was cut to the first {max_rows:,} rows, the most this endpoint "
            "returns (evkg serve --max-rows). Add LIMIT/OFFSET to page through the rest."
        )
    headers = {"Evkg-Max-Rows": str(max_rows), "Evkg-Rows": str(rows), "Evkg-Truncated": "true" if truncated else "false"}
    if truncated:
        headers["Evkg-Note"] = limit["note"]
    return limit, headers


def _tabular_reply(result, fmt: Format, max_rows: int, raw_csv: bool = False) -> Reply:
    if result.type == "ASK":
        answer = bool(result.askAnswer)
        if fmt.name == "json":
            body = _json_results([], [], None, boolean=answer)
        elif fmt.name == "csv":
            body = f"_askResult\r\n{'true' if answer else 'false'}\r\n".encode()
        elif fmt.name == "tsv":
            body = ("\n".join(tsv_lines(result)) + "\n").encode()
        else:
            body = result.serialize(format="xml")
        return Reply(200, fmt.media_type, body)
    names = [str(v) for v in result.vars or []]
    bindings = result.bindings
    truncated = len(bindings) > max_rows
    if truncated:
        result.bindings = bindings = bindings[:max_rows]
    rows = [tuple(binding.get(v) for v in result.vars or []) for binding in bindings]
    limit, headers = _limit_note(max_rows, len(rows), truncated)
    if fmt.name == "json":
        body = _json_results(names, rows, limit)
    elif fmt.name == "csv":
        body = _csv_results(names, rows, raw_csv)
    elif fmt.name == "tsv":
        body = ("\n".join(tsv_lines(result, raw=raw_csv)) + "\n").encode()
    else:
        body = result.serialize(format="xml")
    return Reply(200, fmt.media_type, body, headers)


_RDFLIB_GRAPH_FORMAT = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


def serialize_graph(graph: Graph, fmt: Format) -> bytes:
    """A graph in ``fmt`` with the project's prefixes; N-Triples sorted."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    if fmt.name == "jsonld":
        text = graph.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
    else:
        text = graph.serialize(format=_RDFLIB_GRAPH_FORMAT[fmt.name])
    if fmt.name == "nt":
        text = "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))
    return text.encode("utf-8")


def _graph_reply(result, fmt: Format, max_rows: int, table: bool) -> Reply:
    triples = sorted(result.graph)
    truncated = len(triples) > max_rows
    triples = triples[:max_rows]
    limit, headers = _limit_note(max_rows, len(triples), truncated)
    if table:
        return Reply(200, TABLE_FORMATS[0].media_type, _json_results(["subject", "predicate", "object"], triples, limit), headers)
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return Reply(200, fmt.media_type, serialize_graph(graph, fmt), headers)


# --------------------------------------------------------------------------- running


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    """A parsed query, kept for reuse: parsing costs more than evaluating most queries."""
    return prepare(text)


def _evaluate(kb: KnowledgeBase, job: Job):
    """Parse and evaluate a query with the project's prefixes, never touching the network."""
    # The protocol's dataset changes the parsed query, so such queries get their own copy.
    query = prepare(job.text) if job.default_graphs or job.named_graphs else _prepared(job.text)
    services = service_iris(query)
    if services:
        raise NetworkAccessError(
            f"the query calls SERVICE <{services[0]}>; this endpoint never sends queries "
            "to other endpoints or reads files through SERVICE."
        )
    if job.default_graphs or job.named_graphs:
        kb = _restricted(kb, job.default_graphs, job.named_graphs)
        query.algebra["datasetClause"] = None  # the protocol's dataset replaces FROM
    else:
        clauses = query.algebra.get("datasetClause") or []
        _check_graphs(kb, [str(c.default if c.default is not None else c.named) for c in clauses])
    check_local(query, kb.graph_names, allow_network=False)  # the library's own check, too
    forbid_graph_loading()
    with network_guard(False):
        result = _store_answer(kb, job.text)
        if result is None:
            result = kb.dataset.query(query)
        if result.type == "SELECT":
            result.bindings  # evaluate here, inside the guard
        elif result.type in ("CONSTRUCT", "DESCRIBE"):
            len(result.graph)
    return result


def _store_answer(kb: KnowledgeBase, text: str):
    """The answer of the store's own engine (Oxigraph's, the SPARQL server's), as
    :meth:`KnowledgeBase.query` gets it; None when the store leaves the query to rdflib."""
    if kb.store is None:
        return None
    try:
        return kb.store.query(text, PREFIXES)
    except SyntaxError:  # Oxigraph's parser refuses what rdflib's accepted: rdflib evaluates it
        return None


def _query(kb: KnowledgeBase, job: Job) -> Reply:
    try:
        result = _evaluate(kb, job)
    except QueryError as exc:
        if is_update(job.text):
            if job.allow_update:
                return text_reply(400, "This is a SPARQL Update; send it with POST as update= or as application/sparql-update, not as query=.")
            return text_reply(403, read_only_message(kb.store))
        return text_reply(400, str(exc))
    except NetworkAccessError as exc:
        return text_reply(403, f"Refused: {exc}")
    table = job.format == TABLE_FORMAT
    tabular = result.type in ("SELECT", "ASK")
    if table:
        if tabular:
            reply = _tabular_reply(result, TABLE_FORMATS[0], job.max_rows)
        else:
            reply = _graph_reply(result, RDF_FORMATS[0], job.max_rows, table=True)
        reply.headers["Evkg-Query-Form"] = result.type
        return reply
    try:
        fmt = choose(TABLE_FORMATS if tabular else RDF_FORMATS, job.accept, job.format)
    except NotAcceptable as exc:
        return text_reply(406, f"Not acceptable: {exc}")
    except UnknownFormatName as exc:
        return text_reply(400, str(exc))
    if tabular:
        return _tabular_reply(result, fmt, job.max_rows, job.raw_csv)
    return _graph_reply(result, fmt, job.max_rows, table=False)


def _update(kb: KnowledgeBase, job: Job) -> Reply:
    if not job.allow_update:
        return text_reply(403, read_only_message(kb.store))
    try:
        update = translateUpdate(parseUpdate(job.text), initNs=PREFIXES)
    except Exception as exc:
        try:
            prepare(job.text)
        except QueryError:
            pass
        else:
            return text_reply(400, "This is a query, not an update; send it as query=.")
        return text_reply(400, f"SPARQL Update syntax error: {' '.join(str(exc).split())}")
    if any(getattr(op, "name", None) == "Load" for op in update.algebra):
        return text_reply(403, "Refused: LOAD would fetch data from the web or the file system, which this endpoint never does. Load files with `evkg serve --data FILE`.")
    services = service_iris(update)
    if services:
        return text_reply(403, f"Refused: the update calls SERVICE <{services[0]}>; this endpoint never sends queries to other endpoints.")
    refusal = _unknown_update_graph(kb, update)
    if refusal:
        return text_reply(403, refusal)
    before = len(kb.dataset)
    forbid_graph_loading()
    with network_guard(False):
        kb.dataset.update(update)
    after = len(kb.dataset)
    reply = text_reply(200, f"Update applied: the dataset had {before:,} quads and now has {after:,}.")
    reply.snapshot = snapshot_of(kb)
    return reply


def _unknown_update_graph(kb: KnowledgeBase, update) -> str | None:
    """Why the update names a graph the store does not hold in ``USING``, ``USING
    NAMED`` or ``WITH`` (rdflib would read a ``USING`` graph from its IRI, a ``file:``
    one from the disk); None when it names none."""
    known = {str(name) for name in kb.graph_names()}
    for op in update.algebra:
        # CompValue.get(name) answers the name itself when it is missing: read attributes.
        clauses = [("USING", c.default) if c.default is not None else ("USING NAMED", c.named)
                   for c in getattr(op, "using", None) or []]
        if getattr(op, "withClause", None) is not None:
            clauses.append(("WITH", op.withClause))
        for keyword, iri in clauses:
            if str(iri) in known:
                continue
            if keyword == "WITH":
                advice = (f"To write a new graph, name it in the template instead: "
                          f"INSERT {{ GRAPH <{iri}> {{ ... }} }} WHERE {{ ... }}, or INSERT DATA.")
            else:
                advice = "An update here reads only the graphs the store holds."
            return (
                f"Refused: {keyword} <{iri}> is not a graph of this endpoint, and it never reads "
                f"graphs from the web or the file system. {advice} Its graphs are: {_listing(known)}."
            )
    return None


def run_job(kb: KnowledgeBase, job: Job) -> Reply:
    """Answer one SPARQL request. Every failure is a :class:`Reply` but ``MemoryError``,
    which leaves the process in no state to go on (its worker answers it and ends)."""
    try:
        check_query_shape(job.text)  # before any parser sees it: native ones overflow the stack
        if job.kind == "update":
            return _update(kb, job)
        return _query(kb, job)
    except MemoryError:
        raise  # the worker answers it and is replaced (evkg.server.pool)
    except RecursionError:
        return text_reply(
            500,
            "The query recursed too deeply to evaluate (a property path over a very long "
            "chain, or very deep nesting). Bound the path, e.g. with a fixed number of hops.",
        )
    except NetworkAccessError as exc:
        return text_reply(403, f"Refused: {exc}")
    except StoreError as exc:
        return text_reply(502, f"The store behind this endpoint failed to answer: {exc}")
    except EvkgError as exc:
        return text_reply(400, str(exc))
    except Exception as exc:  # rdflib raises many types during evaluation
        message = " ".join(str(exc).split())[:500]
        return text_reply(500, f"The query failed during evaluation ({type(exc).__name__}): {message}")
