"""Time limits on the command line: `evkg query --timeout` stops a runaway query, on
rdflib (a timer signal) and inside Oxigraph's native evaluation (the process ends)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from evkg.cli import cli
from evkg.errors import TimeLimitExceeded
from evkg.limits import time_limit

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_a_slow_query_is_stopped_with_a_clear_message(runner):
    result = runner.invoke(cli, ["query", "--timeout", "0.5", CARTESIAN])
    assert result.exit_code == 2
    assert "the query was stopped after 0.5 s (the time limit)" in result.output
    assert "Traceback" not in result.output


def test_a_fast_query_is_not_stopped(runner):
    result = runner.invoke(cli, ["query", "--timeout", "30", "ASK { company:catl ?p ?o }"])
    assert result.exit_code == 0, result.output


def test_zero_means_no_limit():
    with time_limit(0):
        assert sum(range(1000)) == 499500


def test_the_limit_is_lifted_after_the_block():
    import signal

    handler = signal.getsignal(signal.SIGALRM)
    with time_limit(30):
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is handler


def test_python_work_is_interrupted():
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.1):
            while True:
                pass


@pytest.fixture(scope="module")
def oxigraph_command(tmp_path_factory):
    """`evkg --store oxigraph:PATH` on a store made once for this module."""
    store = f"oxigraph:{tmp_path_factory.mktemp('limits') / 'db'}"
    command = [sys.executable, "-m", "evkg.cli", "--store", store]
    subprocess.run([*command, "stats"], check=True, capture_output=True, timeout=300)
    return command


def test_native_evaluation_on_oxigraph_ends_the_process(oxigraph_command):
    command = oxigraph_command
    done = subprocess.run([*command, "query", "--timeout", "0.5", CARTESIAN], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "the query was stopped after 0.5 s" in done.stderr
    assert "Traceback" not in done.stderr


# --------------------------------------------------------------------------- query shape

DEEP_QUERIES = {
    "nested parentheses": "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "nested braces": "SELECT * WHERE " + "{" * 20000 + "}" * 20000,
    "a 60,000-term FILTER": "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(f"?o = {i}" for i in range(60000)) + ") }",
    "3,000 BINDs": "SELECT * WHERE { " + " ".join(f"BIND({i} AS ?x{i})" for i in range(3000)) + " }",
}


@pytest.mark.parametrize("name", sorted(DEEP_QUERIES))
def test_queries_too_deep_for_a_native_parser_are_refused_on_oxigraph(name, oxigraph_command, tmp_path):
    query_file = tmp_path / "deep.rq"
    query_file.write_text(DEEP_QUERIES[name])
    done = subprocess.run([*oxigraph_command, "query", "-f", str(query_file)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr[-500:]
    assert "at most" in done.stderr and "allowed" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("name", sorted(DEEP_QUERIES))
def test_the_api_refuses_them_before_parsing(name, oxigraph_kb):
    from evkg.errors import QueryError

    with pytest.raises(QueryError, match="at most"):
        oxigraph_kb.query(DEEP_QUERIES[name])


def test_the_server_answers_400(kb):
    from starlette.testclient import TestClient

    from evkg.server import make_app

    with TestClient(make_app(kb, allowed_hosts=("testserver",))) as client:
        response = client.post("/sparql", data={"query": DEEP_QUERIES["nested parentheses"]})
    assert response.status_code == 400
    assert "nests brackets" in response.text


def test_ordinary_queries_pass_the_shape_check():
    from pathlib import Path

    from evkg.limits import check_query_shape

    examples = sorted((Path(__file__).parent.parent / "evkg" / "queries").glob("*.rq"))
    assert examples
    for path in examples:
        check_query_shape(path.read_text(encoding="utf-8"))
    check_query_shape('SELECT * WHERE { ?f ev:operator company:example-cells-ltd ; ev:x "a - b * c || d" . FILTER(?n > -3e-2) }')
    check_query_shape("SELECT * WHERE { VALUES ?x { " + " ".join(str(i) for i in range(100_000)) + " } }")
