"""Suggested facts of each kind, and the JSON contract of suggest()."""

import json

from hypothesis import given, settings, strategies as st

from evkg.errors import EvkgError
from evkg.ingest.article import read_article
from evkg.ingest.suggest import suggest

CATL = "https://w3id.org/evkg/id/company/catl"
HUNGARY = "https://w3id.org/evkg/id/country/hu"
GERMANY = "https://w3id.org/evkg/id/country/de"


def _facts(kb, text, kind=None):
    result = suggest(kb, read_article(text.encode("utf-8")))
    return [f for f in result.facts if kind is None or f["kind"] == kind]


def test_alliance(kb):
    [fact] = _facts(kb, "Harlow Motors and CATL formed a joint venture in 2025.\n", "alliances")
    assert fact["fields"] == {"partner_1": "Harlow Motors", "partner_1_type": "automaker", "partner_2": "CATL",
                              "type": "joint venture", "year": "2025"}
    assert fact["links"] == {"partner_1": None, "partner_2": CATL}


def test_facility_with_capacity_status_and_year(kb):
    [fact] = _facts(kb, "CATL is due to open a 40 GWh cell plant in Hungary in 2028.\n", "facilities")
    assert fact["fields"] == {"name": "CATL Hungary battery cell plant", "type": "battery cell plant", "operator": "CATL",
                              "location": "Hungary", "status": "planned", "capacity": "40", "capacity_unit": "GWh",
                              "target_year": "2028"}
    assert fact["links"] == {"operator": CATL, "location": HUNGARY}


def test_two_facilities_in_one_sentence(kb):
    facts = _facts(kb, "CATL runs plants in Germany (20 GWh) and Hungary (60 GWh under construction).\n", "facilities")
    assert [(f["fields"]["location"], f["fields"]["capacity"], f["fields"].get("status")) for f in facts] == [
        ("Germany", "20", None), ("Hungary", "60", "under construction")]


def test_ownership(kb):
    [fact] = _facts(kb, "CATL holds a 30% stake in Dovrin Motors.\n", "ownership")
    assert fact["fields"] == {"owner": "CATL", "owned": "Dovrin Motors", "owned_type": "automaker", "share_percent": "30"}
    [passive] = _facts(kb, "Dovrin Motors, majority owned by CATL, grew.\n", "ownership")
    assert (passive["fields"]["owner"], passive["fields"]["owned"], passive["fields"]["share_wording"]) == ("CATL", "Dovrin Motors", "majority")


def test_observations(kb):
    [exports] = _facts(kb, "Dovrin Motors exported 52,000 vehicles in 2024.\n", "observations")
    assert exports["fields"] == {"area": "Dovrin Motors", "area_type": "automaker", "indicator": "vehicle exports",
                                 "value": "52000", "unit": "count", "counted_item": "vehicles", "period": "2024", "year": "2024"}
    [investment] = _facts(kb, "CATL will invest €1.5 billion in Hungary.\n", "observations")
    assert (investment["fields"]["area"], investment["fields"]["value"], investment["fields"]["unit"]) == ("CATL", "1500000000", "EUR")


def test_an_unclear_currency_gives_a_wording_and_a_low_confidence(kb):
    [fact] = _facts(kb, "CATL will invest ¥20 billion in Hungary.\n", "observations")
    assert "unit" not in fact["fields"] and fact["fields"]["value_wording"] == "¥20 billion"
    assert fact["confidence"] < 0.5


def test_based_in(kb):
    facts = _facts(kb, "Dovrin Motors, a carmaker based in Germany, grew. The German firm Keldan Auto grew too.\n", "based-in")
    assert [(f["fields"]["organization"], f["fields"]["country"], f["links"]["country"]) for f in facts] == [
        ("Dovrin Motors", "Germany", GERMANY), ("Keldan Auto", "Germany", GERMANY)]


