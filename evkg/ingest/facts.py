"""Turn the mentions and figures of each sentence into candidate facts of the import
kinds: alliances, facilities, ownership, observations, based-in and located-in.

Each rule reads one sentence: the trigger wording of its kind (``rules/facts.json``), the
entities found in it (:mod:`evkg.ingest.mentions`) and its figures and status
(:mod:`evkg.ingest.figures`). A fact's ``fields`` are keyed by the columns of
``evkg import --kind KIND``; ``links`` maps its entity columns to IRIs (None for a new entity).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .figures import find_figures, find_status, load_rules

__all__ = ["Candidate", "extract_facts"]


@dataclass
class Candidate:
    """A suggested fact before it is compared with the knowledge base."""

    kind: str
    fields: dict
    links: dict
    start: int
    end: int
    confidence: float


def _compile(patterns) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@lru_cache(maxsize=1)
def _rules() -> dict:
    rules = load_rules("facts")
    compiled = {
        "alliance": [(kind, _compile(p)) for kind, p in rules["alliances"]["triggers"].items()],
        "list_pair": re.compile(rules["alliances"]["list_pair"]),
        "facility": _compile(rules["facilities"]["triggers"]),
        "facility_types": [(t, _compile(p)) for t, p in rules["facilities"]["types"]],
        "unit_types": rules["facilities"]["unit_types"],
        "own_active": _compile(rules["ownership"]["active"]),
        "own_passive": _compile(rules["ownership"]["passive"]),
        "owned_back": re.compile(rules["ownership"]["owned_back"], re.I),
        "pronoun_subject": re.compile(rules["facilities"]["pronoun_subject"]),
        "own_wording": [(re.compile(r"\b" + w + r"\b", re.I), label) for w, label in rules["ownership"]["wording"]],
        "indicators": [(i["labels"], i["figure"], _compile(i["triggers"])) for i in rules["observations"]["indicators"]],
        "destination": re.compile(rules["observations"]["destination"], re.I),
        "headquartered": _compile(rules["based-in"]["headquartered"]),
        "hyphen_based": re.compile(rules["based-in"]["hyphen_based"]),
        "possessive": re.compile(rules["based-in"]["possessive"]),
        "adjective_gap": re.compile(rules["based-in"]["adjective_gap"]),
        "list_joint": re.compile(rules["based-in"]["list_joint"]),
        "apposition": re.compile(rules["located-in"]["apposition"], re.I),
        "comma": re.compile(rules["located-in"]["comma"]),
        "of": re.compile(rules["located-in"]["of"], re.I),
    }
    return compiled


class _Sentence:
    """One sentence with what was found in it (offsets relative to the article)."""

    def __init__(self, sentence, mentions, text):
        self.s = sentence
        self.text = sentence.text
        self.start = sentence.start
        self.mentions = [m for m in mentions if m.start >= sentence.start and m.end <= sentence.end]
        self.orgs = [m for m in self.mentions if m.category == "organization"]
        self.places = [m for m in self.mentions if m.category in ("country", "region", "place") and not m.adjective]
        self.countries = [m for m in self.mentions if m.category == "country"]
        self.figures = [f for f in find_figures(sentence.text, context=text)]
        self._status = None
        self.previous_subject = None  # the first organization of the sentence before, same paragraph

    def rel(self, m) -> tuple[int, int]:
        return m.start - self.start, m.end - self.start

    def between(self, a: int, b: int) -> str:
        return self.text[a:b]

    @property
    def status(self):
        if self._status is None:
            self._status = find_status(self.text) or ""
        return self._status or None


def _put(fields: dict, links: dict, column: str, mention, type_column: str | None = None) -> None:
    fields[column] = mention.label
    links[column] = mention.iri
    if mention.iri is None:
        labels = load_rules("organizations")["class_labels"]
        fields[type_column or f"{column}_type"] = labels.get(mention.cls, "company" if mention.category == "organization" else "place")


def _distinct(mentions):
    seen, out = set(), []
    for m in mentions:
        key = m.iri or m.label
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


def _year(figures) -> str | None:
    for f in figures:
        if f.kind == "year":
            return f.value
        if f.kind in ("month", "date") and f.value and len(f.value) >= 4 and f.value[:4].isdigit():
            return f.value[:4]
    return None


def _alliances(s: _Sentence) -> list[Candidate]:
    rules = _rules()
    kind = next((k for k, pattern in rules["alliance"] if pattern.search(s.text)), None)
    pair = rules["list_pair"].match(s.text) if s.s.kind in ("item", "heading") or ":" in s.text[:80] else None
    partners = _distinct([m for m in s.orgs])
    if pair and kind is None:
        left = [m for m in partners if s.rel(m)[0] < pair.end()]
        if len(left) >= 2:
            kind = "partnership"
            partners = left
    # Whom the alliance serves ("cells for European carmakers") is not a partner.
    served = [m for m in partners if re.search(r"\b(?:for|to|from)\s+(?:the\s+)?$", s.text[:s.rel(m)[0]], re.I)]
    if len(partners) - len(served) >= 2:
        partners = [m for m in partners if m not in served]
    if kind is None or len(partners) < 2 or len(partners) > 4:
        return []
    fields, links = {}, {}
    for number, m in enumerate(partners, 1):
        _put(fields, links, f"partner_{number}", m)
    fields["type"] = kind
    year = _year(s.figures)
    if year:
        fields["year"] = year
    confidence = 0.8 if len(partners) == 2 else 0.6
    return [Candidate("alliances", fields, links, s.s.start, s.s.end, confidence)]


def _facility_type(text: str, figure) -> str:
    rules = _rules()
    if figure is not None:
        key = figure.counted_item if figure.unit in ("per year", "count") else figure.unit
        if key in rules["unit_types"]:
            return rules["unit_types"][key]
    for name, pattern in rules["facility_types"]:
        if pattern.search(text):
            return name
    return "facility"


def _facilities(s: _Sentence) -> list[Candidate]:
    rules = _rules()
    trigger = rules["facility"].search(s.text)
    if not trigger or s.s.kind == "heading":  # a headline repeats what the text states
        return []
    if not s.orgs:
        if s.previous_subject is None or not rules["pronoun_subject"].match(s.text):
            return []
        # "It will build a plant in ...": the firm the sentence before was about.
        s.orgs = [s.previous_subject]
        found = _facilities_of(s, trigger)
        for c in found:
            c.confidence = round(c.confidence - 0.15, 2)
        return found
    return _facilities_of(s, trigger)


def _facilities_of(s: _Sentence, trigger) -> list[Candidate]:
    # The operator: the organization whose possessive comes before the trigger, else the
    # last one before it, else the first of the sentence.
    before = [m for m in s.orgs if s.rel(m)[1] <= trigger.start()]
    operator = before[-1] if before else s.orgs[0]
    locations = [m for m in s.places if m.category in ("country", "place", "region")]
    locations = [m for m in locations if (s.rel(m)[0] > s.rel(operator)[1] or _preceded_by_in(s, m)) and not _destination(s, m)]
    if not locations:
        adjectives = [m for m in s.mentions if m.adjective and m.category == "country"
                      and s.rel(m)[1] <= trigger.start() and trigger.start() - s.rel(m)[1] <= 20]
        locations = adjectives[-1:]
    if not locations:
        return []
    # A place and its country ("in Debrecen, Hungary"): the place is the location.
    locations = [m for i, m in enumerate(locations)
                 if not (i > 0 and locations[i - 1].category == "place" and s.rel(m)[0] - s.rel(locations[i - 1])[1] <= 2)]
    # Several locations only when the sentence lists them ("in A (14 GWh) and B"); else the
    # first named with "in", "at" or "near" after the trigger, or the one before it.
    after = [m for m in locations if s.rel(m)[0] >= trigger.end()]
    located = [m for m in after if _preceded_by_in(s, m)] or after or [m for m in locations if _preceded_by_in(s, m)] or locations
    run = [located[0]]
    for m in locations[locations.index(located[0]) + 1:]:
        # After a place that is no plant's, only "in X" names one again.
        listed = run[-1] is not None and _LISTED.match(s.text[s.rel(run[-1])[1]:s.rel(m)[0]])
        if listed or _preceded_by_in(s, m):
            run.append(m)
        else:
            run.append(None)  # not a plant's location; a later "in X" may be
    locations = [m for m in run if m is not None]
    # "in Sines, a port town in Portugal": the country after is the place's, not another plant's.
    locations = [m for i, m in enumerate(locations)
                 if not (i > 0 and _rules()["apposition"].match(s.text[s.rel(locations[i - 1])[1]:s.rel(m)[0]]))]
    capacities = [f for f in s.figures if f.kind in ("energy", "power", "rate")]
    out = []
    for i, location in enumerate(locations):
        lo = s.rel(location)[1]
        hi = s.rel(locations[i + 1])[0] if i + 1 < len(locations) else len(s.text)
        if len(locations) == 1:
            figure = capacities[0] if capacities else None
            segment = s.text
        else:
            inside = [f for f in capacities if lo <= f.start < hi]
            figure = inside[0] if inside else None
            segment = s.text[lo:hi]
        fields, links = {}, {}
        kind = _facility_type(s.text, figure)
        fields["name"] = f"{operator.label} {location.label} {kind}"
        fields["type"] = kind
        _put(fields, links, "operator", operator)
        fields["location"] = location.label
        links["location"] = location.iri
        status = find_status(segment) if len(locations) > 1 else s.status
        if status:
            fields["status"] = status
        confidence = 0.6
        if figure is not None:
            fields["capacity"] = figure.value or ""
            fields["capacity_unit"] = figure.unit or ""
            if figure.counted_item:
                fields["counted_item"] = figure.counted_item
            if figure.approximate:
                fields["capacity_wording"] = figure.wording
            confidence += 0.15
        year = _year([f for f in s.figures if f.kind in ("year", "month", "date")])
        if year and status in ("planned", "under construction", "announced", None):
            fields["target_year"] = year
        out.append(Candidate("facilities", fields, links, s.s.start, s.s.end, round(confidence, 2)))
    return out


def _preceded_by_in(s: _Sentence, m) -> bool:
    return bool(re.search(r"\b(?:in|at|near)\s+(?:the\s+)?$", s.text[:s.rel(m)[0]], re.IGNORECASE))


_LISTED = re.compile(r"^\s*(?:\([^)]*\))?\s*(?:,|and|or|,\s*and)\s*$")


def _destination(s: _Sentence, m) -> bool:
    """Whether a place is where goods go or come from ("exports to Europe"), not where a plant is."""
    return bool(re.search(r"\b(?:to|into|from|for|based in|headquartered in)\s+(?:the\s+)?$|-?based\s*$", s.text[:s.rel(m)[0]], re.IGNORECASE)
                or re.match(r"^[-‑]\s?based\b", s.text[s.rel(m)[1]:]))


def _ownership(s: _Sentence) -> list[Candidate]:
    rules = _rules()
    orgs = s.orgs
    if len(_distinct(orgs)) < 2:
        return []
    passive = rules["own_passive"].search(s.text)
    active = rules["own_active"].search(s.text)
    match = passive or active
    if not match:
        return []
    before = [m for m in orgs if s.rel(m)[1] <= match.start()]
    after = [m for m in orgs if s.rel(m)[0] >= match.end()]
    if not passive and before and not after and rules["owned_back"].match(s.text[match.end():]):
        # "B ..., which owns nearly half the company": the company is the one the sentence opened with.
        after = [m for m in before if m.label != before[-1].label][:1]
    if not before or not after:
        return []
    owner, owned = (after[0], before[-1]) if passive else (before[-1], after[0])
    if owner.label == owned.label:
        return []
    fields, links = {}, {}
    _put(fields, links, "owner", owner)
    _put(fields, links, "owned", owned)
    percent = [f for f in s.figures if f.kind == "percent"]
    if percent:
        fields["share_percent"] = percent[0].value
    wording = next((label for pattern, label in rules["own_wording"] if pattern.search(s.text)), None)
    if wording:
        fields["share_wording"] = wording
    if not percent and not wording:
        return []
    year = _year(s.figures)
    if year:
        fields["year"] = year
    return [Candidate("ownership", fields, links, s.s.start, s.s.end, 0.75 if percent else 0.6)]


def _observations(s: _Sentence, indicators: dict[str, str]) -> list[Candidate]:
    rules = _rules()
    out = []
    used: set[int] = set()
    for labels, figure_kinds, pattern in rules["indicators"]:
        trigger = pattern.search(s.text)
        if not trigger:
            continue
        indicator = next((indicators[l.casefold()] for l in labels if l.casefold() in indicators), None)
        if indicator is None:
            continue
        figures = [f for f in s.figures if f.kind in figure_kinds and f.start not in used]
        if not figures:
            continue
        figure = min(figures, key=lambda f: abs(f.start - trigger.start()))
        if figure.kind in ("count", "rate") and figure.counted_item not in (None, "vehicles"):
            continue
        if figure.kind in ("count", "rate") and figure.counted_item is None:
            continue
        areas = sorted((m for m in s.orgs + s.countries if not m.adjective), key=lambda m: m.start)
        areas = [m for m in areas if s.rel(m)[1] <= max(trigger.start(), figure.start)] or areas
        if not areas and s.previous_subject is not None and rules["pronoun_subject"].match(s.text):
            areas = [s.previous_subject]  # "It sold ...": the firm the sentence before was about
        if not areas:
            continue
        area = areas[0] if len([a for a in areas if s.rel(a)[1] <= trigger.start()]) == 0 else \
            [a for a in areas if s.rel(a)[1] <= trigger.start()][-1]
        used.add(figure.start)
        fields, links = {}, {}
        _put(fields, links, "area", area)
        fields["indicator"] = indicator
        confidence = 0.65
        if figure.unit:
            fields["value"] = figure.value or ""
            fields["unit"] = figure.unit
            if figure.counted_item:
                fields["counted_item"] = figure.counted_item
            if figure.approximate:
                fields["value_wording"] = figure.wording
        else:
            fields["value_wording"] = figure.wording
            confidence = 0.35
        dates = [f for f in s.figures if f.kind in ("year", "month", "date")]
        if dates:
            fields["period"] = dates[0].wording
            year = _year(dates)
            if year:
                fields["year"] = year
        out.append(Candidate("observations", fields, links, s.s.start, s.s.end, confidence))
    return out


def _based_in(s: _Sentence) -> list[Candidate]:
    rules = _rules()
    out = []

    def add(org, country, confidence):
        if org.category != "organization" or country.category != "country" or org.adjective:
            return
        fields, links = {}, {}
        _put(fields, links, "organization", org)
        fields["country"] = country.label
        links["country"] = country.iri
        out.append(Candidate("based-in", fields, links, s.s.start, s.s.end, confidence))

    ordered = s.mentions
    for i, m in enumerate(ordered):
        if m.category != "country":
            continue
        after = ordered[i + 1] if i + 1 < len(ordered) else None
        end = s.rel(m)[1]
        tail = s.text[end:]
        if rules["hyphen_based"].match(tail) and after is not None and after.category == "organization":
            if s.rel(after)[0] - end <= 40:
                add(after, m, 0.75)
            continue
        if after is None or after.category != "organization":
            continue
        gap = s.text[end:s.rel(after)[0]]
        if not m.adjective and rules["possessive"].match(gap):
            add(after, m, 0.7)
        elif m.adjective and (gap.strip() == "" or rules["adjective_gap"].match(gap)) and len(gap) <= 30:
            add(after, m, 0.7)
            # "Chinese carmakers A, B and C": the adjective covers the whole list.
            previous = after
            for following in ordered[i + 2:]:
                joint = s.text[s.rel(previous)[1]:s.rel(following)[0]]
                if following.category != "organization" or not rules["list_joint"].match(joint):
                    break
                add(following, m, 0.65)
                previous = following
    for i, m in enumerate(ordered):
        # A group named for its country ("Japanese automakers"), and the firms it lists.
        if m.country is None:
            continue
        country = _CountryRef(m.country.label, m.country.iri)
        add(m, country, 0.6)
        previous = m
        for following in ordered[i + 1:]:
            joint = s.text[s.rel(previous)[1]:s.rel(following)[0]]
            if following.category != "organization" or not (rules["list_joint"].match(joint) or (previous is m and joint.strip() == "")):
                break
            add(following, country, 0.65)
            previous = following
    for match in rules["headquartered"].finditer(s.text):
        before = [m for m in s.orgs if s.rel(m)[1] <= match.start()]
        after = [m for m in s.countries if s.rel(m)[0] >= match.end() and not m.adjective]
        if before and after and s.rel(after[0])[0] - match.end() <= 3:
            add(before[-1], after[0], 0.85)
    return out


@dataclass(frozen=True)
class _CountryRef:
    label: str
    iri: str
    category: str = "country"
    adjective: bool = False


def _located_in(s: _Sentence) -> list[Candidate]:
    rules = _rules()
    out = []
    ordered = [m for m in s.mentions if not m.adjective]
    for i, m in enumerate(ordered[:-1]):
        if m.category != "place":
            continue
        container = ordered[i + 1]
        if container.category not in ("country", "region", "place"):
            continue
        gap = s.text[s.rel(m)[1]:s.rel(container)[0]]
        place_type = None
        match = rules["apposition"].match(gap) or rules["of"].match(gap)
        if match:
            place_type = match["type"].lower()
        elif not (rules["comma"].match(gap) and container.category == "country"):
            continue
        fields, links = {}, {}
        fields["place"] = m.label
        links["place"] = m.iri
        if m.iri is None:
            words = load_rules("organizations")["place_type_words"]
            fields["place_type"] = words.get(place_type or "", None) or load_rules("organizations")["class_labels"].get(m.cls, "place")
        fields["country"] = container.label
        links["country"] = container.iri
        out.append(Candidate("located-in", fields, links, s.s.start, s.s.end, 0.85 if match else 0.7))
    return out


_CELL_SPLIT = re.compile(r"\s*\|\s*")
_SEPARATOR = re.compile(r"^[\s|:\-]+$")
_HEADER_UNIT = re.compile(r"\(([^)]*)\)")


def _cells(row: str) -> list[str]:
    cells = _CELL_SPLIT.split(row.strip().strip("|").strip())
    return [c.strip() for c in cells]


def _header_columns(header: str, indicators: dict[str, str]) -> dict[int, tuple[str, str | None, int]]:
    """For each column whose heading names an indicator of the scheme: (indicator label,
    unit name, scale), the unit and scale read from the heading's brackets ("(Billion USD)")."""
    from ..ontology import units

    scales = load_rules("figures")["scales"]
    columns = {}
    for number, cell in enumerate(_cells(header)):
        if number == 0:
            continue
        words = _HEADER_UNIT.sub(" ", cell).casefold()
        words = " ".join(words.split())
        label = indicators.get(words)
        if label is None:
            continue
        unit, scale = None, 1
        for inside in _HEADER_UNIT.findall(cell):
            for token in inside.replace(",", " ").split():
                if token.casefold() in scales and token.casefold() not in ("m", "b", "k"):
                    scale = scales[token.casefold()]
                else:
                    iri = units.unit_for(token)
                    if iri is not None:
                        unit = units.unit_name(iri)
        if unit is not None:
            columns[number] = (label, unit, scale)
    return columns


