"""Bounded fuzzing of every input surface: mutated SPARQL text on the memory and Oxigraph
stores, mutated RDF documents of every format loaded both ways, mutated CSV imports,
mutated articles through ``suggest``, and random HTTP requests to the server app.

Every case must end in a result or a clean ``EvkgError`` (for the server: a status below
500, or 503 when its time limit stops a query) - no other exception, no traceback on
standard error, no crash, no hang. Cases run in worker processes (tests/fuzz/worker.py), so
a segmentation fault in a native parser is a failed case, not a dead test run.

The seed is fixed (the same cases every run); ``EVKG_FUZZ_EXAMPLES=N`` runs N cases per
surface instead of the default few dozen. Inputs that once broke something are kept in
tests/fuzz/regressions/ and replayed by ``test_regression``; ``python -m tests.fuzz.campaign``
runs a long campaign that counts every outcome and writes a regression file per failure.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from .fuzz.harness import Worker, case_of, examples, read_regressions, regression_text, signature
from .fuzz.mutations import article_bytes, csv_tables, http_requests, rdf_documents, sparql_texts

#: (surface, store) -> (strategy, cases a default run draws).
SURFACES = {
    ("sparql", "memory"): (sparql_texts(), 50),
    ("sparql", "oxigraph"): (sparql_texts(), 50),
    ("rdf", "memory"): (rdf_documents(), 60),
    ("rdf", "oxigraph"): (rdf_documents(), 60),
    ("csv", "memory"): (csv_tables(), 60),
    ("article", "memory"): (article_bytes(), 25),
    ("http", "memory"): (http_requests(), 40),
}


@pytest.fixture(scope="module")
def workers():
    """One worker process per store, shared by the surfaces, started on first use."""
    made: dict[str, Worker] = {}

    def worker(store: str) -> Worker:
        if store not in made:
            made[store] = Worker(store)
        return made[store]

    yield worker
    for each in made.values():
        each.close()


def check(outcome: dict, case: dict) -> None:
    """Fail on a failure outcome, with the regression file that replays it. A SPARQL query
    stopped by the case's time limit is fine (the server answers 503 for it); any other
    input of the size fuzzing makes must be done well before."""
    bad = outcome["kind"] == "failure" or (outcome["kind"] == "timeout" and case["surface"] != "sparql")
    if bad:
        found = f"{signature(outcome)}: {outcome.get('message', '')}"
        pytest.fail(
            f"{case['surface']} case ended in {found[:1500]}\n{outcome.get('traceback', '')}\n"
            f"--- regression file (tests/fuzz/regressions/NAME.txt) ---\n"
            f"{regression_text(case, found).decode('utf-8', 'replace')[:3000]}",
            pytrace=False,
        )


@pytest.mark.parametrize(("surface", "store"), sorted(SURFACES), ids=lambda value: value)
def test_fuzz(workers, surface, store):
    strategy, default = SURFACES[surface, store]
    worker = workers(store)

    @settings(max_examples=examples(default), derandomize=True, database=None, deadline=None,
              phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck))
    @given(strategy)
    def one_case(value):
        case = case_of(surface, value, store=store)
        check(worker.run(case), case)

    one_case()


REGRESSIONS = read_regressions()


@pytest.mark.parametrize("regression", REGRESSIONS, ids=[r.path.stem for r in REGRESSIONS])
def test_regression(workers, regression):
    case = regression.case()
    check(workers(regression.store if case["surface"] in ("sparql", "rdf") else "memory").run(case), case)
