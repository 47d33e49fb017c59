"""Entity mentions: the graph's names and adjectives, new organizations and places, linking."""

from evkg.ingest.mentions import find_mentions, gazetteer_for
from evkg.ingest.sentences import split_sentences

CATL = "https://w3id.org/evkg/id/company/catl"
CHINA = "https://w3id.org/evkg/id/country/cn"
KOREA = "https://w3id.org/evkg/id/country/kr"


def _mentions(kb, text):
    return [(m.text, m.label, m.iri, m.cls, m.status) for m in find_mentions(gazetteer_for(kb), text, split_sentences(text))]


def test_known_names_possessives_and_adjectives(kb):
    found = _mentions(kb, "China’s CATL met a Korean rival.")
    assert found == [("China", "China", CHINA, "ev:Country", "known"), ("CATL", "CATL", CATL, "ev:BatteryMaker", "known"),
                     ("Korean", "South Korea", KOREA, "ev:Country", "known")]


def test_case_is_checked_for_names_in_capitals(kb):
    assert [m[0] for m in _mentions(kb, "Tell us about the US plan.")] == ["US"]


def test_new_organizations_from_cues(kb):
    text = ("Brantmoor Cells Ltd. and the carmaker Ostrava Works signed a supply deal with Pellucid. "
            "Velmora, a battery maker, grew.")
    found = {(m[0], m[3], m[4]) for m in _mentions(kb, text)}
    assert found == {("Brantmoor Cells Ltd.", "ev:BatteryMaker", "new"), ("Ostrava Works", "ev:Automaker", "new"),
                     ("Pellucid", "ev:Company", "new"), ("Velmora", "ev:BatteryMaker", "new")}


def test_a_new_name_is_found_again_later(kb):
    text = "Quellan Motors opened a site. Analysts say Quellan Motors will grow."
    assert [(m[0], m[4]) for m in _mentions(kb, text)] == [("Quellan Motors", "new"), ("Quellan Motors", "new")]


def test_new_places_from_cues(kb):
    text = "The site is in the city of Tarnavia. Ruzhan province is large. It opened in Feldmark, Hungary."
    places = [(m[0], m[3]) for m in _mentions(kb, text) if m[4] == "new"]
    assert places == [("Tarnavia", "ev:Subdivision"), ("Ruzhan", "ev:Subdivision"), ("Feldmark", "ev:Subdivision")]


def test_a_known_name_with_a_corporate_suffix_is_linked(kb):
    found = _mentions(kb, "CATL Group will expand.")
    assert found[0][1:3] == ("CATL", CATL)
    assert found[0][4] == "known"


def test_a_long_run_of_capitalised_words_is_read_in_time(kb):
    # Each word once split in as many ways as it has letters: 400 of them took minutes.
    from evkg.limits import time_limit

    text = "They said the plant in " + "Northern " * 400 + "Lowlands has a capacity of 9 GWh."
    with time_limit(10, what="finding the mentions"):
        found = _mentions(kb, text)
    assert all(m[4] in ("known", "new") for m in found)
