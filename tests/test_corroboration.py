"""Corroboration and conflicts: compare_fact for each kind, find_conflicts, `evkg
conflicts`, and every source with the count in show, path, the explorer and the graph page.

The knowledge base here is tests/data/corroboration.trig alone (no seeds): three made-up
sources, A (2025-05), B (2026-03-02) and C (2024-11), that agree on some facts and
disagree on others.
"""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

import evkg
from evkg.cli import cli
from evkg.corroboration import compare_fact, find_conflicts
from evkg.errors import InputError
from evkg.graph import shortest_paths
from evkg.graph.view import graph_view
from evkg.render.html import page_data
from evkg.server import make_app

from .conftest import DATA

TEST_DATA = DATA / "corroboration.trig"
SECOND_SOURCE = DATA / "second-source.ttl"
ID = "https://w3id.org/evkg/id/"
CATL, HUNGARY = ID + "company/catl", ID + "country/hu"
A = {"source": "https://w3id.org/evkg/source/test-a", "title": "Cell Makers Monthly", "date": "2025-05"}
B = {"source": "https://w3id.org/evkg/source/test-b", "title": "Battery Industry Weekly", "date": "2026-03-02"}
C = {"source": "https://w3id.org/evkg/source/test-c", "title": "Auto Ledger", "date": "2024-11"}
PLANT_QUOTE = "CATL is building a 100 GWh cell plant in Hungary, due in 2026."
DEBRECEN_QUOTE = "CATL's Debrecen cell factory is being built for 40 GWh a year."
VENTURE_A = "CATL and Example Motors plan a joint venture this year."
VENTURE_B = "The CATL and Example Motors venture now runs its first line."
STAKE_A = "Example Motors holds 30% of Voltco."
STAKE_C = "Example Motors bought a quarter of Voltco in 2024."
HOME_A = "The Chinese cell maker CATL leads the market."
HOME_B = "CATL, the battery giant from Ningde in China, keeps growing."


@pytest.fixture(scope="module")
def small():
    return evkg.load([TEST_DATA], seeds=False)


def run(runner, *args):
    return runner.invoke(cli, ["--no-seeds", "--data", str(TEST_DATA), *args])


def src(side: dict, quote: str) -> dict:
    return {**side, "quote": quote}


# ------------------------------------------------------------------ compare_fact, per kind


def test_facility_known_by_operator_location_and_capacity(small):
    fields = {"name": "CATL cell plant", "operator": "CATL", "location": "Hungary", "capacity": "100.0", "capacity_unit": "GWh"}
    assert compare_fact(small, "facilities", fields, {"operator": CATL, "location": HUNGARY}) == ("known", [
        {"iri": ID + "facility/catl-hungary-plant", "label": "CATL Hungary battery cell plant",
         "fact": ID + "facility/catl-hungary-plant", "sources": [src(A, PLANT_QUOTE)]},
    ])


def test_facility_capacity_converts_mwh_to_gwh(small):
    fields = {"operator": "CATL", "location": "Hungary", "capacity": "100,000", "capacity_unit": "MWh"}
    status, matches = compare_fact(small, "facilities", fields, {"operator": CATL, "location": HUNGARY})
    assert (status, [m["iri"] for m in matches]) == ("known", [ID + "facility/catl-hungary-plant"])


def test_facility_conflicts_on_capacity_and_status_with_each_plant_in_the_country(small):
    fields = {"operator": "CATL", "location": "Hungary", "capacity": "70", "capacity_unit": "GWh", "status": "operating"}
    status, matches = compare_fact(small, "facilities", fields, {"operator": CATL, "location": HUNGARY})
    assert status == "conflicts"
    assert [(m["label"], m["field"], m["value"], m["suggested"], m["sources"]) for m in matches] == [
        ("CATL Debrecen battery cell plant", "capacity", "40 GWh", "70 GWh", [src(B, DEBRECEN_QUOTE)]),
        ("CATL Debrecen battery cell plant", "status", "under construction", "operating", [src(B, DEBRECEN_QUOTE)]),
        ("CATL Hungary battery cell plant", "capacity", "100 GWh", "70 GWh", [src(A, PLANT_QUOTE)]),
        ("CATL Hungary battery cell plant", "status", "under construction", "operating", [src(A, PLANT_QUOTE)]),
    ]