def _table_observations(sentences, mentions, indicators) -> list[Candidate]:
    """Observations from the rows of a table whose column headings name an indicator and
    a unit: the first cell of a row its area, each figure cell its value."""
    from decimal import Decimal, InvalidOperation

    out = []
    header_columns: dict = {}
    previous_block = None
    for sentence in sentences:
        row = sentence.text
        is_row = sentence.kind == "item" and row.count("|") >= 1
        if not is_row:
            header_columns, previous_block = {}, None
            continue
        if previous_block is None or sentence.block != previous_block + 1:
            header_columns = _header_columns(row, indicators)
            previous_block = sentence.block
            continue
        previous_block = sentence.block
        if _SEPARATOR.match(row) or not header_columns:
            continue
        cells = _cells(row)
        first = cells[0] if cells else ""
        start = sentence.start + row.find(first)
        areas = [m for m in mentions if m.start == start and m.end == start + len(first) and not m.adjective]
        if not areas:
            continue
        for number, (label, unit, scale) in sorted(header_columns.items()):
            if number >= len(cells):
                continue
            cell = cells[number].replace(",", "")
            try:
                value = Decimal(cell) * scale
            except InvalidOperation:
                continue
            text = format(value.normalize(), "f")
            fields, links = {}, {}
            _put(fields, links, "area", areas[0])
            fields["indicator"] = label
            fields["value"] = text.rstrip("0").rstrip(".") if "." in text else text
            fields["unit"] = unit
            out.append(Candidate("observations", fields, links, sentence.start, sentence.end, 0.7))
    return out


