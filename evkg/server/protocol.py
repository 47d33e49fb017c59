"""The SPARQL 1.1 Protocol at ``/sparql``: queries by GET, form POST or direct POST,
updates by POST (refused unless the server allows them), the dataset parameters,
content negotiation, and a service description on a GET without a query.

Pages from other web sites may read the answers only from the origins the server was
started with (``evkg serve --cors ORIGIN``): by default there are no CORS headers, so a
page elsewhere that the user happens to open cannot read the served data through the
user's browser. The explorer's own pages are on the server's origin and need none.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlsplit

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..loading import iri_problem
from .evaluation import TABLE_FORMAT, Job, Reply, kb_from_nquads, read_only_message, serialize_graph, text_reply
from .negotiation import RDF_FORMATS, NotAcceptable, UnknownFormatName, choose, prefers_html

__all__ = ["sparql_endpoint", "sparql_options", "run_query", "read_body", "RequestTooLarge", "reply_response", "cors_headers"]

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
VOID = Namespace("http://rdfs.org/ns/void#")

_QUERY_TYPE = "application/sparql-query"
_UPDATE_TYPE = "application/sparql-update"
_FORM_TYPE = "application/x-www-form-urlencoded"

#: The answer headers a page from an allowed origin may read.
_EXPOSED = "Evkg-Max-Rows, Evkg-Rows, Evkg-Truncated"


def cors_headers(settings, origin: str | None) -> dict[str, str]:
    """The CORS headers of a ``/sparql`` answer to a request from ``origin``.

    None unless the server was started with ``--cors``: then ``Access-Control-Allow-Origin``
    for an allowed origin (``*`` when any is), and ``Vary: Origin`` when the answer
    depends on the origin.

    >>> from evkg.server.settings import ServerSettings
    >>> cors_headers(ServerSettings(), "https://elsewhere.example")
    {}
    >>> cors_headers(ServerSettings(cors_origins=("https://yasgui.example",)), "https://elsewhere.example")
    {'Vary': 'Origin'}
    >>> cors_headers(ServerSettings(cors_origins=("*",)), None)["Access-Control-Allow-Origin"]
    '*'
    """
    if not settings.cors_origins:
        return {}
    headers = {}
    if "*" in settings.cors_origins:
        headers["Access-Control-Allow-Origin"] = "*"
    else:
        headers["Vary"] = "Origin"
        if settings.allows_origin(origin):
            headers["Access-Control-Allow-Origin"] = origin
    if "Access-Control-Allow-Origin" in headers:
        headers["Access-Control-Expose-Headers"] = _EXPOSED
    return headers


def _with_cors(request: Request, response: Response) -> Response:
    for name, value in cors_headers(request.app.state.evkg.settings, request.headers.get("origin")).items():
        if name == "Vary" and "vary" in response.headers:
            response.headers["Vary"] = f"{response.headers['vary']}, {value}"
        else:
            response.headers[name] = value
    return response


class RequestTooLarge(Exception):
    """A request body over the size cap."""


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, read in chunks, refused as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(limit: int) -> Response:
    return _plain(413, f"The request is larger than {limit:,} bytes, the most this endpoint accepts.")


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return reply_response(text_reply(status, message, headers))


def reply_response(reply: Reply, extra: dict[str, str] | None = None) -> Response:
    headers = {**reply.headers, **(extra or {})}
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type, headers=headers)


class _Params:
    """Protocol parameters from the URL and a form body, each name possibly repeated."""

    def __init__(self, *sources: list[tuple[str, str]]):
        self.items = [pair for source in sources for pair in source]

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.items if key == name]

    def one(self, *names: str) -> str | None:
        for name in names:
            values = self.all(name)
            if values:
                return values[-1]
        return None


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the {what} is not UTF-8 (byte {exc.start}).") from None


async def _parse(request: Request, limit: int) -> tuple[str | None, str | None, _Params] | Response:
    """(query, update, params) of a protocol request, or the error response."""
    try:
        url_params = parse_qsl(request.url.query, keep_blank_values=True)
    except ValueError:
        return _plain(400, "The URL's query string is malformed.")
    if request.method in ("GET", "HEAD"):
        params = _Params(url_params)
        if params.all("update"):
            return _plain(405, "SPARQL Update must be sent with POST (update= in a form, or application/sparql-update).", {"Allow": "POST"})
        queries = params.all("query")
    else:
        try:
            body = await read_body(request, limit)
        except RequestTooLarge:
            return too_large(limit)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if media == _FORM_TYPE:
                params = _Params(url_params, parse_qsl(_decode(body, "form body"), keep_blank_values=True))
                queries = params.all("query")
            elif media == _QUERY_TYPE:
                params = _Params(url_params)
                if params.all("query"):
                    return _plain(400, "A POST of application/sparql-query carries the query in the body; remove query= from the URL.")
                queries = [_decode(body, "query")]
            elif media == _UPDATE_TYPE:
                params = _Params(url_params)
                return (None, _decode(body, "update"), params)
            else:
                return _plain(
                    415,
                    f"Unsupported content type {media or '(none)'!r}: POST a query as {_FORM_TYPE} "
                    f"(query=...) or as {_QUERY_TYPE}, an update as {_UPDATE_TYPE}.",
                )
        except ValueError as exc:
            return _plain(400, f"Bad request: {exc}")
        updates = params.all("update")
        if updates:
            if queries:
                return _plain(400, "Give either query= or update=, not both.")
            if len(updates) > 1:
                return _plain(400, "Give one update= parameter (several statements go in one, separated by ';').")
            return (None, updates[0], params)
    if len(queries) > 1:
        return _plain(400, "Give exactly one query= parameter.")
    query = queries[0] if queries else None
    if query is not None and not query.strip():
        return _plain(400, "The query is empty.")
    return (query, None, params)


async def run_query(request: Request, text: str, *, fmt: str | tuple[str, ...] | None = None, accept: str | None = None,
                    default_graphs=(), named_graphs=()) -> tuple[Reply, float]:
    """Evaluate a query in a worker; return the reply and the seconds it took."""
    state = request.app.state.evkg
    job = Job(
        "query", text, accept=accept, format=fmt, default_graphs=tuple(default_graphs),
        named_graphs=tuple(named_graphs), max_rows=state.settings.max_rows,
        allow_update=state.settings.allow_update, raw_csv=state.settings.raw_csv,
    )
    started = time.perf_counter()
    reply, _ = await state.pool.run(job, client_of(request))
    return reply, time.perf_counter() - started


def client_of(request: Request) -> str | None:
    """Who sent ``request``, for the per-client limits: the client's address."""
    return request.client.host if request.client else None


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


