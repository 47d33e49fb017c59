"""The unit and currency table shared by the importer and suggestions: names to QUDT IRIs and back."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pycountry
import pytest

from evkg.ontology.units import (
    CURRENCY_SYMBOLS,
    CURRENCY_WORDS,
    UNITS,
    currencies,
    currency_code,
    currency_unit,
    unit_for,
    unit_name,
)
from evkg.ontology import UNIT


@pytest.mark.parametrize(
    "name, local",
    [
        ("GWh", "GigaW-HR"), ("MWh", "MegaW-HR"), ("GW", "GigaW"), ("per year", "NUM-PER-YR"),
        ("count", "NUM"), ("%", "PERCENT"), ("percent", "PERCENT"), ("gigawatt-hours", "GigaW-HR"),
        ("  gwh ", "GigaW-HR"), ("unit:NUM-PER-YR", "NUM-PER-YR"), ("http://qudt.org/vocab/unit/MegaW", "MegaW"),
    ],
)
def test_unit_names_give_the_qudt_units(name, local):
    assert unit_for(name) == UNIT[local]


@pytest.mark.parametrize("local", sorted(UNITS))
def test_unit_name_is_the_inverse_of_unit_for(local):
    assert unit_for(unit_name(UNIT[local])) == UNIT[local]


def test_every_iso_4217_currency_has_its_qudt_unit():
    codes = sorted(c.alpha_3 for c in pycountry.currencies)
    assert list(currencies()) == codes
    for code in codes:
        assert unit_for(code) == UNIT[f"CCY_{code}"], code
        assert unit_name(UNIT[f"CCY_{code}"]) == code


def test_the_currency_units_the_seeds_use_stay():
    for code in ("USD", "CNY", "JPY", "EUR"):
        assert unit_for(code) == UNIT[f"CCY_{code}"]
        assert unit_for(f"unit:CCY_{code}") == UNIT[f"CCY_{code}"]


def test_codes_iso_4217_does_not_have_are_no_unit():
    assert currency_unit("ABC") is None
    assert unit_for("CCY_ABC") is None
    assert unit_for("furlongs") is None
    assert unit_for("") is None


@pytest.mark.parametrize(
    "symbol, code",
    [("$", "USD"), ("US$", "USD"), ("€", "EUR"), ("£", "GBP"), ("₩", "KRW"), ("₹", "INR"), ("HK$", "HKD"), ("¥", None)],
)
def test_currency_symbols(symbol, code):
    assert CURRENCY_SYMBOLS[symbol] == code
    assert currency_code(symbol) == code


@pytest.mark.parametrize(
    "word, code",
    [("yuan", "CNY"), ("Renminbi", "CNY"), ("RMB", "CNY"), ("yen", "JPY"), ("won", "KRW"), ("euros", "EUR"),
     ("dollars", "USD"), ("Pound Sterling", "GBP"), ("Hong Kong Dollar", "HKD"), ("rupee", None), ("peso", None)],
)
def test_currency_words(word, code):
    assert currency_code(word) == code


def test_an_ambiguous_symbol_or_word_is_no_unit():
    assert unit_for("¥") is None
    assert unit_for("rupees") is None
    assert unit_for("yen") == UNIT["CCY_JPY"]


def test_every_code_of_the_tables_is_iso_4217():
    codes = set(currencies())
    for table in (CURRENCY_SYMBOLS, CURRENCY_WORDS):
        for key, code in table.items():
            assert code is None or code in codes, key


def test_unit_name_of_other_iris():
    assert unit_name(UNIT["KiloGM"]) == "unit:KiloGM"
    assert unit_name("https://example.org/unit") == "https://example.org/unit"


def test_pycountry_is_a_declared_dependency():
    assert importlib.metadata.version("pycountry")
    requires = importlib.metadata.requires("evkg") or []
    assert any(r.startswith("pycountry") for r in requires), requires


def test_importing_the_table_loads_no_currency_data():
    code = "import sys, evkg.ontology.units; assert 'pycountry' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