def extract_facts(text: str, sentences, mentions, *, indicators: dict[str, str] | None = None, progress=None) -> list[Candidate]:
    """Candidate facts of every sentence of ``text``.

    Parameters
    ----------
    text : str
        The article text.
    sentences : list of Sentence
    mentions : list of Mention
    indicators : dict, optional
        The indicator scheme's labels (case-folded) -> the label import takes; an
        observation is suggested only for an indicator the scheme has.
    progress : callable, optional
        Called with (sentences done, sentences in all).

    Returns
    -------
    list of Candidate
        One per fact; the same fields stated twice keep the first sentence.
    """
    indicators = indicators or {}
    found: list[Candidate] = []
    total = len(sentences)
    previous = None
    for number, sentence in enumerate(sentences, 1):
        s = _Sentence(sentence, mentions, text)
        if previous is not None and previous.s.block == sentence.block and previous.orgs:
            s.previous_subject = previous.orgs[0]
        previous = s
        if s.mentions or s.previous_subject is not None:
            for rule in (_alliances, _facilities, _ownership, _based_in, _located_in):
                found.extend(rule(s))
            found.extend(_observations(s, indicators))
        if progress is not None:
            progress(number, total)
    found.extend(_table_observations(sentences, mentions, indicators))
    unique: dict[tuple, Candidate] = {}
    for c in found:
        key = (c.kind, tuple(sorted(c.fields.items())))
        if key not in unique or c.confidence > unique[key].confidence:
            unique[key] = c
    return sorted(unique.values(), key=lambda c: (c.start, c.kind))