@pytest.mark.parametrize(("fields", "links"), [
    ({"operator": "CATL", "location": "Germany", "capacity": "70", "capacity_unit": "GWh"}, {"operator": CATL, "location": ID + "country/de"}),
    ({"operator": "Newcells", "location": "Hungary", "capacity": "70", "capacity_unit": "GWh"}, {"operator": None, "location": HUNGARY}),
    ({"operator": "CATL", "location": "Hungary", "type": "battery pack line"}, {"operator": CATL, "location": HUNGARY}),
])
def test_facility_new_elsewhere_by_a_new_operator_or_of_another_class(small, fields, links):
    assert compare_fact(small, "facilities", fields, links) == ("new", [])


@pytest.mark.parametrize(("capacity", "item", "expected"), [
    ("150,000", "vehicles", ("known", None)),
    ("200000", "vehicles", ("conflicts", ("150,000 vehicles per year", "200000 vehicles per year"))),
    ("200000", "packs", ("known", None)),  # a count of other things: nothing to compare
])
def test_facility_counts_compare_only_the_same_items(kb, capacity, item, expected):
    fields = {"operator": "BYD", "location": "Thailand", "capacity": capacity, "capacity_unit": "per year", "counted_item": item}
    status, matches = compare_fact(kb, "facilities", fields, {})
    assert (status, (matches[0]["value"], matches[0]["suggested"]) if status == "conflicts" else None) == expected


def test_facility_in_a_city_matches_the_country(small):
    fields = {"operator": "CATL", "location": "Debrecen", "capacity": "40", "capacity_unit": "GWh", "type": "battery cell plant"}
    status, matches = compare_fact(small, "facilities", fields, {"operator": CATL, "location": ID + "place/debrecen"})
    assert (status, [m["label"] for m in matches]) == ("known", ["CATL Debrecen battery cell plant"])


def test_alliance_known_when_one_source_agrees(small):
    fields = {"partner_1": "CATL", "partner_2": "Example Motors", "status": "planned"}
    assert compare_fact(small, "alliances", fields, {}) == ("known", [
        {"iri": ID + "partnership/catl-example-motors", "label": "CATL–Example Motors joint venture",
         "fact": ID + "partnership/catl-example-motors", "sources": [src(A, VENTURE_A), src(B, VENTURE_B)]},
    ])


def test_alliance_conflicts_with_every_status_the_sources_give(small):
    fields = {"partner_1": "Example Motors", "partner_2": "CATL", "status": "active", "year": "2025"}
    status, matches = compare_fact(small, "alliances", fields, {})
    assert status == "conflicts"
    assert [(m["field"], m["value"], m["suggested"], m["sources"]) for m in matches] == [
        ("status", "operating", "active", [src(B, VENTURE_B)]),
        ("status", "planned", "active", [src(A, VENTURE_A)]),
    ]


def test_alliance_new_between_other_partners(small):
    assert compare_fact(small, "alliances", {"partner_1": "CATL", "partner_2": "Voltco"}, {}) == ("new", [])
    assert compare_fact(small, "alliances", {"partner_1": "CATL", "partner_2": "Newco"}, {"partner_2": None}) == ("new", [])


def test_ownership_known_with_rounding(small):
    status, matches = compare_fact(small, "ownership", {"owner": "Example Motors", "owned": "Voltco", "share_percent": "30.0"}, {})
    assert (status, matches[0]["sources"]) == ("known", [src(A, STAKE_A), src(C, STAKE_C)])


