"""The explorer: server-rendered pages for people, over the same knowledge base.

Home (what the data is), search, entity pages at the entity's own IRI path (HTML, or
its triples as Turtle, N-Triples or JSON-LD by content negotiation), explained paths
between two entities, and a query page whose results come from the query workers.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, quote, urlencode

from rdflib import BNode, Graph, URIRef
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response

from ..errors import AmbiguousEntity, EvkgError, UnknownEntity
from ..kb import Description, KnowledgeBase
from ..ontology import BASE, GRAPH, ID, PREFIXES, SOURCE
from ..queries import get_example, list_examples
from ..render.results import compact
from ..sparql import prefix_block
from .evaluation import TABLE_FORMAT, serialize_graph
from .negotiation import RDF_FORMATS, NotAcceptable, UnknownFormatName, choose, parse_accept
from .protocol import RequestTooLarge, read_body, run_query, too_large
from .vocabulary import vocabulary

__all__ = [
    "FILTERS",
    "home",
    "search",
    "search_api",
    "entity",
    "source",
    "resource",
    "path",
    "query",
    "vocabulary_api",
    "entity_graph",
    "path_graph",
    "not_found",
    "not_allowed",
    "page_url",
    "with_prefixes",
]

#: Rows shown in the query page's table; the downloads carry every row.
SHOWN_ROWS = 1_000
_EXTENSIONS = {"csv": "csv", "json": "json", "tsv": "tsv", "xml": "srx", "turtle": "ttl", "jsonld": "jsonld", "nt": "nt"}

_STARTER_QUERY = """SELECT ?company ?label ?country WHERE {
  ?company a/rdfs:subClassOf* ev:Company ; rdfs:label ?label .
  OPTIONAL { ?company ev:basedIn/rdfs:label ?country }
}
ORDER BY ?label
LIMIT 50
"""


def page_url(iri: str) -> str:
    """The explorer's address for an IRI: the IRI's own path for the project's entities
    and sources, ``/resource?iri=...`` for anything else.

    >>> page_url("https://w3id.org/evkg/id/company/catl")
    '/id/company/catl'
    >>> page_url("http://qudt.org/vocab/unit/GigaW-HR")
    '/resource?iri=http%3A%2F%2Fqudt.org%2Fvocab%2Funit%2FGigaW-HR'
    """
    for namespace, prefix in ((str(ID), "/id/"), (str(SOURCE), "/source/")):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return prefix + quote(iri[len(namespace):], safe="/-_.~")
    return "/resource?" + urlencode({"iri": iri})


def with_prefixes(text: str) -> str:
    """``text`` after the ``PREFIX`` lines of the project prefixes it uses (and does not
    declare itself), so that it runs in any SPARQL tool.

    >>> print(with_prefixes("SELECT * WHERE { ?c a ev:Country ; rdfs:label ?l }"), end="")
    PREFIX ev: <https://w3id.org/evkg/ontology#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    <BLANKLINE>
    SELECT * WHERE { ?c a ev:Country ; rdfs:label ?l }
    """
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    used = {
        prefix: iri for prefix, iri in PREFIXES.items()
        if re.search(rf"(?<![\w:-]){re.escape(prefix)}:", body)
        and not re.search(rf"(?i)\bPREFIX\s+{re.escape(prefix)}:", body)
    }
    return (prefix_block(used) + "\n" if used else "") + text


def _is_iri(value: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", value, re.I)) and " " not in value


FILTERS = {"page_url": page_url, "compact": lambda iri: compact(URIRef(iri)), "is_iri": _is_iri}


# --------------------------------------------------------------------------- plumbing


def _state(request: Request):
    return request.app.state.evkg


def _render(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    state = _state(request)
    html = state.templates.get_template(template).render(
        path=request.url.path, origin=f"{request.url.scheme}://{request.url.netloc}",
        allow_update=state.settings.allow_update, **context
    )
    return HTMLResponse(html, status_code=status)


def _wants_html(request: Request) -> bool:
    ranges = parse_accept(request.headers.get("accept"))
    return any(media in ("text/html", "application/xhtml+xml") and q > 0 for media, q in ranges)


async def not_found(request: Request, exc: HTTPException) -> Response:
    message = exc.detail if exc.detail and exc.detail != "Not Found" else f"There is no page at {request.url.path}."
    if _wants_html(request) and hasattr(request.app.state, "evkg"):
        return _render(request, "error.html", 404, title="Not found", message=message, suggestions=[])
    return PlainTextResponse(message + "\n", status_code=404)


async def not_allowed(request: Request, exc: HTTPException) -> Response:
    return PlainTextResponse(f"{request.method} is not allowed on {request.url.path}.\n", status_code=405, headers=exc.headers)


# --------------------------------------------------------------------------- home and search


def _home_data(kb: KnowledgeBase) -> dict:
    stats = kb.stats()
    sources = [s for s in stats.by_source if s["graph"] != str(GRAPH["ontology"])]
    return {
        "stats": stats,
        "sources": sources,
        "classes": sorted(stats.by_class.items(), key=lambda kv: (-kv[1], kv[0])),
        "entities": sum(stats.by_class.values()),
    }


async def home(request: Request) -> Response:
    state = _state(request)
    data = await run_in_threadpool(_home_data, state.kb)
    return _render(request, "home.html", title="evkg explorer", examples=list_examples(), **data)


def _hits(kb: KnowledgeBase, text: str, limit: int) -> list[dict]:
    return [
        {"label": h.entity.label, "type": h.entity.type_label, "iri": h.entity.iri, "url": page_url(h.entity.iri),
         "also": [a for a in h.entity.alt_labels][:3], "score": h.score}
        for h in kb.search(text, limit=limit)
    ]


async def search(request: Request) -> Response:
    text = request.query_params.get("q", "").strip()
    if not text:
        return RedirectResponse("/", status_code=303)
    hits = await run_in_threadpool(_hits, _state(request).kb, text, 25)
    return _render(request, "search.html", title=f"Search: {text}", q=text, hits=hits)


async def search_api(request: Request) -> Response:
    """``/api/search?q=TEXT&limit=N``: entity names for completion, best first."""
    text = request.query_params.get("q", "").strip()
    try:
        limit = max(1, min(50, int(request.query_params.get("limit", "10"))))
    except ValueError:
        return PlainTextResponse("limit must be a whole number.\n", status_code=400)
    hits = await run_in_threadpool(_hits, _state(request).kb, text, limit) if text else []
    return JSONResponse(hits)


# --------------------------------------------------------------------------- entity pages


def _exists(kb: KnowledgeBase, iri: URIRef) -> bool:
    return (iri, None, None) in kb.dataset or (None, None, iri) in kb.dataset


def entity_triples(kb: KnowledgeBase, iri: URIRef) -> Graph:
    """The triples about ``iri``: where it is the subject and where it is the object,
    with everything said about the blank nodes among them (quantity values, and the
    evidence nodes that carry the quotes of statements about it)."""
    graph = Graph()
    todo, seen = [iri], set()
    for s, p in kb.dataset.subject_predicates(iri):
        graph.add((s, p, iri))
        if isinstance(s, BNode):
            todo.append(s)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in kb.dataset.predicate_objects(node):
            graph.add((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return graph


def _rdf_format(request: Request):
    """The RDF format the request asks for, or None for HTML."""
    name = request.query_params.get("format")
    if name:
        return choose(RDF_FORMATS, None, name)
    accept = request.headers.get("accept")
    ranges = parse_accept(accept)
    rdf_types = {media for fmt in RDF_FORMATS for media in fmt.accepts} - {"text/plain", "application/json", "application/xml", "text/xml"}
    rdf_q = max((q for media, q in ranges if media in rdf_types), default=0.0)
    html_q = max((q for media, q in ranges if media in ("text/html", "application/xhtml+xml")), default=0.0)
    if rdf_q > 0 and rdf_q > html_q:
        return choose(RDF_FORMATS, accept)
    return None


def _groups(description: Description) -> tuple[list[dict], list[dict]]:
    """Facts grouped by relation (the entity's own first), and the numbered sources."""
    sources: dict[tuple[str, str], int] = {}
    groups: dict[tuple[str, str], list] = {}
    for fact in description.facts:
        groups.setdefault((fact.relation_label, fact.direction), []).append(fact)
    shown = []
    for (label, direction), facts in sorted(groups.items(), key=lambda kv: (kv[0][1] != "out", kv[0][1], kv[0][0])):
        items = []
        for fact in facts:
            citations = []
            for citation in fact.citations:
                key = (citation.source or citation.graph, citation.title)
                number = sources.setdefault(key, len(sources) + 1)
                citations.append({"number": number, "quote": citation.quote, "title": citation.title,
                                  "interpretation": citation.interpretation, "note": citation.note})
            items.append({
                "value": fact.value,
                "label": fact.value_label,
                "link": fact.value.startswith(("http://", "https://", "urn:")) and not fact.value_label == fact.value,
                "details": fact.details,
                "citations": citations,
                "source_count": fact.source_count,
            })
        heading = {"out": label, "in": f"← {label}", "part": f"as {label} in"}[direction]
        shown.append({"heading": heading, "relation": label, "direction": direction, "facts": items})
    numbered = [{"number": n, "iri": iri, "title": title} for (iri, title), n in sorted(sources.items(), key=lambda kv: kv[1])]
    return shown, numbered


async def _resource(request: Request, iri: URIRef) -> Response:
    state = _state(request)
    kb = state.kb
    try:
        fmt = _rdf_format(request)
    except (NotAcceptable, UnknownFormatName) as exc:
        return PlainTextResponse(f"{exc}\n", status_code=406 if isinstance(exc, NotAcceptable) else 400)
    if not await run_in_threadpool(_exists, kb, iri):
        slug = str(iri).rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
        suggestions = await run_in_threadpool(_hits, kb, slug, 5) if slug else []
        message = f"Nothing in the knowledge base is called <{iri}>."
        if fmt is not None or not _wants_html(request):
            return PlainTextResponse(message + "\n", status_code=404)
        return _render(request, "error.html", 404, title="Not found", message=message, suggestions=suggestions)
    headers = {"Vary": "Accept", "Link": f'<{iri}>; rel="canonical"'}
    if fmt is not None:
        graph = await run_in_threadpool(entity_triples, kb, iri)
        body = await run_in_threadpool(serialize_graph, graph, fmt)
        return Response(body, media_type=fmt.media_type, headers=headers)
    description = await run_in_threadpool(kb.describe, str(iri))
    groups, sources = _groups(description)
    graph_url = None
    if str(iri).startswith(str(ID)) and await run_in_threadpool(_in_graph, kb, str(iri)):
        graph_url = "/graph/entity/" + str(iri)[len(str(ID)):]
    response = _render(
        request, "entity.html", title=description.entity.label, entity=description.entity,
        groups=groups, sources=sources, graph_url=graph_url, own_page=page_url(str(iri)),
    )
    response.headers.update(headers)
    return response


async def entity(request: Request) -> Response:
    """``/id/{type}/{slug}`` (and ``/entity/...``): the entity ``https://w3id.org/evkg/id/{type}/{slug}``."""
    return await _resource(request, ID[request.path_params["rest"]])


async def source(request: Request) -> Response:
    """``/source/{slug}``: a source article, ``https://w3id.org/evkg/source/{slug}``."""
    return await _resource(request, SOURCE[request.path_params["rest"]])


async def resource(request: Request) -> Response:
    """``/resource?iri=IRI``: any IRI of the knowledge base (classes, units, ...)."""
    iri = request.query_params.get("iri", "").strip()
    if not iri:
        return PlainTextResponse("Give the IRI to show: /resource?iri=...\n", status_code=400)
    own = page_url(iri)
    if not own.startswith("/resource") and not request.query_params.get("format"):
        return RedirectResponse(own, status_code=301)
    return await _resource(request, URIRef(iri))


# --------------------------------------------------------------------------- paths


def _sentence(message: str) -> str:
    """A library message (which starts in lower case, after "Error: ") as a sentence."""
    return message[:1].upper() + message[1:]


def _find_paths(kb: KnowledgeBase, source: str, target: str, k: int):
    from ..graph import shortest_paths

    return shortest_paths(kb, source, target, k=k)


async def path(request: Request) -> Response:
    """``/path?from=A&to=B&k=N``: how two entities are connected, each hop with its quote."""
    state = _state(request)
    params = request.query_params
    source, target = params.get("from", "").strip(), params.get("to", "").strip()
    try:
        k = max(1, min(10, int(params.get("k", "1"))))
    except ValueError:
        k = 1
    context = {"title": "Paths", "source": source, "target": target, "k": k, "result": None,
               "error": None, "candidates": [], "graph_url": None}
    if not (source and target):
        if source or target:
            context["error"] = "Give two entities: where the path starts and where it ends."
            return _render(request, "path.html", 400, **context)
        return _render(request, "path.html", **context)
    try:
        result = await run_in_threadpool(_find_paths, state.kb, source, target, k)
    except AmbiguousEntity as exc:
        context["error"] = _sentence(str(exc))
        context["candidates"] = [{"iri": iri, "label": label, "type": kind} for iri, label, kind in exc.candidates]
        return _render(request, "path.html", 400, **context)
    except UnknownEntity as exc:
        context["error"] = _sentence(str(exc).replace(" (`evkg search TEXT` finds names.)", ""))
        return _render(request, "path.html", 404, **context)
    except EvkgError as exc:
        context["error"] = _sentence(str(exc))
        return _render(request, "path.html", 400, **context)
    context["result"] = result
    if result.paths:
        context["graph_url"] = "/graph/path?" + urlencode({"from": result.source.id, "to": result.target.id, "k": k})
    return _render(request, "path.html", **context)


# --------------------------------------------------------------------------- query page


def _cell(term: dict | None) -> dict:
    if term is None:
        return {"text": "", "link": None, "title": None}
    value = term["value"]
    if term["type"] == "uri":
        return {"text": compact(URIRef(value)), "link": page_url(value) if value.startswith(BASE) else None, "title": value}
    if term["type"] == "bnode":
        return {"text": f"_:{value}", "link": None, "title": None}
    note = term.get("xml:lang") or (compact(URIRef(term["datatype"])) if "datatype" in term else None)
    return {"text": value, "link": None, "title": note}


#: YASGUI's column resizer (in the result tables) adds two fixed ``<style>`` blocks: its
#: layout rules, and the cursor while a column is dragged. The query page's policy allows
#: these two by their hashes, and no other inline style; scripts stay 'self' only (YASGUI
#: needs no eval). tests/test_yasgui.py checks the hashes against the bundled script.
YASGUI_STYLE_HASHES = (
    "sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk=",
    "sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg=",
)


def _query_page(request: Request, status: int = 200, **context) -> HTMLResponse:
    from .app import _CSP

    response = _render(request, "query.html", status, **context)
    hashes = " ".join(f"'{h}'" for h in YASGUI_STYLE_HASHES)
    response.headers["Content-Security-Policy"] = _CSP.replace("style-src 'self'", f"style-src 'self' {hashes}")
    return response


def _editor_config(examples, text: str | None, title: str) -> dict:
    """What the query page's script gives YASGUI: the endpoint, where the vocabulary is,
    the query of a new tab (every project prefix declared), the examples, and the query
    the address asked for (opened in a tab of its own and run)."""
    return {
        "endpoint": "/sparql",
        "vocabulary": "/api/vocabulary",
        "prefixes": dict(PREFIXES),
        "defaultQuery": prefix_block(PREFIXES) + "\n" + _STARTER_QUERY,
        "examples": [{"name": e.name, "title": e.title, "description": e.description, "query": with_prefixes(e.text)} for e in examples],
        "open": {"query": text, "title": title} if text and text.strip() else None,
        # Result cells link the explorer's own page of an IRI (see page_url).
        "pages": {str(ID): "/id/", str(SOURCE): "/source/"},
    }


async def query(request: Request) -> Response:
    """``/query``: a SPARQL editor with the prefixes filled in; results as a table.

    In a browser with scripts the editor is YASGUI (``static/query.js``): tabs, history,
    completion of the vocabulary, sortable tables; without them, the form and the table
    rendered here."""
    state = _state(request)
    params = dict(request.query_params)
    if request.method == "POST":
        try:
            body = await read_body(request, state.settings.max_request_bytes)
        except RequestTooLarge:
            return too_large(state.settings.max_request_bytes)
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    text = params.get("query")
    example = params.get("example")
    examples = list_examples()
    context = {"title": "Query", "examples": examples, "example": example, "result": None,
               "error": None, "error_status": 200, "seconds": None, "downloads": []}
    tab_title = "Query"
    if example and not text:
        try:
            chosen = get_example(example)
        except EvkgError as exc:
            context.update(error=str(exc), error_status=404, query=with_prefixes(_STARTER_QUERY), rows=12,
                           prefixes=sorted(PREFIXES), editor=_editor_config(examples, None, tab_title))
            return _query_page(request, 404, **context)
        text, tab_title = with_prefixes(chosen.text), chosen.title
    context["editor"] = _editor_config(examples, text, tab_title)
    context["query"] = text if text is not None else with_prefixes(_STARTER_QUERY)
    context["rows"] = max(10, min(30, context["query"].count("\n") + 2))
    context["prefixes"] = sorted(PREFIXES)
    if not text or not text.strip():
        return _query_page(request, **context)
    reply, seconds = await run_query(request, text, fmt=TABLE_FORMAT)
    context["seconds"] = seconds
    if reply.status != 200:
        context["error"] = reply.text.strip()
        context["error_status"] = reply.status
        return _query_page(request, reply.status, **context)
    data = json.loads(reply.body)
    if "boolean" in data:
        context["result"] = {"boolean": data["boolean"], "limit": None}
        context["downloads"] = [("JSON", "json"), ("XML", "xml"), ("CSV", "csv")]
    else:
        names = data["head"]["vars"]
        bindings = data["results"]["bindings"]
        rows = [[_cell(b.get(n)) for n in names] for b in bindings[:SHOWN_ROWS]]
        limit = {"truncated": reply.headers.get("Evkg-Truncated") == "true", "note": reply.headers.get("Evkg-Note", "")}
        graph = reply.headers.get("Evkg-Query-Form") in ("CONSTRUCT", "DESCRIBE")
        context["result"] = {"names": names, "rows": rows, "count": len(bindings), "shown": len(rows), "limit": limit}
        context["downloads"] = [("Turtle", "turtle"), ("JSON-LD", "jsonld"), ("N-Triples", "nt")] if graph else [("CSV", "csv"), ("JSON", "json"), ("TSV", "tsv"), ("XML", "xml")]
    context["downloads"] = [
        (label, "/sparql?" + urlencode({"query": text, "format": fmt}), f"results.{_EXTENSIONS[fmt]}")
        for label, fmt in context["downloads"]
    ]
    return _query_page(request, **context)


async def vocabulary_api(request: Request) -> Response:
    """``/api/vocabulary``: the prefixes, classes and properties the query editor completes
    (see :func:`evkg.server.vocabulary.vocabulary`), as JSON."""
    terms = await run_in_threadpool(vocabulary, _state(request).kb)
    return JSONResponse(terms, headers={"Cache-Control": "no-cache"})


# --------------------------------------------------------------------------- graph views

#: The graph pages inline their scripts (allowed by hash in the page's own policy) and
#: may be framed by this server's pages only.
_GRAPH_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
#: Views embedded in a page stay small enough to read in a frame.
_EMBED_MAX_NODES = 150


def _in_graph(kb: KnowledgeBase, iri: str) -> bool:
    from ..graph import graph_of

    return iri in graph_of(kb)


def _graph_page(kb: KnowledgeBase, **view_options) -> str:
    from ..graph.view import graph_view
    from ..render.html import render_html

    return render_html(graph_view(kb, max_nodes=_EMBED_MAX_NODES, **view_options))


def _graph_response(html: str) -> HTMLResponse:
    return HTMLResponse(html, headers={"Content-Security-Policy": _GRAPH_CSP})


def _depth(request: Request) -> int:
    try:
        return max(0, min(3, int(request.query_params.get("depth", "1"))))
    except ValueError:
        return 1


async def entity_graph(request: Request) -> Response:
    """``/graph/entity/{type}/{slug}``: the entity's neighbourhood as an interactive graph,
    a self-contained page for the entity page's frame (``?depth=`` 0 to 3)."""
    kb = _state(request).kb
    iri = str(ID[request.path_params["rest"]])
    try:
        html = await run_in_threadpool(_graph_page, kb, around=iri, depth=_depth(request))
    except EvkgError as exc:
        raise HTTPException(404, str(exc)) from None
    return _graph_response(html)


async def path_graph(request: Request) -> Response:
    """``/graph/path?from=A&to=B&k=N``: the paths between two entities, highlighted in
    their neighbourhood (``?depth=`` 0 to 3)."""
    kb = _state(request).kb
    params = request.query_params
    source, target = params.get("from", "").strip(), params.get("to", "").strip()
    if not (source and target):
        return PlainTextResponse("Give both ends: /graph/path?from=A&to=B\n", status_code=400)
    try:
        k = max(1, min(10, int(params.get("k", "1"))))
    except ValueError:
        k = 1
    try:
        result = await run_in_threadpool(_find_paths, kb, source, target, k)
        html = await run_in_threadpool(_graph_page, kb, path=result, depth=_depth(request))
    except (UnknownEntity, AmbiguousEntity) as exc:
        raise HTTPException(404, str(exc)) from None
    except EvkgError as exc:
        return PlainTextResponse(f"{exc}\n", status_code=400)
    return _graph_response(html)