def test_located_in(kb):
    facts = _facts(kb, "Pecsvar is a city in Hungary. The plant is in Tolmar, Hungary.\n", "located-in")
    assert [(f["fields"]["place"], f["fields"]["place_type"], f["fields"]["country"]) for f in facts] == [
        ("Pecsvar", "city", "Hungary"), ("Tolmar", "subdivision", "Hungary")]


TEXT = ("# Dovrin Motors grows\n\nDovrin Motors, a carmaker based in Germany, and CATL formed a joint venture.\n"
        "They will build a 12 GWh cell plant in Hungary by 2027. CATL holds a 25% stake in Dovrin Motors.\n")


def test_json_contract(kb):
    article = read_article(TEXT.encode(), date="2026-03", path="dovrin.md")
    result = suggest(kb, article)
    data = result.to_dict()
    assert list(data) == ["source", "entities", "facts"]
    assert list(data["source"]) == ["title", "date", "url", "path", "sha256"]
    assert data["source"]["title"] == "Dovrin Motors grows" and data["source"]["date"] == "2026-03"
    for e in data["entities"]:
        assert list(e) == ["mention", "label", "iri", "class", "status", "start", "end", "confidence"]
        assert TEXT[e["start"]:e["end"]] == e["mention"] and e["class"].startswith("ev:")
        assert (e["iri"] is None) == (e["status"] == "new")
    assert [(e["start"], e["end"]) for e in data["entities"]] == sorted((e["start"], e["end"]) for e in data["entities"])
    kinds = set()
    for f in data["facts"]:
        assert list(f) == ["kind", "fields", "links", "quote", "start", "end", "confidence", "status", "matches"]
        assert TEXT[f["start"]:f["end"]] == f["quote"]
        assert 0 <= f["confidence"] <= 1 and f["status"] in ("new", "known", "conflicts")
        assert all(isinstance(v, str) for v in f["fields"].values())
        assert "source" not in f["fields"] and "quote" not in f["fields"]
        assert set(f["links"]) <= set(f["fields"])
        kinds.add(f["kind"])
    assert kinds == {"alliances", "based-in", "ownership"}
    again = suggest(kb, read_article(TEXT.encode(), date="2026-03", path="dovrin.md"))
    assert again.to_json() == result.to_json()
    assert json.loads(result.to_json()) == data and result.to_json().endswith("}\n")


def test_a_known_fact_is_marked_known(kb):
    [fact] = _facts(kb, "Toyota and BYD are co-developing electric cars.\n", "alliances")
    assert fact["status"] == "known" and fact["matches"][0]["sources"]


def test_progress_is_reported(kb):
    calls = []
    suggest(kb, read_article(TEXT.encode()), progress=lambda done, total: calls.append((done, total)))
    assert calls[-1][0] == calls[-1][1] and len(calls) == calls[-1][1]


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(["CATL", " and ", "Toyota", " formed a joint venture", " 12 GWh", " plant in ",
                                 "Hungary", ". ", "\n", "\n\n", "’s ", "€", "¥", "3", ",", "%", " stake in ", "Motors",
                                 " Ltd.", "#", "- ", "é", "\t", "x"]), min_size=1, max_size=40))
def test_suggest_on_any_text_ends_cleanly(kb, pieces):
    text = "".join(pieces)
    try:
        article = read_article(text.encode("utf-8"))
    except EvkgError:
        return
    result = suggest(kb, article)
    for f in result.facts:
        assert article.text[f["start"]:f["end"]] == f["quote"]
    for e in result.entities:
        assert article.text[e["start"]:e["end"]] == e["mention"]


def test_table_rows_with_an_indicator_heading_give_observations(kb):
    text = ("Country | Vehicle sales (thousand count) | Note |\n---|---|---|\nGermany | 120 | up |\nHungary | 35.5 | flat |\n")
    facts = _facts(kb, text, "observations")
    assert [(f["fields"]["area"], f["fields"]["indicator"], f["fields"]["value"], f["fields"]["unit"]) for f in facts] == [
        ("Germany", "vehicle sales", "120000", "count"), ("Hungary", "vehicle sales", "35500", "count")]
    assert [f["quote"] for f in facts] == ["Germany | 120 | up |", "Hungary | 35.5 | flat |"]


