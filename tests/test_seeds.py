"""The seed data against its sources: one graph per article, every quote verbatim in its
article, every figure in its quote, every entity-to-entity triple backed by evidence."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from evkg.kb import seed_files
from evkg.ontology import EV, GRAPH, ID, QUDT, REFERENCE_GRAPH, SOURCE
from evkg.quotes import quote_in_text


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def article_graphs(kb, articles):
    return {article_id: kb.dataset.graph(GRAPH[article_id]) for article_id in articles}


def test_one_seed_file_and_graph_per_article(kb, articles):
    stems = {p.stem for p in seed_files()}
    assert stems == set(articles) | {"reference"}
    for article_id in articles:
        graph = kb.dataset.graph(GRAPH[article_id])
        source = SOURCE[article_id]
        assert (source, RDF.type, EV.Article) in graph
        assert (source, EV.articleId, Literal(article_id)) in graph


def test_every_quote_is_verbatim_in_its_article(article_graphs, articles):
    """Character for character (no-break spaces, dashes and curly quotes as the article
    has them); the one allowance, evkg.quotes' rule: a sentence the article breaks across
    lines is quoted with one space where the break is."""
    missing = []
    for article_id, graph in article_graphs.items():
        text = articles[article_id]
        for predicate in (EV.quote, EV.statementText):
            for node, quote in graph.subject_objects(predicate):
                if not quote_in_text(str(quote), text):
                    missing.append((article_id, str(node), str(quote)[:80]))
    assert missing == []


def test_titles_come_from_the_article_text(kb, articles):
    from rdflib.namespace import DCTERMS

    for article_id in articles:
        for title in kb.dataset.graph(GRAPH[article_id]).objects(SOURCE[article_id], DCTERMS.title):
            assert quote_in_text(str(title), articles[article_id])


def test_the_quote_check_sees_what_a_flattened_comparison_misses():
    text = "Output rose in\n\nMarch. Plants in\u00a0Chile grew."
    assert quote_in_text("Output rose in March.", text)
    assert not quote_in_text("Plants in Chile grew.", text)  # U+00A0 is not a space
    assert quote_in_text("Plants in\u00a0Chile grew.", text)
    assert not quote_in_text("Output  rose in March.", text)  # two spaces are not one
    assert not quote_in_text("Output rose\nin March.", text)  # the quote's own break is no space


def test_facts_cite_their_own_article(article_graphs):
    for article_id, graph in article_graphs.items():
        for node in set(graph.subjects(EV.quote, None)):
            assert set(graph.objects(node, PROV.wasDerivedFrom)) == {SOURCE[article_id]}, node


def _is_entity(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(ID))


def test_entity_triples_have_evidence_and_evidence_is_asserted(article_graphs):
    problems = []
    for article_id, graph in article_graphs.items():
        facts = set(graph.subjects(EV.quote, None))
        evidenced = set()
        for evidence in graph.subjects(RDF.type, EV.Evidence):
            triple = (graph.value(evidence, RDF.subject), graph.value(evidence, RDF.predicate), graph.value(evidence, RDF.object))
            if triple[0] is None:
                continue  # extra evidence attached to a fact with ev:evidence
            if triple not in graph:
                problems.append(("evidence for a triple the graph does not assert", article_id, triple))
            evidenced.add(triple)
        for s, p, o in graph:
            if _is_entity(s) and _is_entity(o) and s not in facts and p != RDF.type:
                if (s, p, o) not in evidenced:
                    problems.append(("triple without evidence", article_id, (s, p, o)))
    assert problems == []


def test_every_referenced_entity_is_declared(kb):
    used = {o for _, _, o in kb.dataset.triples((None, None, None)) if _is_entity(o)}
    used |= {s for s in kb.dataset.subjects() if _is_entity(s)}
    undeclared = sorted(str(i) for i in used if (i, RDF.type, None) not in kb.dataset)
    assert undeclared == []


def test_every_entity_has_one_english_label(kb):
    for entity in {s for s in kb.dataset.subjects(RDF.type, None) if _is_entity(s)}:
        labels = set(kb.dataset.objects(entity, RDFS.label))
        assert len(labels) == 1 and next(iter(labels)).language == "en", (entity, labels)


def test_reference_graph_is_marked_and_quote_free(kb):
    graph = kb.dataset.graph(REFERENCE_GRAPH)
    assert (SOURCE["reference"], RDF.type, EV.ReferenceData) in graph
    assert list(graph.subjects(EV.quote, None)) == []
    for subject in set(graph.subjects(RDF.type, None)) - {SOURCE["reference"]}:
        assert (subject, PROV.wasDerivedFrom, SOURCE["reference"]) in graph, subject


def test_countries_have_iso_codes(kb):
    for country in kb.dataset.subjects(RDF.type, EV.Country):
        codes = [str(c) for c in kb.dataset.objects(country, SKOS.notation)]
        assert len(codes) == 1 and str(country).endswith("/" + codes[0].lower()), country


def _renderings(value: Decimal) -> set[str]:
    out = set()
    for scale in (1, 10**3, 10**6, 10**9):
        scaled = (value / scale).normalize()
        if scaled != scaled.to_integral_value() and len(str(scaled)) > 6:
            continue
        plain = format(scaled, "f")
        out.add(plain)
        if scaled == scaled.to_integral_value():
            out.add(f"{int(scaled):,}")
    return out


def _quotes_of(graph, node) -> list[str]:
    quotes = [str(q) for q in graph.objects(node, EV.quote)]
    for extra in graph.objects(node, EV.evidence):
        quotes += [str(q) for q in graph.objects(extra, EV.quote)]
    return quotes


def test_every_figure_appears_in_its_quote(article_graphs):
    """A number in the data must be written in the sentence it rests on (as 150,000, 6.9,
    2.49 million, ¥10 billion ...): no figure is computed or invented."""
    problems = []
    for article_id, graph in article_graphs.items():
        for holder, predicate, quantity in graph:
            if not isinstance(quantity, BNode) or (quantity, QUDT.numericValue, None) not in graph:
                continue
            number = Decimal(str(graph.value(quantity, QUDT.numericValue)))
            quotes = " ".join(_quotes_of(graph, holder))
            if not any(r in quotes for r in _renderings(number)):
                problems.append((article_id, str(holder), str(number)))
    assert problems == []


def test_entity_names_occur_in_their_articles(kb, articles):
    """An entity's label or one of its other names occurs in an article that mentions it
    (reference-only names aside)."""
    problems = []
    texts = {SOURCE[a]: _flat(t).casefold() for a, t in articles.items()}
    for entity in {s for s in kb.dataset.subjects(RDF.type, None) if _is_entity(s)}:
        if (entity, EV.quote, None) in kb.dataset:
            continue  # fact nodes carry descriptive labels; their quote is checked instead
        sources = [s for s in kb.dataset.objects(entity, PROV.wasDerivedFrom) if s in texts]
        if not sources:
            continue
        names = [str(n) for n in kb.dataset.objects(entity, RDFS.label)]
        names += [str(n) for n in kb.dataset.objects(entity, SKOS.altLabel)]
        if not any(_flat(n).casefold() in texts[s] for n in names for s in sources):
            problems.append((str(entity), names))
    assert problems == []
