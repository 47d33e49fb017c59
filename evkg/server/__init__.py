"""The evkg server: a SPARQL 1.1 endpoint and a browsable explorer, as one ASGI app.

Build it with :func:`make_app` from a knowledge base (or from settings naming the files
to load) and run it with uvicorn, as ``evkg serve`` does. Queries are evaluated in
worker processes that are killed at the time limit; see :mod:`evkg.server.pool`.

Examples
--------
>>> import evkg
>>> from evkg.server import make_app
>>> from starlette.testclient import TestClient
>>> with TestClient(make_app(evkg.load(), allowed_hosts=["testserver"])) as client:
...     response = client.get("/id/company/catl", headers={"Accept": "text/turtle"})
>>> response.status_code, response.headers["content-type"]
(200, 'text/turtle; charset=utf-8')
"""

from .app import ServerState, make_app
from .settings import ServerSettings

__all__ = ["make_app", "ServerSettings", "ServerState"]
