"""Units and currencies by name: the QUDT unit IRIs that tables and articles name.

One table for everything that reads or shows figures (the CSV importer, suggestions
from articles, corroboration, ``show``): energy and power units, counts, rates and
percentages, and every ISO 4217 currency that pycountry lists, as the QUDT currency
unit QUDT mints for its code (``unit:CCY_USD``, ``unit:CCY_CNY``; QUDT names each
currency unit ``CCY_`` and the ISO 4217 alphabetic code, and gives it that code as
``qudt:currencyCode``).

:data:`CURRENCY_SYMBOLS` and :data:`CURRENCY_WORDS` map what articles write (``€``,
``US$``, ``yuan``, ``renminbi``) to ISO 4217 codes; ``None`` marks a symbol or word that
stands for several currencies (``¥`` is yen or yuan, ``rupee`` is Indian, Pakistani ...),
which only the text around it can settle.

Examples
--------
>>> unit_for("GWh")
rdflib.term.URIRef('http://qudt.org/vocab/unit/GigaW-HR')
>>> unit_for("eur")
rdflib.term.URIRef('http://qudt.org/vocab/unit/CCY_EUR')
>>> unit_name(unit_for("per year"))
'per year'
>>> CURRENCY_SYMBOLS["€"], CURRENCY_SYMBOLS["¥"]
('EUR', None)
>>> currency_code("Renminbi")
'CNY'
"""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import URIRef

from . import UNIT

__all__ = [
    "CURRENCY_SYMBOLS",
    "CURRENCY_WORDS",
    "UNITS",
    "currencies",
    "currency_code",
    "currency_unit",
    "unit_for",
    "unit_name",
]

#: The units other than currencies: QUDT local name -> (the name tables use, other
#: ways of writing it). The first name is the one :func:`unit_name` gives.
UNITS: dict[str, tuple[str, ...]] = {
    "GigaW-HR": ("GWh", "gigawatt hours", "gigawatt-hours", "gigawatt hour", "gigawatt-hour"),
    "MegaW-HR": ("MWh", "megawatt hours", "megawatt-hours", "megawatt hour", "megawatt-hour"),
    "KiloW-HR": ("kWh", "kilowatt hours", "kilowatt-hours", "kilowatt hour", "kilowatt-hour"),
    "TeraW-HR": ("TWh", "terawatt hours", "terawatt-hours", "terawatt hour", "terawatt-hour"),
    "GigaW": ("GW", "gigawatts", "gigawatt"),
    "MegaW": ("MW", "megawatts", "megawatt"),
    "NUM-PER-YR": ("per year", "/yr", "/year", "per yr", "a year", "per annum", "units per year"),
    "NUM": ("count", "number", "units"),
    "PERCENT": ("%", "percent", "per cent"),
}

#: Currency symbols as articles write them -> ISO 4217 code; ``None``: the symbol alone
#: does not say which currency (the text must name it).
CURRENCY_SYMBOLS: dict[str, str | None] = {
    "$": "USD",  # unless the text names another dollar
    "US$": "USD",
    "U.S.$": "USD",
    "USD$": "USD",
    "A$": "AUD",
    "AU$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "HK$": "HKD",
    "NT$": "TWD",
    "NZ$": "NZD",
    "S$": "SGD",
    "R$": "BRL",
    "Mex$": "MXN",
    "€": "EUR",
    "£": "GBP",
    "¥": None,  # yen or yuan
    "￥": None,
    "JP¥": "JPY",
    "CN¥": "CNY",
    "RMB¥": "CNY",
    "円": "JPY",
    "元": "CNY",
    "₩": "KRW",
    "₹": "INR",
    "Rs": None,  # Indian, Pakistani, Sri Lankan ... rupees
    "Rs.": None,
    "Rp": "IDR",
    "RM": "MYR",
    "฿": "THB",
    "₫": "VND",
    "₱": "PHP",
    "₽": "RUB",
    "₺": "TRY",
    "₴": "UAH",
    "₪": "ILS",
    "₦": "NGN",
    "₸": "KZT",
    "zł": "PLN",
    "Ft": "HUF",
    "Kč": "CZK",
    "CHF": "CHF",
    "R": None,  # rand, but also a plain letter
}

