"""What an ``evkg serve`` server is allowed to do: its limits, its bound names, updates,
which other web sites may read its answers (CORS), and how it writes CSV.

Examples
--------
>>> settings = ServerSettings()
>>> settings.timeout, settings.max_rows, settings.max_request_bytes
(10.0, 10000, 1000000)
>>> sorted(settings.host_names())
['127.0.0.1', '::1', 'localhost']
>>> settings.cors_origins, settings.raw_csv
((), False)
>>> settings.workers == max(2, usable_cores()), settings.per_client == settings.workers - 1
(True, True)
>>> settings.worker_memory, settings.request_timeout, settings.max_connections
(2048, 10.0, 1000)
>>> ServerSettings(cors_origins=("https://yasgui.example/",)).allows_origin("https://YASGUI.example")
True
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import InputError

__all__ = ["ServerSettings", "LOOPBACK_NAMES", "is_wildcard", "normalize_origin", "usable_cores"]

#: Names that all mean this machine's loopback interface.
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def is_wildcard(host: str) -> bool:
    """Whether binding ``host`` listens on every interface (``0.0.0.0``, ``::``).

    >>> is_wildcard("0.0.0.0"), is_wildcard("::"), is_wildcard("127.0.0.1")
    (True, True, False)
    """
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def normalize_origin(origin: str) -> str:
    """A web origin as browsers send it in ``Origin``: ``scheme://host[:port]``, lower
    case, no path; ``*`` stays ``*`` (any origin).

    >>> normalize_origin("HTTPS://YasGUI.example:8443/")
    'https://yasgui.example:8443'

    Raises
    ------
    InputError
        Not an http(s) origin (a path, a query, ``null``, another scheme).
    """
    text = origin.strip()
    if text == "*":
        return text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise InputError(
            f"--cors {origin!r} is not a web origin; give scheme, host and port only, such as "
            "https://yasgui.example or http://localhost:3000 (or * for any site)."
        )
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    scheme = parts.scheme.lower()
    if port == {"http": 80, "https": 443}[scheme]:
        port = None  # browsers leave the default port out of Origin
    return f"{scheme}://{host}" + (f":{port}" if port is not None else "")


def usable_cores() -> int:
    """How many CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerSettings:
    """How to run the server. Every limit has the default documented for ``evkg serve``.

    Parameters
    ----------
    data : tuple of Path
        RDF files to load beside the seeds (when the app is made from settings).
    seeds : bool
        Load the shipped seed data.
    host, port : str, int
        Where the server listens; ``host`` also decides which ``Host`` headers it answers.
    timeout : float
        Seconds a query may run before it is stopped and answered with 503.
    max_rows : int
        Most result rows (or triples) in one answer; the answer says when it was cut.
    max_request_bytes : int
        Largest request body or query string; larger requests get 413.
    workers : int, optional
        Query worker processes: this many queries are evaluated at once. By default
        as many as there are cores, at least 2.
    client_queries : int, optional
        Most queries of one client (one address) evaluated at once; its further ones
        wait their turn (32 at most, then 503). One fewer than ``workers`` by default
        (at least 1), so that one client never holds every worker.
    worker_memory : int
        Megabytes of memory a query worker may take beyond its copy of the data; a
        query that needs more is stopped with 503 and the worker replaced. 0: no cap.
    request_timeout : float
        Seconds a client has to send a request's headers and body, from the moment
        the connection is ready for a request; a slower one gets 408 and is closed.
    max_connections : int
        Most connections open at once (fewer when the process may open fewer files):
        past it, the connection idle or sending its request the longest is closed.
    allow_update : bool
        Accept SPARQL Update (for local use; LOAD and SERVICE stay refused).
    public : bool
        Answer requests for any ``Host`` (no DNS-rebinding check).
    allowed_hosts : tuple of str
        More host names to answer besides the bound ones.
    cors_origins : tuple of str
        Web origins (``https://yasgui.example``) whose pages may read query answers in
        a browser (CORS); ``*`` for any site. None by default: only the explorer's own
        pages, which are on the server's origin, read its answers.
    raw_csv : bool
        Write CSV and TSV answers as they are; by default a cell that a spreadsheet
        would run as a formula gets a leading single quote.
    """

    data: tuple[Path, ...] = ()
    seeds: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 10.0
    max_rows: int = 10_000
    max_request_bytes: int = 1_000_000
    workers: int | None = None
    client_queries: int | None = None
    worker_memory: int = 2048
    request_timeout: float = 10.0
    max_connections: int = 1000
    allow_update: bool = False
    public: bool = False
    allowed_hosts: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    raw_csv: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "cors_origins", tuple(dict.fromkeys(normalize_origin(o) for o in self.cors_origins)))
        if self.timeout <= 0:
            raise InputError(f"the timeout must be a positive number of seconds, not {self.timeout}.")
        if self.max_rows < 1:
            raise InputError(f"--max-rows must be at least 1, not {self.max_rows}.")
        if self.workers is None:
            object.__setattr__(self, "workers", max(2, usable_cores()))
        if self.workers < 1:
            raise InputError(f"--workers must be at least 1, not {self.workers}.")
        if self.client_queries is not None and self.client_queries < 1:
            raise InputError(f"--client-queries must be at least 1, not {self.client_queries}.")
        if self.worker_memory < 0:
            raise InputError(f"--worker-memory must be a number of megabytes (0 for no cap), not {self.worker_memory}.")
        if self.request_timeout <= 0:
            raise InputError(f"--request-timeout must be a positive number of seconds, not {self.request_timeout}.")
        if self.max_connections < 2:
            raise InputError(f"--max-connections must be at least 2, not {self.max_connections}.")
        if self.max_request_bytes < 1024:
            raise InputError("the request size cap must be at least 1 KB.")
        if is_wildcard(self.host) and not self.public:
            raise InputError(
                f"--host {self.host} listens on every interface, so the server cannot tell "
                "which host names are its own; add --public to answer any Host header, or "
                "bind one address (the default is 127.0.0.1)."
            )

    @property
    def per_client(self) -> int:
        """Most queries of one client evaluated at once (``client_queries`` or its default)."""
        return self.client_queries if self.client_queries is not None else max(1, self.workers - 1)

    @property
    def loopback(self) -> bool:
        """Whether the server listens on the loopback interface only."""
        return _is_loopback(self.host)

    def allows_origin(self, origin: str | None) -> bool:
        """Whether a page from ``origin`` (an ``Origin`` header) may read the answers."""
        if not origin or not self.cors_origins:
            return False
        if "*" in self.cors_origins:
            return True
        try:
            return normalize_origin(origin) in self.cors_origins
        except InputError:
            return False

    def host_names(self) -> frozenset[str]:
        """The ``Host`` names the server answers to (lower case, IPv6 without brackets)."""
        names = {self.host.strip("[]").lower()}
        if self.loopback:
            names |= LOOPBACK_NAMES
        names |= {name.strip("[]").lower() for name in self.allowed_hosts}
        return frozenset(names)
