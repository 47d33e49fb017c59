"""Benchmark: `evkg import` of large CSV tables, as whole processes, for every kind.

For each kind and number of rows it writes a valid table (rows that name entities of the
seeds, such as CATL, BYD, Hungary and China, beside invented organizations and places
declared with their ``_type`` or ``class`` columns, all from one invented source), then
times ``python -m evkg import FILE --kind KIND -o OUT`` as a new process: start-up, the
knowledge base, every row checked, SHACL, and the Turtle written. It reports medians of
``--runs`` runs of the wall time and of the process's CPU time (user + system, which
other work on a busy machine changes less), rows per second, and whether 10,000 rows
import in under 10 s.

The process start-up alone (``evkg import --columns``, which loads the knowledge base
but reads no table) is timed too, so that the per-row cost can be told apart.

Usage::

    python -m benchmarks.import_bench                        # 1,000 and 10,000 rows, every kind
    python -m benchmarks.import_bench --rows 300 1000 --kinds facilities ownership --runs 1
    python -m benchmarks.import_bench --write facilities 2000 -o /tmp/plants.csv
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KINDS = ("alliances", "facilities", "ownership", "observations", "based-in", "located-in", "entities")
GOAL_ROWS, GOAL_SECONDS = 10_000, 10.0
SOURCE = "https://example.org/evkg/benchmark-notes"
SOURCE_TITLE = "Invented benchmark notes (not a real source)"

# Entities of the seeds the rows name, in turn.
FIRMS = ("CATL", "BYD")
COUNTRIES = ("Hungary", "China", "Germany", "Japan")
REGIONS = ("Hungary", "China", "Southeast Asia")


def _first(number: int) -> dict[str, str]:
    """The source columns: the first row gives the new source's title and date."""
    return {
        "source": SOURCE,
        "source_title": SOURCE_TITLE if number == 0 else "",
        "source_date": "2026-03-01" if number == 0 else "",
    }


def _row(kind: str, n: int) -> dict[str, str]:
    """Row ``n`` (from 0) of a table of ``kind``: every row mints its own fact IRI."""
    tag = f"{n:05d}"
    firm, country, region = FIRMS[n % 2], COUNTRIES[n % 4], REGIONS[n % 3]
    source = _first(n)
    if kind == "alliances":
        return {
            "partner_1": f"Bench Cells {tag}", "partner_1_type": "battery maker",
            "partner_2": firm, "partner_2_type": "",
            "type": "joint venture", "status": "planned", "product_type": "battery cell",
            "market": country, "year": "2026", **source,
            "quote": f"Bench Cells {tag} and {firm} will form a joint venture in {country}.",
        }
    if kind == "facilities":
        operator, operator_type = (f"Bench Cells {tag}", "battery maker") if n % 2 else (firm, "")
        return {
            "name": f"Bench plant {tag}", "type": "battery cell plant",
            "operator": operator, "operator_type": operator_type, "location": country,
            "status": "under construction", "produces": "battery cell",
            "capacity": f"{1 + n % 40}.5", "capacity_unit": "GWh", "target_year": "2027", **source,
            "quote": f"{operator} is building Bench plant {tag} in {country}.",
        }
    if kind == "ownership":
        return {
            "owner": f"Bench Holding {tag}", "owner_type": "company",
            "owned": firm, "owned_type": "",
            "share_percent": str(1 + n % 49), "share_wording": "", "year": "2025", **source,
            "quote": f"Bench Holding {tag} holds a stake in {firm}.",
        }
    if kind == "observations":
        return {
            "area": f"Bench Motors {tag}", "area_type": "automaker", "indicator": "vehicle exports",
            "value": str(1000 + n), "unit": "count", "counted_item": "vehicles", "year": "2025",
            "growth_rate": "12.5" if n % 3 == 0 else "", "growth_comparison": "year-on-year" if n % 3 == 0 else "",
            "destination": region if n % 5 == 0 else "", **source,
            "quote": f"Bench Motors {tag} exported {1000 + n} vehicles in 2025.",
        }
    if kind == "based-in":
        organization, organization_type = (f"Bench Drive {tag}", "technology firm") if n % 4 else (firm, "")
        home = "China" if organization == firm else country
        return {
            "organization": organization, "organization_type": organization_type, "country": home, **source,
            "quote": f"{organization} is a firm based in {home}, note {tag}.",
        }
    if kind == "located-in":
        place_type = ("city", "port", "subdivision")[n % 3]
        return {
            "place": f"Bench Valley {tag}", "place_type": place_type, "country": region, **source,
            "quote": f"Bench Valley {tag} lies in {region}.",
        }
    if kind == "entities":
        if n % 2:
            return {"name": f"Bench Anode Works {tag}", "class": "battery maker", "country": country,
                    "other_names": f"BAW {tag}", **source,
                    "quote": f"Bench Anode Works {tag} is a maker of anodes based in {country}."}
        return {"name": f"Bench Town {tag}", "class": "city", "country": region, "other_names": "", **source,
                "quote": f"Bench Town {tag} is a town in {region}."}
    raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")


