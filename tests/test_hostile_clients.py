"""Hostile clients of `evkg serve` on loopback: a client that sends slow queries must not
lock the others out, nor slow or idle connections use up the server's files, nor a query
its memory. Every test is bounded: it waits for events with deadlines, and stops itself.

Clients are told apart by address; the loopback network has many (127.0.0.2, 127.0.0.3 ...),
so the attacker and the other client each bind one of their own.
"""

from __future__ import annotations

import asyncio
import resource
import selectors
import socket
import threading
import time
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

import evkg
from evkg.server import make_app
from evkg.server.evaluation import Job, snapshot_of
from evkg.server.pool import QueryPool
from evkg.server.runner import running_server
from evkg.server.stores import Snapshot

from .server_process import READ_SECONDS, base_url, evkg_serve, wait_until

ATTACKER = "127.0.0.2"
OTHER = "127.0.0.3"
# Three independent patterns over the 300 triples below: 2.7e7 rows, far past any timeout here.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FAST = "SELECT ?label WHERE { <urn:test:thing-7> <urn:test:label> ?label }"
HALF_SENT = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"


@pytest.fixture(scope="module")
def things(tmp_path_factory):
    """300 triples of made-up things: enough to make SLOW slow, small enough to load fast."""
    path = tmp_path_factory.mktemp("hostile") / "things.nt"
    path.write_text("".join(
        f'<urn:test:thing-{i}> <urn:test:{p}> "{p} of thing {i}" .\n' for i in range(100) for p in ("label", "note", "size")
    ))
    return path


def client_from(address: str, timeout: float = READ_SECONDS) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=timeout)


def fast_answer(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"][0]["label"]["value"]


# --------------------------------------------------------------------------- slow queries


def test_two_slow_queries_leave_the_other_clients_a_worker(things):
    timeout = 4.0
    app = make_app(evkg.load([things], seeds=False), workers=2, timeout=timeout)
    with running_server(app) as url:
        pool = app.state.evkg.pool
        wait_until(lambda: len(pool.pids()["idle"]) == 2, what="the workers")
        slow: list[httpx.Response] = []

        def attack() -> None:
            with client_from(ATTACKER) as attacker:
                slow.append(attacker.get(url + "/sparql", params={"query": SLOW}))

        attackers = [threading.Thread(target=attack) for _ in range(2)]
        for thread in attackers:
            thread.start()
        # One slow query in a worker, the other waiting for the attacker's turn.
        wait_until(lambda: pool.clients().get(ATTACKER) == (1, 1), what="both slow queries")
        started = time.monotonic()
        with client_from(OTHER) as other:
            answers = [fast_answer(other.get(url + "/sparql", params={"query": FAST})) for _ in range(10)]
        fast_seconds = time.monotonic() - started
        assert pool.clients().get(ATTACKER) == (1, 1)  # the attack went on all along
        for thread in attackers:
            thread.join(3 * timeout)
    assert answers == ["label of thing 7"] * 10
    assert fast_seconds < timeout
    assert sorted(r.status_code for r in slow) == [503, 503]
    first, second = sorted(slow, key=lambda r: r.text)
    assert first.text.startswith("The query was stopped after")
    # The second waited its turn for the timeout, and got it only as the first ended, or not.
    assert second.text.startswith(("The query was stopped after", "Your other queries kept this client's 1 query at a time busy for 4 s"))


def test_a_client_past_its_queue_is_refused_at_once(things):
    """The pool alone: one client's jobs beyond its turn and its queue get 503 at once,
    while another client's job is answered."""
    data = Snapshot(snapshot_of(evkg.load([things], seeds=False)))
    slow = Job("query", SLOW, accept="application/json", max_rows=10)
    fast = Job("query", FAST, accept="application/json", max_rows=10)

    async def scenario():
        pool = QueryPool(data, workers=2, timeout=3.0, per_client=1, client_queue=1)
        await pool.start()
        try:
            held = [asyncio.ensure_future(pool.run(slow, "a")) for _ in range(2)]
            deadline = time.monotonic() + 60
            while pool.clients().get("a") != (1, 1):  # the pool's state raises no event
                assert time.monotonic() < deadline, "the two slow jobs did not reach the pool"
                await asyncio.sleep(0.01)
            started = time.monotonic()
            refused, _ = await pool.run(fast, "a")
            refused_after = time.monotonic() - started
            answered, _ = await pool.run(fast, "b")
            await asyncio.gather(*held)
            return refused, refused_after, answered
        finally:
            await pool.close()

    refused, refused_after, answered = asyncio.run(scenario())
    assert refused.status == 503
    assert refused.headers == {"Retry-After": "5"}
    assert refused.text == (
        "Too many queries from a at once: 1 running and 1 waiting, the most this server takes "
        "from one client (evkg serve --client-queries). Wait for your answers, then try again.\n"
    )
    assert refused_after < 0.5
    assert answered.status == 200


# --------------------------------------------------------------------------- memory


def nested_replace(levels: int) -> str:
    """A query of a few hundred bytes whose string grows tenfold at each level."""
    text = '"' + "a" * 20 + '"'
    for _ in range(levels):
        text = f'REPLACE({text}, "a", "aaaaaaaaaa")'
    return f"SELECT (STRLEN({text}) AS ?n) WHERE {{}}"


def test_a_memory_bomb_is_a_503_and_the_worker_is_replaced(things):
    bomb = nested_replace(8)  # 2 GB of "a"
    assert len(bomb) < 300
    app = make_app(evkg.load([things], seeds=False), allowed_hosts=("testserver",), workers=1, worker_memory=256)
    with TestClient(app) as client:
        pool = app.state.evkg.pool
        response = client.get("/sparql", params={"query": bomb})
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.text.startswith(
            "The query needed more memory than a query worker may take beyond the data, 256 MB "
            "(evkg serve --worker-memory), and was stopped; a fresh worker is starting."
        )
        assert pool.restarts == 1
        assert fast_answer(client.get("/sparql", params={"query": FAST})) == "label of thing 7"
        # A query that fits is answered whole.
        fits = client.get("/sparql", params={"query": nested_replace(5)}).json()
        assert fits["results"]["bindings"][0]["n"]["value"] == "2000000"


# --------------------------------------------------------------------------- slow connections


def read_until_closed(sock: socket.socket, seconds: float) -> bytes:
    """Everything the server sends until it closes the connection (bounded)."""
    sock.settimeout(seconds)
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


@pytest.mark.parametrize(
    ("sent", "what"),
    [
        (b"", "nothing"),
        (HALF_SENT, "half the headers"),
        (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
         b"Content-Length: 100\r\n\r\nASK {", "a tenth of the body"),
    ],
)
def test_a_request_sent_too_slowly_gets_408_and_is_closed(things, sent, what):
    app = make_app(evkg.load([things], seeds=False), workers=1, request_timeout=1.0)
    with running_server(app) as url:
        parts = urlsplit(url)
        # The server's clock starts once it has the connection: start this one before.
        started = time.monotonic()
        with socket.create_connection((parts.hostname, parts.port)) as sock:
            sock.sendall(sent)
            answer = read_until_closed(sock, 30)
            seconds = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), (what, answer)
        assert answer.endswith(b"The request was not sent within 1 s, the most this server waits for one (evkg serve --request-timeout).\n")
        assert 1.0 <= seconds < 10
        with client_from("127.0.0.1") as client:
            assert fast_answer(client.get(url + "/sparql", params={"query": FAST})) == "label of thing 7"


