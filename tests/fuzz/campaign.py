"""A long fuzzing campaign: ``python -m tests.fuzz.campaign [--examples N] [--minutes M] [SURFACE ...]``.

Runs the strategies of tests/test_fuzz.py with a fixed seed, N cases per surface (10,000 by
default) or as many as fit in M minutes per surface, without stopping at a failure
(``--seed S`` draws other cases than the tests do). It
prints, per surface, the cases run, results, clean errors (by exception type), time-outs and
failures, then each distinct failure signature with its count and the smallest input that
showed it, written as a regression file into --out (default: a new temporary folder) for
review before it joins tests/fuzz/regressions/. ``--json FILE`` writes the figures as JSON.

SURFACE is one of sparql-memory, sparql-oxigraph, rdf-memory, rdf-oxigraph, csv-memory,
article-memory, http-memory (default: all).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

from .harness import Worker, case_of, regression_text, signature


class _Enough(Exception):
    """Raised inside the test body when the time budget of a surface is spent."""


def run_surface(surface: str, store: str, strategy, *, examples: int, seconds: float, worker: Worker,
                random_seed: int | None = None) -> dict:
    counts: collections.Counter = collections.Counter()
    clean: collections.Counter = collections.Counter()
    failures: dict[str, dict] = {}
    started = time.monotonic()

    @settings(max_examples=examples, derandomize=random_seed is None, database=None, deadline=None,
              phases=(Phase.generate,), suppress_health_check=list(HealthCheck))
    @given(strategy)
    def one_case(value):
        if time.monotonic() - started > seconds:
            raise _Enough
        case = case_of(surface, value, store=store)
        outcome = worker.run(case)
        kind = outcome["kind"]
        if kind == "timeout" and surface != "sparql":
            kind = "failure"
            outcome = dict(outcome, error="slow (case time limit)", where=outcome.get("where", surface))
        counts["cases"] += 1
        counts[kind] += 1
        if kind == "clean":
            clean[outcome.get("error", "?")] += 1
        if kind == "failure":
            key = signature(outcome)
            size = len(json.dumps(case))
            seen = failures.get(key)
            if seen is None or size < seen["size"]:
                failures[key] = {"count": (seen or {}).get("count", 0), "size": size, "case": case, "outcome": outcome}
            failures[key]["count"] += 1

    if random_seed is not None:
        one_case = seed(random_seed)(one_case)
    try:
        one_case()
    except _Enough:
        pass
    return {"surface": f"{surface}-{store}", "seconds": round(time.monotonic() - started, 1),
            "counts": dict(counts), "clean_errors": dict(clean.most_common()), "failures": failures,
            "worker_starts": worker.starts}


def main(argv: list[str] | None = None) -> int:
    from ..test_fuzz import SURFACES

    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.campaign", description=__doc__.split("\n\n")[0])
    parser.add_argument("surfaces", nargs="*", help="surfaces to run (default: all)")
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--minutes", type=float, default=float("inf"), help="time budget per surface")
    parser.add_argument("--out", type=Path, help="folder for the regression files of the failures")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--seed", type=int, help="another fixed seed: other cases than the tests' (default: theirs)")
    args = parser.parse_args(argv)
    chosen = [key for key in sorted(SURFACES) if not args.surfaces or f"{key[0]}-{key[1]}" in args.surfaces]
    out = args.out or Path(tempfile.mkdtemp(prefix="evkg-fuzz-campaign-"))
    out.mkdir(parents=True, exist_ok=True)
    results = []
    workers: dict[str, Worker] = {}
    try:
        for surface, store in chosen:
            worker = workers.setdefault(store, Worker(store))
            result = run_surface(surface, store, SURFACES[surface, store][0], examples=args.examples,
                                 seconds=args.minutes * 60, worker=worker, random_seed=args.seed)
            results.append(result)
            _print(result, out)
            if args.json:
                args.json.write_text(json.dumps(_figures(results), indent=2) + "\n", encoding="utf-8")
    finally:
        for worker in workers.values():
            worker.close()
    total = collections.Counter()
    for result in results:
        total.update(result["counts"])
    print(f"all surfaces: {total['cases']} cases, {total['ok']} results, {total['clean']} clean errors, "
          f"{total['timeout']} stopped by the time limit, {total['skipped']} not sent, {total['failure']} failures; "
          f"regression files in {out}")
    return 1 if total["failure"] else 0


def _figures(results: list[dict]) -> list[dict]:
    return [{**{k: v for k, v in r.items() if k != "failures"},
             "failures": {key: f["count"] for key, f in r["failures"].items()}} for r in results]


def _print(result: dict, out: Path) -> None:
    counts = result["counts"]
    print(f"{result['surface']}: {counts.get('cases', 0)} cases in {result['seconds']} s: {counts.get('ok', 0)} results, "
          f"{counts.get('clean', 0)} clean errors, {counts.get('timeout', 0)} stopped by the time limit, "
          f"{counts.get('skipped', 0)} not sent, {counts.get('failure', 0)} failures "
          f"(worker started {result['worker_starts']} times)")
    print(f"  clean errors: {result['clean_errors']}")
    for number, (key, found) in enumerate(sorted(result["failures"].items()), 1):
        name = f"{result['surface']}-{number}.txt"
        message = f"{key}: {found['outcome'].get('message', '')}"
        (out / name).write_bytes(regression_text(found["case"], message))
        print(f"  FAILURE x{found['count']}: {key}\n    {' '.join(str(found['outcome'].get('message', '')).split())[:300]}\n    -> {out / name}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
