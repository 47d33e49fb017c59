"""Reading files: formats, parse errors with file and line, all-or-nothing merges, XML entities."""

from __future__ import annotations

import time

import pytest
from rdflib import URIRef

import evkg
from evkg.errors import InputError, ParseError, UnknownFormat, UnsafeInputError
from evkg.loading import guess_format, parse_file

from .conftest import DATA, REAL_RDF


def test_guess_format_from_extension():
    assert guess_format("a.ttl") == "turtle"
    assert guess_format("a.TRIG") == "trig"
    assert guess_format("a.owl") == "xml"
    assert guess_format("a.jsonld") == "json-ld"


def test_unknown_extension_lists_the_known_ones():
    with pytest.raises(UnknownFormat, match=r"\.ttl"):
        guess_format("facts.xlsx")


def test_malformed_turtle_names_file_and_line():
    with pytest.raises(ParseError) as info:
        parse_file(DATA / "malformed.ttl")
    assert info.value.line == 3
    assert "malformed.ttl, line 3" in str(info.value)


def test_malformed_ntriples_line_is_computed():
    with pytest.raises(ParseError) as info:
        parse_file(DATA / "malformed.nt")
    assert info.value.line == 3


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        parse_file(tmp_path / "nope.ttl")


def test_loading_is_all_or_nothing():
    kb = evkg.load(seeds=False)
    before = len(kb)
    with pytest.raises(ParseError):
        kb.add_file(DATA / "malformed.ttl")
    assert len(kb) == before
    assert (URIRef("http://example.org/a"), None, None) not in kb.dataset


def test_triples_of_a_user_file_get_a_named_graph_of_their_own():
    kb = evkg.load([DATA / "protege-entities.rdf"], seeds=False)
    assert URIRef("https://w3id.org/evkg/graph/data/protege-entities.rdf") in kb.graph_names()


def test_billion_laughs_is_refused_fast():
    start = time.perf_counter()
    with pytest.raises(UnsafeInputError, match="billion laughs"):
        parse_file(DATA / "billion-laughs.rdf")
    assert time.perf_counter() - start < 5  # a generous bound: unguarded, it takes minutes


def test_external_entity_is_refused():
    with pytest.raises(UnsafeInputError, match="external"):
        parse_file(DATA / "external-entity.rdf")


def test_plain_internal_entities_load():
    dataset = parse_file(DATA / "protege-entities.rdf")
    labels = {str(o) for o in dataset.objects(URIRef("http://example.org/battery#Cell"), None)}
    assert "battery cell" in labels


@pytest.mark.parametrize(
    "name",
    ["qudt-units.ttl", "emmo-battery-reference.ttl", "iof-supply-chain.rdf", "fibo-lei.rdf"],
)
def test_real_world_ontologies_load_and_show_in_stats(name):
    path = REAL_RDF / name
    if not path.exists():
        pytest.fail(f"missing real-world test file {path}")
    kb = evkg.load([path], seeds=False)
    graphs = {s["graph"]: s["triples"] for s in kb.stats().by_source}
    assert graphs[f"https://w3id.org/evkg/graph/data/{name}"] > 100


# ------------------------------------------------------------------ hostile nesting and JSON-LD


def _deep_literal(path, depth: int):
    body = "<x:a>" * depth + "</x:a>" * depth
    path.write_text(
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/" xmlns:x="http://example.org/x/">\n'
        f'<rdf:Description rdf:about="http://example.org/s"><ex:p rdf:parseType="Literal">{body}</ex:p>'
        "</rdf:Description>\n</rdf:RDF>\n",
        encoding="utf-8",
    )
    return path


def _cleanly_refused(runner, arguments, path):
    from evkg.cli import cli

    result = runner.invoke(cli, arguments)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert f"Error: {path}" in result.stderr
    return result.stderr


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_a_deeply_nested_xml_literal_is_refused_on_every_path(runner, tmp_path, depth):
    # without the seeds: a file is parsed on the same path beside them or alone
    deep = _deep_literal(tmp_path / "deep.rdf", depth)
    with pytest.raises(UnsafeInputError, match=r"deep.rdf, line 3: elements nest more than 256 deep"):
        evkg.load([deep], seeds=False)
    for arguments in (["--no-seeds", "--data", str(deep), "stats"], ["--no-seeds", "validate", str(deep)],
                      ["--no-seeds", "--store", f"oxigraph:{tmp_path / 'db'}", "load", str(deep)]):
        assert "nest more than 256 deep" in _cleanly_refused(runner, arguments, deep)


def test_an_xml_literal_nested_a_little_still_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("EVKG_CACHE_DIR", "off")
    kb = evkg.load([_deep_literal(tmp_path / "nested.rdf", 200)])
    (value,) = kb.dataset.objects(URIRef("http://example.org/s"), URIRef("http://example.org/p"))
    assert str(value).count("<x:a") == 200


BAD_JSONLD = {
    "invalid JSON": b'{"@id": "http://example.org/s", "http://example.org/p": ',
    "not JSON": b"this is not JSON",
    "context a number": b'{"@context": 5, "@id": "http://example.org/s", "http://example.org/p": "v"}',
    "context a list of numbers": b'{"@context": [1, 2], "@id": "http://example.org/s", "http://example.org/p": "v"}',
    "id a number": b'{"@id": 12, "http://example.org/p": "v"}',
    "id an object": b'{"@id": {"a": 1}, "http://example.org/p": "v"}',
    "truncated": b'{"@context": {"ex": "http://example.org/"}, "@id": "ex:s", "ex:p": [{"@value": "v"',
    "protected not a boolean": b'{"@context": {"@version": 1.1, "@protected": "yes"}, "@id": "http://example.org/s"}',
    "version not 1.1": b'{"@context": {"@version": 2.0}, "@id": "http://example.org/s", "http://example.org/p": "v"}',
}


@pytest.mark.parametrize("case", sorted(BAD_JSONLD))
def test_malformed_jsonld_is_a_clean_error_naming_the_file(runner, tmp_path, case):
    from evkg.cli import cli

    doc = tmp_path / "bad.jsonld"
    doc.write_bytes(BAD_JSONLD[case])
    # without the seeds: a file is parsed on the same path beside them or alone
    store = ["--no-seeds", "--store", f"oxigraph:{tmp_path / 'db'}", "load", str(doc)]
    for arguments in (store, ["--no-seeds", "--data", str(doc), "stats"]):
        result = runner.invoke(cli, arguments)
        assert "Traceback" not in result.output and "Traceback" not in result.stderr, (arguments, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (arguments, result.exception)
        if result.exit_code != 0:  # rdflib reads some of these leniently; a refusal names the file
            assert result.exit_code == 2 and f"Error: {doc}" in result.stderr, (arguments, result.output)
    assert _cleanly_refused(runner, store, doc)
