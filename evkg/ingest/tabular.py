"""Import spreadsheets: CSV rows of alliances, facilities, ownership stakes, observations,
home countries, where places are, and new organizations and places, mapped to the evkg
ontology and checked against its SHACL shapes before anything is returned.

Each kind of table has a layout, :data:`LAYOUTS` (``evkg import --kind KIND --columns``
prints it). Every row is one sourced fact, and these rules hold for every kind:

- ``source`` and ``quote`` are required on every row: the document the fact comes from
  (a source in the knowledge base, or the URL of a new document with ``source_title``)
  and the sentence it rests on, verbatim.
- Entity columns take a label (``CATL``), a prefixed name (``company:catl``) or an IRI,
  resolved as :meth:`KnowledgeBase.entity` resolves names. A name the knowledge base does
  not know is an error, unless the column's ``_type`` companion (``partner_1_type``,
  ``operator_type``, ``owner_type``, ``owned_type``, ``area_type``, ``organization_type``,
  ``place_type``) gives the class of a new organization or place; later rows may then
  name it without the type. An ``entities`` table declares new organizations and places
  with their class and country; load its Turtle with ``--data`` and later tables name them.
- Home countries (``based-in``) and where places are (``located-in``) are plain triples,
  each with an ``ev:Evidence`` node that holds its quote and source, as the seeds have them.
- Figures are numbers (``2.5``, ``150000``, ``150,000``) with an explicit unit column:
  a name of :mod:`evkg.ontology.units` (``GWh`` is ``unit:GigaW-HR``) or any ISO 4217
  currency code (``EUR`` is ``unit:CCY_EUR``).
- ``confidence``, the review column ``evkg suggest`` writes, is accepted on every kind and ignored.
- Statuses, product types and indicators come from the ontology's concept schemes;
  years are ``xsd:gYear``; ``source_date`` is ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear``.
- Fact and entity IRIs are minted as ``https://w3id.org/evkg/id/{type}/{slug}`` from the
  label, so the same table gives the same graph; a label whose IRI is already taken is an
  error.
- The file is UTF-8, with or without a byte-order mark, separated by commas, semicolons
  or tabs (as its header line shows). Column names ignore case, and spaces or hyphens
  count as underscores. Rows are numbered as a spreadsheet shows them: the header is row 1.

Nothing is returned unless every row is valid: :func:`import_csv` raises one
:class:`~evkg.errors.TableError` listing each problem with its row, column and value.

Examples
--------
>>> LAYOUTS["ownership"].required
('owner', 'owned', 'source', 'quote')
>>> sorted(LAYOUTS)
['alliances', 'based-in', 'entities', 'facilities', 'located-in', 'observations', 'ownership']
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import difflib
import gc
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import IO

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH, SKOS, XSD

from ..errors import AmbiguousEntity, TableError, UnknownEntity
from ..export import serialize_dataset
from ..kb import KnowledgeBase, normalize_name
from ..loading import default_graph
from ..ontology import EV, ID, PREFIXES, QUDT, SHAPES_PATH, UNIT, entity_iri
from .conformance import GraphView, ShapeCheck, Unsupported

__all__ = ["CURRENCY_NOTE", "KINDS", "LAYOUTS", "Column", "Layout", "collection_paused", "import_csv", "serialize_graph", "known_units"]


# --------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class Column:
    """One column of a layout: its name, whether every row needs it, and what it holds.

    A name ending in ``_N`` stands for numbered columns (``partner_3``, ``partner_4`` ...).
    """

    name: str
    help: str
    required: bool = False


@dataclass(frozen=True)
class Layout:
    """The CSV layout of one kind of fact."""

    kind: str
    help: str
    columns: tuple[Column, ...]

    @property
    def required(self) -> tuple[str, ...]:
        """The columns every file of this kind must have."""
        return tuple(c.name for c in self.columns if c.required)

    def accepts(self, name: str) -> bool:
        """Whether ``name`` (normalized) is a column of this layout."""
        return any(_column_pattern(c.name).fullmatch(name) for c in self.columns)


def _column_pattern(name: str) -> re.Pattern[str]:
    return re.compile(re.escape(name).replace("_N", r"_[1-9][0-9]*"))


_NEW_ORGANIZATION = (
    "For a new organization: its class, e.g. company, automaker, battery maker "
    "(ev:Organization or a subclass). Leave empty to name one the knowledge base has."
)
_NEW_PLACE = (
    "For a new place: its class, e.g. subdivision, city, province, port, region "
    "(ev:Place or a subclass). Leave empty to name one the knowledge base has."
)
_ENTITY = "a label (CATL), prefixed name (company:catl) or IRI"

_COMMON = (
    Column(
        "source",
        "Where the fact comes from: a source in the knowledge base (src:000_2f9e7fe2686975ec, "
        "its article id or its title), or the URL (http:, https: or urn:) of a new document.",
        required=True,
    ),
    Column("source_title", "The title of a new source; needed on at least one row that names it."),
    Column("source_date", "A new source's date: 2025-07-14 (xsd:date), 2025-07 (xsd:gYearMonth) or 2025 (xsd:gYear)."),
    Column("quote", "The sentence of the source the fact rests on, verbatim (8 characters or more).", required=True),
    Column("description", "A short description of the fact in the source's terms."),
    Column(
        "confidence",
        "Ignored on import: the review column `evkg suggest` writes (0 to 1, how sure the "
        "suggestion is). Keep it or delete it.",
    ),
)
_LABEL = Column("label", "The fact's name, from which its IRI is made. Default: made from the row.")
_FACT = Column(
    "fact",
    "A fact the knowledge base already holds that this row states again (its IRI, prefixed "
    "name or label; `evkg suggest` fills it for a known fact): the row's source and quote "
    "become one more source of that fact, with what the row says of it, instead of a new fact.",
)

_FIGURE_UNIT = "The unit of the figure, needed with a number: GWh, per year, count, %, USD ... (see the units below)."

LAYOUTS: dict[str, Layout] = {
    "alliances": Layout(
        "alliances",
        "Partnerships between organizations (ev:Partnership): one row per alliance, joint venture or co-development.",
        (
            Column("partner_1", f"A partner: {_ENTITY} of an organization.", required=True),
            Column("partner_2", "Another partner, as partner_1.", required=True),
            Column("partner_N", "More partners: partner_3, partner_4 ..."),
            Column("partner_N_type", _NEW_ORGANIZATION),
            Column("type", "alliance (the default), joint venture, co-development or partnership."),
            Column("status", "From the status scheme: announced, planned, under construction, operating, active."),
            Column("product_type", "What it is about, from the product type scheme: BEV, battery cell, software ..."),
            Column("market", "A market it targets: a country or region in the knowledge base."),
            Column("year", "The year the source gives for it (xsd:gYear), e.g. 2025."),
            _LABEL,
        )
        + (_FACT,)
        + _COMMON,
    ),
    "facilities": Layout(
        "facilities",
        "Plants, lines and offices (ev:Facility): one row per facility.",
        (
            Column("name", "The facility's name, from which its IRI is made.", required=True),
            Column("type", "vehicle plant, battery cell plant, battery pack line, headquarters, or facility (the default)."),
            Column("operator", f"Who runs it: {_ENTITY} of an organization or venture.", required=True),
            Column("operator_type", _NEW_ORGANIZATION),
            Column("location", "Where it is: a country, region or other place in the knowledge base.", required=True),
            Column("status", "From the status scheme: announced, planned, under construction, operating, active."),
            Column("produces", "What it makes, from the product type scheme: battery cell, BEV, PHEV ..."),
            Column("capacity", "Its rated or planned output, a number: 2.5, 150000."),
            Column("capacity_unit", _FIGURE_UNIT),
            Column("counted_item", "What a count unit counts: vehicles, packs."),
            Column("capacity_wording", "The capacity as the source words it when it is approximate (about 10 GWh)."),
            Column("target_date", "When it is slated for, as the source words it: late 2026."),
            Column("target_year", "The year of the target date (xsd:gYear): 2026."),
        )
        + (_FACT,)
        + _COMMON,
    ),
    "ownership": Layout(
        "ownership",
        "Stakes one organization holds in another (ev:OwnershipStake): one row per stake.",
        (
            Column("owner", f"The holder: {_ENTITY} of an organization.", required=True),
            Column("owner_type", _NEW_ORGANIZATION),
            Column("owned", "The organization the stake is in, as owner.", required=True),
            Column("owned_type", _NEW_ORGANIZATION),
            Column("share_percent", "The share in percent, from 0 to 100, where the source gives a number."),
            Column("share_wording", "The share as the source words it: nearly half. Give this, share_percent, or both."),
            Column("year", "The year the stake refers to (xsd:gYear)."),
            _LABEL,
        )
        + (_FACT,)
        + _COMMON,
    ),
    "observations": Layout(
        "observations",
        "Figures of a statistic (ev:Observation): one row per area, indicator and period.",
        (
            Column("area", f"What the figure is about: {_ENTITY} of a country, region, port or organization.", required=True),
            Column("area_type", _NEW_ORGANIZATION),
            Column("indicator", "What it measures, from the indicator scheme: vehicle exports, EV battery production capacity ...", required=True),
            Column("value", "The figure, a number: 421000, 6.9."),
            Column("unit", _FIGURE_UNIT),
            Column("counted_item", "What a count unit counts: vehicles."),
            Column("value_wording", "The figure as the source words it when it is approximate (nearly three-quarters)."),
            Column("period", "The period as the source words it: 2024, May, January to May."),
            Column("year", "The calendar year (xsd:gYear)."),
            Column("growth_rate", "A growth rate in percent: 38.6."),
            Column("growth_comparison", "What the growth rate compares against: year-on-year."),
            Column("growth_period", "The period of the growth rate: 2023-2027."),
            Column("product_type", "The kind of product counted, from the product type scheme: NEV, BEV ..."),
            Column("destination", "For exports: the market the shipments go to (a place in the knowledge base)."),
            Column("reported_by", f"Whose data it is: {_ENTITY}."),
            _LABEL,
        )
        + (_FACT,)
        + _COMMON,
    ),
    "based-in": Layout(
        "based-in",
        "Home countries of organizations (ev:basedIn): one row per organization and country the source gives.",
        (
            Column("organization", f"The organization: {_ENTITY}.", required=True),
            Column("organization_type", _NEW_ORGANIZATION),
            Column("country", "Its home country: a country (China, CN, country:cn).", required=True),
        )
        + _COMMON,
    ),
    "located-in": Layout(
        "located-in",
        "Where places are (ev:locatedIn): one row per place and the country or region the source puts it in.",
        (
            Column("place", f"The place: {_ENTITY} of a subdivision, city, port or region.", required=True),
            Column("place_type", _NEW_PLACE),
            Column("country", "The country or region it is in (Hungary, Southeast Asia).", required=True),
        )
        + _COMMON,
    ),
    "entities": Layout(
        "entities",
        "New organizations and places: one row per entity, with its class and its country; "
        "later tables (loaded with --data) name it by its name or other names.",
        (
            Column("name", "The entity's name, from which its IRI is made (company/, organization/, place/, region/ or port/).", required=True),
            Column(
                "class",
                "What it is: an organization class (company, automaker, battery maker, government body ...) "
                "or a place class (subdivision, city, province, state, port, region, place); a label or a "
                "prefixed name such as ev:BatteryMaker.",
                required=True,
            ),
            Column(
                "country",
                "An organization's home country (ev:basedIn); the country or region a place is in "
                "(ev:locatedIn, needed for a subdivision, city or port). A country, region, or an entity of another row.",
            ),
            Column("other_names", "Other names it goes by, separated by ';': CATL; Contemporary Amperex Technology."),
        )
        + _COMMON,
    ),
}

#: The kinds of table :func:`import_csv` reads.
KINDS: tuple[str, ...] = tuple(LAYOUTS)

# Classes whose instances get their IRI under id/{segment}/, most specific first.
_SEGMENTS = (
    (EV.Company, "company"),
    (EV.IndustryGroup, "group"),
    (EV.Organization, "organization"),
    (EV.Region, "region"),
    (EV.Port, "port"),
    (EV.Place, "place"),
)
# Classes a table may not create: countries come from the reference data (every ISO
# 3166-1 country is there), facilities and corridors are facts with kinds of their own.
_NOT_CREATABLE = (EV.Country, EV.Facility, EV.TradeCorridor)
# Words for a place class that the ontology files under ev:Subdivision ("a province,
# autonomous region or city within a country").
_PLACE_WORDS = {
    word: EV.Subdivision
    for word in ("city", "town", "province", "state", "prefecture", "municipality", "district", "county", "autonomous region")
}
_FACT_SEGMENTS = {"alliances": "partnership", "facilities": "facility", "ownership": "stake", "observations": "observation"}
#: The class a restated fact must have, by the class of the kind's row.
_FACT_BASES = (EV.Partnership, EV.Facility, EV.OwnershipStake, EV.Observation)
_OUTPUT_PREFIXES = {
    **PREFIXES,
    "stake": str(ID["stake/"]),
    "observation": str(ID["observation/"]),
    "place": str(ID["place/"]),
    "port": str(ID["port/"]),
}
# Entity columns whose ``_type`` companion may declare a new organization.
_CREATABLE = re.compile(r"(partner_[1-9][0-9]*|operator|owner|owned|area|organization|place)_type")
# Of those, the ones that declare a place, not an organization.
_PLACE_TYPES = frozenset({"place_type"})
_NEW_SOURCE = re.compile(r"^(https?://|urn:)[^\s<>\"{}|\\^`]+$", re.I)
_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?([eE][+-]?\d+)?$")
_MAX_SHOWN = 20


# --------------------------------------------------------------------------- public face


def import_csv(kb: KnowledgeBase, table: str | Path | IO[bytes], *, kind: str, name: str | None = None) -> Graph:
    """Read a CSV table of facts and return them as an rdflib ``Graph``.

    Every row is mapped to the ontology (see :data:`LAYOUTS` for the columns of each
    kind), its names resolved against ``kb``, and the whole result checked against the
    SHACL shapes. Nothing is returned unless every row is valid. The graph is new: add
    it to a store, or write it with :func:`serialize_graph`.

    Parameters
    ----------
    kb : KnowledgeBase
        Resolves entity names, sources, units and concepts.
    table : str, Path or binary file
        The CSV file (UTF-8, with or without a byte-order mark). The cells of a file in a
        review folder that ``evkg suggest`` wrote formula-safe are restored as the article
        has them (:func:`evkg.ingest.review.written_formula_safe`).
    kind : str
        One of :data:`KINDS`: ``alliances``, ``facilities``, ``ownership``, ``observations``,
        ``based-in``, ``located-in``, ``entities``.
    name : str, optional
        The name of the table in error messages (default: the file name).

    Returns
    -------
    rdflib.Graph
        The facts, the new organizations and the new sources of the table.

    Raises
    ------
    TableError
        Not UTF-8, a header without the required columns or with unknown ones, or rows
        with bad cells; ``problems`` lists each with its row, column and value.
    InputError
        An unknown ``kind``, or a file that does not exist.

    Examples
    --------
    >>> import io
    >>> import evkg
    >>> table = io.BytesIO(
    ...     b"owner,owner_type,owned,owned_type,share_percent,source,source_title,quote\\n"
    ...     b"Example Holding,company,Example Cells Ltd,battery maker,40,"
    ...     b"https://example.org/notes,Example notes,Example Holding owns 40% of Example Cells Ltd.\\n"
    ... )
    >>> rdf = import_csv(evkg.load(), table, kind="ownership")
    >>> for node, label in sorted(rdf.subject_objects(RDFS.label)):
    ...     print(node, label)
    https://example.org/notes Example notes
    https://w3id.org/evkg/id/company/example-cells-ltd Example Cells Ltd
    https://w3id.org/evkg/id/company/example-holding Example Holding
    https://w3id.org/evkg/id/stake/example-holdings-stake-in-example-cells-ltd Example Holding's stake in Example Cells Ltd
    >>> stake = next(rdf.subjects(RDF.type, EV.OwnershipStake))
    >>> rdf.value(stake, EV.sharePercent)
    rdflib.term.Literal('40.0', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
    """
    from ..errors import InputError

    if kind not in LAYOUTS:
        raise InputError(f"unknown kind of table {kind!r}; use one of {', '.join(KINDS)}.")
    if isinstance(table, (str, Path)):
        path = Path(table)
        if not path.is_file():
            raise InputError(f"{path}: no such file.")
        data = path.read_bytes()
        name = name or str(path)
    else:
        data = table.read()
        name = name or getattr(table, "name", None) or "the table"
    header, rows = _read_rows(data, name)
    if isinstance(table, (str, Path)):
        from ..export import undo_formula_safe
        from .review import written_formula_safe

        if written_formula_safe(path):
            rows = [(number, [undo_formula_safe(cell) for cell in cells]) for number, cells in rows]
    with collection_paused():
        return _Import(kb, LAYOUTS[kind], name).run(header, rows)


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cycle collector off for a while, as it was before afterwards.

    Each full collection walks every live object: with the hundreds of thousands of terms
    and triples a large table makes, that was about a fifth of the import's time, and
    none of them is garbage before the import ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def serialize_graph(rdf: Graph, *, comment: str | None = None) -> str:
    """Turtle for an imported graph: the same triples give the same bytes.

    ``comment`` becomes a ``#`` line at the top.

    Examples
    --------
    >>> rdf = Graph()
    >>> _ = rdf.add((ID["company/example"], RDFS.label, Literal("Example", lang="en")))
    >>> print(serialize_graph(rdf, comment="An example."), end="")
    # An example.
    PREFIX company: <https://w3id.org/evkg/id/company/>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    <BLANKLINE>
    company:example
        rdfs:label "Example"@en ;
    .
    """
    with collection_paused():
        text = _turtle(rdf)
    if comment:
        text = "".join(f"# {line}\n" for line in comment.splitlines()) + text
    return text


def _turtle(rdf: Graph) -> str:
    """Turtle for ``rdf``, the blank nodes named from their canonical labels."""
    labels = _canonical_labels(rdf)
    if labels is None:
        dataset = Dataset()
        target = default_graph(dataset)
        for triple in rdf:
            target.add(triple)
        return serialize_dataset(dataset, "ttl", prefixes=_OUTPUT_PREFIXES)
    else:
        # The blank nodes named as evkg.export names them (g0b0, g0b1 ... in the order of
        # their canonical labels), then the Turtle that evkg.export writes for one graph.
        rename = {node: BNode(f"g0b{number}") for number, node in enumerate(sorted(labels, key=labels.__getitem__))}
        namespaces = Graph(store="SimpleMemory")  # the prefixes of the output, no triples
        for prefix, namespace in _OUTPUT_PREFIXES.items():
            namespaces.bind(prefix, namespace)
        get = rename.get
        return _longturtle([(get(s, s), p, get(o, o)) for s, p, o in rdf], namespaces)


def _longturtle(triples: list[tuple], namespaces: Graph) -> str:
    """The bytes ``rdf.serialize(format="longturtle")`` writes (as text) for ``rdf``, a
    ``SimpleMemory`` graph with the prefixes of ``namespaces`` filled with ``triples``
    (distinct) in their order, written in one pass.

    rdflib's serializer asks its store for each subject's triples, works out the text of a
    term each time it meets it and writes piece by piece: on a large import that was half
    of the process's time. This follows its steps on a table of each subject's predicates
    and objects: the prefixed names asked for in the same order (so the same prefixes are
    declared or made), ``rdf:type`` and ``rdfs:label`` first and then predicates by IRI,
    objects and ``rdfs:Class`` subjects in rdflib's order, subjects by (blank node, times
    an object, text), a blank node that is the object of one triple nested in brackets,
    and each term's text computed once. Graphs outside those steps (an RDF list, a base
    IRI, a subject or predicate that is not an IRI or blank node) are left to rdflib (the
    triples are then added to ``namespaces``).

    Examples
    --------
    >>> ns = Graph(store="SimpleMemory")
    >>> ns.bind("company", str(ID["company/"]))
    >>> ns.bind("ev", str(EV))
    >>> value = BNode()
    >>> triples = [(ID["company/example"], RDFS.label, Literal("Example", lang="en")),
    ...            (ID["company/example"], EV.capacity, value), (value, RDF.type, EV.QuantityValue)]
    >>> print(_longturtle(triples, ns), end="")
    PREFIX company: <https://w3id.org/evkg/id/company/>
    PREFIX ev: <https://w3id.org/evkg/ontology#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    <BLANKLINE>
    company:example
        rdfs:label "Example"@en ;
        ev:capacity
            [
                a ev:QuantityValue ;
            ] ;
    .
    """
    from rdflib.plugins.serializers.longturtle import LongTurtleSerializer

    properties: dict = {}  # subject -> predicate -> objects, in the order of the triples
    references: dict = {}  # how often each term is an object
    for s, p, o in triples:
        by_predicate = properties.get(s)
        if by_predicate is None:
            by_predicate = properties[s] = {}
        objects = by_predicate.get(p)
        if objects is None:
            by_predicate[p] = [o]
        else:
            objects.append(o)
        references[o] = references.get(o, 0) + 1
    predicates = dict.fromkeys(p for by_predicate in properties.values() for p in by_predicate)
    if (
        namespaces.base is not None
        or RDF.first in predicates
        or not all(type(s) in _NAMED for s in properties)
        or not all(type(p) is URIRef for p in predicates)
    ):
        return _rdflib_longturtle(triples, namespaces)

    serializer = LongTurtleSerializer(namespaces)  # for its prefix names and the prefixes it declares
    # rdflib's preprocessing: the prefixed name of each IRI, in the order of the triples, so
    # that the same prefixes are declared (and generated, for predicates) in the same order.
    # Asking twice declares nothing new: each is asked once.
    asked: list = []
    for s, p, o in triples:
        if isinstance(s, URIRef):
            asked.append((s, False))
        if p not in _TYPES:  # rdf:type is written "a"
            asked.append((p, True))
        if isinstance(o, URIRef):
            asked.append((o, False))
        elif isinstance(o, Literal) and o.datatype is not None:
            asked.append((o.datatype, False))
    for iri, generate in dict.fromkeys(asked):
        serializer.get_pname(iri, generate)
    # Then, as rdflib writes, each name as it is once every prefix is there.
    pnames: dict = {}

    def pname(iri, generate: bool):
        key = (iri, generate)
        if key not in pnames:
            pnames[key] = serializer.get_pname(iri, generate)
        return pnames[key]

    names: dict = {}  # the text of each subject and object

    def name(node) -> str:
        text = names.get(node)
        if text is None:
            if node == RDF.nil:
                text = "()"
            elif isinstance(node, Literal):
                text = node._literal_n3(use_plain=True, qname_callback=lambda iri: pname(iri, False))
            else:
                text = pname(node, False) or node.n3()
            names[node] = text
        return text

    verbs = {p: "()" if p == RDF.nil else "a" if p == RDF.type else pname(p, True) or p.n3() for p in predicates}

    out: list[str] = []
    write = out.append
    done: set = set()
    first_two = (RDF.type, RDFS.label)

    def predicate_list(subject, depth: int) -> None:
        by_predicate = properties.get(subject)
        if not by_predicate:
            return
        for objects in by_predicate.values():
            if len(objects) > 1:
                objects.sort()
        order = [p for p in first_two if p in by_predicate]
        order += sorted((p for p in by_predicate if p not in first_two), key=str)
        indent = "    " * (depth + 1)
        write(indent)
        for number, predicate in enumerate(order):
            if number:
                write(" ;\n" + indent)
            write(verbs[predicate])
            object_list(by_predicate[predicate], depth)
        write(" ;")

    def object_list(objects: list, depth: int) -> None:
        depth += 1  # one deeper for a single object too: rdflib's ``(count == 1) and 0 or 1``
        if len(objects) == 1:
            write_object(objects[0], depth, False)
            return
        indent = "\n" + "    " * (depth + 1)
        write(" " if isinstance(objects[0], BNode) else indent)
        write_object(objects[0], depth, True)
        for node in objects[1:]:
            write(" ," if isinstance(node, BNode) else " ," + indent)
            write_object(node, depth, True)

    def write_object(node, depth: int, newline: bool) -> None:
        if isinstance(node, BNode) and node not in done and references.get(node, 0) <= 1:
            done.add(node)
            indent = "    " * (depth + 1)
            write("\n" + indent + "[\n")
            predicate_list(node, depth + 1)
            write("\n" + indent + "]")
        else:
            write(name(node) if newline else " " + name(node))

    a, rdfs_class = RDF.type, RDFS.Class
    classes = sorted(s for s, by_predicate in properties.items() if rdfs_class in by_predicate.get(a, ()))
    first = set(classes)
    rest = sorted(
        (s for s in properties if s not in first),
        key=lambda s: (isinstance(s, BNode), references.get(s, 0), str(s)),
    )
    for subject in classes + rest:
        if subject in done:
            continue
        done.add(subject)
        if isinstance(subject, BNode) and not references.get(subject, 0):
            write("\n[]")
        else:
            write("\n" + name(subject) + "\n")
        predicate_list(subject, 0)
        write("\n.\n")
    head = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in sorted(serializer.namespaces.items()))
    return (head + "".join(out)).encode("utf-8", "replace").decode("utf-8")


_NAMED = frozenset({URIRef, BNode})


def _rdflib_longturtle(triples: list[tuple], namespaces: Graph) -> str:
    """rdflib's longturtle of ``triples``, added to ``namespaces``, for the graphs that
    :func:`_longturtle` leaves to it."""
    for triple in triples:
        namespaces.add(triple)
    return namespaces.serialize(format="longturtle")


def known_units(kb: KnowledgeBase | None = None) -> dict[str, str]:
    """The units a table may use, each under the name a table gives it, sorted by name:
    the units of :data:`evkg.ontology.units.UNITS`, and the currencies ``kb`` uses (any
    other ISO 4217 code is accepted too). QUDT names (``unit:GigaW-HR``) are accepted too.

    Examples
    --------
    >>> import evkg
    >>> units = known_units(evkg.load())
    >>> units["GWh"], units["USD"]
    ('unit:GigaW-HR', 'unit:CCY_USD')
    """
    from ..ontology.units import UNITS, unit_name

    named = {unit_name(UNIT[local]): _compact(UNIT[local]) for local in UNITS}
    if kb is not None:
        used = {u for u in kb.dataset.objects(None, QUDT.hasUnit) if isinstance(u, URIRef)}
        named.update({unit_name(u): _compact(u) for u in used if _local(u).startswith("CCY_")})
    return dict(sorted(named.items(), key=lambda kv: kv[0].casefold()))


def _canonical_labels(rdf: Graph) -> dict[BNode, str] | None:
    """The canonical labels ``rdflib.compare.to_canonical_graph`` gives the blank nodes of
    ``rdf`` (``cb`` and a hex digest), in linear time, or None for a graph it cannot label
    so: one with a blank node linked to another blank node, or as a predicate.

    rdflib refines colours: it takes the IRIs and literals next to blank nodes one by one
    in the order of their N3 text, and each adds to the colour of every blank node beside
    it the SHA-256 of ``1 P X`` (blank node P X) or ``X P 3`` (X P blank node), until every
    blank node has a colour of its own. With no blank node beside another, only those
    additions change colours, so the colour of a blank node is the sum over the terms taken
    before the colouring came apart. Blank nodes that no term tells apart (the same quote
    of the same statement twice) are then told apart one at a time, as rdflib's search
    does: of k alike, one gets the hash of ``k`` added, another ``k - 1`` ... the last none.
    Each of rdflib's rounds looks at every blank node, which makes it quadratic; this
    gives its labels, so the same triples still give the same bytes.
    """
    beside: dict = {}
    nodes: set[BNode] = set()
    for s, p, o in rdf:
        if isinstance(p, BNode) or (isinstance(s, BNode) and isinstance(o, BNode)):
            return None
        if isinstance(s, BNode):
            nodes.add(s)
            beside.setdefault(o, []).append((s, f"1 {p.n3()} {o.n3()}"))
        elif isinstance(o, BNode):
            nodes.add(o)
            beside.setdefault(s, []).append((o, f"{s.n3()} {p.n3()} 3"))
    colour = dict.fromkeys(nodes, 0)
    sharing = {0: len(nodes)} if nodes else {}
    shared = 1 if len(nodes) > 1 else 0  # colours that more than one blank node has
    for term in sorted(beside, key=lambda t: t.n3()):
        if not shared:
            break
        added: dict[BNode, int] = {}
        for node, item in beside[term]:
            added[node] = added.get(node, 0) + _sha(item)
        for node, more in added.items():
            old = colour[node]
            new = colour[node] = old + more
            sharing[old] -= 1
            if sharing[old] == 1:
                shared -= 1
            sharing[new] = sharing.get(new, 0) + 1
            if sharing[new] == 2:
                shared += 1
    if shared:
        alike: dict[int, list[BNode]] = {}
        for node, value in colour.items():
            alike.setdefault(value, []).append(node)
        for value, group in alike.items():
            for index, node in enumerate(group[:-1]):
                colour[node] = value + _sha(str(len(group) - index))
    return {node: "cb%x" % value for node, value in colour.items()}


def _sha(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf8")).digest(), "big")


#: How the units line of ``evkg import --columns`` and unit errors end.
CURRENCY_NOTE = "or any ISO 4217 currency code (USD, EUR, CNY, JPY, KRW ... as unit:CCY_USD ...)"


# --------------------------------------------------------------------------- reading


def _read_rows(data: bytes, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Decode and split the table; return the header and (row number, cells) pairs."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError(
            f"{name}: is UTF-16, not UTF-8. Save it as 'CSV UTF-8' in your spreadsheet, or "
            f"convert it: iconv -f UTF-16 -t UTF-8 {name} > converted.csv",
            problems=[(None, None, None, "UTF-16, not UTF-8")],
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(data, exc, name) from None
    if not text.strip():
        raise TableError(f"{name}: is empty; the first line must be the header.")
    header, *body = _split(text, name)
    rows = [(number, cells) for number, cells in enumerate(body, start=2) if any(c.strip() for c in cells)]
    return header, rows


def _split(text: str, name: str) -> list[list[str]]:
    first = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=lambda d: (first.count(d), d == ","))
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise TableError(f"{name}: is not valid CSV ({exc}).") from None


def _not_utf8(data: bytes, exc: UnicodeDecodeError, name: str) -> TableError:
    """Name the row, column and cell that hold the first byte that is not UTF-8."""
    advice = (
        f"Save the file as 'CSV UTF-8' in your spreadsheet, or convert it, e.g. "
        f"iconv -f WINDOWS-1252 -t UTF-8 {name} > converted.csv"
    )
    byte = f"byte 0x{data[exc.start]:02x}"
    records = _split(data.decode("utf-8-sig", "surrogateescape"), name)
    columns = [_column_name(h) for h in records[0]]
    for number, cells in enumerate(records, start=1):
        for index, cell in enumerate(cells):
            if any("\udc80" <= c <= "\udcff" for c in cell):
                value = cell.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                column = columns[index] if number > 1 and index < len(columns) and columns[index] else f"#{index + 1}"
                problem = (number, column, value, f"is not UTF-8 ({byte}). {advice}")
                return TableError(f"{name}: is not UTF-8; nothing was imported.\n  {_describe(*problem)}", problems=[problem])
    line = data[: exc.start].count(b"\n") + 1
    return TableError(f"{name}, line {line}: is not UTF-8 ({byte}). {advice}", problems=[(None, None, None, "not UTF-8")])


def _column_name(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


def _key(text: str) -> str:
    """A name folded for matching terms: 'Under construction', 'UnderConstruction' and
    'under-construction' are the same."""
    return normalize_name(text).replace(" ", "")


def _slug(text: str) -> str:
    return normalize_name(text).replace(" ", "-")


def _local(iri) -> str:
    return re.split(r"[#/]", str(iri))[-1]


def _compact(iri) -> str:
    text = str(iri)
    for prefix, namespace in sorted(_OUTPUT_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return text


def _describe(row: int | None, column: str | None, value: str | None, message: str) -> str:
    parts = [f"row {row}"] if row is not None else []
    if column is not None:
        parts.append(f"column {column}")
    head = ", ".join(parts)
    if column is not None:
        head += f", value {value!r}" if value else " (empty)"
    return f"{head}: {message}" if head else message


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _decimal(number: Decimal) -> Literal:
    # xsd:decimal in the form the seeds use (150000.0, not 150000 or 1.5E+5)
    text = format(number, "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    return Graph().parse(SHAPES_PATH)


@lru_cache(maxsize=1)
def _shape_check() -> ShapeCheck | None:
    try:
        return ShapeCheck(_shapes())
    except Unsupported:
        return None  # shapes beyond the compiled subset: pyshacl alone


def _conforms(view) -> bool:
    """Whether every node of the data graph that the table makes (and every blank node of
    the knowledge base it includes) passes the compiled shapes; False when unsure."""
    check = _shape_check()
    if check is None:
        return False
    try:
        return all(check.conforms(view, node) for node in [*view.index, *view.described])
    except Unsupported:
        return False


class _DataView(GraphView):
    """The data graph that :meth:`_Import._check_shapes` validates, read without building it:
    the table's triples, the class and scheme hierarchies of the knowledge base, every
    triple of an entity of the knowledge base that a row states something about (its home
    country, where it is: checked whole, as the shapes see it in the knowledge base) with
    the blank nodes it points to, and the types of the other terms it names from there.
    What the table mints (facts, new entities, new sources) has no type in the knowledge
    base: only the terms it names from there are looked up.

    Nodes of the knowledge base that are in the data graph for their types alone are not
    tested: pyshacl's results for them are not the table's, and their values (types,
    superclasses, schemes) are no node of the table.
    """

    def __init__(self, job: _Import):
        super().__init__(job.rdf)
        self.ds = job.ds
        self.minted = job.minted.keys() | job.declared_iris.keys() | job.new_sources.keys()
        self.index: dict = {}
        for s, p, o in job.rdf:
            self.index.setdefault(s, {}).setdefault(p, []).append(o)
        self.described: set = set()
        for subject in self.index:
            if isinstance(subject, URIRef) and (subject, None, None) in self.ds:
                pending = [subject]
                while pending:
                    for o in self.ds.objects(pending.pop(), None):
                        if isinstance(o, BNode) and o not in self.described:
                            self.described.add(o)
                            pending.append(o)
                self.described.add(subject)
        self._kb: dict = {}

    def objects(self, node, predicate) -> list:
        """The objects of ``node`` and ``predicate`` (not to be changed by the caller)."""
        own = self.index.get(node, _NOTHING).get(predicate, _NONE)
        if not (
            node in self.described or predicate in _ALWAYS_LOOKED_UP
            or (predicate in _TYPES and isinstance(node, URIRef) and node not in self.minted)
        ):
            return own  # what the table mints has nothing in the knowledge base
        kb = self._kb.get((node, predicate))
        if kb is None:
            kb = self._kb[(node, predicate)] = list(self.ds.objects(node, predicate))
        if not kb:
            return own
        return list(dict.fromkeys([*own, *kb]))


_NOTHING: dict = {}
_NONE: list = []
_HIERARCHIES = (RDFS.subClassOf, SKOS.inScheme)
# Sets, not ``==`` or a tuple: a hash lookup instead of rdflib's ``__eq__`` (written in
# Python) per comparison, on the hundreds of thousands of lookups of a large table.
_ALWAYS_LOOKED_UP = frozenset(_HIERARCHIES)
_TYPES = frozenset({RDF.type})


# --------------------------------------------------------------------------- the import


@dataclass
class _Declared:
    """A new organization declared by a ``_type`` column."""

    iri: URIRef
    name: str
    kind: URIRef
    row: int


@dataclass
class _NewSource:
    iri: URIRef
    title: str = ""
    date: Literal | None = None
    first_row: int = 0


@dataclass
class _Row:
    """One row being mapped: its cells, and the triples it makes with their cells."""

    number: int
    cells: dict[str, str]
    triples: list[tuple] = field(default_factory=list)
    ok: bool = True

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


class _Import:
    def __init__(self, kb: KnowledgeBase, layout: Layout, name: str):
        self.kb = kb
        self.ds = kb.dataset
        self.layout = layout
        self.name = name
        self.rdf = Graph(store="SimpleMemory")  # one graph, no contexts: quicker to fill and read
        self.problems: list[tuple[int | None, str | None, str | None, str]] = []
        self.accepted: list[_Row] = []  # the rows whose triples are in self.rdf
        self.node_row: dict = {}
        self.declared: dict[str, _Declared] = {}
        self.new_sources: dict[URIRef, _NewSource] = {}
        self.sources: dict[str, URIRef | None] = {}
        self.minted: dict[URIRef, int] = {}
        self._supers: dict[URIRef, set[URIRef]] = {}
        # Indexes, so that each row costs the same however long the table is.
        self.declared_iris: dict[URIRef, _Declared] = {}
        self.declared_on_row: dict[int, list[_Declared]] = {}
        self._resolved: dict[str, URIRef | AmbiguousEntity | None] = {}
        self._indexes: dict[tuple, dict[str, URIRef]] = {}
        self._index_of: dict[int, tuple] = {}  # id(candidates) -> (candidates, index)
        self._classes: dict[tuple, set[URIRef]] = {}
        self._units: dict[str, str] | None = None
        self._labels: dict = {}

    # ----------------------------------------------------------------- driver

    def run(self, header: list[str], rows: list[tuple[int, list[str]]]) -> Graph:
        columns = self._check_header(header)
        if not rows:
            raise TableError(f"{self.name}: has a header but no rows; there is nothing to import.")
        table = []
        for number, cells in rows:
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                self.problem(number, None, None, f"has {len(cells)} cells but the header has {len(header)} columns.")
                continue
            for index, cell in enumerate(cells[: len(columns)]):
                if not columns[index] and cell.strip():
                    self.problem(number, None, None, f"has a value in column {index + 1}, which has no name in the header.")
            values = {col: cells[i].strip() for i, col in enumerate(columns) if col and i < len(cells)}
            table.append(_Row(number, values))
        self._declare(table)
        build = getattr(self, "_" + self.layout.kind.replace("-", "_"))
        add = self.rdf.add
        for row in table:
            build(row)
            if row.ok:
                self.accepted.append(row)
                for s, p, o, _ in row.triples:
                    add((s, p, o))
        if not self.problems:
            self._check_shapes()
        if self.problems:
            self._fail()
        return self.rdf

    def problem(self, row: int | None, column: str | None, value: str | None, message: str) -> None:
        self.problems.append((row, column, value, message))

    def row_problem(self, row: _Row, column: str | None, message: str) -> None:
        row.ok = False
        self.problem(row.number, column, row.get(column) if column else None, message)

    def _fail(self) -> None:
        problems = sorted(set(self.problems), key=lambda p: (p[0] or 0, self._column_order(p[1]), p[3]))
        lines = [_describe(*p) for p in problems]
        shown = lines[:_MAX_SHOWN]
        if len(lines) > _MAX_SHOWN:
            shown.append(f"... and {len(lines) - _MAX_SHOWN} more.")
        count = f"{len(lines)} problem{'s' if len(lines) != 1 else ''}"
        raise TableError(
            f"{self.name}: {count}; nothing was imported.\n" + "\n".join(f"  {line}" for line in shown),
            problems=problems,
        )

    def _column_order(self, column: str | None) -> int:
        for index, candidate in enumerate(self.layout.columns):
            if column and _column_pattern(candidate.name).fullmatch(column):
                return index
        return -1

    # ----------------------------------------------------------------- header

    def _check_header(self, header: list[str]) -> list[str]:
        names = [_column_name(h) for h in header]
        unknown = [h for h, n in zip(header, names) if n and not self.layout.accepts(n)]
        duplicates = sorted({n for n in names if n and names.count(n) > 1})
        missing = [c for c in self.layout.required if c not in names]
        numbered = {n for n in names if re.fullmatch(r"[a-z]+_[0-9]+_type", n)}
        orphans = sorted(n for n in numbered if n[: -len("_type")] not in names)
        lines = []
        if missing:
            lines.append(f"missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.")
        for column in unknown:
            close = difflib.get_close_matches(_column_name(column), [c.name for c in self.layout.columns], n=2, cutoff=0.5)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            lines.append(f"unknown column {column!r}{hint}.")
        if duplicates:
            lines.append(f"repeated column{'s' if len(duplicates) > 1 else ''}: {', '.join(duplicates)}.")
        for orphan in orphans:
            lines.append(f"column {orphan} has no {orphan[: -len('_type')]} column beside it.")
        if lines:
            accepted = ", ".join(c.name for c in self.layout.columns)
            problems = [(1, None, None, line) for line in lines]
            raise TableError(
                f"{self.name}: the header does not fit the {self.layout.kind} layout:\n"
                + "\n".join(f"  {line}" for line in lines)
                + f"\n  Columns of {self.layout.kind} (required: {', '.join(self.layout.required)}): {accepted}."
                f"\n  `evkg import --kind {self.layout.kind} --columns` describes each.",
                problems=problems,
            )
        return names

    # ----------------------------------------------------------------- vocabulary

    def _label_of(self, term) -> str:
        """The knowledge base's label of a term, read once per term."""
        label = self._labels.get(term)
        if label is None:
            label = self._labels[term] = self.kb.label_of(term)
        return label

    def _superclasses(self, kind: URIRef) -> set[URIRef]:
        if kind not in self._supers:
            self._supers[kind] = set(self.ds.transitive_objects(kind, RDFS.subClassOf))
        return self._supers[kind]

    def _is_a(self, iri: URIRef, kind: URIRef) -> bool:
        declared = self.declared_iris.get(iri)
        types = [declared.kind] if declared else self.ds.objects(iri, RDF.type)
        return any(kind in self._superclasses(t) for t in types)

    def _type_label(self, iri: URIRef) -> str:
        kinds = sorted(t for t in self.ds.objects(iri, RDF.type) if isinstance(t, URIRef))
        own = [t for t in kinds if str(t).startswith(str(EV._NS))] or kinds
        return self._label_of(own[0]) if own else "untyped"

    @staticmethod
    def _names_of(ds, term) -> Iterable[str]:
        for predicate in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
            for value in ds.objects(term, predicate):
                yield str(value)
        yield _local(term)

    def _term(self, row: _Row, column: str, candidates: Iterable[URIRef], what: str) -> URIRef | None:
        """Match a cell against classes or concepts by label, other name or local name."""
        value = row.get(column)
        wanted = _key(value.split(":", 1)[1] if value.lower().startswith("ev:") else value)
        index = self._term_index(candidates)
        if wanted in index:
            return index[wanted]
        choices = sorted({self._label_of(t) for t in index.values()})
        self.row_problem(row, column, f"not {what}; use one of: {', '.join(choices)}.")
        return None

    def _term_index(self, candidates: Iterable[URIRef]) -> dict[str, URIRef]:
        """Folded name -> term, for a set of classes or concepts (made once per set, and
        found again without sorting it for a set of ``_classes``)."""
        kept = self._index_of.get(id(candidates))
        if kept is not None and kept[0] is candidates:
            return kept[1]
        terms = tuple(sorted(candidates))
        index = self._indexes.get(terms)
        if index is None:
            index = self._indexes[terms] = {}
            for term in terms:
                for text in self._names_of(self.ds, term):
                    index.setdefault(_key(text), term)
        if isinstance(candidates, set):  # the sets of _classes, never changed once made
            self._index_of[id(candidates)] = (candidates, index)
        return index

    def _subclasses(self, base: URIRef) -> set[URIRef]:
        """The ev: classes under ``base`` (``base`` too)."""
        key = ("under", base)
        if key not in self._classes:
            self._classes[key] = {
                c for c in self.ds.transitive_subjects(RDFS.subClassOf, base) if str(c).startswith(str(EV._NS))
            }
        return self._classes[key]

    def _class(self, row: _Row, column: str, base: URIRef) -> URIRef | None:
        return self._term(row, column, self._subclasses(base), f"a kind of {self._label_of(base)}")

    def _concept(self, row: _Row, column: str, scheme: URIRef) -> URIRef | None:
        if not row.get(column):
            return None
        key = ("scheme", scheme)
        if key not in self._classes:
            self._classes[key] = set(self.ds.subjects(SKOS.inScheme, scheme))
        return self._term(row, column, self._classes[key], f"in the scheme of {self._label_of(scheme)}")

    # ----------------------------------------------------------------- declarations

    def _declare(self, table: list[_Row]) -> None:
        """First pass: new organizations (``X_type`` columns) and new sources, so that
        any row may name them, before or after the row that declares them."""
        for row in table:
            for column in sorted(row.cells):
                if not _CREATABLE.fullmatch(column) or not row.get(column):
                    continue
                name_column = column[: -len("_type")]
                name = row.get(name_column)
                if not name:
                    self.row_problem(row, name_column, f"is empty, but {column} says it is a new {row.get(column)}.")
                    continue
                kind = self._new_class(row, column)
                if kind is None or self._known(name) is not None:
                    continue
                self._declare_entity(row, name_column, column, name, kind)
            if self.layout.kind == "entities":
                self._declare_row_entity(row)
            self._declare_source(row)

    def _new_class(self, row: _Row, column: str) -> URIRef | None:
        """The class a ``_type`` or ``class`` cell gives a new entity."""
        if column in _PLACE_TYPES:
            return self._place_class(row, column)
        if column == "class":
            value = row.get(column)
            wanted = _key(value.split(":", 1)[1] if value.lower().startswith("ev:") else value)
            organizations = self._creatable(EV.Organization)
            places = self._creatable(EV.Place)
            if wanted in {_key(w) for w in _PLACE_WORDS} or any(wanted in self._keys(c) for c in places):
                return self._place_class(row, column)
            if any(wanted in self._keys(c) for c in organizations):
                return self._class(row, column, EV.Organization)
            if wanted in self._keys(EV.IndustryGroup):  # firms a source names as one
                return EV.IndustryGroup
            choices = sorted({self._label_of(c) for c in organizations | places | {EV.IndustryGroup}} | set(_PLACE_WORDS))
            self.row_problem(row, column, f"not a class a new entity can have; use one of: {', '.join(choices)}.")
            return None
        return self._class(row, column, EV.Organization)

    def _creatable(self, base: URIRef) -> set[URIRef]:
        """The ev: classes under ``base`` that a table may create instances of."""
        key = ("creatable", base)
        if key not in self._classes:
            excluded = set()
            for root in _NOT_CREATABLE:
                excluded |= set(self.ds.transitive_subjects(RDFS.subClassOf, root))
            self._classes[key] = {
                c for c in self.ds.transitive_subjects(RDFS.subClassOf, base)
                if str(c).startswith(str(EV._NS)) and c not in excluded
            }
        return self._classes[key]

    def _keys(self, term: URIRef) -> set[str]:
        return set(self._term_index((term,)))

    def _place_class(self, row: _Row, column: str) -> URIRef | None:
        value = row.get(column)
        word = _PLACE_WORDS.get(" ".join(value.casefold().split()))
        if word is not None:
            return word
        return self._term(row, column, self._creatable(EV.Place), "a kind of place a new entity can have (" + ", ".join(_PLACE_WORDS) + " are subdivisions)")

    def _declare_entity(self, row: _Row, name_column: str, column: str, name: str, kind: URIRef) -> None:
        """Declare a new organization or place: its IRI, minted from its name."""
        if _NEW_SOURCE.match(name) or (":" in name and name.split(":", 1)[0] in PREFIXES):
            self.row_problem(row, name_column, "is an IRI the knowledge base does not have; a new entity needs a name, not an IRI.")
            return
        key = normalize_name(name)
        if key in self.declared:
            first = self.declared[key]
            if first.kind != kind:
                self.row_problem(
                    row, column,
                    f"row {first.row} declares {name!r} as {_a(self._label_of(first.kind))}; give one class.",
                )
            elif self.layout.kind == "entities":
                self.row_problem(row, name_column, f"row {first.row} declares {name!r} already; give each entity one row.")
            return
        slug = _slug(name)
        if not slug:
            self.row_problem(row, name_column, "gives no name to make an IRI from; use letters or digits.")
            return
        segment = next(s for base, s in _SEGMENTS if base in self._superclasses(kind))
        iri = entity_iri(segment, slug)
        if (iri, None, None) in self.ds:
            self.row_problem(
                row, name_column,
                f"would become {_compact(iri)}, which the knowledge base already has as "
                f"{self._label_of(iri)!r}; name that entity as the knowledge base does.",
            )
            return
        declared = self.declared[key] = _Declared(iri, name, kind, row.number)
        self.declared_iris.setdefault(iri, declared)
        self.declared_on_row.setdefault(row.number, []).append(declared)

    def _declare_row_entity(self, row: _Row) -> None:
        """An ``entities`` row: its name must be new, its class one a table may create."""
        name = row.get("name")
        if not name:
            self.row_problem(row, "name", "is required: the new entity's name.")
            return
        if not row.get("class"):
            self.row_problem(row, "class", "is required: what the entity is (battery maker, subdivision ...).")
            return
        kind = self._new_class(row, "class")
        if kind is None:
            return
        known = self._known(name)
        if known is not None:
            self.row_problem(
                row, "name",
                f"the knowledge base already has {self._label_of(known)!r} ({_compact(known)}, "
                f"{_a(self._type_label(known))}); leave it out, or name it so in the other tables.",
            )
            return
        self._declare_entity(row, "name", "class", name, kind)

    def _known(self, name: str) -> URIRef | None:
        found = self._lookup(name)
        return found if isinstance(found, URIRef) else None

    def _lookup(self, name: str) -> URIRef | AmbiguousEntity | None:
        """What ``name`` resolves to in the knowledge base, as :meth:`KnowledgeBase.entity`
        resolves it: an IRI, the error of a name that several entities share, or None.
        Each name is resolved once, without the search for close matches (only the error
        for an unknown name needs those: :meth:`_suggestions`)."""
        if name not in self._resolved:
            try:
                self._resolved[name] = URIRef(self.kb.entity(name, suggest=False).iri)
            except AmbiguousEntity as exc:
                self._resolved[name] = exc
            except UnknownEntity:
                self._resolved[name] = None
        return self._resolved[name]

    def _suggestions(self, name: str) -> list[str]:
        try:
            self.kb.entity(name)
        except UnknownEntity as exc:
            return exc.suggestions
        except AmbiguousEntity:
            pass
        return []

    def _declare_source(self, row: _Row) -> None:
        value = row.get("source")
        if not _NEW_SOURCE.match(value) or self._known_source(value) is not None:
            return
        iri = URIRef(value)
        new = self.new_sources.setdefault(iri, _NewSource(iri, first_row=row.number))
        title = row.get("source_title")
        if title:
            if new.title and new.title != title:
                self.row_problem(row, "source_title", f"row {new.first_row} gives this source another title, {new.title!r}.")
            new.title = new.title or title
        date = self._date(row, "source_date")
        if date is not None:
            if new.date is not None and new.date != date:
                self.row_problem(row, "source_date", f"another row gives this source the date {new.date}.")
            new.date = new.date or date

    def _known_source(self, value: str) -> URIRef | None:
        article = next(iter(self.ds.subjects(EV.articleId, Literal(value))), None)
        return article if article is not None else self._known(value)

    # ----------------------------------------------------------------- cells

    def _source(self, row: _Row) -> URIRef | None:
        value = row.get("source")
        if not value:
            self.row_problem(row, "source", "every fact needs its source: a known source such as src:000_2f9e7fe2686975ec, or the URL of a new document.")
            return None
        iri = next(iter(self.ds.subjects(EV.articleId, Literal(value))), None)
        if iri is None:
            found = self._lookup(value)
            if isinstance(found, AmbiguousEntity):
                self.row_problem(row, "source", str(found))
                return None
            iri = found
        if iri is not None:
            if not self._is_a(iri, EV.Source):
                self.row_problem(row, "source", f"{self._label_of(iri)} is {_a(self._type_label(iri))}, not a source.")
                return None
            # A source imported before (another table of the same review folder) may be
            # named with the title and date it has; another title or date is an error.
            has = {
                "source_title": {str(t) for t in self.ds.objects(iri, RDFS.label)},
                "source_date": {str(d) for d in self.ds.objects(iri, DCTERMS.date)},
            }
            for column in ("source_title", "source_date"):
                if row.get(column) and row.get(column) not in has[column]:
                    self.row_problem(
                        row, column,
                        f"is for new sources; {_compact(iri)} is already in the knowledge base"
                        + (f" with {sorted(has[column])[0]!r}" if has[column] else "")
                        + ". Leave it empty.",
                    )
            return iri
        new = self.new_sources.get(URIRef(value)) if _NEW_SOURCE.match(value) else None
        if new is None:
            self.row_problem(
                row, "source",
                "no source has this name. Give a source of the knowledge base (src:ID, its article id "
                "or title; `evkg stats` lists them) or the URL of a new document with source_title.",
            )
            return None
        if not new.title:
            if new.first_row == row.number:
                self.row_problem(row, "source_title", f"the new source {value} needs a title on one of its rows.")
            else:
                row.ok = False
            return None
        if new.first_row == row.number:
            row.triples += [
                (new.iri, RDF.type, EV.Source, "source"),
                (new.iri, RDFS.label, Literal(new.title, lang="en"), "source_title"),
            ]
            if new.date is not None:
                row.triples.append((new.iri, DCTERMS.date, new.date, "source_date"))
        return new.iri

    def _entity(
        self, row: _Row, column: str, predicate: URIRef, *, required: bool = False, expected: URIRef | None = None
    ) -> URIRef | None:
        """Resolve an entity cell; declare a new organization where its ``_type`` says so.
        The entity must be of ``expected`` (default: the range of ``predicate``)."""
        value = row.get(column)
        type_column = column + "_type"
        if not value:
            if required:
                self.row_problem(row, column, f"is required: {self._help(column)}")
            return None
        expected = expected or self.ds.value(predicate, RDFS.range)
        iri = self._lookup(value)
        if isinstance(iri, AmbiguousEntity):
            self.row_problem(row, column, str(iri))
            return None
        if iri is not None:
            if row.get(type_column):
                kind = self._new_class(row, type_column)
                if kind is not None and not self._is_a(iri, kind):
                    self.row_problem(
                        row, type_column,
                        f"{value!r} is already in the knowledge base as {_a(self._type_label(iri))} "
                        f"({_compact(iri)}), not {_a(self._label_of(kind))}; leave {type_column} empty to use it.",
                    )
                    return None
            if expected is not None and not self._is_a(iri, expected):
                self.row_problem(
                    row, column,
                    f"{self._label_of(iri)} ({_compact(iri)}) is {_a(self._type_label(iri))}; "
                    f"{column} needs {_a(self._label_of(expected))}.",
                )
                return None
            return iri
        declared = self.declared.get(normalize_name(value))
        if declared is not None:
            if expected is not None and not self._is_a(declared.iri, expected):
                self.row_problem(row, column, f"is a new {self._label_of(declared.kind)}; {column} needs {_a(self._label_of(expected))}.")
                return None
            if row.get(type_column):
                row.triples += [
                    (declared.iri, RDF.type, declared.kind, type_column),
                    (declared.iri, RDFS.label, Literal(declared.name, lang="en"), column),
                ]
                self.node_row.setdefault(declared.iri, (declared.row, column, declared.name))
            return declared.iri
        if not row.ok and row.get(type_column):
            return None  # the _type cell is already reported
        suggestions = self._suggestions(value)
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        what = "place" if type_column in _PLACE_TYPES else "organization"
        create = (
            f" To add a new {what}, give its class in {type_column}."
            if _CREATABLE.fullmatch(type_column) and self.layout.accepts(type_column) else ""
        )
        self.row_problem(row, column, f"no entity has this name.{hint}{create} (`evkg search TEXT` finds names.)")
        return None

    def _help(self, column: str) -> str:
        for candidate in self.layout.columns:
            if _column_pattern(candidate.name).fullmatch(column):
                return candidate.help
        return ""

    def _text(self, row: _Row, column: str) -> Literal | None:
        value = row.get(column)
        return Literal(value) if value else None

    def _number(self, row: _Row, column: str) -> Literal | None:
        value = row.get(column)
        if not value:
            return None
        if not _NUMBER.match(value):
            self.row_problem(row, column, "not a number; write it like 2.5, 150000 or 150,000 (no units or words).")
            return None
        try:
            return _decimal(Decimal(value.replace(",", "")))
        except InvalidOperation:
            self.row_problem(row, column, "not a number.")
            return None

    def _year(self, row: _Row, column: str) -> Literal | None:
        value = row.get(column)
        if not value:
            return None
        if not re.fullmatch(r"[0-9]{4}", value):
            self.row_problem(row, column, "not a year; write four digits, like 2026.")
            return None
        return Literal(value, datatype=XSD.gYear)

    def _date(self, row: _Row, column: str) -> Literal | None:
        value = row.get(column)
        if not value:
            return None
        try:
            if re.fullmatch(r"[0-9]{4}", value):
                return Literal(value, datatype=XSD.gYear)
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}", value):
                dt.date.fromisoformat(value + "-01")
                return Literal(value, datatype=XSD.gYearMonth)
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                dt.date.fromisoformat(value)
                return Literal(value, datatype=XSD.date)
        except ValueError:
            pass
        self.row_problem(row, column, "not a date; write 2025-07-14, 2025-07 or 2025.")
        return None

    def _unit(self, row: _Row, column: str) -> URIRef | None:
        from ..ontology.units import unit_for

        value = row.get(column)
        unit = unit_for(value) if value else None
        if unit is None:
            if self._units is None:
                self._units = known_units(self.kb)
            listing = ", ".join(f"{name} ({iri})" for name, iri in self._units.items())
            self.row_problem(
                row, column,
                f"{'unknown' if value else 'a number needs its'} unit; use one of: {listing}, {CURRENCY_NOTE}.",
            )
        return unit

    def _quantity(self, row: _Row, number: str, unit: str, counted: str | None = None, wording: str | None = None) -> BNode | None:
        value = self._number(row, number)
        words = row.get(wording) if wording else ""
        item = row.get(counted) if counted else ""
        if value is None:
            for column in (unit, counted):
                if column and row.get(column) and not row.get(number):
                    self.row_problem(row, column, f"is given but {number} is empty; give the number too.")
            if not words:
                return None
        node = BNode()
        self.node_row[node] = (row.number, number, row.get(number))
        row.triples.append((node, RDF.type, EV.QuantityValue, number))
        if value is not None:
            row.triples.append((node, QUDT.numericValue, value, number))
            iri = self._unit(row, unit)
            if iri is not None:
                row.triples.append((node, QUDT.hasUnit, iri, unit))
            if item:
                row.triples.append((node, EV.countedItem, Literal(item), counted))
        if words:
            row.triples.append((node, EV.valueWording, Literal(words), wording))
        return node

    # ----------------------------------------------------------------- facts

    def _fact(self, row: _Row, kind: URIRef | None, default_label: str, label_column: str = "label") -> URIRef | None:
        """Mint the fact node and add what every fact has: type, label, quote, source.
        Checks the source and the quote even when the row has other problems."""
        source = self._source(row)
        quote = row.get("quote")
        if not quote:
            self.row_problem(row, "quote", "every fact needs the sentence of its source that it rests on, verbatim.")
        if kind is None or not row.ok:
            return None
        if row.get("fact"):
            return self._restated(row, kind, source, quote)
        label = row.get(label_column) or default_label
        slug = _slug(label)
        if not slug:
            self.row_problem(row, label_column, "gives no name to make an IRI from; use letters or digits.")
            return None
        iri = entity_iri(_FACT_SEGMENTS[self.layout.kind], slug)
        why = f"the {label_column}" if row.get(label_column) else f"the label made from the row, {label!r},"
        if iri in self.minted:
            self.row_problem(row, label_column, f"{why} gives {_compact(iri)}, as row {self.minted[iri]} does; give one of them its own {label_column}.")
            return None
        if (iri, None, None) in self.ds:
            self.row_problem(row, label_column, f"{why} gives {_compact(iri)}, which the knowledge base already has; give the row its own {label_column}.")
            return None
        if source is None:
            return None
        self.minted[iri] = row.number
        self.node_row[iri] = (row.number, label_column, row.get(label_column))
        row.triples += [
            (iri, RDF.type, kind, "type" if row.get("type") else label_column),
            (iri, RDFS.label, Literal(label, lang="en"), label_column),
            (iri, EV.quote, Literal(quote), "quote"),
            (iri, PROV.wasDerivedFrom, source, "source"),
        ]
        description = self._text(row, "description")
        if description is not None:
            row.triples.append((iri, EV.description, description, "description"))
        self._derive_declared(row, source)
        return iri

    def _restated(self, row: _Row, kind: URIRef, source: URIRef | None, quote: str) -> URIRef | None:
        """The fact a row's ``fact`` column names, which the row states again: the row's
        quote and source are added to it (in the new source's graph, so that it has one
        more source), and the caller adds what else the row says of it."""
        name = row.get("fact")
        found = self._known(name)
        base = next((b for b in _FACT_BASES if b in self._superclasses(kind)), kind)
        if found is None or not self._is_a(found, base):
            what = self._label_of(base)
            self.row_problem(row, "fact", f"names no {what} the knowledge base holds; give the IRI of one (`evkg search TEXT` finds names), or leave the column empty for a new fact.")
            return None
        if found in self.minted:
            self.row_problem(row, "fact", f"{_compact(found)} is restated by row {self.minted[found]} too; keep one of the rows.")
            return None
        if source is None:
            return None
        self.minted[found] = row.number
        self.node_row[found] = (row.number, "fact", name)
        row.triples += [
            (found, EV.quote, Literal(quote), "quote"),
            (found, PROV.wasDerivedFrom, source, "source"),
        ]
        description = self._text(row, "description")
        if description is not None:
            row.triples.append((found, EV.description, description, "description"))
        self._derive_declared(row, source)
        return found

    def _derive_declared(self, row: _Row, source: URIRef) -> None:
        # New entities declared on this row are derived from its source too.
        for declared in self.declared_on_row.get(row.number, ()):
            row.triples.append((declared.iri, PROV.wasDerivedFrom, source, "source"))

    def _evidence(self, row: _Row, subject: URIRef | None, predicate: URIRef, value: URIRef | None, column: str) -> None:
        """A sourced statement that is not a fact node of its own (a home country, where a
        place is): the triple, and an ev:Evidence node with its quote and source, as the
        seeds state such triples."""
        source = self._source(row)
        quote = row.get("quote")
        if not quote:
            self.row_problem(row, "quote", "every fact needs the sentence of its source that it rests on, verbatim.")
        if subject is None or value is None or source is None or not row.ok:
            return
        node = BNode()
        self.node_row[node] = (row.number, "quote", quote)
        if predicate != RDF.type:
            row.triples.append((subject, predicate, value, column))
        row.triples += [
            (node, RDF.type, EV.Evidence, "quote"),
            (node, RDF.subject, subject, column),
            (node, RDF.predicate, predicate, column),
            (node, RDF.object, value, column),
            (node, EV.quote, Literal(quote), "quote"),
            (node, PROV.wasDerivedFrom, source, "source"),
        ]
        description = self._text(row, "description")
        if description is not None:
            row.triples.append((node, EV.description, description, "description"))
        self._derive_declared(row, source)

    def _name(self, iri: URIRef | None, row: _Row, column: str) -> str:
        if iri is None:
            return row.get(column)
        declared = self.declared_iris.get(iri)
        return declared.name if declared else self._label_of(iri)

    def _optional(self, row: _Row, fact: URIRef, pairs: Iterable[tuple[URIRef, str, object]]) -> None:
        for predicate, column, value in pairs:
            if value is not None:
                row.triples.append((fact, predicate, value, column))

    def _alliances(self, row: _Row) -> None:
        numbers = sorted(
            int(c.split("_")[1]) for c in row.cells if re.fullmatch(r"partner_[0-9]+", c)
        )
        partners = []
        for number in numbers:
            column = f"partner_{number}"
            iri = self._entity(row, column, EV.partner, required=number <= 2)
            if iri is not None:
                partners.append((iri, column))
        if len({iri for iri, _ in partners}) < len(partners):
            self.row_problem(row, partners[-1][1], "names a partner twice.")
        kind = self._class(row, "type", EV.Partnership) if row.get("type") else EV.Alliance
        status = self._concept(row, "status", EV.StatusScheme)
        product = self._concept(row, "product_type", EV.ProductTypeScheme)
        market = self._entity(row, "market", EV.targetsMarket)
        year = self._year(row, "year")
        label = "–".join(self._name(iri, row, column) for iri, column in partners)
        fact = self._fact(row, kind, f"{label} {self._label_of(kind)}" if kind else label)
        if fact is None:
            return
        for iri, column in partners:
            row.triples.append((fact, EV.partner, iri, column))
        self._optional(row, fact, [
            (EV.status, "status", status), (EV.productType, "product_type", product),
            (EV.targetsMarket, "market", market), (EV.year, "year", year),
        ])

    def _facilities(self, row: _Row) -> None:
        name = row.get("name")
        if not name:
            self.row_problem(row, "name", "is required: the facility's name.")
        kind = self._class(row, "type", EV.Facility) if row.get("type") else EV.Facility
        operator = self._entity(row, "operator", EV.operator, required=True)
        location = self._entity(row, "location", EV.locatedIn, required=True)
        status = self._concept(row, "status", EV.StatusScheme)
        produces = self._concept(row, "produces", EV.ProductTypeScheme)
        capacity = self._quantity(row, "capacity", "capacity_unit", "counted_item", "capacity_wording")
        target_year = self._year(row, "target_year")
        fact = self._fact(row, kind if name else None, name, "name")
        if fact is None:
            return
        self._optional(row, fact, [
            (EV.operator, "operator", operator), (EV.locatedIn, "location", location),
            (EV.status, "status", status), (EV.produces, "produces", produces),
            (EV.capacity, "capacity", capacity), (EV.targetDate, "target_date", self._text(row, "target_date")),
            (EV.targetYear, "target_year", target_year),
        ])

    def _ownership(self, row: _Row) -> None:
        owner = self._entity(row, "owner", EV.owner, required=True)
        owned = self._entity(row, "owned", EV.ownedEntity, required=True)
        percent = self._number(row, "share_percent")
        wording = self._text(row, "share_wording")
        year = self._year(row, "year")
        if not row.get("share_percent") and not row.get("share_wording"):
            self.row_problem(row, "share_percent", "a stake needs its share: give share_percent (0 to 100), share_wording, or both.")
        if owner is not None and owner == owned:
            self.row_problem(row, "owned", "is the owner itself.")
        label = f"{self._name(owner, row, 'owner')}'s stake in {self._name(owned, row, 'owned')}"
        fact = self._fact(row, EV.OwnershipStake, label)
        if fact is None:
            return
        self._optional(row, fact, [
            (EV.owner, "owner", owner), (EV.ownedEntity, "owned", owned),
            (EV.sharePercent, "share_percent", percent), (EV.shareWording, "share_wording", wording),
            (EV.year, "year", year),
        ])

    def _observations(self, row: _Row) -> None:
        area = self._entity(row, "area", EV.area, required=True)
        indicator = None
        if not row.get("indicator"):
            self.row_problem(row, "indicator", "is required: what the figure measures.")
        else:
            indicator = self._concept(row, "indicator", EV.IndicatorScheme)
        value = self._quantity(row, "value", "unit", "counted_item", "value_wording")
        growth = None
        if row.get("growth_rate"):
            rate = self._number(row, "growth_rate")
            if rate is not None:
                growth = BNode()
                self.node_row[growth] = (row.number, "growth_rate", row.get("growth_rate"))
                row.triples += [
                    (growth, RDF.type, EV.QuantityValue, "growth_rate"),
                    (growth, QUDT.numericValue, rate, "growth_rate"),
                    (growth, QUDT.hasUnit, UNIT.PERCENT, "growth_rate"),
                ]
                for predicate, column in ((EV.comparison, "growth_comparison"), (EV.period, "growth_period")):
                    if row.get(column):
                        row.triples.append((growth, predicate, Literal(row.get(column)), column))
        else:
            for column in ("growth_comparison", "growth_period"):
                if row.get(column):
                    self.row_problem(row, column, "is given but growth_rate is empty.")
        product = self._concept(row, "product_type", EV.ProductTypeScheme)
        destination = self._entity(row, "destination", EV.destination)
        reporter = self._entity(row, "reported_by", EV.reportedBy)
        year = self._year(row, "year")
        if value is None and destination is None and row.ok:
            self.row_problem(row, "value", "an observation needs its figure: value with unit, or value_wording (or a destination for a ranking).")
        period = row.get("period") or row.get("year")
        measured = self._label_of(indicator) if indicator is not None else row.get("indicator")
        label = f"{self._name(area, row, 'area')} {measured}" + (f", {period}" if period else "")
        fact = self._fact(row, EV.Observation if indicator is not None else None, label)
        if fact is None:
            return
        self._optional(row, fact, [
            (EV.area, "area", area), (EV.indicator, "indicator", indicator), (EV.value, "value", value),
            (EV.growthRate, "growth_rate", growth), (EV.period, "period", self._text(row, "period")),
            (EV.year, "year", year), (EV.productType, "product_type", product),
            (EV.destination, "destination", destination), (EV.reportedBy, "reported_by", reporter),
        ])

    def _area(self, row: _Row, column: str, predicate: URIRef, kinds: tuple[URIRef, ...], *, required: bool = False) -> URIRef | None:
        """An entity cell that must be one of ``kinds`` (a country, or a country or region)."""
        iri = self._entity(row, column, predicate, required=required)
        if iri is not None and not any(self._is_a(iri, kind) for kind in kinds):
            wanted = " or ".join(_a(self._label_of(k)) for k in kinds)
            self.row_problem(row, column, f"{self._name(iri, row, column)} ({_compact(iri)}) is {_a(self._kind_label(iri))}; {column} needs {wanted}.")
            return None
        return iri

    def _kind_label(self, iri: URIRef) -> str:
        declared = self.declared_iris.get(iri)
        return f"new {self._label_of(declared.kind)}" if declared else self._type_label(iri)

    def _based_in(self, row: _Row) -> None:
        organization = self._entity(row, "organization", EV.basedIn, required=True, expected=EV.Organization)
        country = self._area(row, "country", EV.basedIn, (EV.Country,), required=True)
        self._evidence(row, organization, EV.basedIn, country, "country")

    def _located_in(self, row: _Row) -> None:
        place = self._entity(row, "place", EV.locatedIn, required=True, expected=EV.Place)
        if place is not None and (not self._is_a(place, EV.Place) or self._is_a(place, EV.Country)):
            self.row_problem(
                row, "place",
                f"{self._name(place, row, 'place')} ({_compact(place)}) is {_a(self._kind_label(place))}; "
                "place needs a subdivision, city, port, region or other place within a country or region.",
            )
            place = None
        country = self._area(row, "country", EV.locatedIn, (EV.Country, EV.Region), required=True)
        if place is not None and place == country:
            self.row_problem(row, "country", "is the place itself.")
        self._evidence(row, place, EV.locatedIn, country, "country")

    def _entities(self, row: _Row) -> None:
        declared = self.declared.get(normalize_name(row.get("name")))
        if declared is None or declared.row != row.number:
            self._source(row)  # still report a bad source or quote on a bad row
            if not row.get("quote"):
                self.row_problem(row, "quote", "every entity needs the sentence of its source that names it, verbatim.")
            row.ok = False
            return
        organization = self._is_a(declared.iri, EV.Organization) or self._is_a(declared.iri, EV.IndustryGroup)
        if organization:
            country = self._area(row, "country", EV.basedIn, (EV.Country,))
        else:
            country = self._area(row, "country", EV.locatedIn, (EV.Country, EV.Region))
            if country is not None and country == declared.iri:
                self.row_problem(row, "country", "is the place itself.")
                country = None
            needs = [k for k in (EV.Subdivision, EV.Port) if k in self._superclasses(declared.kind)]
            if needs and not row.get("country"):
                self.row_problem(
                    row, "country",
                    f"{_a(self._label_of(declared.kind))} needs the country (or region) it is in.",
                )
        row.triples += [
            (declared.iri, RDF.type, declared.kind, "class"),
            (declared.iri, RDFS.label, Literal(declared.name, lang="en"), "name"),
        ]
        seen = {normalize_name(declared.name)}
        for other in row.get("other_names").split(";"):
            other = other.strip()
            if other and normalize_name(other) not in seen:
                seen.add(normalize_name(other))
                row.triples.append((declared.iri, SKOS.altLabel, Literal(other, lang="en"), "other_names"))
        if country is not None:
            predicate = EV.basedIn if organization else EV.locatedIn
            self._evidence(row, declared.iri, predicate, country, "country")
        else:
            self._evidence(row, declared.iri, RDF.type, declared.kind, "class")

    # ----------------------------------------------------------------- SHACL

    def _check_shapes(self) -> None:
        """Validate the new triples with the shapes, beside what they need from the knowledge
        base (class and scheme hierarchies, the types of the entities they name), and report
        each violation at the cell that made the offending triple.

        The compiled test of :mod:`evkg.ingest.conformance` reads the same data graph; only
        when it finds a node that may not conform does pyshacl validate the whole of it, so
        that every message is pyshacl's and a table that conforms costs no pyshacl run."""
        view = _DataView(self)
        if not _conforms(view):
            self._report_shapes(view)

    def _origin(self) -> dict[tuple, tuple[int, str, str]]:
        """(s, p, o) -> (row, column, value): the cell each triple of the table came from
        (the first, for a triple that several rows make)."""
        origin: dict[tuple, tuple[int, str, str]] = {}
        for row in self.accepted:
            for s, p, o, column in row.triples:
                origin.setdefault((s, p, o), (row.number, column, row.get(column)))
        return origin

    def _report_shapes(self, view: _DataView) -> None:
        """pyshacl's validation of the whole data graph, each result a problem of its cell."""
        import pyshacl

        data = Graph()
        data += self.rdf
        for predicate in _HIERARCHIES:
            for s, o in self.ds.subject_objects(predicate):
                data.add((s, predicate, o))
        for node in view.described:
            for triple in self.ds.triples((node, None, None)):
                data.add(triple)
        named = {t for s, _, o in data for t in (s, o) if isinstance(t, URIRef)} - view.minted
        for term in named:
            for kind in self.ds.objects(term, RDF.type):
                data.add((term, RDF.type, kind))
        # inplace: the data graph is this check's own, so pyshacl need not copy it first.
        conforms, report, _ = pyshacl.validate(
            data, shacl_graph=_shapes(), inference="none", allow_warnings=True, advanced=True, inplace=True
        )
        if conforms:
            return
        ours = set(self.rdf.subjects())
        origin = self._origin()
        for result in report.subjects(RDF.type, SH.ValidationResult):
            focus = report.value(result, SH.focusNode)
            if focus not in ours:
                continue  # a node of the knowledge base, not of this table
            component = report.value(result, SH.sourceConstraintComponent)
            if component == SH.NodeConstraintComponent and (result, SH.detail, None) in report:
                continue  # its details are results of their own, with the precise message
            path = report.value(result, SH.resultPath)
            value = report.value(result, SH.value)
            message = str(report.value(result, SH.resultMessage) or "does not conform to the shapes.")
            cell = origin.get((focus, path, value)) or next(
                (c for (s, p, _), c in sorted(origin.items(), key=lambda kv: kv[1]) if s == focus and p == path),
                None,
            ) or self.node_row.get(focus) or (None, None, None)
            self.problem(cell[0], cell[1], cell[2], message)
