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
    # the sources the reference data follows, and the statements that cite them
    followed = set(graph.subjects(RDF.type, EV.Classification)) | set(graph.subjects(RDF.type, EV.BackgroundKnowledge))
    statements = set(graph.subjects(RDF.type, EV.ReferenceStatement))
    assert {o for s in statements for o in graph.objects(s, PROV.wasDerivedFrom)} <= followed
    for subject in set(graph.subjects(RDF.type, None)) - {SOURCE["reference"]} - followed - statements:
        assert (subject, PROV.wasDerivedFrom, SOURCE["reference"]) in graph, subject


def test_countries_have_iso_codes(kb):
    for country in kb.dataset.subjects(RDF.type, EV.Country):
        codes = [str(c) for c in kb.dataset.objects(country, SKOS.notation)]
        assert len(codes) == 1 and len(codes[0]) == 2 and str(country).endswith("/" + codes[0].lower()), country
        assert len(list(kb.dataset.objects(country, EV.alpha3Code))) == 1, country


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


# --- Nothing stronger than the sentence --------------------------------------------------

#: What a quote must write for a quantity to carry each currency (the sign "¥" is both the
#: yen's and the yuan's, so it names neither).
_CURRENCY_WORDS = {
    "CCY_USD": ("USD", "US$", "dollar"),
    "CCY_CNY": ("CNY", "RMB", "yuan", "renminbi"),
    "CCY_JPY": ("JPY", "yen"),
}


def test_no_currency_the_quote_does_not_name(article_graphs):
    problems = []
    for article_id, graph in article_graphs.items():
        for holder, _, quantity in graph:
            unit = graph.value(quantity, QUDT.hasUnit) if isinstance(quantity, BNode) else None
            code = str(unit).rsplit("/", 1)[-1] if unit is not None else ""
            if code.startswith("CCY_"):
                quotes = " ".join(_quotes_of(graph, holder))
                if not any(word in quotes for word in _CURRENCY_WORDS.get(code, (code,))):
                    problems.append((article_id, str(holder), code))
    assert problems == []


def test_an_industry_group_is_named_in_the_words_of_each_article_that_has_it(kb, articles):
    """One group per wording: "Chinese EV companies" (one article) is not "Chinese EV firms"
    (another), so each article that declares a group writes its label."""
    problems = []
    for group in set(kb.dataset.subjects(RDF.type, EV.IndustryGroup)):
        label = str(kb.dataset.value(group, RDFS.label))
        for article_id in articles:
            if (group, PROV.wasDerivedFrom, SOURCE[article_id]) in kb.dataset.graph(GRAPH[article_id]):
                if label.casefold() not in _flat(articles[article_id]).casefold():
                    problems.append((str(group), label, article_id))
    assert problems == []


def test_ev_firm_groups_hold_only_carmakers_and_battery_makers(kb):
    """The articles' EV-firm groups gather carmakers and battery makers; an AI firm listed
    beside them is not one of them."""
    problems = []
    for group in set(kb.dataset.subjects(RDF.type, EV.IndustryGroup)):
        if " EV " not in f" {kb.dataset.value(group, RDFS.label)} ":
            continue
        for member in kb.dataset.objects(group, EV.groupMember):
            kinds = set(kb.dataset.objects(member, RDF.type))
            if not kinds & {EV.Automaker, EV.BatteryMaker}:
                problems.append((str(group), str(member)))
    assert problems == []


def _evidenced(graph) -> set:
    return {
        (graph.value(e, RDF.subject), graph.value(e, RDF.predicate), graph.value(e, RDF.object))
        for e in graph.subjects(RDF.type, EV.Evidence)
        if graph.value(e, RDF.subject) is not None
    }


def test_article_details_have_their_sentence(article_graphs):
    """Publisher, edition, date and author of an article each rest on the sentence that
    gives them (its title is checked against the text above)."""
    from rdflib.namespace import DCTERMS

    own = {RDF.type, RDFS.label, DCTERMS.title, EV.articleId}
    problems = []
    for article_id, graph in article_graphs.items():
        evidenced = _evidenced(graph)
        for _, predicate, value in graph.triples((SOURCE[article_id], None, None)):
            if predicate not in own and (SOURCE[article_id], predicate, value) not in evidenced:
                problems.append((article_id, str(predicate), str(value)))
    assert problems == []


def test_entity_types_of_products_have_their_sentence(article_graphs):
    """A concept an entity (not a fact node) is given, such as a model's product type,
    rests on a sentence like any entity-to-entity triple."""
    problems = []
    for article_id, graph in article_graphs.items():
        facts = set(graph.subjects(EV.quote, None))
        evidenced = _evidenced(graph)
        for s, p, o in graph.triples((None, EV.productType, None)):
            if _is_entity(s) and s not in facts and (s, p, o) not in evidenced:
                problems.append((article_id, str(s), str(o)))
    assert problems == []