def test_ownership_conflicts_and_new(small):
    status, matches = compare_fact(small, "ownership", {"owner": "Example Motors", "owned": "Voltco", "share_percent": "45"}, {})
    assert status == "conflicts"
    assert [(m["field"], m["value"], m["suggested"], m["sources"]) for m in matches] == [
        ("share_percent", "25%", "45%", [src(C, STAKE_C)]),
        ("share_percent", "30%", "45%", [src(A, STAKE_A)]),
    ]
    assert compare_fact(small, "ownership", {"owner": "Voltco", "owned": "CATL", "share_percent": "5"}, {}) == ("new", [])


OBSERVATION = {"area": "Hungary", "indicator": "EV battery production capacity", "unit": "GWh", "year": "2025"}


def test_observation_known_in_either_unit(small):
    status, matches = compare_fact(small, "observations", {**OBSERVATION, "value": "120"}, {"area": HUNGARY})
    assert status == "known"
    assert [s["title"] for s in matches[0]["sources"]] == ["Cell Makers Monthly", "Battery Industry Weekly"]


def test_observation_conflicts_on_its_year_only(small):
    status, matches = compare_fact(small, "observations", {**OBSERVATION, "value": "90"}, {"area": HUNGARY})
    assert status == "conflicts"
    assert [(m["field"], m["value"], m["suggested"]) for m in matches] == [
        ("value", "120 GWh", "90 GWh"), ("value", "120,000 MWh", "90 GWh"),
    ]
    assert compare_fact(small, "observations", {**OBSERVATION, "value": "90", "year": "2030"}, {"area": HUNGARY}) == ("new", [])
    no_year = {k: v for k, v in OBSERVATION.items() if k != "year"}
    assert compare_fact(small, "observations", {**no_year, "value": "90"}, {"area": HUNGARY}) == ("new", [])


def test_based_in_known_conflicts_new(small):
    fields = {"organization": "CATL", "country": "China"}
    assert compare_fact(small, "based-in", fields, {}) == ("known", [
        {"iri": CATL, "label": "CATL", "sources": [src(A, HOME_A), src(B, HOME_B)]},
    ])
    assert compare_fact(small, "based-in", {"organization": "CATL", "country": "Japan"}, {}) == ("conflicts", [
        {"iri": CATL, "label": "CATL", "field": "country", "value": "China", "suggested": "Japan",
         "sources": [src(A, HOME_A), src(B, HOME_B)]},
    ])
    assert compare_fact(small, "based-in", {"organization": "Newco", "country": "Japan"}, {"organization": None}) == ("new", [])


@pytest.mark.parametrize(("country", "status"), [
    ("Hungary", "known"), ("Europe", "known"), ("Germany", "conflicts"), ("Asia", "new"),
])
def test_located_in(small, country, status):
    assert compare_fact(small, "located-in", {"place": "Debrecen", "country": country}, {})[0] == status


def test_unknown_kind_is_an_input_error(small):
    with pytest.raises(InputError, match="unknown kind of fact 'plants'"):
        compare_fact(small, "plants", {}, {})


# ------------------------------------------------------------------ find_conflicts


def test_conflicts_newest_first_each_side_newest_first(small):
    assert [(c.kind, c.about, c.field, [(s.value, s.date) for s in c.sides]) for c in find_conflicts(small)] == [
        ("facilities", "CATL Debrecen battery cell plant / CATL Hungary battery cell plant", "capacity",
         [("40 GWh", "2026-03-02"), ("100 GWh", "2025-05")]),
        ("alliances", "CATL–Example Motors joint venture", "status", [("operating", "2026-03-02"), ("planned", "2025-05")]),
        ("based-in", "Example Motors", "country", [("Japan", "2026-03-02"), ("China", "2025-05")]),
        ("ownership", "Example Motors stake in Voltco", "share_percent", [("30%", "2025-05"), ("25%", "2024-11")]),
    ]


