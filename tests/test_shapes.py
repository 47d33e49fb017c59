"""SHACL: valid example data conforms; each invalid file fails on the constraint it breaks."""

from __future__ import annotations

import pytest

import evkg

from .conftest import DATA

EXPECTED = {
    "missing-label": ("https://example.org/nameless", "Needs exactly one rdfs:label."),
    "two-labels": ("https://example.org/twice", "Needs exactly one rdfs:label."),
    "french-label": ("https://example.org/fr", "The rdfs:label must be an English (@en) literal."),
    "bad-iso-code": ("https://example.org/bad", "ISO 3166-1 alpha-2"),
    "share-over-100": ("https://example.org/stake", "from 0 to 100"),
    "status-not-in-scheme": ("https://example.org/plant", "from ev:StatusScheme"),
    "quantity-without-unit": (None, "needs exactly one qudt:hasUnit"),
    "fact-without-quote": ("https://example.org/jv", "A fact needs ev:quote"),
    "fact-without-source": ("https://example.org/jv", "Needs prov:wasDerivedFrom"),
    "one-partner": ("https://example.org/jv", "at least two ev:partner"),
}


def test_every_invalid_file_is_listed():
    assert {p.stem for p in (DATA / "invalid").glob("*.ttl")} == set(EXPECTED)


def test_valid_example_conforms():
    report = evkg.load([DATA / "valid" / "minimal.ttl"], seeds=False).validate()
    assert report.conforms, report.text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_file_fails_with_its_message(name):
    focus, message = EXPECTED[name]
    report = evkg.load([DATA / "invalid" / f"{name}.ttl"], seeds=False).validate()
    assert not report.conforms
    hits = [v for v in report.violations if message in v.message]
    assert hits, [v.message for v in report.violations]
    if focus is not None:
        assert any(v.focus == focus for v in hits)


def test_seeds_conform(kb):
    report = kb.validate()
    assert report.conforms, "\n".join(f"{v.focus} {v.path} {v.message}" for v in report.violations)
