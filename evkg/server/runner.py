"""Running the app with uvicorn: bind a socket with a clear error when the port is taken,
serve in the foreground (``evkg serve``) or in a background thread (tests, notebooks).

Examples
--------
>>> import urllib.request, evkg
>>> from evkg.server import make_app
>>> with running_server(make_app(evkg.load(seeds=False))) as url:
...     urllib.request.urlopen(url + "/sparql?query=ASK%7B%7D").read()
b'{"head": {}, "boolean": true}'
"""

from __future__ import annotations

import contextlib
import errno
import socket
import threading
import time
from collections.abc import Iterator

from ..errors import InputError

__all__ = ["bind", "serve", "running_server", "url_of"]

# Room for a query of the full request size in a GET's URL (h11's default is 16 KB).
_MAX_HEADER_BYTES = 1_100_000
# Connections the kernel queues for the server to accept; also what one accept round takes.
_BACKLOG = 128


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free one).

    Raises
    ------
    InputError
        The port is taken, needs privileges, or the host is not an address of this machine.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(f"--host {host}: not an address or name this machine can listen on ({exc.strerror}).") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise InputError(f"port {port} on {host} is in use; pick another with --port (0 picks a free one).") from None
        if exc.errno == errno.EACCES:
            raise InputError(f"port {port} needs administrator rights; pick one above 1023 with --port.") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise InputError(f"--host {host} is not an address of this machine.") from None
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}.") from None
    sock.listen(_BACKLOG)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    """The base URL of a bound socket: ``http://127.0.0.1:8000``."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _server(app, *, access_log: bool, log_level: str):
    """A uvicorn server for ``app`` with the connection limits of the app's settings
    (``app.state.settings``: request timeout and connection cap, see
    :mod:`evkg.server.connections`)."""
    import uvicorn

    from .connections import connection_limit, guarded_protocol
    from .settings import ServerSettings

    settings = getattr(app.state, "settings", None) or ServerSettings()
    protocol = guarded_protocol(
        request_timeout=settings.request_timeout,
        max_connections=connection_limit(settings.max_connections, _BACKLOG),
    )
    config = uvicorn.Config(
        app,
        http=protocol,
        log_level=log_level,
        access_log=access_log,
        h11_max_incomplete_event_size=_MAX_HEADER_BYTES,
        timeout_graceful_shutdown=5,
        backlog=_BACKLOG,
        server_header=False,
    )
    return uvicorn.Server(config)


def serve(app, sock: socket.socket, *, access_log: bool = True) -> None:
    """Serve ``app`` on ``sock`` until interrupted (Ctrl+C), then stop the workers."""
    import logging

    server = _server(app, access_log=access_log, log_level="info")
    server.config.load()
    # uvicorn's start-up chatter repeats what ``evkg serve`` prints; keep warnings, errors
    # and the access log.
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl+C it has already handled by shutting down


@contextlib.contextmanager
def running_server(app, host: str = "127.0.0.1", port: int = 0, *, start_timeout: float = 60.0) -> Iterator[str]:
    """Run ``app`` with uvicorn in a background thread; yield its base URL, stop it after."""
    sock = bind(host, port)
    server = _server(app, access_log=False, log_level="warning")
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="evkg-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the server did not start; see the log above.")
        time.sleep(0.02)
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
