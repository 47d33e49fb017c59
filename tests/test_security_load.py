"""Loading refuses what could forge or leak data: invalid IRIs (quads injected through a
JSON-LD IRI, terms that break every serializer), and JSON-LD contexts that are not written
in the document (a file: IRI, a path, a URL), on every store and through every command;
and it loads a file whole or not at all: a cut RDF/XML document, an entity bomb and an
oversized literal are refused quickly, long literals parse in linear time."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from rdflib import URIRef

import evkg
from evkg.cli import cli
from evkg.errors import NetworkAccessError, ParseError
from evkg.loading import parse_file
from evkg.stores.sparql import SparqlStore
from evkg.stores import open_store

ARTICLE_GRAPH = "https://w3id.org/evkg/graph/000_2f9e7fe2686975ec"
CATL = "https://w3id.org/evkg/id/company/catl"
QUOTE = "https://w3id.org/evkg/ontology#quote"
FAKE = "INJECTED FAKE QUOTE"
SECRET = "SECRET-CANARY-5b1e9d"
DATA_GRAPH = "https://w3id.org/evkg/graph/data/"

# A property IRI that, written into N-Quads as it is, ends its own line and adds a quote
# to an article's named graph.
INJECTING_IRI = (
    f'http://example.org/p> "v" <{ARTICLE_GRAPH}> .\n'
    f'<{CATL}> <{QUOTE}> "{FAKE}" <{ARTICLE_GRAPH}> .\n'
    "<http://example.org/s> <http://example.org/q"
)


def write_json(path: Path, document) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def injecting_document(path: Path, *, blank_node: bool) -> Path:
    document = {"@id": "http://example.org/s", INJECTING_IRI: "v"}
    if blank_node:
        document["http://example.org/r"] = {"http://example.org/t": "a blank node"}
    return write_json(path, document)


def store_text(store) -> str:
    return "\n".join(repr(quad) for quad in store.pyoxigraph_store)


# ------------------------------------------------------------------ invalid IRIs


@pytest.mark.parametrize("blank_node", [True, False], ids=["staging", "side-by-side"])
def test_iri_injecting_quads_is_refused_on_oxigraph(tmp_path, blank_node):
    doc = injecting_document(tmp_path / "inject.jsonld", blank_node=blank_node)
    store = open_store(f"oxigraph:{tmp_path / 'db'}")
    with pytest.raises(ParseError) as info:
        store.load_file(doc, graph_iri=DATA_GRAPH + "inject.jsonld")
    message = str(info.value)
    assert message.startswith(f"{doc}: ")
    assert repr(INJECTING_IRI[:40])[1:-1] in message  # escaped: the line break shows as \n
    assert "\n" not in message
    assert info.value.path == str(doc)
    assert FAKE not in store_text(store)
    assert len(store.pyoxigraph_store) == 0


def test_show_catl_has_no_injected_quote_after_the_attempt(runner, tmp_path):
    doc = injecting_document(tmp_path / "inject.jsonld", blank_node=True)
    spec = f"oxigraph:{tmp_path / 'db'}"
    loaded = runner.invoke(cli, ["--store", spec, "load", str(doc)])
    assert loaded.exit_code == 2, loaded.output
    assert "inject.jsonld" in loaded.output and "Traceback" not in loaded.output
    shown = runner.invoke(cli, ["--store", spec, "show", "CATL"])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("CATL  (battery maker)")
    assert FAKE not in shown.stdout


BAD_TERMS = {
    "space in a property": {"@id": "http://example.org/s", "http://example.org/has space": "v"},
    "space in a class": {"@id": "http://example.org/s", "@type": "http://example.org/A Class"},
    "relative id with a space": {"@id": "http://example.org/s", "http://example.org/p": {"@id": "rel path"}},
    "datatype": {"@id": "http://example.org/s", "http://example.org/p": {"@value": "v", "@type": "http://example.org/t> ."}},
    "language tag": {"@id": "http://example.org/s", "http://example.org/p": {"@value": "v", "@language": "en> ."}},
    "blank node label": {"@id": "_:a b> .", "http://example.org/p": "v"},
    "graph name": {"@id": "http://example.org/g g", "@graph": [{"@id": "http://example.org/s", "http://example.org/p": "v"}]},
}


@pytest.mark.parametrize("name", list(BAD_TERMS))
def test_invalid_terms_are_refused_on_oxigraph(tmp_path, name):
    doc = write_json(tmp_path / "bad.jsonld", BAD_TERMS[name])
    store = open_store(f"oxigraph:{tmp_path / 'db'}")
    with pytest.raises(ParseError, match=re.escape(f"{doc}: ")):
        store.load_file(doc, graph_iri=DATA_GRAPH + "bad.jsonld")
    assert len(store.pyoxigraph_store) == 0


# rdflib drops some of these itself (quietly); those it keeps must be refused.
RDFLIB_KEEPS = ["space in a property", "datatype", "blank node label"]


@pytest.mark.parametrize("name", RDFLIB_KEEPS)
def test_invalid_terms_are_refused_on_memory(tmp_path, name):
    doc = write_json(tmp_path / "bad.jsonld", BAD_TERMS[name])
    kb = evkg.load(seeds=False)
    before = len(kb)
    with pytest.raises(ParseError, match=re.escape(f"{doc}: ")):
        kb.add_file(doc)
    assert len(kb) == before


def test_iri_injecting_quads_is_refused_on_memory(tmp_path):
    doc = injecting_document(tmp_path / "inject.jsonld", blank_node=True)
    with pytest.raises(ParseError) as info:
        evkg.load([doc], seeds=False)
    assert str(info.value).startswith(f"{doc}: the IRI 'http://example.org/p> ")
    assert "not a valid IRI" in str(info.value)


def test_a_long_invalid_iri_is_cut_in_the_message(tmp_path):
    doc = write_json(tmp_path / "long.jsonld", {"@id": "http://example.org/s", "http://example.org/" + "x" * 500 + " y": "v"})
    with pytest.raises(ParseError) as info:
        parse_file(doc)
    assert "x" * 100 not in str(info.value)
    assert len(str(info.value)) < 400


def test_turtle_iri_with_an_escaped_space_is_refused_on_memory(tmp_path):
    doc = tmp_path / "escaped.ttl"
    doc.write_text("<http://example.org/s> <http://example.org/p> <http://example.org/a\\u0020b> .\n")
    with pytest.raises(ParseError, match=r"escaped\.ttl: the IRI 'http://example.org/a b' is not a valid IRI"):
        parse_file(doc)


@pytest.mark.parametrize("written", ["\u202e", "\\u202E", "\u2028", "\\U00002028"], ids=["raw RLO", "escaped RLO", "raw LS", "escaped LS"])
@pytest.mark.parametrize("where", ["memory", "oxigraph"])
def test_marks_the_iri_grammar_lets_through_are_refused(tmp_path, where, written):
    doc = tmp_path / "marks.nt"
    doc.write_text(f"<http://example.org/s> <http://example.org/p> <http://example.org/a{written}b> .\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        if where == "memory":
            parse_file(doc)
        else:
            open_store(f"oxigraph:{tmp_path / 'db'}").load_file(doc, graph_iri=DATA_GRAPH + "marks.nt")
    assert re.match(rf"{re.escape(str(doc))}: the IRI 'http://example.org/a\\u(202e|2028)b' is not a valid IRI", str(info.value))


def test_memory_export_of_a_space_iri_fails_cleanly(runner, tmp_path):
    doc = write_json(tmp_path / "space.jsonld", BAD_TERMS["space in a property"])
    result = runner.invoke(cli, ["--no-seeds", "--data", str(doc), "export", "--format", "nt"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{doc}: the IRI 'http://example.org/has space' is not a valid IRI" in result.output


def test_serve_data_with_an_invalid_iri_stops_before_serving(runner, tmp_path, monkeypatch):
    served = no_serving(monkeypatch)
    doc = write_json(tmp_path / "space.jsonld", BAD_TERMS["space in a property"])
    result = runner.invoke(cli, ["--no-seeds", "serve", "--data", str(doc), "--port", "0"])
    assert result.exit_code == 2, result.output
    assert "space.jsonld" in result.output
    assert served == []


def test_sparql_store_sends_nothing_for_an_injecting_file(tmp_path, canary):
    # The SPARQL store parses with evkg.loading.parse_file: the same check refuses the file
    # before any request.
    url, hits = canary
    doc = injecting_document(tmp_path / "inject.jsonld", blank_node=True)
    store = SparqlStore(f"{url}/sparql")
    with pytest.raises(ParseError, match="inject.jsonld"):
        store.load_file(doc, graph_iri=DATA_GRAPH + "inject.jsonld")
    assert hits == []


# ------------------------------------------------------------------ local contexts


@pytest.fixture
def secrets(tmp_path):
    """A context file and a password-like file, each holding the secret."""
    folder = tmp_path / "private"
    folder.mkdir()
    context = write_json(folder / "ctx.json", {"@context": {"name": f"http://example.org/{SECRET}"}})
    passwd = folder / "passwd"
    passwd.write_text(f"root:x:0:0:{SECRET}:/root:/bin/sh\n")
    return context, passwd


def documents(context: Path, passwd: Path) -> dict[str, tuple[dict, str]]:
    """Each way of naming a local file as a context: (document, what the error must name)."""
    iri = context.as_uri()
    item = {"@id": "http://example.org/s", "name": "v"}
    return {
        "file IRI": ({"@context": iri, **item}, iri),
        "absolute path": ({"@context": str(context), **item}, str(context)),
        "etc/passwd-like path": ({"@context": str(passwd), **item}, str(passwd)),
        "in an array": ({"@context": [{"other": "http://example.org/other"}, iri], **item}, iri),
        "@import": ({"@context": {"@import": iri}, **item}, iri),
        "property-scoped": ({
            "@context": {"p": {"@id": "http://example.org/p", "@context": iri}},
            "@id": "http://example.org/s", "p": {"name": "v"},
        }, iri),
        "type-scoped": ({
            "@context": {"T": {"@id": "http://example.org/T", "@context": iri}},
            "@id": "http://example.org/s", "@type": "T", "name": "v",
        }, iri),
        "nested": ({"@id": "http://example.org/s", "http://example.org/p": {"@context": iri, "name": "v"}}, iri),
        "in @graph": ({"@graph": [{"@context": [iri], **item}]}, iri),
    }


CASES = list(documents(Path("/c"), Path("/p")))


def assert_refused(info, doc: Path, target: str) -> None:
    message = str(info.value)
    assert str(doc) in message
    assert target in message
    assert SECRET not in message


@pytest.mark.parametrize("name", CASES)
def test_local_context_is_refused_by_load(tmp_path, secrets, name):
    document, target = documents(*secrets)[name]
    doc = write_json(tmp_path / "doc.jsonld", document)
    with pytest.raises(NetworkAccessError) as info:
        evkg.load([doc], seeds=False)
    assert_refused(info, doc, target)


@pytest.mark.parametrize("name", CASES)
def test_local_context_is_refused_by_parse_file(tmp_path, secrets, name):
    document, target = documents(*secrets)[name]
    doc = write_json(tmp_path / "doc.jsonld", document)
    with pytest.raises(NetworkAccessError) as info:
        parse_file(doc)
    assert_refused(info, doc, target)


@pytest.mark.parametrize("name", CASES)
def test_local_context_is_refused_by_the_oxigraph_store(tmp_path, secrets, name):
    document, target = documents(*secrets)[name]
    doc = write_json(tmp_path / "doc.jsonld", document)
    store = open_store(f"oxigraph:{tmp_path / 'db'}")
    with pytest.raises(NetworkAccessError) as info:
        store.load_file(doc, graph_iri=DATA_GRAPH + "doc.jsonld")
    assert_refused(info, doc, target)
    assert len(store.pyoxigraph_store) == 0


def test_relative_context_is_not_resolved_against_the_current_folder(tmp_path, secrets, monkeypatch):
    monkeypatch.chdir(secrets[0].parent)
    doc = write_json(tmp_path / "doc.json", {"@context": "ctx.json", "@id": "http://example.org/s", "name": "v"})
    with pytest.raises(NetworkAccessError) as info:
        parse_file(doc)
    assert_refused(info, doc, "'ctx.json'")


def test_a_json_file_is_checked_too(tmp_path, secrets):
    doc = write_json(tmp_path / "doc.json", documents(*secrets)["file IRI"][0])
    with pytest.raises(NetworkAccessError, match="doc.json"):
        evkg.load([doc], seeds=False)


@pytest.mark.parametrize(
    "command",
    [["--data", "{doc}", "export", "--format", "nt"], ["validate", "{doc}"], ["serve", "--data", "{doc}", "--port", "0"]],
    ids=["--data", "validate", "serve --data"],
)
def test_local_context_is_refused_by_the_commands(runner, tmp_path, secrets, monkeypatch, command):
    served = no_serving(monkeypatch)
    doc = write_json(tmp_path / "doc.jsonld", documents(*secrets)["file IRI"][0])
    result = runner.invoke(cli, ["--no-seeds", *(part.format(doc=doc) for part in command)])
    assert result.exit_code == 2, result.output
    assert str(doc) in result.output and secrets[0].as_uri() in result.output
    assert "--allow-network" in result.output
    assert SECRET not in result.output
    assert served == []


def test_the_guard_keeps_files_closed_without_the_scan(tmp_path, secrets, monkeypatch):
    # Should the scan miss a context, rdflib's parser still cannot open the file.
    monkeypatch.setattr("evkg.loading.refuse_external_contexts", lambda contexts, path, allow_network: None)
    doc = write_json(tmp_path / "doc.jsonld", documents(*secrets)["file IRI"][0])
    with pytest.raises(NetworkAccessError) as info:
        parse_file(doc)
    assert_refused(info, doc, str(secrets[0]))


def test_allow_network_lets_a_context_file_be_read(tmp_path, secrets):
    doc = write_json(tmp_path / "doc.jsonld", documents(*secrets)["file IRI"][0])
    kb = evkg.load([doc], seeds=False, allow_network=True)
    assert f"http://example.org/{SECRET}" in {str(p) for p in kb.dataset.predicates()}


def test_allow_network_lets_the_oxigraph_store_read_a_context_file(tmp_path, secrets):
    doc = write_json(tmp_path / "doc.jsonld", documents(*secrets)["@import"][0])
    store = open_store(f"oxigraph:{tmp_path / 'db'}")
    report = store.load_file(doc, graph_iri=DATA_GRAPH + "doc.jsonld", allow_network=True)
    assert report.triples == 1
    assert SECRET in store_text(store)


def test_inline_contexts_still_load(tmp_path):
    doc = write_json(tmp_path / "inline.jsonld", {
        "@context": [{"name": "http://example.org/name"}, {"T": {"@id": "http://example.org/T", "@context": {"n": "http://example.org/n"}}}],
        "@id": "http://example.org/s", "@type": "T", "name": "v", "n": "w",
    })
    assert len(parse_file(doc)) == 3
    store = open_store(f"oxigraph:{tmp_path / 'db'}")
    assert store.load_file(doc, graph_iri=DATA_GRAPH + "inline.jsonld").triples == 3


# ------------------------------------------------------------------ helpers


def no_serving(monkeypatch) -> list:
    """Make `evkg serve` return instead of serving; the list of apps it would have served."""
    import evkg.server.runner

    served = []

    def record(app, sock, **options):
        sock.close()
        served.append(app)

    monkeypatch.setattr(evkg.server.runner, "serve", record)
    return served


# ------------------------------------------------------------------ cut and oversized documents

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def cut_rdfxml(path: Path, descriptions: int = 1000) -> Path:
    """An RDF/XML document cut after the closing tag of its last description: the
    closing </rdf:RDF> is missing."""
    lines = ['<?xml version="1.0"?>', f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="http://example.org/">']
    lines += [f'  <rdf:Description rdf:about="http://example.org/s{i}"><ex:p>v{i}</ex:p></rdf:Description>' for i in range(descriptions)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_cut_rdfxml_file_is_refused_on_oxigraph(tmp_path):
    doc = cut_rdfxml(tmp_path / "cut.rdf")
    store = open_store(f"oxigraph:{tmp_path / 'db'}")
    with pytest.raises(ParseError) as info:
        store.load_file(doc, graph_iri=DATA_GRAPH + "cut.rdf")
    assert str(info.value) == (
        f"{doc}, line 1003: not well-formed XML (no element found): the document ends before it is closed, "
        "so it may have been cut short. Nothing was loaded."
    )
    assert info.value.line == 1003
    assert len(store.pyoxigraph_store) == 0


def test_a_cut_rdfxml_file_is_refused_on_memory(tmp_path):
    doc = cut_rdfxml(tmp_path / "cut.rdf")
    with pytest.raises(ParseError, match=re.escape(f"{doc}, line 1003: ")):
        parse_file(doc)


def test_a_cut_rdfxml_file_is_refused_by_evkg_load(runner, tmp_path):
    doc = cut_rdfxml(tmp_path / "cut.rdf")
    result = runner.invoke(cli, ["--no-seeds", "--store", f"oxigraph:{tmp_path / 'db'}", "load", str(doc)])
    assert result.exit_code == 2
    assert "line 1003: not well-formed XML" in result.output
    assert "Loaded" not in result.output


def test_a_whole_rdfxml_file_still_loads_on_oxigraph(tmp_path):
    doc = cut_rdfxml(tmp_path / "whole.rdf", descriptions=3)
    doc.write_text(doc.read_text(encoding="utf-8") + "</rdf:RDF>\n", encoding="utf-8")
    store = open_store(f"oxigraph:{tmp_path / 'db'}")
    assert store.load_file(doc, graph_iri=DATA_GRAPH + "whole.rdf").triples == 3


def quadratic_entities(path: Path) -> Path:
    """22 KB of RDF/XML: one 4,000-character entity referenced 6,000 times (24 MB)."""
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY a "{"x" * 4000}">]>\n'
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="http://example.org/">\n'
        f'<rdf:Description rdf:about="http://example.org/s"><ex:p>{"&a;" * 6000}</ex:p></rdf:Description>\n'
        "</rdf:RDF>\n",
        encoding="utf-8",
    )
    return path


def test_quadratic_entity_expansion_is_refused_fast_on_memory(tmp_path):
    from evkg.errors import UnsafeInputError

    doc = quadratic_entities(tmp_path / "quadratic.rdf")
    started = time.perf_counter()
    with pytest.raises(UnsafeInputError) as info:
        parse_file(doc)
    assert time.perf_counter() - started < 2  # refused from the DTD and a count of references
    assert str(info.value) == (
        f"{doc}: entity references would expand to 24,000,000 bytes in a document of 22,248 "
        "(at most 1,048,576, or 10 times the document); one long entity referenced over and over "
        "(the 'quadratic blowup' attack) is refused."
    )


def test_quadratic_entity_expansion_is_refused_on_oxigraph(tmp_path):
    from evkg.errors import UnsafeInputError

    doc = quadratic_entities(tmp_path / "quadratic.rdf")
    store = open_store(f"oxigraph:{tmp_path / 'db'}")
    with pytest.raises(UnsafeInputError, match="quadratic blowup"):
        store.load_file(doc, graph_iri=DATA_GRAPH + "quadratic.rdf")
    assert len(store.pyoxigraph_store) == 0


def test_namespace_entities_many_times_over_still_load(tmp_path):
    # As Protégé writes them: short entities, each referenced often (30,000 times here).
    about = "".join(f'<rdf:Description rdf:about="&ex;s{i}"><rdf:type rdf:resource="&ex;Thing"/></rdf:Description>\n' for i in range(15000))
    doc = tmp_path / "protege.rdf"
    doc.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ex "http://example.org/a/rather/long/namespace/path#">]>\n'
        f'<rdf:RDF xmlns:rdf="{RDF_NS}">\n{about}</rdf:RDF>\n',
        encoding="utf-8",
    )
    assert len(parse_file(doc)) == 15000
    assert open_store(f"oxigraph:{tmp_path / 'db'}").load_file(doc, graph_iri=DATA_GRAPH + "protege.rdf").triples == 15000


def long_literal(path: Path, characters: int) -> Path:
    path.write_text(f'<http://example.org/s> <http://example.org/p> "{"a" * characters}" .\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["long.nt", "long.nq"])
def test_a_long_literal_in_ntriples_parses_in_linear_time(tmp_path, name):
    doc = long_literal(tmp_path / name, 3_000_000)
    started = time.perf_counter()
    dataset = parse_file(doc)
    assert time.perf_counter() - started < 5  # rdflib's line parser took over 120 s
    assert [len(o) for o in dataset.objects()] == [3_000_000]


@pytest.mark.parametrize("where", ["memory", "oxigraph"])
def test_a_literal_over_16_mb_is_a_clean_error(tmp_path, where):
    doc = long_literal(tmp_path / "huge.nt", 17 * 1024 * 1024)
    expected = (
        f"{doc}: a term (a literal, most likely) is longer than 16 MB, the most evkg reads in one term; "
        "nothing was loaded. Keep long texts in files of their own and point to them with an IRI."
    )
    with pytest.raises(ParseError) as info:
        if where == "memory":
            parse_file(doc)
        else:
            open_store(f"oxigraph:{tmp_path / 'db'}").load_file(doc, graph_iri=DATA_GRAPH + "huge.nt")
    assert str(info.value) == expected


def test_ntriples_parse_as_rdflib_parses_them(tmp_path):
    from rdflib import Dataset
    from rdflib.compare import isomorphic

    text = (
        '<http://example.org/s> <http://example.org/p> "plain" .\n'
        '<http://example.org/s> <http://example.org/p> "chat"@fr .\n'
        '<http://example.org/s> <http://example.org/p> "07"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        '<http://example.org/s> <http://example.org/p> "tab\\there \\u00e9 \\"q\\"" .\n'
        "_:one <http://example.org/p> _:two .\n"
        "_:two <http://example.org/p> _:one .\n"
        "_:one <http://example.org/q> <http://example.org/o> .\n"
    )
    doc = tmp_path / "terms.nt"
    doc.write_text(text, encoding="utf-8")
    graph_iri = URIRef(DATA_GRAPH + "terms.nt")
    ours = parse_file(doc, graph_iri=graph_iri)
    theirs = Dataset(default_union=True)
    theirs.graph(graph_iri).parse(data=text, format="nt")
    assert isomorphic(ours.graph(graph_iri), theirs.graph(graph_iri))
    assert len(ours) == 7
    assert len(set(ours.subjects(URIRef("http://example.org/p"), None))) == 3  # _:one and _:two stay two nodes


def test_nquads_keep_their_graphs_and_the_default_goes_to_the_file_graph(tmp_path):
    doc = tmp_path / "g.nq"
    doc.write_text(
        "<http://example.org/s> <http://example.org/p> <http://example.org/o> <http://example.org/g> .\n"
        "<http://example.org/s> <http://example.org/p> _:b .\n",
        encoding="utf-8",
    )
    graph_iri = URIRef(DATA_GRAPH + "g.nq")
    dataset = parse_file(doc, graph_iri=graph_iri)
    sizes = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    assert sizes == {"http://example.org/g": 1, str(graph_iri): 1}


def test_the_same_blank_node_label_in_two_ntriples_files_is_two_nodes(tmp_path):
    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    for doc in (first, second):
        doc.write_text("_:b <http://example.org/p> <http://example.org/o> .\n", encoding="utf-8")
    kb = evkg.load([first, second], seeds=False)
    assert len(set(kb.dataset.subjects(URIRef("http://example.org/p"), None))) == 2


@pytest.mark.parametrize("name, text, line", [
    ("bad.nt", '<http://example.org/s> <http://example.org/p> "a" .\n<http://example.org/s> <http://example.org/p> oops .\n', 2),
    ("bad.nq", '<http://example.org/s> <http://example.org/p> "a" .\n\n<http://example.org/s> <http://example.org/p> "b" <http://example.org/g> <x> .\n', 3),
    ("unterminated.nt", '<http://example.org/s> <http://example.org/p> "a .\n', 1),
])
def test_ntriples_errors_name_the_file_and_line(tmp_path, name, text, line):
    doc = tmp_path / name
    doc.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError) as info:
        parse_file(doc)
    assert info.value.line == line
    assert str(info.value).startswith(f"{doc}, line {line}: cannot parse as n")