async def _run_update(request: Request, text: str, params: _Params) -> Response:
    state = request.app.state.evkg
    if not state.settings.allow_update:
        return _plain(403, read_only_message(state.kb.store))
    if not _same_origin(request):
        return _plain(403, "Refused: an update sent from another web site (its Origin header differs from this server).")
    if params.all("using-graph-uri") or params.all("using-named-graph-uri"):
        return _plain(400, "using-graph-uri and using-named-graph-uri are not supported; put USING in the update itself.")
    if not text.strip():
        return _plain(400, "The update is empty.")
    job = Job("update", text, allow_update=True)
    async with state.update_lock:
        reply, pid = await state.pool.run(job, client_of(request))
        if reply.snapshot is not None:
            state.kb = await run_in_threadpool(kb_from_nquads, reply.snapshot)
            state.pool.set_snapshot(reply.snapshot, pid)
            reply.snapshot = None
    return reply_response(reply)


async def sparql_endpoint(request: Request) -> Response:
    """``/sparql``: the SPARQL 1.1 Protocol."""
    return _with_cors(request, await _answer(request))


async def _answer(request: Request) -> Response:
    state = request.app.state.evkg
    parsed = await _parse(request, state.settings.max_request_bytes)
    if isinstance(parsed, Response):
        return parsed
    query, update, params = parsed
    if update is not None:
        return await _run_update(request, update, params)
    accept = request.headers.get("accept")
    # Clients name the format with format= (Virtuoso, SPARQLWrapper) or output= (Fuseki),
    # SPARQLWrapper with both and a media type beside the name: each is a candidate.
    fmt = tuple(name for name in (*params.all("format"), *params.all("output")) if name != TABLE_FORMAT) or None
    if query is None:
        if request.method == "POST":
            return _plain(400, "The request has neither query= nor update=.")
        if prefers_html(accept) and fmt is None:
            return RedirectResponse("/query", status_code=303)
        return await _service_description(request, accept, fmt)
    for name in ("default-graph-uri", "named-graph-uri"):
        for value in params.all(name):
            problem = iri_problem(value)
            if problem:
                return _plain(400, f"{name}={value[:200]!r} is not an IRI ({problem}); give a graph's full IRI.")
    reply, seconds = await run_query(
        request, query, fmt=fmt, accept=accept,
        default_graphs=params.all("default-graph-uri"), named_graphs=params.all("named-graph-uri"),
    )
    extra = {"Vary": "Accept", "Server-Timing": f"query;dur={seconds * 1000:.1f}"}
    return reply_response(reply, extra)