#: Currency words (folded to lower case) -> ISO 4217 code; ``None``: the word is shared
#: by several currencies. The names pycountry gives each currency ("yuan renminbi",
#: "pound sterling") are accepted too (:func:`currency_code`).
CURRENCY_WORDS: dict[str, str | None] = {
    "dollar": "USD",  # as "$": unless the text names another dollar
    "dollars": "USD",
    "us dollar": "USD",
    "us dollars": "USD",
    "u.s. dollars": "USD",
    "american dollars": "USD",
    "greenback": "USD",
    "australian dollars": "AUD",
    "canadian dollars": "CAD",
    "hong kong dollars": "HKD",
    "singapore dollars": "SGD",
    "taiwan dollars": "TWD",
    "new taiwan dollars": "TWD",
    "new zealand dollars": "NZD",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "sterling": "GBP",
    "british pounds": "GBP",
    "egyptian pounds": "EGP",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rmb": "CNY",
    "chinese yuan": "CNY",
    "yen": "JPY",
    "japanese yen": "JPY",
    "won": "KRW",
    "korean won": "KRW",
    "south korean won": "KRW",
    "rupee": None,
    "rupees": None,
    "indian rupees": "INR",
    "pakistani rupee": "PKR",
    "pakistani rupees": "PKR",
    "pakistan rupees": "PKR",
    "sri lankan rupees": "LKR",
    "rupiah": "IDR",
    "indonesian rupiah": "IDR",
    "ringgit": "MYR",
    "baht": "THB",
    "thai baht": "THB",
    "dong": "VND",
    "vietnamese dong": "VND",
    "peso": None,
    "pesos": None,
    "philippine pesos": "PHP",
    "mexican pesos": "MXN",
    "real": "BRL",
    "reais": "BRL",
    "brazilian reais": "BRL",
    "rand": "ZAR",
    "south african rand": "ZAR",
    "dirham": None,
    "dirhams": None,
    "uae dirhams": "AED",
    "emirati dirham": "AED",
    "moroccan dirhams": "MAD",
    "riyal": None,
    "saudi riyals": "SAR",
    "franc": None,
    "francs": None,
    "swiss francs": "CHF",
    "krona": None,
    "krone": None,
    "swedish kronor": "SEK",
    "norwegian kroner": "NOK",
    "danish kroner": "DKK",
    "forint": "HUF",
    "hungarian forint": "HUF",
    "zloty": "PLN",
    "zlotys": "PLN",
    "koruna": "CZK",
    "czech crowns": "CZK",
    "lira": "TRY",
    "turkish lira": "TRY",
    "rouble": "RUB",
    "roubles": "RUB",
    "ruble": "RUB",
    "rubles": "RUB",
    "tenge": "KZT",
    "som": None,
    "uzbek som": "UZS",
    "sum": None,
    "naira": "NGN",
    "shekel": "ILS",
    "shekels": "ILS",
    "bolívar soberano": "VES",
}


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


@lru_cache(maxsize=1)
def currencies() -> dict[str, str]:
    """Every ISO 4217 currency pycountry lists: alphabetic code -> English name, by code.

    >>> currencies()["USD"]
    'US Dollar'
    """
    import pycountry

    return {c.alpha_3: c.name for c in sorted(pycountry.currencies, key=lambda c: c.alpha_3)}