def write_table(kind: str, rows: int, path: Path) -> Path:
    """Write a valid CSV table of ``kind`` with ``rows`` rows to ``path``; return the path.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_table("ownership", 3, Path(tmp) / "stakes.csv")
    ...     print(path.read_text().splitlines()[1])
    Bench Holding 00000,company,CATL,,1,,2025,https://example.org/evkg/benchmark-notes,Invented benchmark notes (not a real source),2026-03-01,Bench Holding 00000 holds a stake in CATL.
    """
    records = [_row(kind, n) for n in range(rows)]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return path


def _environment(cache: str) -> dict[str, str]:
    return {**os.environ, "EVKG_CACHE_DIR": cache}


def time_process(arguments: list[str], env: dict[str, str]) -> float:
    """Seconds a whole ``python -m evkg ARGUMENTS`` process takes; raise if it fails."""
    return run_process(arguments, env)[0]


def run_process(arguments: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of a whole ``python -m evkg ARGUMENTS``
    process; raise if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "evkg", *arguments], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"evkg {' '.join(arguments)} failed ({done.returncode}):\n{done.stderr}")
    return seconds, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description="Whole-process timings of `evkg import` for large tables.")
    parser.add_argument("--rows", type=int, nargs="*", default=[1_000, GOAL_ROWS], help="rows per table")
    parser.add_argument("--kinds", nargs="*", default=list(KINDS), choices=KINDS)
    parser.add_argument("--runs", type=int, default=3, help="runs per table; the median is reported")
    parser.add_argument("--write", nargs=2, metavar=("KIND", "ROWS"), help="only write one table (with -o) and exit")
    parser.add_argument("-o", "--output", type=Path, help="where --write writes the table")
    args = parser.parse_args()

    if args.write:
        kind, rows = args.write[0], int(args.write[1])
        if args.output is None:
            parser.error("--write needs -o FILE")
        print(write_table(kind, rows, args.output))
        return

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        env = _environment(str(Path(tmp) / "cache"))
        time_process(["import", "--kind", "facilities", "--columns"], env)  # fills the cache of parsed seeds
        startup = statistics.median(
            time_process(["import", "--kind", "facilities", "--columns"], env) for _ in range(args.runs)
        )
        for kind in args.kinds:
            for rows in args.rows:
                table = write_table(kind, rows, Path(tmp) / f"{kind}-{rows}.csv")
                out = Path(tmp) / f"{kind}-{rows}.ttl"
                runs = [run_process(["import", str(table), "--kind", kind, "-o", str(out)], env) for _ in range(args.runs)]
                seconds = statistics.median(wall for wall, _ in runs)
                cpu = statistics.median(cpu for _, cpu in runs)
                results.append((kind, rows, seconds, cpu, out.stat().st_size))

    print(f"Whole `evkg import` processes, medians of {args.runs} runs; start-up alone "
          f"(`evkg import --columns`, the knowledge base loaded, no table): {startup:.2f} s.")
    print()
    header = f"{'kind':<14}{'rows':>8}{'seconds':>10}{'CPU s':>8}{'rows/s':>10}{'Turtle MB':>11}"
    print(header)
    print("-" * len(header))
    for kind, rows, seconds, cpu, size in results:
        print(f"{kind:<14}{rows:>8,}{seconds:>10.2f}{cpu:>8.2f}{rows / seconds:>10,.0f}{size / 1e6:>11.2f}")
    print(f"\nLoad average at the end: {' '.join(f'{load:.2f}' for load in os.getloadavg())}.")
    goal = [(kind, seconds) for kind, rows, seconds, _, _ in results if rows == GOAL_ROWS]
    if goal:
        missed = [kind for kind, seconds in goal if seconds >= GOAL_SECONDS]
        verdict = "met" if not missed else f"missed ({', '.join(missed)})"
        print(f"\nTarget: {GOAL_ROWS:,} rows in under {GOAL_SECONDS:.0f} s per kind, as a whole process: {verdict}.")


if __name__ == "__main__":
    main()
