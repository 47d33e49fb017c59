"""Corroboration and conflicts: whether the knowledge base already holds a fact, and the
facts on which its sources disagree.

A fact is identified by the entities and the relation it is about, per kind of fact:

============  ===============================================================
kind          the same fact when
============  ===============================================================
alliances     the same set of partners (a partnership node, or ``ev:partnerOf``
              between two of them)
facilities    the same operator and location (a place within the other counts),
              and a compatible class when one is given
ownership     the same owner and owned (a stake node, or ``ev:ownedBy``)
observations  the same area, indicator and year (or period)
based-in      the organization's ``ev:basedIn``
located-in    the place's ``ev:locatedIn`` (and the regions it is a member of)
============  ===============================================================

Two statements of the same fact *agree* when they give the same figure (units converted
where one is a decimal multiple of the other, as MWh and GWh; rounding tolerated: ``100``
and ``100.0``, ``6.9`` and ``6.93``), the same status and the same year; where one side
gives no figure there is nothing to compare, and they agree. They *conflict* when they
give another figure in a comparable unit, another status, another year or another home
country.

:func:`compare_fact` compares a candidate fact (as ``evkg suggest`` proposes it, in the
columns of ``evkg import``) with the knowledge base; :func:`find_conflicts` lists the
facts on which the named graphs (the sources) disagree.

Examples
--------
>>> import evkg
>>> kb = evkg.load()
>>> compare_fact(kb, "based-in", {"organization": "BYD", "country": "China"},
...              {"organization": "https://w3id.org/evkg/id/company/byd",
...               "country": "https://w3id.org/evkg/id/country/cn"})[0]
'known'
>>> status, matches = compare_fact(kb, "facilities",
...     {"operator": "CATL", "location": "Hungary", "capacity": "40", "capacity_unit": "GWh"},
...     {"operator": "https://w3id.org/evkg/id/company/catl",
...      "location": "https://w3id.org/evkg/id/country/hu"})
>>> status, matches[0]["field"], matches[0]["value"], matches[0]["suggested"]
('conflicts', 'capacity', '100 GWh', '40 GWh')
>>> compare_fact(kb, "ownership", {"owner": "Newco", "owned": "Proton"},
...              {"owner": None, "owned": "https://w3id.org/evkg/id/company/proton"})
('new', [])
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from .errors import AmbiguousEntity, InputError, UnknownEntity
from .kb import QUANTITY_PARTS, Citation, KnowledgeBase, format_number, normalize_name, quantity_text, source_count
from .ontology import EV, PREFIXES, QUDT, UNIT

__all__ = ["KINDS", "Side", "Conflict", "compare_fact", "find_conflicts", "source_count"]

#: The kinds of fact :func:`compare_fact` compares (the kinds of ``evkg import``, and
#: ``based-in`` and ``located-in``).
KINDS = ("alliances", "facilities", "ownership", "observations", "based-in", "located-in")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Side:
    """What one source says in a conflict: the value in words, the fact it is stated on,
    and the source with its date and the sentence it rests on."""

    value: str
    fact: str
    fact_label: str
    graph: str
    source: str
    title: str
    date: str | None
    quote: str | None

    def to_dict(self) -> dict:
        return {
            "value": self.value, "fact": self.fact, "fact_label": self.fact_label, "graph": self.graph,
            "source": self.source, "title": self.title, "date": self.date, "quote": self.quote,
        }


@dataclass(frozen=True)
class Conflict:
    """A fact on which sources disagree: what it is about, the field they disagree on,
    and each source's side, newest first."""

    kind: str
    about: str
    about_iri: str
    field: str
    sides: tuple[Side, ...]

    @property
    def newest(self) -> str:
        """The date of the newest source ('' when no source has a date)."""
        return max((s.date or "" for s in self.sides), default="")

    def to_dict(self) -> dict:
        return {
            "kind": self.kind, "about": self.about, "about_iri": self.about_iri, "field": self.field,
            "sides": [s.to_dict() for s in self.sides],
        }


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class _Figure:
    """A number in a unit, as a base unit and the power of ten of the unit over it."""

    number: Decimal
    base: str | None
    exponent: int
    text: str
    item: str | None = None  # what a count counts: vehicles, packs

    @property
    def places(self) -> int:
        """Decimal places the number was given with, in its own unit."""
        exponent = self.number.as_tuple().exponent
        return -exponent if isinstance(exponent, int) else 0


