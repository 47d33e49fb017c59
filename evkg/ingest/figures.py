"""Read figures with their units from a sentence: energy and power, vehicles or packs a
year, counts, percentages, money in any ISO 4217 currency, years, months and dates; and a
status (announced, planned, under construction, operating) from the wording.

A small grammar of regular expressions; the words it knows are data
(``rules/figures.json``, ``rules/statuses.json``), the units and currencies come from
:mod:`evkg.ontology.units`.

Examples
--------
>>> [(f.kind, f.value, f.unit) for f in find_figures("It will cost €4.1 billion and make 20 GWh by 2027.")]
[('money', '4100000000', 'EUR'), ('energy', '20', 'GWh'), ('year', '2027', None)]
>>> find_status("The plant is due to start production next year.")
'planned'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources

__all__ = ["Figure", "find_figures", "find_status", "load_rules"]


@dataclass(frozen=True)
class Figure:
    """A figure read from a text.

    Attributes
    ----------
    kind : str
        ``energy`` (GWh, MWh ...), ``power`` (GW, MW), ``rate`` (so many a year),
        ``count``, ``percent``, ``money``, ``year``, ``month`` or ``date``.
    value : str or None
        The number as a table cell holds it ("150000", "6.9"); for a year "2026", for a
        month "2026-03" or "03", for a date "2026-03-05". None when unknown.
    unit : str or None
        The unit's name as :func:`evkg.ontology.units.unit_name` gives it ("GWh",
        "per year", "%", "USD"); None for a year or date, or a currency the text leaves open.
    counted_item : str or None
        What a rate or count counts: "vehicles", "packs".
    wording : str
        The figure as written (with "about", "nearly" ... in front when there is one).
    start, end : int
        Offsets of the wording in the text given.
    approximate : bool
        Whether the wording hedges the figure ("about", "more than").
    """

    kind: str
    value: str | None
    unit: str | None
    counted_item: str | None
    wording: str
    start: int
    end: int
    approximate: bool = False


def _rules_file(name: str) -> dict:
    return json.loads(resources.files("evkg.ingest").joinpath("rules", name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def load_rules(name: str) -> dict:
    """The rule file ``rules/NAME.json`` of :mod:`evkg.ingest`, parsed (read once).

    >>> "scales" in load_rules("figures")
    True
    """
    return _rules_file(f"{name}.json")


def _alternation(words, *, boundary: bool = True) -> str:
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    body = "|".join(re.escape(w).replace("\\ ", r"\s+") for w in ordered)
    return body


_NUMBER = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"


@lru_cache(maxsize=1)
def _grammar() -> dict[str, re.Pattern]:
    from ..ontology import units

    rules = load_rules("figures")
    scale_words = sorted(rules["scales"], key=len, reverse=True)
    scale = r"(?:[\s-]?(?P<scale>" + "|".join(re.escape(w) for w in scale_words) + r")\b)?"
    approx = r"(?:(?P<approx>" + _alternation(rules["approximate"]) + r")\s+)?"
    symbols = [s for s in units.CURRENCY_SYMBOLS if not s.isalpha() or len(s) > 1]
    symbols = [s for s in symbols if not re.fullmatch(r"[A-Za-z]{1,2}\.?", s) or s in ("Rs", "Rs.", "Rp", "RM")]
    prefix_symbols = sorted((s for s in symbols if s not in ("zł", "Ft", "Kč", "円", "元")), key=len, reverse=True)
    suffix_symbols = ["zł", "Ft", "Kč", "円", "元"]
    codes = sorted(units.currencies())
    words = list(units.CURRENCY_WORDS) + [name.casefold() for name in units.currencies().values()]
    code_alt = "|".join(codes)
    money_prefix = (approx + r"(?P<sym>" + "|".join(re.escape(s) for s in prefix_symbols) + "|(?:RMB|" + code_alt
                    + r")(?=\s?\d))\s?" + _NUMBER + scale)
    money_suffix = (approx + _NUMBER + scale + r"\s+(?P<word>" + _alternation(words) + "|" + code_alt + "|"
                    + "|".join(re.escape(s) for s in suffix_symbols) + r")\b")
    energy = approx + _NUMBER + r"\s?(?:-\s?)?(?P<unit>" + _alternation(
        [n for local, names in units.UNITS.items() if local.endswith(("W-HR", "W")) for n in names]) + r")\b"
    percent = approx + _NUMBER + r"\s?(?P<unit>" + _alternation(rules["percent"]) + r")(?!\w)"
    items = _alternation(rules["counted_items"])
    per_year = _alternation(rules["per_year"])
    count = (approx + _NUMBER + scale + r"(?:\s+(?:new\s+|electric\s+|finished\s+)?(?P<item>" + items + r"))?"
             + r"(?:\s+(?P<rate>" + per_year + r"))?\b")
    months = _alternation(rules["months"])
    date = (r"(?:(?P<d1>\d{1,2})\s+(?P<m1>" + months + r")\.?,?\s+(?P<y1>\d{4})"
            + r"|(?P<m2>" + months + r")\.?\s+(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4})"
            + r"|(?P<iso>\d{4}-\d{2}-\d{2}))\b")
    month = r"\b(?P<m>" + _alternation([m.capitalize() for m in rules["months"]]) + r")\.?(?:\s+(?P<y>\d{4}))?\b"
    flags = re.IGNORECASE
    return {
        "money_prefix": re.compile(r"(?<![\w$€£¥])" + money_prefix, 0),
        "money_suffix": re.compile(r"(?<![\w.,])" + money_suffix, flags),
        "energy": re.compile(r"(?<![\w.,])" + energy, 0),
        "percent": re.compile(r"(?<![\w.,])" + percent, flags),
        "date": re.compile(r"\b" + date, flags),
        "month": re.compile(month, 0),
        "count": re.compile(r"(?<![\w.,$€£¥])" + count, flags),
        "year": re.compile(r"(?<![\w.,$€£¥-])(?P<year>(?:19|20)\d\d)(?!\w|[.,]\d)"),
    }


def _decimal_text(number: str, scale: str | None) -> str | None:
    rules = load_rules("figures")
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    if scale:
        value *= Decimal(rules["scales"][scale.lower()])
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _currency(symbol_or_word: str, context: str) -> str | None:
    """The ISO 4217 code, settling ``$`` and ``¥`` from the words of the whole text."""
    from ..ontology import units

    rules = load_rules("figures")
    folded = context.casefold()
    written = symbol_or_word.strip()
    if written in ("¥", "￥"):
        yen = any(re.search(r"\b" + re.escape(w) + r"\b", folded) for w in rules["yen_words"])
        yuan = any(re.search(r"\b" + re.escape(w) + r"\b", folded) for w in rules["yuan_words"])
        return "JPY" if yen and not yuan else "CNY" if yuan and not yen else None
    if written == "$" or written.casefold() in ("dollar", "dollars"):
        if any(w in folded for w in rules["dollar_others"]):
            return None
        return "USD"
    return units.currency_code(written)


def find_figures(text: str, *, context: str | None = None) -> list[Figure]:
    """Every figure in ``text``, in text order, none overlapping another.

    Parameters
    ----------
    text : str
        A sentence (or any text).
    context : str, optional
        The whole article, which settles a currency symbol the sentence leaves open
        ("¥" is yen where the article speaks of yen and never of yuan). Default: ``text``.

    Returns
    -------
    list of Figure

    Examples
    --------
    >>> [(f.value, f.unit, f.counted_item) for f in find_figures("A line for about 50,000 packs a year.")]
    [('50000', 'per year', 'packs')]
    >>> [(f.value, f.unit) for f in find_figures("Investing ¥10 billion.")]
    [('10000000000', None)]
    >>> [(f.value, f.unit) for f in find_figures("Investing ¥10 billion, or about 70 million yen a month.")][0]
    ('10000000000', 'JPY')
    """
    context = text if context is None else context
    grammar = _grammar()
    rules = load_rules("figures")
    taken: list[tuple[int, int]] = []
    found: list[Figure] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    def add(match: re.Match, kind: str, value, unit, item=None) -> None:
        start, end = match.span()
        if not free(start, end):
            return
        approx = match.groupdict().get("approx")
        taken.append((start, end))
        found.append(Figure(kind, value, unit, item, text[start:end], start, end, bool(approx)))

    for match in grammar["money_prefix"].finditer(text):
        scale = match["scale"]
        if scale and scale.lower() in rules["scales_after_money_only"] and text[match.end():match.end() + 1].isalpha():
            continue
        add(match, "money", _decimal_text(match["num"], scale), _currency(match["sym"], context))
    for match in grammar["money_suffix"].finditer(text):
        word = match["word"]
        if word.isupper() and len(word) == 3 or word in ("zł", "Ft", "Kč", "円", "元"):
            code = _currency(word, context)
        else:
            code = _currency(word, context)
        add(match, "money", _decimal_text(match["num"], match["scale"]), code)
    for match in grammar["energy"].finditer(text):
        from ..ontology import units

        iri = units.unit_for(match["unit"])
        name = units.unit_name(iri) if iri is not None else None
        kind = "energy" if name and name.endswith("h") else "power"
        add(match, kind, _decimal_text(match["num"], None), name)
    for match in grammar["percent"].finditer(text):
        add(match, "percent", _decimal_text(match["num"], None), "%")
    for match in grammar["date"].finditer(text):
        if match["iso"]:
            value = match["iso"]
        else:
            day = match["d1"] or match["d2"]
            month = rules["months"][(match["m1"] or match["m2"]).lower()]
            year = match["y1"] or match["y2"]
            value = f"{year}-{month:02d}-{int(day):02d}"
        add(match, "date", value, None)
    for match in grammar["month"].finditer(text):
        word = match["m"]
        if word.lower() not in rules["months"] or (word == "May" and not match["y"]):
            continue  # "may" the verb: only "May 2026" is the month
        if len(word) <= 4 and word.lower() not in ("june", "july") and not match["y"] and not text[match.end():match.end() + 1] == ".":
            continue
        number = rules["months"][word.lower()]
        value = f"{match['y']}-{number:02d}" if match["y"] else f"{number:02d}"
        add(match, "month", value, None)
    low, high = rules["year_range"]
    for match in grammar["year"].finditer(text):
        if low <= int(match["year"]) <= high:
            add(match, "year", match["year"], None)
    for match in grammar["count"].finditer(text):
        item, rate, scale = match["item"], match["rate"], match["scale"]
        if not (item or rate or (scale and scale.lower() not in rules["scales_after_money_only"])):
            continue
        if scale and scale.lower() in rules["scales_after_money_only"]:
            continue
        counted = None
        if item:
            items = {k.casefold(): v for k, v in rules["counted_items"].items()}
            counted = items.get(" ".join(item.casefold().split()))
        value = _decimal_text(match["num"], scale)
        add(match, "rate" if rate else "count", value, "per year" if rate else "count", counted)
    found.sort(key=lambda f: (f.start, f.end))
    return found


@lru_cache(maxsize=1)
def _status_patterns() -> list[tuple[str, re.Pattern]]:
    return [(status, re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE))
            for status, patterns in load_rules("statuses")["statuses"]]


def find_status(text: str) -> str | None:
    """The status a sentence's wording gives (a label of the ontology's status scheme).

    Parameters
    ----------
    text : str

    Returns
    -------
    str or None
        ``"operating"``, ``"under construction"``, ``"planned"``, ``"announced"``, or
        None when the wording says none.

    Examples
    --------
    >>> find_status("Workers began building the factory in May."), find_status("It turned out its first cells.")
    ('under construction', 'operating')
    >>> find_status("Sales rose.") is None
    True
    """
    for status, pattern in _status_patterns():
        if pattern.search(text):
            return status
    return None