def test_agreeing_sources_are_no_conflict(small):
    # The observation's 120 GWh and 120,000 MWh, and CATL's home country in A and B, agree.
    about = {c.about for c in find_conflicts(small)}
    assert "Hungary EV battery production capacity, 2025" not in about and "CATL" not in about


def test_seeds_have_no_conflicts_and_a_second_source_makes_one():
    assert find_conflicts(evkg.load()) == []
    (conflict,) = find_conflicts(evkg.load([SECOND_SOURCE]))
    assert (conflict.about, conflict.field) == ("CATL Debrecen battery cell plant / CATL Hungary battery cell plant", "capacity")
    assert [(s.value, s.title, s.date) for s in conflict.sides] == [
        ("40 GWh", "Battery Industry Weekly (example)", "2026-03-02"),
        ("100 GWh", "Untitled article 000_2f9e7fe2686975ec", None),
    ]


# ------------------------------------------------------------------ evkg conflicts


CONFLICTS_TEXT = f"""4 conflicts, newest first

CATL Debrecen battery cell plant / CATL Hungary battery cell plant: capacity (facilities)
  • 40 GWh (CATL Debrecen battery cell plant): Battery Industry Weekly, 2026-03-02
      “{DEBRECEN_QUOTE}”
      <https://w3id.org/evkg/source/test-b>
  • 100 GWh (CATL Hungary battery cell plant): Cell Makers Monthly, 2025-05
      “{PLANT_QUOTE}”
      <https://w3id.org/evkg/source/test-a>

CATL–Example Motors joint venture: status (alliances)
  • operating: Battery Industry Weekly, 2026-03-02
      “{VENTURE_B}”
      <https://w3id.org/evkg/source/test-b>
  • planned: Cell Makers Monthly, 2025-05
      “{VENTURE_A}”
      <https://w3id.org/evkg/source/test-a>

Example Motors: home country (based-in)
  • Japan: Battery Industry Weekly, 2026-03-02
      “The Japanese carmaker Example Motors signed the deal.”
      <https://w3id.org/evkg/source/test-b>
  • China: Cell Makers Monthly, 2025-05
      “Example Motors, a carmaker from China, buys its cells locally.”
      <https://w3id.org/evkg/source/test-a>

Example Motors stake in Voltco: share (ownership)
  • 30%: Cell Makers Monthly, 2025-05
      “{STAKE_A}”
      <https://w3id.org/evkg/source/test-a>
  • 25%: Auto Ledger, 2024-11
      “{STAKE_C}”
      <https://w3id.org/evkg/source/test-c>
"""


def test_conflicts_command_text(runner):
    result = run(runner, "conflicts")
    assert (result.exit_code, result.output) == (0, CONFLICTS_TEXT)


def test_conflicts_command_json(runner, tmp_path):
    target = tmp_path / "conflicts.json"
    result = run(runner, "conflicts", "--format", "json", "-o", str(target))
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["count"] == 4
    assert data["conflicts"][1] == {
        "kind": "alliances", "about": "CATL–Example Motors joint venture",
        "about_iri": ID + "partnership/catl-example-motors", "field": "status",
        "sides": [
            {"value": "operating", "fact": ID + "partnership/catl-example-motors", "fact_label": "CATL–Example Motors joint venture",
             "graph": "https://w3id.org/evkg/graph/test-b", **src(B, VENTURE_B)},
            {"value": "planned", "fact": ID + "partnership/catl-example-motors", "fact_label": "CATL–Example Motors joint venture",
             "graph": "https://w3id.org/evkg/graph/test-a", **src(A, VENTURE_A)},
        ],
    }
    assert [c["field"] for c in data["conflicts"]] == ["capacity", "status", "country", "share_percent"]