_PREFIX_EXPONENT = {"Kilo": 3, "Mega": 6, "Giga": 9, "Tera": 12}


def _unit_parts(unit: str | URIRef | None) -> tuple[str | None, int]:
    """A unit (QUDT IRI, ``unit:`` name, or a name :mod:`evkg.ontology.units` knows: GWh,
    per year, an ISO 4217 code) as its base unit and the power of ten over it:
    ``unit:GigaW-HR`` and ``GWh`` -> ('W-HR', 9).

    >>> _unit_parts("MWh"), _unit_parts("http://qudt.org/vocab/unit/GigaW-HR"), _unit_parts("usd")
    (('W-HR', 6), ('W-HR', 9), ('CCY_USD', 0))
    """
    from .ontology.units import unit_for

    if unit is None:
        return None, 0
    text = str(unit).strip()
    if not text:
        return None, 0
    if text.startswith("unit:"):
        text = str(UNIT) + text[len("unit:"):]
    if not text.startswith(str(UNIT)):
        found = unit_for(text)
        if found is None:
            return text, 0
        text = str(found)
    local = text[len(str(UNIT)):]
    for prefix, exponent in _PREFIX_EXPONENT.items():
        if local.startswith(prefix) and len(local) > len(prefix):
            return local[len(prefix):], exponent
    return local, 0


