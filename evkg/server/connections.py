"""Connections: how long a client may take to send a request, and how many may be open.

uvicorn times out a keep-alive connection that stays idle after an answer, but not one
that sends its request slowly: a client that sends a header line every few seconds, or
a body a byte at a time, holds its connection (and a file descriptor) for as long as it
likes, and a thousand such clients use up the files the process may open, after which
the server accepts no one ("Too many open files"). The protocol here adds two limits:

- a *request timeout*: from the moment a connection is ready for a request (opened, or
  sent a byte of the next one), the client has so many seconds to send its headers and
  body; past them it gets 408 and the connection is closed;
- a *connection cap*, under the process's open-files limit: a new connection past it
  closes the connection that has waited on its client the longest (idle, or still
  sending its request), so a newcomer is always served; when every connection has a
  request being answered, the newcomer gets 503.

Examples
--------
>>> protocol = guarded_protocol(request_timeout=5.0, max_connections=100)
>>> protocol.request_timeout, protocol.max_connections
(5.0, 100)
>>> 1 <= connection_limit(100, backlog=128) <= 100
True
"""

from __future__ import annotations

import os

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["guarded_protocol", "connection_limit"]

# Files the server process keeps besides its connections: workers' pipes, the store,
# logs, imports. What is open when the server starts is counted; this is the margin.
_SPARE_FILES = 64
# asyncio accepts up to a backlog of connections per round, and a connection closed to
# make room frees its file a round later: a few rounds are in flight at once.
_ROUNDS_IN_FLIGHT = 4


def _open_files() -> int:
    """How many files this process has open now (a guess where the system does not say)."""
    for folder in ("/proc/self/fd", "/dev/fd"):
        try:
            return len(os.listdir(folder))
        except OSError:
            continue
    return _SPARE_FILES


def connection_limit(max_connections: int, backlog: int) -> int:
    """The most connections the server may keep open: ``max_connections``, or fewer
    when the process may not open that many more files.

    The open-files limit is raised first, up to its hard limit, when it is lower than
    the connections need; what remains under it after the files already open, the
    connections accepted before any can be closed (a few rounds of ``backlog``) and a
    margin, is the cap.
    """
    try:
        import resource
    except ImportError:  # no such limits here
        return max_connections
    reserved = _open_files() + _ROUNDS_IN_FLIGHT * backlog + _SPARE_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max_connections + reserved
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        if raised > soft:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
                soft = raised
            except (OSError, ValueError):
                pass
    if soft == resource.RLIM_INFINITY:
        return max_connections
    return max(1, min(max_connections, soft - reserved))


def guarded_protocol(*, request_timeout: float, max_connections: int) -> type[H11Protocol]:
    """uvicorn's h11 protocol with the request timeout and the connection cap; give it
    to ``uvicorn.Config(http=...)``."""
    return type("GuardedH11Protocol", (_GuardedH11Protocol,), {
        "request_timeout": float(request_timeout), "max_connections": int(max_connections),
    })


def _plain(status: int, reason: str, message: str) -> bytes:
    body = (message + "\n").encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class _GuardedH11Protocol(H11Protocol):
    request_timeout = 10.0
    max_connections = 1000

    # While the connection waits on its client (idle, or receiving a request): since when.
    _waiting_since: float | None = None
    _deadline = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._wait_for_request()
        if len(self.connections) > self.max_connections:
            self._make_room()

    def connection_lost(self, exc) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing():
            self._stop_waiting()
        elif self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED):
            self._stop_waiting()  # the whole request is in; the app answers it
        elif self._deadline is None:
            self._wait_for_request()  # the first bytes of a request on a kept-alive connection

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing():
            return
        if self.conn.their_state is h11.SEND_BODY and self._deadline is None:
            self._wait_for_request()  # answered before its body was in: the rest must come soon
        elif self.conn.their_state is not h11.DONE:
            # Idle: uvicorn's keep-alive timeout closes it; meanwhile a newcomer may.
            self._waiting_since = self.loop.time()

    # ----------------------------------------------------------------- the limits

    def _wait_for_request(self) -> None:
        self._stop_waiting()
        self._waiting_since = self.loop.time()
        self._deadline = self.loop.call_later(self.request_timeout, self._timed_out)

    def _stop_waiting(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._waiting_since = None

    def _timed_out(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        # No answer to this request yet (the cycle, when done, is the previous request's).
        unanswered = cycle is None or not cycle.response_started or (cycle.response_complete and self.conn.their_state is h11.IDLE)
        if unanswered:
            self.transport.write(_plain(
                408, "Request Timeout",
                f"The request was not sent within {self.request_timeout:g} s, the most this "
                "server waits for one (evkg serve --request-timeout).",
            ))
        self._close()

    def _close(self) -> None:
        self._stop_waiting()
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False
        self.transport.close()

    def _make_room(self) -> None:
        """Past the cap: close the connection that has waited on its client the longest,
        or, when every other one has a request being answered, refuse this one."""
        oldest = None
        for connection in self.connections:
            since = getattr(connection, "_waiting_since", None)
            if connection is not self and since is not None and (oldest is None or since < oldest._waiting_since):
                oldest = connection
        if oldest is not None:
            oldest._close()
            return
        self.transport.write(_plain(
            503, "Service Unavailable",
            f"This server has {self.max_connections:,} connections open, each with a request "
            "being answered, the most it keeps (evkg serve --max-connections); try again shortly.",
        ))
        self._close()