def test_a_kept_alive_connection_has_the_timeout_for_its_next_request(things):
    app = make_app(evkg.load([things], seeds=False), workers=1, request_timeout=1.0)
    with running_server(app) as url:
        parts = urlsplit(url)
        with socket.create_connection((parts.hostname, parts.port)) as sock:
            sock.sendall(HALF_SENT + b"\r\n")
            sock.settimeout(30)
            first = b""
            while not first.endswith(b'{"head": {}, "boolean": true}'):
                first += sock.recv(65536)
            assert first.startswith(b"HTTP/1.1 200 OK\r\n")
            sock.sendall(b"GET /sparql")  # the start of a second request, never finished
            assert read_until_closed(sock, 30).startswith(b"HTTP/1.1 408 Request Timeout\r\n")


SERVER = """
import resource, runpy, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
sys.argv = ["evkg", *sys.argv[1:]]
runpy.run_module("evkg", run_name="__main__")
"""


def test_1100_slow_connections_under_a_1024_file_limit_leave_the_server_answering(things):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1300:  # this process holds the 1,100 connections
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    slow: list[socket.socket] = []
    closed: set[socket.socket] = set()
    with evkg_serve("--no-seeds", "--data", str(things), "serve", "--port", "0", "--workers", "1",
                    "--request-timeout", "120", "--quiet", python=("-c", SERVER)) as server:
        try:
            base = base_url(server)
            port = urlsplit(base).port
            # The socket listens before the banner: this waits until the server takes it.
            assert _answers(base)
            started = time.monotonic()
            for _ in range(1100):
                sock = socket.create_connection(("127.0.0.1", port), timeout=READ_SECONDS)
                sock.sendall(HALF_SENT)
                slow.append(sock)
            opened = time.monotonic() - started
            # The server keeps at most its cap open: it closes the oldest half-sent ones.
            wait_until(lambda: len(_gather_closed(slow, closed)) >= 1100 - 1024, 60, "connections past the cap closed")
            started = time.monotonic()
            with client_from("127.0.0.1") as client:
                answers = [fast_answer(client.get(base + "/sparql", params={"query": FAST})) for _ in range(10)]
            seconds = time.monotonic() - started
            _gather_closed(slow, closed)
        finally:
            for sock in slow:
                sock.close()
    output = server.output()
    assert opened < 60
    assert answers == ["label of thing 7"] * 10
    assert seconds < 10
    assert 1100 - 1024 <= len(closed) < 1100
    assert "Too many open files" not in output
    assert "Traceback" not in output


def _answers(base: str) -> bool:
    try:
        return httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=READ_SECONDS).status_code == 200
    except httpx.HTTPError:
        return False


def _gather_closed(socks: list[socket.socket], closed: set[socket.socket]) -> set[socket.socket]:
    """Add to ``closed`` those of ``socks`` the server has closed by now (no waiting)."""
    with selectors.DefaultSelector() as selector:
        for sock in socks:
            if sock not in closed:
                selector.register(sock, selectors.EVENT_READ)
        for key, _ in selector.select(timeout=0) if selector.get_map() else ():
            sock = key.fileobj
            sock.setblocking(False)
            try:
                if sock.recv(65536) == b"":
                    closed.add(sock)
            except BlockingIOError:
                pass
            except ConnectionResetError:
                closed.add(sock)
    return closed