def test_a_group_named_for_its_country_and_the_firms_it_lists(kb):
    facts = _facts(kb, "Rival German carmakers Tovik Motors, Ansel Auto and Brenmark Motors grew fast.\n", "based-in")
    assert [(f["fields"]["organization"], f["fields"]["country"]) for f in facts] == [
        ("German carmakers", "Germany"), ("Tovik Motors", "Germany"), ("Ansel Auto", "Germany"), ("Brenmark Motors", "Germany")]


def test_facility_location_is_not_where_goods_go(kb):
    facts = _facts(kb, "In Germany, CATL’s new plant, rated for 90,000 packs a year, will ship packs to Hungary.\n", "facilities")
    assert [(f["fields"]["location"], f["fields"]["capacity"], f["fields"]["type"]) for f in facts] == [
        ("Germany", "90000", "battery pack line")]


def test_it_and_the_company_refer_to_the_firm_before(kb):
    text = "Dovrin Motors grew again. It will build a 15 GWh cell plant in Hungary. The company sold 9,000 cars in 2025.\n"
    [plant] = _facts(kb, text, "facilities")
    assert (plant["fields"]["operator"], plant["fields"]["location"], plant["quote"]) == (
        "Dovrin Motors", "Hungary", "It will build a 15 GWh cell plant in Hungary.")
    [sales] = _facts(kb, text, "observations")
    assert (sales["fields"]["area"], sales["fields"]["value"], sales["fields"]["indicator"]) == ("Dovrin Motors", "9000", "vehicle sales")


def test_which_owns_the_company(kb):
    [fact] = _facts(kb, "Dovrin Motors won backing from CATL, which owns nearly half the company.\n", "ownership")
    assert (fact["fields"]["owner"], fact["fields"]["owned"], fact["fields"]["share_wording"]) == ("CATL", "Dovrin Motors", "nearly half")


def test_one_sentence_one_plant_where_the_place_is_also_put_in_its_country(kb):
    text = "Dovrin Cells Ltd, a battery maker based in Germany, will build a 9 GWh cell plant in Tolmar, a town in Hungary.\n"
    [plant] = _facts(kb, text, "facilities")
    assert (plant["fields"]["location"], plant["fields"]["capacity"], plant["fields"]["status"]) == ("Tolmar", "9", "planned")


def test_a_name_with_and_without_its_suffix_is_one_new_firm(kb):
    result = suggest(kb, read_article("Dovrin Cells Ltd grew. Later Dovrin Cells hired staff.\n".encode()))
    assert {(e["mention"], e["label"]) for e in result.entities} == {("Dovrin Cells Ltd", "Dovrin Cells"), ("Dovrin Cells", "Dovrin Cells")}


def test_whom_an_alliance_serves_is_no_partner(kb):
    [fact] = _facts(kb, "Harlow Motors formed a joint venture with CATL to make cells for Tovik Motors.\n", "alliances")
    assert (fact["fields"]["partner_1"], fact["fields"]["partner_2"], "partner_3" in fact["fields"]) == ("Harlow Motors", "CATL", False)


def test_places_after_a_plant_that_are_not_plants_are_passed_over(kb):
    # A place that is no plant's location, then another: reading the second broke suggest.
    for text in ("CATL is building a 10 GWh plant in Hungary while Germany and Poland wait.\n",
                 "CATL is building a 10 GWh plant in Hungary, unlike rivals from Germany, Japan or France.\n"):
        facts = _facts(kb, text, "facilities")
        assert [(f["fields"]["location"], f["fields"]["capacity"]) for f in facts] == [("Hungary", "10")]