async def sparql_options(request: Request) -> Response:
    """OPTIONS on ``/sparql``, a browser's CORS preflight among them (a page POSTing
    application/sparql-query): the CORS grant only for an origin the server allows."""
    headers = {"Allow": "GET, POST, OPTIONS", "Vary": "Origin"}
    cors = cors_headers(request.app.state.evkg.settings, request.headers.get("origin"))
    if "Access-Control-Allow-Origin" in cors:
        headers.update({
            "Access-Control-Allow-Origin": cors["Access-Control-Allow-Origin"],
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Accept",
            "Access-Control-Max-Age": "86400",
        })
    return Response(status_code=204, headers=headers)


# --------------------------------------------------------------------------- service description


def service_description(state, endpoint: str) -> Graph:
    """The SPARQL 1.1 Service Description of this endpoint, with its graphs and sizes."""
    kb = state.kb
    sd = Graph()
    sd.bind("sd", SD)
    sd.bind("formats", FORMATS)
    sd.bind("void", VOID)
    service = BNode("service")
    sd.add((service, RDF.type, SD.Service))
    sd.add((service, SD.endpoint, URIRef(endpoint)))
    sd.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if state.settings.allow_update:
        sd.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    sd.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        sd.add((service, SD.resultFormat, FORMATS[name]))
    dataset = BNode("dataset")
    sd.add((service, SD.defaultDataset, dataset))
    sd.add((dataset, RDF.type, SD.Dataset))
    default = BNode("default")
    sd.add((dataset, SD.defaultGraph, default))
    sd.add((default, RDF.type, SD.Graph))
    sd.add((default, VOID.triples, Literal(len(kb), datatype=XSD.integer)))
    for number, name in enumerate(kb.graph_names()):
        named, graph = BNode(f"named{number}"), BNode(f"graph{number}")
        sd.add((dataset, SD.namedGraph, named))
        sd.add((named, RDF.type, SD.NamedGraph))
        sd.add((named, SD.name, name))
        sd.add((named, SD.graph, graph))
        sd.add((graph, RDF.type, SD.Graph))
        sd.add((graph, VOID.triples, Literal(len(kb.dataset.graph(name)), datatype=XSD.integer)))
    return sd


async def _service_description(request: Request, accept: str | None, fmt: tuple[str, ...] | None) -> Response:
    try:
        chosen = choose(RDF_FORMATS, accept, fmt)
    except NotAcceptable as exc:
        return _plain(406, f"Not acceptable: {exc}")
    except UnknownFormatName as exc:
        return _plain(400, str(exc))
    endpoint = str(request.url.replace(query=""))
    graph = await run_in_threadpool(service_description, request.app.state.evkg, endpoint)
    body = serialize_graph(graph, chosen)
    return Response(body, media_type=chosen.media_type, headers={"Vary": "Accept"})