def currency_unit(code: str) -> URIRef | None:
    """The QUDT unit of an ISO 4217 code (``unit:CCY_CODE``), None if ISO 4217 has no such code.

    >>> currency_unit("jpy")
    rdflib.term.URIRef('http://qudt.org/vocab/unit/CCY_JPY')
    >>> currency_unit("XYZ") is None
    True
    """
    code = code.strip().upper()
    return UNIT[f"CCY_{code}"] if code in currencies() else None


@lru_cache(maxsize=1)
def _currency_names() -> dict[str, str | None]:
    """Folded currency names -> code: pycountry's names (a name two codes share is
    None), then the words of :data:`CURRENCY_WORDS`, which win."""
    names: dict[str, str | None] = {}
    for code, name in currencies().items():
        key = _fold(name)
        names[key] = None if key in names and names[key] != code else code
    names.update({_fold(word): code for word, code in CURRENCY_WORDS.items()})
    return names


def currency_code(text: str) -> str | None:
    """The ISO 4217 code a currency symbol, word, name or code stands for; None if it
    stands for none or for several (``¥``, ``rupee``).

    >>> currency_code("US$"), currency_code("yen"), currency_code("Pound Sterling"), currency_code("krw")
    ('USD', 'JPY', 'GBP', 'KRW')
    >>> currency_code("¥") is None
    True
    """
    stripped = text.strip()
    if stripped in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[stripped]
    if re.fullmatch(r"[A-Za-z]{3}", stripped) and stripped.upper() in currencies():
        return stripped.upper()
    return _currency_names().get(_fold(stripped))


@lru_cache(maxsize=1)
def _unit_index() -> dict[str, URIRef]:
    """Every way of writing a non-currency unit, folded -> its IRI."""
    index: dict[str, URIRef] = {}
    for local, names in UNITS.items():
        iri = UNIT[local]
        for text in (local, f"unit:{local}", str(iri), *names):
            index.setdefault(_fold(text), iri)
    return index


def unit_for(name: str) -> URIRef | None:
    """The QUDT unit IRI a name stands for, None if it names no unit (or an ambiguous currency).

    Takes the names :func:`unit_name` gives ("GWh", "MWh", "GW", "per year", "count",
    "%", an ISO 4217 code such as "USD"), their other spellings ("gigawatt hours",
    "percent"), QUDT names ("unit:GigaW-HR", the full IRI, "CCY_EUR") and currency
    symbols and words ("€", "yuan"); case and spacing do not count.

    Examples
    --------
    >>> unit_for("Gigawatt hours") == unit_for("unit:GigaW-HR") == unit_for("GWh")
    True
    >>> unit_for("CNY"), unit_for("RMB")
    (rdflib.term.URIRef('http://qudt.org/vocab/unit/CCY_CNY'), rdflib.term.URIRef('http://qudt.org/vocab/unit/CCY_CNY'))
    >>> unit_for("¥") is None, unit_for("furlongs") is None
    (True, True)
    """
    text = name.strip()
    if not text:
        return None
    found = _unit_index().get(_fold(text))
    if found is not None:
        return found
    local = text
    for prefix in (str(UNIT), "unit:"):
        if local.startswith(prefix):
            local = local[len(prefix):]
    if local.upper().startswith("CCY_"):
        return currency_unit(local[4:])
    code = currency_code(text)
    return currency_unit(code) if code else None


def unit_name(iri) -> str:
    """The name a table gives a unit: "GWh", "per year", "%", an ISO 4217 code for a
    currency; a unit this table does not name keeps its prefixed name (``unit:KiloGM``).

    >>> unit_name("http://qudt.org/vocab/unit/CCY_USD"), unit_name(UNIT["PERCENT"]), unit_name(UNIT["KiloGM"])
    ('USD', '%', 'unit:KiloGM')
    """
    text = str(iri)
    if not text.startswith(str(UNIT)):
        return text
    local = text[len(str(UNIT)):]
    if local in UNITS:
        return UNITS[local][0]
    if local.startswith("CCY_") and local[4:] in currencies():
        return local[4:]
    return f"unit:{local}"