def test_conflicts_command_none(runner):
    result = runner.invoke(cli, ["conflicts"])
    assert (result.exit_code, result.output) == (
        0, "No conflicts: no two sources give another figure, status, year or country for the same fact.\n")
    result = runner.invoke(cli, ["conflicts", "--format", "json"])
    assert json.loads(result.output) == {"count": 0, "conflicts": []}


def test_conflicts_help_has_an_example(runner):
    result = runner.invoke(cli, ["conflicts", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "evkg conflicts" in result.output


# ------------------------------------------------------------------ every source, and the count


def test_show_lists_both_sources_with_the_count(runner):
    result = run(runner, "show", "CATL")
    assert result.exit_code == 0, result.output
    assert f"based in\n  • China  (2 sources)\n      [1] “{HOME_A}”\n      [2] “{HOME_B}”\n" in result.output
    # A fact node two sources describe cites both where the entity takes part in it.
    assert f"  • CATL–Example Motors joint venture  (2 sources)\n" in result.output
    data = json.loads(run(runner, "show", "CATL", "--format", "json").output)
    home = next(f for f in data["facts"] if f["relation_label"] == "based in")
    assert (home["source_count"], [s["title"] for s in home["sources"]]) == (2, ["Cell Makers Monthly", "Battery Industry Weekly"])


def test_show_counts_one_source_once(runner):
    data = json.loads(run(runner, "show", "Debrecen", "--format", "json").output)
    assert [(f["relation_label"], f["source_count"]) for f in data["facts"]] == [
        ("located in", 1), ("located in", 1),
    ]


def test_path_lists_every_source_of_a_hop_with_the_count(runner):
    result = run(runner, "path", "CATL", "China")
    assert (result.exit_code, result.output) == (0, (
        "CATL —based in→ China\n"
        f"  [1] “{HOME_A}” (Cell Makers Monthly)\n"
        f"  [2] “{HOME_B}” (Battery Industry Weekly)\n"
        "  CATL —based in→ China: 2 sources\n"
    ))
    edge = json.loads(run(runner, "path", "CATL", "China", "--format", "json").output)["paths"][0]["edges"][0]
    assert edge["source_count"] == 2
    assert [(s["source"], s["quote"]) for s in edge["sources"]] == [(A["source"], HOME_A), (B["source"], HOME_B)]


def test_path_with_one_source_has_no_count_line(small):
    from evkg.render.text import path_lines

    lines = list(path_lines(shortest_paths(small, "Debrecen", "Hungary")))
    assert lines == ["Debrecen —located in→ Hungary", "  [1] “Debrecen, in eastern Hungary, is becoming a battery town.” (Cell Makers Monthly)"]


def test_second_source_corroborates_a_seed_fact(runner):
    result = runner.invoke(cli, ["--data", str(SECOND_SOURCE), "path", "Proton", "Geely"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("  Proton —owned by→ Geely: 2 sources\n")
    assert "“Geely holds 49.9% of the Malaysian carmaker Proton.” (Battery Industry Weekly (example))" in result.output


def test_entity_page_shows_the_count(small):
    with TestClient(make_app(small, allowed_hosts=("testserver",))) as client:
        page = client.get("/id/company/catl", headers={"Accept": "text/html"}).text
    assert '<div class="value"><a href="/id/country/cn">China</a> <span class="count">2 sources</span></div>' in page
    assert HOME_A in page and HOME_B in page


def test_graph_page_tooltips_count_the_sources(small):
    data = page_data(graph_view(small, around="CATL"))
    home = next(e for e in data["edges"] if e["from"] == CATL and e["to"] == ID + "country/cn")
    assert home["nsrc"] == 2
    assert [data["quotes"][i]["quote"] for i in home["cites"]] == [HOME_A, HOME_B]
    partner = next(e for e in data["edges"] if e["from"] == CATL and e["to"] == ID + "company/example-motors")
    assert "nsrc" not in partner
    path = page_data(graph_view(small, path=("CATL", "China")))
    assert path["paths"][0]["hops"][0]["nsrc"] == 2
