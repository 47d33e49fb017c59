"""Nothing reaches the network or the file system behind the user's back.

A canary HTTP server on 127.0.0.1 counts the requests it gets; every refused case must
leave it at zero, and one allowed case proves the canary would have seen a request.
"""

from __future__ import annotations

import urllib.request

import pytest

import evkg
from evkg.cli import cli
from evkg.errors import NetworkAccessError
from evkg.loading import network_guard


@pytest.fixture(scope="module")
def small_kb():
    return evkg.load(seeds=False)


def test_service_is_refused(small_kb, canary):
    url, hits = canary
    with pytest.raises(NetworkAccessError, match="SERVICE"):
        small_kb.query(f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}")
    assert hits == []


def test_service_to_a_file_is_refused(small_kb):
    with pytest.raises(NetworkAccessError):
        small_kb.query("SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }")


def test_from_a_remote_graph_is_refused(small_kb, canary):
    url, hits = canary
    with pytest.raises(NetworkAccessError, match="FROM"):
        small_kb.query(f"SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}")
    with pytest.raises(NetworkAccessError):
        small_kb.query(f"SELECT * FROM NAMED <{url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert hits == []


def test_from_a_local_graph_is_allowed(small_kb):
    result = small_kb.query(
        "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/evkg/graph/ontology> WHERE { ?s a owl:Class }"
    )
    assert int(next(iter(result))[0]) > 10


def test_allowed_network_reaches_the_canary(canary):
    url, hits = canary
    kb = evkg.load(seeds=False, allow_network=True)
    result = kb.query(f"SELECT ?o FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}")
    assert [str(row[0]) for row in result] == ["http://example.org/o"]
    assert hits == ["/data.ttl"]


def test_jsonld_remote_context_is_not_fetched(tmp_path, canary):
    url, hits = canary
    doc = tmp_path / "remote-context.jsonld"
    doc.write_text(
        f'{{"@context": "{url}/context.jsonld", "@id": "http://example.org/x", "name": "X"}}'
    )
    with pytest.raises(NetworkAccessError):
        evkg.load([doc], seeds=False)
    assert hits == []


def test_guard_blocks_urllib_and_sockets(canary):
    url, hits = canary
    with network_guard(allow=False), pytest.raises(NetworkAccessError):
        urllib.request.urlopen(f"{url}/x", timeout=2)
    assert hits == []


def test_cli_refuses_service_with_exit_2(runner, canary):
    url, hits = canary
    result = runner.invoke(
        cli, ["--no-seeds", "query", f"SELECT * WHERE {{ SERVICE <{url}/q> {{ ?s ?p ?o }} }}"]
    )
    assert result.exit_code == 2
    assert "--allow-network" in result.output
    assert hits == []