def _decimal(text) -> Decimal | None:
    try:
        number = Decimal(str(text).replace(",", "").replace("\u202f", "").replace(" ", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _figure_of_fields(number: str | None, unit: str | None, item: str | None = None) -> _Figure | None:
    value = _decimal(number) if number else None
    if value is None:
        return None
    base, exponent = _unit_parts(unit)
    text = " ".join(part for part in (number, item, unit) if part)
    return _Figure(value, base, exponent, text, normalize_name(item) if item else None)


def _same_figure(a: _Figure, b: _Figure) -> bool | None:
    """True or False when the figures are comparable (the same base unit), else None.

    Equal within the rounding of the less precise of the two: 100 and 100.0 agree, so do
    100 GWh and 100,000 MWh; 14 and 15 do not."""
    if a.base != b.base or (a.item and b.item and a.item != b.item):
        return None  # other units, or counts of other things (vehicles, packs)
    # Both in the smaller of the two units, with the places each was given in it.
    low = min(a.exponent, b.exponent)
    left = a.number.scaleb(a.exponent - low)
    right = b.number.scaleb(b.exponent - low)
    places = min(a.places - (a.exponent - low), b.places - (b.exponent - low))
    return abs(left - right) <= Decimal(5).scaleb(-places - 1)


# --------------------------------------------------------------------------- reading the KB


class _Reader:
    """What corroboration reads from a knowledge base, with the lookups it repeats."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.ds = kb.dataset
        self._dates: dict[str, str | None] = {}
        self._classes: dict[str, URIRef] | None = None

    # -- names

    def iri(self, fields: dict, links: dict, column: str) -> URIRef | None:
        """The entity a column names: its link, else the name resolved (None when new)."""
        if column in links:
            value = links[column]
            return URIRef(value) if value else None
        name = (fields.get(column) or "").strip()
        if not name:
            return None
        try:
            return URIRef(self.kb.entity(name).iri)
        except (UnknownEntity, AmbiguousEntity):
            return None

    def concept(self, name: str | None, scheme: URIRef) -> URIRef | None:
        """A concept of ``scheme`` by its label, other label, CURIE or IRI."""
        if not name or not name.strip():
            return None
        wanted = normalize_name(name)
        direct = self._curie(name)
        for concept in self.ds.subjects(SKOS.inScheme, scheme):
            if concept == direct:
                return concept
            for predicate in (SKOS.prefLabel, SKOS.altLabel, RDFS.label):
                if any(normalize_name(str(v)) == wanted for v in self.ds.objects(concept, predicate)):
                    return concept
        return None

    def ontology_class(self, name: str | None) -> URIRef | None:
        """An ontology class by its label ('battery cell plant'), CURIE or IRI."""
        if not name or not name.strip():
            return None
        direct = self._curie(name)
        if direct is not None and (direct, RDFS.subClassOf, None) in self.ds:
            return direct
        if self._classes is None:
            self._classes = {}
            for cls, label in self.ds.subject_objects(RDFS.label):
                if isinstance(cls, URIRef) and str(cls).startswith(str(EV._NS)) and (cls, RDFS.subClassOf, None) in self.ds:
                    self._classes.setdefault(normalize_name(str(label)), cls)
        return self._classes.get(normalize_name(name))

    @staticmethod
    def _curie(name: str) -> URIRef | None:
        text = name.strip()
        if text.startswith(("http://", "https://")):
            return URIRef(text)
        prefix, sep, local = text.partition(":")
        if sep and prefix in PREFIXES and local:
            return URIRef(PREFIXES[prefix] + local)
        return None

    def superclasses(self, cls: URIRef) -> set[URIRef]:
        return set(self.ds.transitive_objects(cls, RDFS.subClassOf))

    def compatible_class(self, node: URIRef, cls: URIRef | None) -> bool:
        """Whether a node's class is ``cls``, a subclass or a superclass of it."""
        if cls is None:
            return True
        for kind in self.ds.objects(node, RDF.type):
            if cls in self.superclasses(kind) or kind in self.superclasses(cls):
                return True
        return False

    def containers(self, place: URIRef) -> set[URIRef]:
        """The place and every place it is in or a member of, transitively."""
        seen = {place}
        frontier = [place]
        while frontier:
            current = frontier.pop()
            for predicate in (EV.locatedIn, EV.memberOf):
                for outer in self.ds.objects(current, predicate):
                    if isinstance(outer, URIRef) and outer not in seen:
                        seen.add(outer)
                        frontier.append(outer)
        return seen

    def within(self, a: URIRef, b: URIRef) -> bool:
        """Whether one of two places is the other or lies within it."""
        return b in self.containers(a) or a in self.containers(b)

    def is_country(self, place: URIRef) -> bool:
        return (place, RDF.type, EV.Country) in self.ds

    def countries_of(self, place: URIRef) -> set[URIRef]:
        """The countries a place is (or lies in)."""
        return {c for c in self.containers(place) if self.is_country(c)}

    # -- sources

    def date(self, source: str) -> str | None:
        if source not in self._dates:
            value = self.ds.value(URIRef(source), DCTERMS.date) if source else None
            self._dates[source] = str(value) if value is not None else None
        return self._dates[source]

    def statement_citations(self, subject, predicate, obj) -> list[Citation]:
        return self.kb.statement_citations(subject, predicate, obj)

    def source_dicts(self, citations: Iterable[Citation]) -> list[dict]:
        out, seen = [], set()
        for c in citations:
            key = (c.source or c.graph, c.quote)
            if key in seen:
                continue
            seen.add(key)
            out.append({"source": c.source or c.graph, "title": c.title, "date": self.date(c.source), "quote": c.quote})
        return out

    # -- values in words

    def words(self, value, field: _Field | None = None) -> str:
        if field is not None and field.how == "number" and isinstance(value, Literal):
            return format_number(value.toPython()) + "%"
        if isinstance(value, BNode):
            return quantity_text({p: self.ds.value(value, p) for p in QUANTITY_PARTS})
        if isinstance(value, Literal):
            return str(value)
        return self.kb.label_of(value)

    def figure(self, node) -> _Figure | None:
        """A quantity value node as a figure (None without a number)."""
        number = self.ds.value(node, QUDT.numericValue)
        if number is None:
            return None
        value = _decimal(number.toPython())
        if value is None:
            return None
        base, exponent = _unit_parts(self.ds.value(node, QUDT.hasUnit))
        item = self.ds.value(node, EV.countedItem)
        return _Figure(value, base, exponent, self.words(node), normalize_name(str(item)) if item is not None else None)


# --------------------------------------------------------------------------- per kind


@dataclass(frozen=True)
class _Field:
    """A field compared between a suggestion and a fact node: its column(s), the
    predicate it is stated with, and how values compare."""

    name: str
    predicate: URIRef
    how: str  # "figure", "concept", "year", "number" (a percentage), "place"
    unit_column: str | None = None


_FIELDS = {
    "alliances": (_Field("status", EV.status, "concept"), _Field("year", EV.year, "year")),
    "facilities": (
        _Field("capacity", EV.capacity, "figure", "capacity_unit"),
        _Field("status", EV.status, "concept"),
        _Field("target_year", EV.targetYear, "year"),
    ),
    "ownership": (_Field("share_percent", EV.sharePercent, "number"), _Field("year", EV.year, "year")),
    "observations": (_Field("value", EV.value, "figure", "unit"),),
}


def _year(text) -> str | None:
    match = re.search(r"\b(\d{4})\b", str(text or ""))
    return match.group(1) if match else None


def _agree(read: _Reader, field: _Field, mine, theirs) -> bool | None:
    """Whether two values of a field agree: True, False, or None (not comparable).
    ``mine`` and ``theirs`` are rdflib terms or, for a suggestion, its cell text(s)."""
    if field.how == "figure":
        a, b = mine, theirs
        if a is None or b is None:
            return None
        return _same_figure(a, b)
    if field.how == "concept":
        return None if mine is None or theirs is None else mine == theirs
    if field.how == "year":
        a, b = _year(mine), _year(theirs)
        return None if a is None or b is None else a == b
    a, b = _decimal(mine) if mine is not None else None, _decimal(theirs) if theirs is not None else None
    if a is None or b is None:
        return None
    return _same_figure(_Figure(a, "n", 0, str(mine)), _Figure(b, "n", 0, str(theirs)))


def _graph_value(read: _Reader, field: _Field, value):
    """A node's value of a field, in the form :func:`_agree` compares."""
    if field.how == "figure":
        return read.figure(value)
    if field.how == "number":
        return value.toPython() if isinstance(value, Literal) else None
    return value


def _suggested_value(read: _Reader, field: _Field, fields: dict):
    """A suggestion's value of a field, in the form :func:`_agree` compares, and in words."""
    cell = (fields.get(field.name) or "").strip()
    if not cell:
        return None, None
    if field.how == "figure":
        figure = _figure_of_fields(cell, fields.get(field.unit_column or "") or None, fields.get("counted_item") or None)
        return figure, figure.text if figure else cell
    if field.how == "concept":
        return read.concept(cell, EV.StatusScheme), cell
    if field.how == "number":
        return cell, f"{cell}%"
    return cell, cell


# --------------------------------------------------------------------------- candidates


def _facility_candidates(read: _Reader, operator: URIRef, location: URIRef, cls: URIRef | None) -> list[URIRef]:
    found = []
    for node in sorted(set(read.ds.subjects(EV.operator, operator)), key=str):
        places = [p for p in read.ds.objects(node, EV.locatedIn) if isinstance(p, URIRef)]
        if any(read.within(p, location) for p in places) and read.compatible_class(node, cls):
            found.append(node)
    return found


def _alliance_candidates(read: _Reader, partners: set[URIRef]) -> list[URIRef]:
    first = next(iter(sorted(partners, key=str)))
    found = []
    for node in sorted(set(read.ds.subjects(EV.partner, first)), key=str):
        if set(read.ds.objects(node, EV.partner)) == partners:
            found.append(node)
    return found


def _stake_candidates(read: _Reader, owner: URIRef, owned: URIRef) -> list[URIRef]:
    return sorted((n for n in set(read.ds.subjects(EV.owner, owner)) if (n, EV.ownedEntity, owned) in read.ds), key=str)


def _observation_key_matches(read: _Reader, node, year: str | None, period: str | None) -> bool:
    their_year = _year(read.ds.value(node, EV.year)) or (
        _year(read.ds.value(node, EV.period)) if re.fullmatch(r"\d{4}", str(read.ds.value(node, EV.period) or "")) else None
    )
    their_period = read.ds.value(node, EV.period)
    if year is not None:
        if their_year is not None:
            return their_year == year
        return their_period is not None and normalize_name(str(their_period)) == normalize_name(period or year)
    if period is not None:
        return their_period is not None and normalize_name(str(their_period)) == normalize_name(period)
    return True


def _observation_candidates(read: _Reader, area: URIRef, indicator: URIRef, year, period) -> list[URIRef]:
    return sorted(
        (
            n for n in set(read.ds.subjects(EV.area, area))
            if (n, EV.indicator, indicator) in read.ds and _observation_key_matches(read, n, year, period)
        ),
        key=str,
    )


# --------------------------------------------------------------------------- compare_fact


def compare_fact(kb: KnowledgeBase, kind: str, fields: dict[str, str], links: dict[str, str | None]) -> tuple[str, list[dict]]:
    """Compare a candidate fact with the knowledge base: is it new, known (corroborated)
    or in conflict with what the graph holds?

    Parameters
    ----------
    kb : KnowledgeBase
    kind : str
        One of :data:`KINDS`.
    fields : dict
        The fact in the columns of ``evkg import --kind KIND`` (``based-in``:
        organization, country; ``located-in``: place, country), values as CSV cells.
    links : dict
        The entity columns mapped to the IRI each resolves to, None for a new entity.
        A column missing from ``links`` is resolved by name.

    Returns
    -------
    (status, matches)
        ``("new", [])`` when the graph holds no fact about the same entities and
        relation (or an entity is new); ``("known", matches)`` when it holds the fact
        and nothing disagrees, each match ``{"iri", "label", "sources": [{"source",
        "title", "date", "quote"}]}``, with ``"fact"`` (the fact node's IRI, for the
        import column of that name) when the graph holds the fact as a node; ``("conflicts", matches)`` when it holds the
        fact with another figure, status, year or home country, one match per field
        that differs: ``{"iri", "label", "field", "value" (the graph's), "suggested",
        "sources"}``. ``iri`` is the fact node, or for a plain triple its subject.

    Raises
    ------
    InputError
        An unknown kind.

    Examples
    --------
    >>> import evkg
    >>> kb = evkg.load()
    >>> status, matches = compare_fact(kb, "alliances", {"partner_1": "Toyota", "partner_2": "BYD"}, {})
    >>> status, matches[0]["label"], matches[0]["sources"][0]["date"]
    ('known', 'Toyota–BYD co-development', '2025-07')
    >>> status, matches = compare_fact(kb, "alliances", {"partner_1": "Toyota", "partner_2": "BYD", "status": "planned"}, {})
    >>> status, matches[0]["field"], matches[0]["value"], matches[0]["suggested"]
    ('conflicts', 'status', 'active', 'planned')
    """
    if kind not in KINDS:
        raise InputError(f"unknown kind of fact {kind!r}; use one of: {', '.join(KINDS)}.")
    read = _Reader(kb)
    fields = {k: ("" if v is None else str(v)) for k, v in fields.items()}
    return {
        "alliances": _compare_alliance,
        "facilities": _compare_facility,
        "ownership": _compare_stake,
        "observations": _compare_observation,
        "based-in": _compare_based_in,
        "located-in": _compare_located_in,
    }[kind](read, fields, links or {})


def _match(read: _Reader, node: URIRef) -> dict:
    # "fact": the fact node a restating import row names in its `fact` column
    return {"iri": str(node), "label": read.kb.label_of(node), "fact": str(node),
            "sources": read.source_dicts(read.kb.node_citations(str(node)))}


def _compare_nodes(read: _Reader, kind: str, nodes: list[URIRef], fields: dict, *, may_conflict: bool = True) -> tuple[str, list[dict]]:
    """Known when some node agrees on every field both give; else the conflicts."""
    known, conflicts = [], []
    for node in nodes:
        differences = []
        for field in _FIELDS[kind]:
            mine, suggested = _suggested_value(read, field, fields)
            if mine is None:
                continue
            values = sorted(read.ds.objects(node, field.predicate), key=str)
            verdicts = [_agree(read, field, mine, _graph_value(read, field, value)) for value in values]
            if True in verdicts:
                continue  # one of the sources that give this field agrees
            for value, verdict in zip(values, verdicts):
                if verdict is False:
                    differences.append({
                        "iri": str(node), "label": read.kb.label_of(node), "field": field.name,
                        "value": read.words(value, field), "suggested": suggested,
                        "sources": read.source_dicts(read.statement_citations(node, field.predicate, value)),
                    })
        if differences:
            conflicts.extend(differences)
        else:
            known.append(_match(read, node))
    if known:
        return "known", known
    if conflicts and may_conflict:
        return "conflicts", conflicts
    return "new", []


def _triple_match(read: _Reader, subject, predicate, obj) -> dict:
    return {
        "iri": str(subject), "label": read.kb.label_of(subject),
        "sources": read.source_dicts(read.kb.citations(subject, predicate, obj)),
    }


def _compare_alliance(read, fields, links):
    columns = sorted((c for c in fields if re.fullmatch(r"partner_[0-9]+", c) and fields[c].strip()),
                     key=lambda c: int(c.split("_")[1]))
    partners = [read.iri(fields, links, c) for c in columns]
    if len(partners) < 2 or any(p is None for p in partners):
        return "new", []
    nodes = _alliance_candidates(read, set(partners))
    if nodes:
        return _compare_nodes(read, "alliances", nodes, fields)
    if len(set(partners)) == 2:
        a, b = partners
        for s, o in ((a, b), (b, a)):
            if (s, EV.partnerOf, o) in read.ds:
                return "known", [_triple_match(read, s, EV.partnerOf, o)]
    return "new", []


def _compare_facility(read, fields, links):
    operator, location = read.iri(fields, links, "operator"), read.iri(fields, links, "location")
    if operator is None or location is None:
        return "new", []
    nodes = _facility_candidates(read, operator, location, read.ontology_class(fields.get("type")))
    return _compare_nodes(read, "facilities", nodes, fields)


def _compare_stake(read, fields, links):
    owner, owned = read.iri(fields, links, "owner"), read.iri(fields, links, "owned")
    if owner is None or owned is None:
        return "new", []
    nodes = _stake_candidates(read, owner, owned)
    if nodes:
        return _compare_nodes(read, "ownership", nodes, fields)
    for predicate in (EV.ownedBy, EV.subsidiaryOf):
        if (owned, predicate, owner) in read.ds:
            return "known", [_triple_match(read, owned, predicate, owner)]
    return "new", []


def _compare_observation(read, fields, links):
    area = read.iri(fields, links, "area")
    indicator = read.concept(fields.get("indicator"), EV.IndicatorScheme)
    if area is None or indicator is None:
        return "new", []
    period = fields.get("period", "").strip() or None
    year = _year(fields.get("year")) or (period if period and re.fullmatch(r"\d{4}", period) else None)
    nodes = _observation_candidates(read, area, indicator, year, period)
    # Without a year or period, a figure that differs may be another period's: no conflict.
    return _compare_nodes(read, "observations", nodes, fields, may_conflict=bool(year or period))


def _compare_place(read, subject, suggested, predicate, field) -> tuple[str, list[dict]]:
    stated = sorted((o for o in read.ds.objects(subject, predicate) if isinstance(o, URIRef)), key=str)
    agreeing = [o for o in stated if read.within(o, suggested)]
    if agreeing:
        return "known", [_triple_match(read, subject, predicate, o) for o in agreeing]
    if not read.is_country(suggested):
        return "new", []
    conflicts = []
    for other in stated:
        countries = read.countries_of(other)
        if countries and suggested not in countries:
            conflicts.append({
                "iri": str(subject), "label": read.kb.label_of(subject), "field": field,
                "value": read.kb.label_of(other), "suggested": read.kb.label_of(suggested),
                "sources": read.source_dicts(read.kb.citations(subject, predicate, other)),
            })
    return ("conflicts", conflicts) if conflicts else ("new", [])


def _compare_based_in(read, fields, links):
    organization, country = read.iri(fields, links, "organization"), read.iri(fields, links, "country")
    if organization is None or country is None:
        return "new", []
    return _compare_place(read, organization, country, EV.basedIn, "country")


def _compare_located_in(read, fields, links):
    place, country = read.iri(fields, links, "place"), read.iri(fields, links, "country")
    if place is None or country is None:
        return "new", []
    if country in read.containers(place) and (place, EV.locatedIn, country) not in read.ds:
        # Within it by way of another place or a membership: cite the first step.
        for outer in sorted(read.ds.objects(place, EV.locatedIn), key=str):
            if isinstance(outer, URIRef) and country in read.containers(outer):
                return "known", [_triple_match(read, place, EV.locatedIn, outer)]
        for outer in sorted(read.ds.objects(place, EV.memberOf), key=str):
            if isinstance(outer, URIRef) and country in read.containers(outer):
                return "known", [_triple_match(read, place, EV.memberOf, outer)]
    return _compare_place(read, place, country, EV.locatedIn, "country")


# --------------------------------------------------------------------------- find_conflicts


@dataclass(frozen=True)
class _Claim:
    """One graph's value of one field of one fact."""

    graph: URIRef
    node: URIRef
    value: object  # the rdflib term as stated
    compared: object  # the form _agree compares


def find_conflicts(kb: KnowledgeBase) -> list[Conflict]:
    """The facts on which sources (named graphs) disagree, across the whole knowledge base.

    The same fact (see the module's table: the same plant by operator and country, the
    same partners, owner and owned, area, indicator and year, an organization's home
    country, a place's country) with another figure, status or year, or another home
    country or country, in two graphs. Each conflict lists every graph's side, with its
    quote, source and source date, newest first; conflicts come newest first (by their
    newest source's date, then by what they are about).

    Examples
    --------
    >>> import evkg
    >>> [c.field for c in find_conflicts(evkg.load())]
    []
    """
    read = _Reader(kb)
    conflicts = [*_node_conflicts(read), *_place_conflicts(read, EV.basedIn, "based-in"),
                 *_place_conflicts(read, EV.locatedIn, "located-in")]
    conflicts.sort(key=lambda c: (c.about.casefold(), c.field, c.about_iri))
    conflicts.sort(key=lambda c: c.newest, reverse=True)
    return conflicts


def _quads(read: _Reader, subject, predicate) -> Iterator[tuple[object, URIRef]]:
    for _, _, value, graph in read.ds.quads((subject, predicate, None, None)):
        name = graph.identifier if hasattr(graph, "identifier") else graph
        if isinstance(name, URIRef):
            yield value, name


def _fact_groups(read: _Reader) -> Iterator[tuple[str, list[URIRef]]]:
    """Fact nodes grouped by the fact they state, per kind."""
    ds = read.ds
    groups: dict[tuple, set[URIRef]] = defaultdict(set)
    for node in set(ds.subjects(EV.operator, None)):
        if not isinstance(node, URIRef):
            continue
        for operator in ds.objects(node, EV.operator):
            for place in ds.objects(node, EV.locatedIn):
                for country in read.countries_of(place) or {place}:
                    groups[("facilities", operator, country)].add(node)
    for node in set(ds.subjects(EV.partner, None)):
        partners = frozenset(ds.objects(node, EV.partner))
        if isinstance(node, URIRef) and len(partners) >= 2:
            groups[("alliances", partners)].add(node)
    for node in set(ds.subjects(EV.owner, None)):
        for owner in ds.objects(node, EV.owner):
            for owned in ds.objects(node, EV.ownedEntity):
                groups[("ownership", owner, owned)].add(node)
    for node in set(ds.subjects(EV.area, None)):
        period = ds.value(node, EV.period)
        when = _year(ds.value(node, EV.year)) or (normalize_name(str(period)) if period is not None else None)
        if when is None:
            continue  # a figure of no stated period is no one figure to disagree with
        for area in ds.objects(node, EV.area):
            for indicator in ds.objects(node, EV.indicator):
                groups[("observations", area, indicator, when)].add(node)
    for key, nodes in sorted(groups.items(), key=lambda kv: [str(k) for k in kv[0][1:]]):
        yield key[0], sorted(nodes, key=str)


def _node_conflicts(read: _Reader) -> Iterator[Conflict]:
    seen: set[tuple] = set()
    for kind, nodes in _fact_groups(read):
        for field in _FIELDS[kind]:
            claims = [
                _Claim(graph, node, value, _graph_value(read, field, value))
                for node in nodes
                for value, graph in _quads(read, node, field.predicate)
            ]
            if kind == "facilities":
                claims = _compatible_claims(read, claims)
            if not _disagree(read, field, claims):
                continue
            key = (field.name, frozenset((c.graph, c.node, c.value) for c in claims if not isinstance(c.value, BNode)),
                   frozenset(c.node for c in claims))
            if key in seen:
                continue
            seen.add(key)
            yield _conflict(read, kind, field, claims)


def _compatible_claims(read: _Reader, claims: list[_Claim]) -> list[_Claim]:
    """Facilities of the same operator and country compare only when their classes do."""
    nodes = {c.node for c in claims}
    keep = {n for n in nodes if any(m != n and _classes_compatible(read, n, m) for m in nodes)} or nodes
    if len(nodes) == 1:
        return claims
    return [c for c in claims if c.node in keep]


def _classes_compatible(read: _Reader, a: URIRef, b: URIRef) -> bool:
    return any(read.compatible_class(a, kind) for kind in read.ds.objects(b, RDF.type) if isinstance(kind, URIRef))


def _disagree(read: _Reader, field: _Field, claims: list[_Claim]) -> bool:
    """Whether two graphs give values of which none agree (a graph that gives several
    values agrees with another that gives one of them)."""
    by_graph: dict[URIRef, list[_Claim]] = defaultdict(list)
    for claim in claims:
        by_graph[claim.graph].append(claim)
    for first, second in itertools.combinations(sorted(by_graph), 2):
        verdicts = [_agree(read, field, a.compared, b.compared) for a in by_graph[first] for b in by_graph[second]]
        comparable = [v for v in verdicts if v is not None]
        if comparable and not any(comparable):
            return True
    return False


def _side(read: _Reader, claim: _Claim, predicate: URIRef, value_text: str) -> Side:
    citations = read.statement_citations(claim.node, predicate, claim.value)
    mine = [c for c in citations if c.graph == str(claim.graph)] or citations
    quoted = next((c for c in mine if c.quote), mine[0] if mine else None)
    source = (quoted.source if quoted else "") or str(claim.graph)
    return Side(
        value=value_text, fact=str(claim.node), fact_label=read.kb.label_of(claim.node), graph=str(claim.graph),
        source=source, title=quoted.title if quoted else read.kb.graph_title(str(claim.graph)),
        date=read.date(source), quote=quoted.quote if quoted else None,
    )


def _conflict(read: _Reader, kind: str, field: _Field, claims: list[_Claim], about=None) -> Conflict:
    sides = {_side(read, c, field.predicate, read.words(c.value, field)) for c in claims}
    ordered = sorted(sides, key=lambda s: (s.title.casefold(), s.value, s.fact))
    ordered.sort(key=lambda s: s.date or "", reverse=True)
    subject = about if about is not None else min((c.node for c in claims), key=str)
    labels = sorted({read.kb.label_of(c.node) for c in claims}) if about is None else [read.kb.label_of(about)]
    return Conflict(kind=kind, about=" / ".join(labels), about_iri=str(subject), field=field.name, sides=tuple(ordered))


def _place_conflicts(read: _Reader, predicate: URIRef, kind: str) -> Iterator[Conflict]:
    """Subjects whose home country (based-in) or country (located-in) two graphs give
    differently: places that are not the same, nor one within the other."""
    by_subject: dict[URIRef, list[_Claim]] = defaultdict(list)
    for subject, _, value, graph in read.ds.quads((None, predicate, None, None)):
        name = graph.identifier if hasattr(graph, "identifier") else graph
        if isinstance(subject, URIRef) and isinstance(value, URIRef) and isinstance(name, URIRef):
            by_subject[subject].append(_Claim(name, subject, value, value))
    for subject in sorted(by_subject, key=str):
        claims = by_subject[subject]
        if len({c.graph for c in claims}) < 2:
            continue
        if _places_disagree(read, claims):
            yield _conflict(read, kind, _Field("country", predicate, "place"), claims, about=subject)


def _places_disagree(read: _Reader, claims: list[_Claim]) -> bool:
    by_graph: dict[URIRef, set[URIRef]] = defaultdict(set)
    for claim in claims:
        by_graph[claim.graph].add(claim.value)
    for first, second in itertools.combinations(sorted(by_graph), 2):
        pairs = [(a, b) for a in by_graph[first] for b in by_graph[second]]
        if any(read.within(a, b) for a, b in pairs):
            continue
        countries_a = set().union(*(read.countries_of(a) for a in by_graph[first]))
        countries_b = set().union(*(read.countries_of(b) for b in by_graph[second]))
        if countries_a and countries_b and not countries_a & countries_b:
            return True
    return False
