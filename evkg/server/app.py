"""The ASGI application: routes, the request guard (Host check, size cap, security
headers) and the query workers' lifetime.

Examples
--------
>>> import evkg
>>> from starlette.testclient import TestClient
>>> app = make_app(evkg.load(), allowed_hosts=("testserver",))
>>> with TestClient(app) as client:
...     client.get("/sparql", params={"query": "ASK { company:catl a ev:BatteryMaker }"}).json()
{'head': {}, 'boolean': True}
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import InputError
from ..kb import KnowledgeBase
from . import pages
from .pool import QueryPool
from .protocol import sparql_endpoint, sparql_options
from .settings import ServerSettings
from .stores import update_refusal, worker_data

__all__ = ["make_app", "ServerState"]

_HERE = Path(__file__).resolve().parent

#: Pages may load scripts, styles and images from this server only, and fetch from it only.
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
)


@dataclass
class ServerState:
    """What the handlers share: settings, the knowledge base, the workers, templates."""

    settings: ServerSettings
    kb: KnowledgeBase
    pool: QueryPool
    templates: jinja2.Environment
    update_lock: asyncio.Lock


def _host_name(header: str) -> str:
    """The name part of a ``Host`` header: no port, IPv6 without brackets, lower case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class _Guard:
    """Pure ASGI middleware: refuse foreign ``Host`` headers (DNS rebinding) and
    oversized requests before any handler runs; add security headers to every answer;
    end quietly a request whose client left while sending it."""

    def __init__(self, app, settings: ServerSettings):
        self.app = app
        self.settings = settings
        self.names = settings.host_names()

    async def _refuse(self, send, status: int, message: str) -> None:
        body = (message + "\n").encode()
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        ]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        if not self.settings.public:
            host = headers.get(b"host", b"").decode("latin-1")
            if _host_name(host) not in self.names:
                names = ", ".join(sorted(self.names))
                return await self._refuse(send, 400, (
                    f"This server answers to {names}, not to the Host {host or '(none)'!r}: the check "
                    "protects against DNS rebinding. Start it with --allow-host NAME to add a "
                    "name, or --public to answer any."
                ))
        limit = self.settings.max_request_bytes
        length = headers.get(b"content-length", b"")
        if len(scope.get("query_string", b"")) > limit or (length.isdigit() and int(length) > limit):
            return await self._refuse(send, 413, f"The request is larger than {limit:,} bytes, the most this server accepts.")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", _CSP.encode()))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            return await self.app(scope, receive, send_with_headers)
        except ClientDisconnect:
            return  # the client left while sending its request: no one to answer


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_HERE / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(pages.FILTERS)
    return env


def make_app(source: KnowledgeBase | ServerSettings, settings: ServerSettings | None = None, **options) -> Starlette:
    """The evkg server as a Starlette app: the SPARQL endpoint and the explorer pages.

    Parameters
    ----------
    source : KnowledgeBase or ServerSettings
        The data to serve, or settings naming the files to load (``data``, ``seeds``).
        The query workers get a copy of a memory store; a persistent store (Oxigraph,
        SPARQL) each worker opens itself, an Oxigraph database read-only, so nothing may
        write to it while the app runs (``evkg serve`` holds its write lock for that, see
        :func:`evkg.server.stores.open_served_kb`).
    settings : ServerSettings, optional
        Limits and access rules when ``source`` is a knowledge base (the defaults if
        not given).
    **options
        :class:`ServerSettings` fields that override the settings: ``timeout``,
        ``max_rows``, ``workers``, ``allow_update``, ``public``, ``allowed_hosts``,
        ``cors_origins`` (web origins whose pages may read answers; none by default),
        ``raw_csv`` (CSV/TSV cells that start like formulas kept as they are) ...

    Returns
    -------
    starlette.applications.Starlette
        Its lifespan starts the query workers; run it with uvicorn (see
        :mod:`evkg.server.runner`), or use it inside ``with TestClient(app):``.
        The workers are started with multiprocessing's "spawn" method, so a script
        that runs the app needs the ``if __name__ == "__main__":`` guard.

    Raises
    ------
    InputError
        A bad setting (``allow_update`` over a persistent store, whose data the server
        never changes), or data that does not load.
    """
    if isinstance(source, ServerSettings):
        settings = replace(source, **options)
        from ..kb import load

        kb = load(settings.data, seeds=settings.seeds)
    elif isinstance(source, KnowledgeBase):
        settings = replace(settings or ServerSettings(), **options)
        kb = source
    else:
        raise TypeError(f"make_app needs a KnowledgeBase or ServerSettings, not {type(source).__name__}.")
    if settings.allow_update and kb.store is not None and kb.store.persistent:
        raise InputError(update_refusal(kb.store.spec))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        pool = QueryPool(
            worker_data(kb), workers=settings.workers, timeout=settings.timeout,
            per_client=settings.per_client, memory_mb=settings.worker_memory or None,
        )
        app.state.evkg = ServerState(settings, kb, pool, _templates(), asyncio.Lock())
        await pool.start()
        try:
            yield
        finally:
            await pool.close()

    routes = [
        Route("/", pages.home),
        Route("/search", pages.search),
        Route("/api/search", pages.search_api),
        Route("/api/vocabulary", pages.vocabulary_api),
        Route("/path", pages.path),
        Route("/query", pages.query, methods=["GET", "POST"]),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Route("/sparql", sparql_options, methods=["OPTIONS"]),
        Route("/id/{rest:path}", pages.entity),
        Route("/entity/{rest:path}", pages.entity),
        Route("/source/{rest:path}", pages.source),
        Route("/resource", pages.resource),
        Route("/graph/entity/{rest:path}", pages.entity_graph),
        Route("/graph/path", pages.path_graph),
        Mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: pages.not_found, 405: pages.not_allowed})
    app.add_middleware(_Guard, settings=settings)
    app.state.settings = settings  # the connection limits, for evkg.server.runner
    return app
