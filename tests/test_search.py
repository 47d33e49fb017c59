"""Search: fuzzy name matching through rapidfuzz, and a text of any length costing the same."""

from __future__ import annotations

import difflib

from starlette.testclient import TestClient

from evkg.kb import MAX_SEARCH_TEXT
from evkg.server import make_app


def test_a_misspelt_name_finds_the_entity(kb):
    assert [hit.entity.label for hit in kb.search("Hungery")][:1] == ["Hungary"]
    assert kb.search("Contemporary Amperex")[0].entity.label == "CATL"


def test_search_does_not_use_difflib(kb, monkeypatch):
    # difflib compares the text with every name in quadratic time; the indexed matcher does not.
    def refuse(*args, **kwargs):
        raise AssertionError("difflib used")

    monkeypatch.setattr(difflib, "SequenceMatcher", refuse)
    assert kb.search("Hungery")[0].entity.label == "Hungary"


def test_only_the_first_characters_of_a_long_text_count(kb):
    text = "Hungary " + "x" * 20_000
    assert kb.search(text) == kb.search(text[:MAX_SEARCH_TEXT])


def test_an_unknown_name_of_many_kilobytes_gets_an_answer(kb):
    from evkg.errors import UnknownEntity

    try:
        kb.entity("z" * 50_000)
    except UnknownEntity as exc:
        assert len(str(exc)) < 300
    else:
        raise AssertionError("a name of z's resolved")


def test_the_explorer_answers_long_searches(kb):
    with TestClient(make_app(kb, allowed_hosts=("testserver",))) as client:
        for _ in range(5):
            response = client.get("/api/search", params={"q": "catl " * 400})
            assert response.status_code == 200
            assert isinstance(response.json(), list)
        assert client.get("/search", params={"q": "q" * 2_000}).status_code == 200
