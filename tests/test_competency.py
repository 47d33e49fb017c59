"""Competency questions: SPARQL questions users ask, with answers written down from the
articles (not generated from the data). Each ``competency/NAME.rq`` has ``NAME.csv``."""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

COMPETENCY = Path(__file__).parent / "competency"
QUESTIONS = sorted(p.stem for p in COMPETENCY.glob("*.rq"))


def _normal(value: str) -> str:
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return value
    return format(number.normalize(), "f")


def test_there_are_at_least_fifteen_questions():
    assert len(QUESTIONS) >= 15
    assert all((COMPETENCY / f"{q}.csv").exists() for q in QUESTIONS)


@pytest.mark.parametrize("name", QUESTIONS)
def test_competency_question(any_kb, name):
    """Each question has the same answer on every store."""
    kb = any_kb
    query = (COMPETENCY / f"{name}.rq").read_text(encoding="utf-8")
    with open(COMPETENCY / f"{name}.csv", newline="", encoding="utf-8") as handle:
        expected_rows = list(csv.reader(handle))
    header, expected = expected_rows[0], expected_rows[1:]
    result = kb.query(query)
    assert [str(v) for v in result.vars] == header
    got = sorted(tuple(_normal("" if v is None else str(v)) for v in row) for row in result)
    assert got == sorted(tuple(_normal(v) for v in row) for row in expected)