def test_vehicle_plants_say_vehicles_or_mark_the_reading(article_graphs):
    """A facility is a vehicle plant where its sentences speak of vehicles; else the reading
    that makes it one is marked (ev:interpretation). "Factories" alone is an ev:Facility."""
    problems = []
    for article_id, graph in article_graphs.items():
        for plant in graph.subjects(RDF.type, EV.VehiclePlant):
            quotes = " ".join(_quotes_of(graph, plant)).casefold()
            if "vehicle" not in quotes and (plant, EV.interpretation, None) not in graph:
                problems.append((article_id, str(plant)))
    assert problems == []


def test_models_launched_are_not_said_to_be_developed(article_graphs):
    """"developed by" rests on a sentence that says develop; a launch is ev:launchedBy."""
    problems = []
    for article_id, graph in article_graphs.items():
        for evidence in graph.subjects(RDF.predicate, EV.developedBy):
            quote = str(graph.value(evidence, EV.quote)).casefold()
            if "develop" not in quote:
                problems.append((article_id, str(graph.value(evidence, RDF.subject)), quote[:60]))
    assert problems == []


def test_a_partnership_is_a_co_development_only_where_the_sentence_says_so(article_graphs):
    problems = []
    for article_id, graph in article_graphs.items():
        for node in graph.subjects(RDF.type, EV.CoDevelopment):
            quote = " ".join(_quotes_of(graph, node)).casefold()
            if "co-develop" not in quote and "develop together" not in quote:
                problems.append((article_id, str(node)))
    assert problems == []


def test_speakers_speak_for_an_organization_they_hold_office_in(kb):
    """ev:speakingFor: the speaker's own firm, or an organization whose office the speaker
    holds; a researcher's affiliation is only the post."""
    problems = []
    for statement, organization in kb.dataset.subject_objects(EV.speakingFor):
        speaker = kb.dataset.value(statement, EV.speaker)
        if speaker == organization:
            continue
        titles = [
            str(kb.dataset.value(post, EV.roleTitle))
            for post in kb.dataset.subjects(EV.holder, speaker)
            if (post, EV.postIn, organization) in kb.dataset
        ]
        if not titles or any("researcher" in t.casefold() for t in titles):
            problems.append((str(statement), str(organization), titles))
    assert problems == []


#: Facts that rest on a reading beyond their own sentence (a referent from the sentence
#: before, a unit from a parallel clause, the expansion of a name): each says so.
INTERPRETED = {
    ("000_2f9e7fe2686975ec", ID["facility/ibc-catl-cell-plant"]),
    ("000_2f9e7fe2686975ec", ID["observation/chinese-ev-firms-overseas-investment-batteries-share-2024"]),
    ("000_2f9e7fe2686975ec", ID["facility/wuling-indonesia-pack-line"]),
}


def test_inferred_facts_are_marked_as_interpretations(article_graphs):
    unmarked = {(a, n) for a, n in INTERPRETED if (n, EV.interpretation, None) not in article_graphs[a]}
    assert unmarked == set()


def test_cpec_links_say_they_come_from_the_corridor_name(article_graphs):
    graph = article_graphs["001_86523e72b0c041e9"]
    for evidence in graph.subjects(RDF.predicate, EV.links):
        assert (evidence, EV.interpretation, None) in graph, evidence


def test_interpretations_sit_on_facts_or_evidence(kb):
    for node in kb.dataset.subjects(EV.interpretation, None):
        assert (node, EV.quote, None) in kb.dataset, node


# --- One thing, one node -------------------------------------------------------------------


def test_list_items_are_told_apart_by_their_list(article_graphs):
    """Two challenges (or recommendations) for the same country at the same position are
    in two different lists, and say which (ev:inList)."""
    problems = []
    for article_id, graph in article_graphs.items():
        for kind, towards in ((EV.Challenge, EV.facing), (EV.Recommendation, EV.addressedTo)):
            seen: dict = {}
            for item in graph.subjects(RDF.type, kind):
                position = graph.value(item, EV.sequence)
                if position is None:
                    continue
                for who in graph.objects(item, towards):
                    for in_list in list(graph.objects(item, EV.inList)) or [None]:
                        key = (who, in_list, int(position))
                        if key in seen:
                            problems.append((article_id, str(seen[key]), str(item)))
                        seen[key] = item
    assert problems == []
