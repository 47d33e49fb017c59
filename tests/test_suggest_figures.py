"""Figures with units, currencies (the ambiguous ¥ included), dates and statuses."""

import pytest

from evkg.ingest.figures import find_figures, find_status


def _read(text, **kw):
    return [(f.kind, f.value, f.unit, f.counted_item) for f in find_figures(text, **kw)]


@pytest.mark.parametrize("text, expected", [
    ("a 12 GWh line", [("energy", "12", "GWh", None)]),
    ("about 6.5 gigawatt hours", [("energy", "6.5", "GWh", None)]),
    ("an 800 MWh store and a 2 GW farm", [("energy", "800", "MWh", None), ("power", "2", "GW", None)]),
    ("200,000 vehicles a year", [("rate", "200000", "per year", "vehicles")]),
    ("30,000 packs annually", [("rate", "30000", "per year", "packs")]),
    ("it sold 1.2 million cars", [("count", "1200000", "count", "vehicles")]),
    ("a 40% stake and 12.5 per cent", [("percent", "40", "%", None), ("percent", "12.5", "%", None)]),
])
def test_quantities(text, expected):
    assert _read(text) == expected


@pytest.mark.parametrize("text, value, unit", [
    ("€2.3 billion", "2300000000", "EUR"),
    ("$1bn", "1000000000", "USD"),
    ("US$750 million", "750000000", "USD"),
    ("8 billion yuan", "8000000000", "CNY"),
    ("RMB 3bn", "3000000000", "CNY"),
    ("KRW 2 trillion", "2000000000000", "KRW"),
    ("£40m", "40000000", "GBP"),
    ("500 million forint", "500000000", "HUF"),
])
def test_money(text, value, unit):
    assert _read(f"It will cost {text}.") == [("money", value, unit, None)]


def test_bare_yen_sign_needs_the_text_to_name_the_currency():
    assert _read("A plan worth ¥30 billion.") == [("money", "30000000000", None, None)]
    article = "A plan worth ¥30 billion. Analysts put it in yen terms."
    assert _read("A plan worth ¥30 billion.", context=article)[0][2] == "JPY"
    both = "Worth ¥30 billion. Some quote yen, some yuan."
    assert _read("Worth ¥30 billion.", context=both)[0][2] is None


def test_dollar_is_not_usd_when_another_dollar_is_named():
    text = "It raised $40m, all in Australian dollars."
    assert _read(text)[0][2] is None


def test_years_months_dates():
    assert _read("By 2027, from May 2026, on 4 March 2025 and on June 9, 2024.") == [
        ("year", "2027", None, None), ("month", "2026-05", None, None),
        ("date", "2025-03-04", None, None), ("date", "2024-06-09", None, None)]
    assert _read("Prices may fall in the 1990s.") == []


def test_approximate_wording_is_kept():
    figure = find_figures("a line of nearly 40,000 packs a year")[0]
    assert (figure.wording, figure.approximate) == ("nearly 40,000 packs a year", True)


@pytest.mark.parametrize("text, status", [
    ("The group began building the cell works last spring.", "under construction"),
    ("Crews broke ground in March.", "under construction"),
    ("The site is due to start output in 2028.", "planned"),
    ("The line turned out its first cells in June.", "operating"),
    ("The factory went into operation last year.", "operating"),
    ("The firm announced a second site.", "announced"),
    ("Prices rose.", None),
])
def test_status_from_wording(text, status):
    assert find_status(text) == status
