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


def test_native_evaluation_on_oxigraph_ends_the_process(tmp_path):
    store = f"oxigraph:{tmp_path / 'db'}"
    command = [sys.executable, "-m", "evkg.cli", "--store", store]
    subprocess.run([*command, "stats"], check=True, capture_output=True, timeout=300)
    done = subprocess.run([*command, "query", "--timeout", "0.5", CARTESIAN], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "the query was stopped after 0.5 s" in done.stderr
    assert "Traceback" not in done.stderr
