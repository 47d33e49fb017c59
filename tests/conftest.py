"""Shared fixtures: the seed knowledge base (loaded once), the source articles, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import evkg

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
# The articles live beside the checkout (../shared/articles); CI has them there too.
ARTICLES = ROOT.parent / "shared" / "articles"
REAL_RDF = ROOT.parent / "shared" / "real-rdf"


@pytest.fixture(scope="session")
def kb():
    return evkg.load()


@pytest.fixture(scope="session")
def articles() -> dict[str, str]:
    """Article id -> text, read from ../shared/articles."""
    if not ARTICLES.is_dir():
        pytest.fail(f"the source articles are missing: expected them in {ARTICLES}")
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
