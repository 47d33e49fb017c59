"""Benchmark: ``evkg serve`` under load from concurrent clients on loopback.

It starts ``python -m evkg serve`` on a free port, runs --clients concurrent clients
(one keep-alive connection each) for --seconds, and reports requests per second, the
median and 99th-percentile latency, and the errors (any answer but 2xx, and any failed
connection), overall and per kind of request. Each client cycles through a mix of what
users do: SPARQL queries in JSON and CSV (GET and POST), entity pages in HTML and
Turtle, name completion, and a path page.

The run is bounded in time (--seconds) and in count (--max-requests); the server is
stopped at the end. Run it from the repository root:

    python -m benchmarks.serve_load                      # 16 clients, 30 s
    python -m benchmarks.serve_load --clients 64 --seconds 10 --workers 4
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict

import httpx

SELECT = "SELECT ?label WHERE { company:catl rdfs:label ?label }"
COUNTRIES = "SELECT ?country ?code WHERE { ?c a ev:Country ; rdfs:label ?country ; skos:notation ?code } ORDER BY ?country"

#: (kind, method, path, params or form, headers): the request mix, in order.
MIX = [
    ("sparql GET json", "GET", "/sparql", {"query": SELECT}, {"Accept": "application/sparql-results+json"}),
    ("sparql POST csv", "POST", "/sparql", {"query": COUNTRIES}, {"Accept": "text/csv"}),
    ("example query", "GET", "/sparql", {"query": None}, {"Accept": "application/sparql-results+json"}),
    ("entity html", "GET", "/id/company/catl", None, {"Accept": "text/html"}),
    ("entity turtle", "GET", "/id/facility/catl-hungary-cell-plant", None, {"Accept": "text/turtle"}),
    ("completion", "GET", "/api/search", {"q": "toy"}, {}),
    ("path page", "GET", "/path", {"from": "Pakistan", "to": "CATL"}, {"Accept": "text/html"}),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "evkg", "serve", "--port", str(port), "--workers", str(workers), "--quiet"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server did not start:\n{server.stdout.read()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not answer within 60 s")


async def client(base: str, deadline: float, budget: list[int], samples: dict, errors: dict, offset: int) -> None:
    from evkg.queries import get_example

    example = get_example("catl-plants").text
    async with httpx.AsyncClient(base_url=base, timeout=30) as session:
        step = offset
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            kind, method, path, params, headers = MIX[step % len(MIX)]
            step += 1
            if params and params.get("query", "") is None:
                params = {"query": example}
            started = time.perf_counter()
            try:
                if method == "POST":
                    response = await session.post(path, data=params, headers=headers)
                else:
                    response = await session.get(path, params=params, headers=headers)
                ok = 200 <= response.status_code < 300
                detail = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                ok, detail = False, type(exc).__name__
            samples[kind].append(time.perf_counter() - started)
            if not ok:
                errors[(kind, detail)] += 1


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def report(samples: dict, errors: dict, seconds: float, clients: int, workers: int) -> None:
    every = [v for values in samples.values() for v in values]
    total_errors = sum(errors.values())
    print(f"evkg serve load test: {clients} clients, {workers} query workers, {seconds:.1f} s on loopback, {os.cpu_count()} CPUs")
    print(f"  requests   {len(every):,}  ({len(every) / seconds:,.1f} per second)")
    print(f"  latency    p50 {statistics.median(every) * 1000:.1f} ms   p99 {percentile(every, 0.99) * 1000:.1f} ms   max {max(every) * 1000:.1f} ms")
    print(f"  errors     {total_errors}")
    print()
    print(f"  {'kind':<18}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for kind, *_ in MIX:
        values = samples[kind]
        if values:
            print(f"  {kind:<18}{len(values):>10,}{statistics.median(values) * 1000:>10.1f}{percentile(values, 0.99) * 1000:>10.1f}")
    for (kind, detail), count in sorted(errors.items()):
        print(f"  error: {kind}: {detail} x{count}")


async def run(base: str, clients: int, seconds: float, max_requests: int) -> tuple[dict, dict, float]:
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[tuple[str, str], int] = defaultdict(int)
    budget = [max_requests]
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*(client(base, deadline, budget, samples, errors, i) for i in range(clients)))
    return samples, errors, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to run (default 30)")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="stop after this many requests")
    parser.add_argument("--workers", type=int, default=2, help="the server's query workers (default 2)")
    args = parser.parse_args()
    if not (1 <= args.clients <= 1000 and 0 < args.seconds <= 600):
        parser.error("give 1 to 1000 clients and at most 600 seconds")
    port = free_port()
    server = start_server(port, args.workers)
    try:
        samples, errors, seconds = asyncio.run(run(f"http://127.0.0.1:{port}", args.clients, args.seconds, args.max_requests))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
    report(samples, errors, seconds, args.clients, args.workers)


if __name__ == "__main__":
    main()
