"""The knowledge base: load the ontology, seeds and user files into one rdflib ``Dataset``;
query it, resolve names to entities, describe them with their sources, validate, export.

Examples
--------
>>> import evkg
>>> kb = evkg.load()
>>> kb.entity("catl").label
'CATL'
>>> kb.entity("Contemporary Amperex Technology").iri
'https://w3id.org/evkg/id/company/catl'
>>> bool(kb.query("ASK { company:catl a ev:BatteryMaker }").askAnswer)
True
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import IO

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS
from rdflib.query import Result

from .errors import AmbiguousEntity, InputError, QueryError, StoreError, UnknownEntity
from .export import serialize_dataset, write_atomically
from .loading import network_guard, parse_file
from .ontology import EV, GRAPH, ID, ONTOLOGY_PATH, PREFIXES, QUDT, SHAPES_PATH
from .caching import cache_key, dataset_from_bytes, dataset_to_bytes, read_cached, write_cached
from .stores import Store, open_store

__all__ = [
    "KnowledgeBase",
    "Entity",
    "Citation",
    "Fact",
    "Description",
    "SearchHit",
    "Stats",
    "Violation",
    "ValidationReport",
    "load",
    "seed_files",
    "normalize_name",
    "source_count",
]

ONTOLOGY_GRAPH = GRAPH["ontology"]
#: Predicates whose values are no detail of an entity (its types, names, provenance,
#: quotes, reading and evidence): :meth:`KnowledgeBase.attributes` and
#: :meth:`KnowledgeBase.describe` leave them out, and so do the graph's node details.
NO_DETAIL_PREDICATES = frozenset(
    {RDF.type, RDFS.label, SKOS.altLabel, PROV.wasDerivedFrom, EV.quote, EV.interpretation, EV.evidence}
)


def seed_files() -> list[Path]:
    """The shipped seed files: one TriG file per article, and the reference graph."""
    folder = Path(str(resources.files("evkg.seeds")))
    return sorted(folder.glob("*.trig"))


def normalize_name(name: str) -> str:
    """Fold a name for matching: case, accents, dashes and punctuation do not count.

    >>> normalize_name("China–Pakistan  Economic-Corridor")
    'china pakistan economic corridor'
    >>> normalize_name("Malaysia’s Proton")
    'malaysias proton'
    """
    text = unicodedata.normalize("NFKD", name).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’`´]", "", text)
    text = re.sub(r"[\W_]+", " ", text)
    return " ".join(text.split())


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Entity:
    """A named thing in the knowledge base."""

    iri: str
    label: str
    type: str
    type_label: str
    alt_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Citation:
    """Where a fact comes from: the named graph, the source, its title and the quote, and
    the reading the fact rests on where it goes beyond the quote (``ev:interpretation``).
    A citation without a quote may carry its source's ``note`` (``ev:citationNote``):
    "background knowledge, stated by no source in the graph", "as the UN M49 geoscheme
    classifies it"."""

    graph: str
    source: str
    title: str
    quote: str | None
    interpretation: str | None = None
    note: str | None = None

    def sort_key(self) -> tuple[str, str, str, str]:
        """The order citations of one statement are listed in: graph, source, title, quote.

        >>> sorted([Citation("g2", "s", "t", "b"), Citation("g1", "s", "t", None)], key=Citation.sort_key)[0].graph
        'g1'
        """
        return (self.graph, self.source, self.title, self.quote or "")


@dataclass(frozen=True)
class Fact:
    """One statement about an entity, as shown by ``evkg show``.

    ``direction`` is ``"out"`` when the entity is the subject, ``"in"`` when it is the
    object, and ``"part"`` when the entity takes part in an n-ary fact node (``value``
    is then the fact node and ``details`` its other parts).
    """

    relation: str
    relation_label: str
    direction: str
    value: str
    value_label: str
    citations: tuple[Citation, ...] = ()
    details: tuple[tuple[str, str], ...] = ()

    @property
    def source_count(self) -> int:
        """How many sources state the fact (several quotes of one source count once)."""
        return source_count(self.citations)


def source_count(citations: Iterable) -> int:
    """How many sources a list of citations comes from: several quotes of one source
    count once. Takes :class:`Citation` objects or their dicts (``source``, ``graph``).

    >>> source_count([{"graph": "g1", "source": "s1"}, {"graph": "g1", "source": "s1"},
    ...               {"graph": "g2", "source": ""}])
    2
    """
    found = set()
    for citation in citations:
        if isinstance(citation, dict):
            found.add(citation.get("source") or citation.get("graph") or citation.get("title"))
        else:
            found.add(citation.source or citation.graph or citation.title)
    return len(found)


@dataclass
class Description:
    """Everything known about an entity, grouped by relation."""

    entity: Entity
    facts: list[Fact] = field(default_factory=list)

    def grouped(self) -> dict[str, list[Fact]]:
        groups: dict[str, list[Fact]] = defaultdict(list)
        for fact in self.facts:
            groups[fact.relation_label].append(fact)
        return dict(groups)

    def to_dict(self) -> dict:
        return {
            "entity": self.entity.__dict__ | {"alt_labels": list(self.entity.alt_labels)},
            "facts": [
                {
                    "relation": f.relation,
                    "relation_label": f.relation_label,
                    "direction": f.direction,
                    "value": f.value,
                    "value_label": f.value_label,
                    "details": [{"name": k, "value": v} for k, v in f.details],
                    "sources": [c.__dict__ for c in f.citations],
                    "source_count": f.source_count,
                }
                for f in self.facts
            ],
        }


@dataclass(frozen=True)
class SearchHit:
    entity: Entity
    score: float
    matched: str


@dataclass
class Stats:
    by_class: dict[str, int]
    by_source: list[dict]
    triples: int


@dataclass(frozen=True)
class Violation:
    """One result of a SHACL validation report.

    ``focus`` is the focus node's IRI (``_:label`` for a blank node) and ``focus_label``
    how a reader knows it: ``Label <IRI>``, or for a blank node the fact it belongs to
    ("the capacity of Example plant <IRI> (a blank node)"). ``value`` is the value node
    when it is not the focus itself. ``details`` are the results nested under this one
    with ``sh:detail`` (why an ``sh:node`` constraint failed): they explain it, they are
    not results of their own.
    """

    focus: str
    path: str
    message: str
    severity: str
    value: str
    focus_label: str = ""
    details: tuple[Violation, ...] = ()

    def to_dict(self) -> dict:
        """The result as plain data (for JSON), its details nested."""
        return {
            "focus": self.focus, "focus_label": self.focus_label, "path": self.path,
            "message": self.message, "severity": self.severity, "value": self.value,
            "details": [detail.to_dict() for detail in self.details],
        }


@dataclass
class ValidationReport:
    """A SHACL validation report: ``violations`` are its top-level results (``sh:result``),
    as pyshacl and other SHACL processors count them; nested ones are their ``details``."""

    conforms: bool
    violations: list[Violation]
    text: str


# --------------------------------------------------------------------------- the KB


#: Words with which a query could reach past the store (SERVICE, FROM, LOAD): such a
#: query is parsed and checked by evkg first, whatever the store.
#: How much of a search text counts: longer than any name, short enough to cost nothing.
MAX_SEARCH_TEXT = 200

_MAY_REACH_OUT = re.compile(r"\b(?:service|from|load)\b", re.IGNORECASE)


class KnowledgeBase:
    """The evkg knowledge base over an rdflib ``Dataset``.

    Build one with :func:`load`. Every operation goes through the dataset's store, so
    the same code works over any rdflib store plugin.

    Parameters
    ----------
    dataset : rdflib.Dataset
        Holds one named graph per source; queries see the union.
    allow_network : bool
        Whether SPARQL ``SERVICE``, remote ``FROM`` and remote contexts may fetch data.
    store : evkg.stores.Store, optional
        The store behind ``dataset`` (see :func:`evkg.stores.open_store`).
    """

    def __init__(self, dataset: Dataset, *, allow_network: bool = False, store: Store | None = None):
        self._dataset = dataset
        self.allow_network = allow_network
        #: Where the quads live; a store that answers SPARQL itself gets the queries.
        self.store = store
        self.sources: list[Path] = []
        #: Increases whenever data is added, so caches built from the data can tell.
        self.revision = 0
        self._content: str | None = None
        self._content_revision = -1

    @property
    def content_id(self) -> str | None:
        """A digest of what the knowledge base holds, as :func:`load` found it (the files
        it parsed, or the persistent store's generation mark); None when evkg cannot
        vouch for it: a knowledge base made by hand, a SPARQL endpoint, or data added
        since. Graphs are kept on disk under it (:mod:`evkg.graph.cache`)."""
        return self._content if self.revision == self._content_revision else None

    def _vouch(self, content: str | None) -> None:
        self._content, self._content_revision = content, self.revision

    @property
    def dataset(self) -> Dataset:
        """The underlying rdflib Dataset (read it; add files with :meth:`add_file`)."""
        return self._dataset

    def __len__(self) -> int:
        return len(self._dataset)

    def __repr__(self) -> str:
        return f"<KnowledgeBase: {len(self)} quads in {len(self.graph_names())} graphs>"

    # ----------------------------------------------------------------- loading

    def add_file(self, path: str | Path, *, format: str | None = None) -> int:
        """Parse an RDF file and add it; all or nothing. Return the number of triples added.

        Triples outside a named graph go to ``https://w3id.org/evkg/graph/data/{file name}``.
        """
        path = Path(path)
        parsed = parse_file(
            path,
            format=format,
            graph_iri=GRAPH["data/" + path.name],
            allow_network=self.allow_network,
        )
        self._merge(parsed)
        self.sources.append(path)
        return len(parsed)

    def _merge(self, parsed: Dataset, into: URIRef | None = None) -> None:
        for graph in parsed.graphs():
            if not len(graph):
                continue
            target = self._dataset.graph(into or graph.identifier)
            self._dataset.addN((s, p, o, target) for s, p, o in graph)
        self.revision += 1
        self.__dict__.pop("_names", None)
        self.__dict__.pop("_evidence", None)
        self.__dict__.pop("_sources_by_graph", None)
        for prefix, namespace in parsed.namespaces():
            if prefix and prefix not in dict(self._dataset.namespaces()):
                self._dataset.bind(prefix, namespace, override=False)

    def graph_names(self) -> list[URIRef]:
        """The names of the non-empty named graphs."""
        return sorted(
            g.identifier
            for g in self._dataset.graphs()
            if isinstance(g.identifier, URIRef) and len(g)
        )

    # ----------------------------------------------------------------- SPARQL

    def query(self, sparql: str, *, allow_network: bool | None = None) -> Result:
        """Run a SPARQL query with the project's prefixes predeclared.

        Raises
        ------
        QueryError
            Syntax errors (with line and column) and evaluation errors.
        NetworkAccessError
            ``SERVICE``, ``FROM`` of a graph not in the store, unless network access is on.
        """
        from .limits import check_query_shape

        check_query_shape(sparql)  # before any parser sees it: native ones overflow the stack
        allow = self.allow_network if allow_network is None else allow_network
        if self.store is not None and self.store.parses_queries and not allow and not _MAY_REACH_OUT.search(sparql):
            native = self._query_natively(sparql)
            if native is not None:  # None: the store leaves this text to rdflib
                return native
        from .sparql import check_local, prepare

        prepared = prepare(sparql)
        check_local(prepared, self.graph_names, allow_network=allow)
        import rdflib.plugins.sparql as rdflib_sparql

        rdflib_sparql.SPARQL_LOAD_GRAPHS = allow
        with network_guard(allow):
            try:
                result = None
                if self.store is not None and not allow:
                    result = self.store.query(sparql, PREFIXES)
                if result is None:
                    result = self._dataset.query(prepared)
                if result.type == "SELECT":
                    result.bindings  # evaluate now, inside the guard
            except (QueryError, InputError):
                raise
            except RecursionError:
                raise QueryError("the query nests too deeply to evaluate.") from None
            except Exception as exc:
                from .errors import EvkgError

                if isinstance(exc, EvkgError):
                    raise
                raise QueryError(f"the query failed: {exc}") from None
        return result

    def rows(self, sparql: str) -> Iterator[tuple]:
        """Stream the rows of a SELECT query as tuples of rdflib terms (None where a
        variable is unbound), in the order of its SELECT clause. On a store that answers
        queries itself the rows are converted as they come, with no result object in
        between: the way to read a large share of the store.

        >>> kb = load()
        >>> next(kb.rows("SELECT ?label WHERE { company:catl rdfs:label ?label }"))
        (rdflib.term.Literal('CATL', lang='en'),)
        """
        from .limits import check_query_shape

        check_query_shape(sparql)
        if self.store is not None and self.store.parses_queries and not self.allow_network and not _MAY_REACH_OUT.search(sparql):
            try:
                streamed = self.store.select_rows(sparql, PREFIXES)
            except SyntaxError:
                streamed = None  # the query below says what is wrong
            if streamed is not None:
                return streamed
        result = self.query(sparql)
        return (tuple(row) for row in result)

    def _query_natively(self, sparql: str) -> Result:
        """A query the store parses and answers itself, without rdflib's (slower) parser:
        only for a text that cannot name another endpoint or graph (see _MAY_REACH_OUT)."""
        try:
            with network_guard(False):
                return self.store.query(sparql, PREFIXES)
        except SyntaxError as exc:
            from .sparql import prepare

            prepare(sparql)  # rdflib's message, with line and column, as on the other stores
            raise QueryError(f"the query failed: {' '.join(str(exc).split())}") from None
        except RecursionError:
            raise QueryError("the query nests too deeply to evaluate.") from None
        except (OSError, ValueError, TypeError) as exc:
            raise QueryError(f"the query failed: {exc}") from None

    # ----------------------------------------------------------------- entities

    def _label(self, term) -> str:
        if isinstance(term, Literal):
            return str(term)
        label = self._first(term, RDFS.label) or self._first(term, SKOS.prefLabel)
        if label is not None:
            return str(label)
        if isinstance(term, URIRef):
            return self._compact(term)
        return str(term)

    def _compact(self, iri: URIRef) -> str:
        text = str(iri)
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if text.startswith(namespace) and len(text) > len(namespace):
                return f"{prefix}:{text[len(namespace):]}"
        return text

    def _first(self, subject, predicate):
        english = None
        for value in self._dataset.objects(subject, predicate):
            if isinstance(value, Literal) and value.language in (None, "en"):
                if english is None or str(value) < str(english):
                    english = value
        return english

    def _type(self, iri) -> URIRef | None:
        return _main_type(self._dataset.objects(iri, RDF.type))

    def _entity(self, iri: URIRef) -> Entity:
        kind = self._type(iri)
        alts = sorted({str(a) for a in self._dataset.objects(iri, SKOS.altLabel)})
        return Entity(
            iri=str(iri),
            label=self._label(iri),
            type=str(kind) if kind else "",
            type_label=self._label(kind) if kind else "",
            alt_labels=tuple(alts),
        )

    @cached_property
    def _names(self) -> dict[str, dict[URIRef, int]]:
        """normalized name -> {iri: rank}; rank 0 for labels, 1 for other names."""
        index: dict[str, dict[URIRef, int]] = defaultdict(dict)
        for predicate, rank in ((RDFS.label, 0), (SKOS.prefLabel, 0), (SKOS.altLabel, 1), (SKOS.notation, 1), (EV.alpha3Code, 1)):
            for subject, value in self._dataset.subject_objects(predicate):
                if not isinstance(subject, URIRef) or str(subject).startswith(str(EV._NS)):
                    continue
                if isinstance(value, Literal) and value.language not in (None, "en"):
                    continue
                key = normalize_name(str(value))
                if key:
                    current = index[key].get(subject)
                    index[key][subject] = rank if current is None else min(current, rank)
        return index

    def _iri_of(self, name: str) -> URIRef | None:
        text = name.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I) or text.startswith("urn:"):
            iri = URIRef(text)
            return iri if (iri, None, None) in self._dataset or (None, None, iri) in self._dataset else None
        prefix, sep, local = text.partition(":")
        if sep and prefix in PREFIXES and local and " " not in local:
            iri = URIRef(PREFIXES[prefix] + local)
            return iri if (iri, None, None) in self._dataset else None
        return None

    def entity(self, name: str, *, suggest: bool = True) -> Entity:
        """Resolve a name to one entity: an IRI, a prefixed name (``company:catl``), or a
        label or alternative label, ignoring case, accents and dashes.

        With ``suggest=False`` an unknown name raises at once, without the fuzzy search
        for close matches (for callers that try many names that may be new).

        Raises
        ------
        UnknownEntity
            No match; the message lists close matches (none with ``suggest=False``).
        AmbiguousEntity
            Several entities share the name; the message lists them.
        """
        return self._entity(self._resolve(name, suggest=suggest))

    def _resolve(self, name: str, *, suggest: bool = True) -> URIRef:
        if not name or not name.strip():
            raise UnknownEntity("an entity name is empty; give a label such as 'CATL' or an IRI.")
        iri = self._iri_of(name)
        if iri is not None:
            return iri
        matches = self._names.get(normalize_name(name), {})
        if matches:
            best = min(matches.values())
            chosen = sorted(iri for iri, rank in matches.items() if rank == best)
            if len(chosen) == 1:
                return chosen[0]
            candidates = [self._entity(i) for i in chosen]
            listing = "; ".join(f"{c.label} ({c.type_label}, {self._compact(URIRef(c.iri))})" for c in candidates)
            raise AmbiguousEntity(
                f"{name!r} names {len(candidates)} entities: {listing}. Use one of the IRIs.",
                candidates=[(c.iri, c.label, c.type_label) for c in candidates],
            )
        suggestions = [hit.entity.label for hit in self.search(name, limit=5)] if suggest else []
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise UnknownEntity(
            f"no entity is called {shown!r}.{hint} (`evkg search TEXT` finds names.)",
            suggestions=suggestions,
        )

    def entities(self, kind: URIRef | None = None) -> list[Entity]:
        """Every entity under the project's ``id/`` namespace (of a class, if given)."""
        subjects = (
            self._dataset.subjects(RDF.type, kind)
            if kind is not None
            else (s for s, _ in self._dataset.subject_objects(RDF.type))
        )
        iris = {s for s in subjects if isinstance(s, URIRef) and str(s).startswith(str(ID))}
        return [self._entity(i) for i in sorted(iris)]

    def search(self, text: str, *, limit: int = 10) -> list[SearchHit]:
        """Fuzzy search over labels and alternative labels, best first.

        Exact names score 1.0, names that start with the text 0.9, names that contain it
        0.8, and other names their similarity ratio (kept above 0.6), computed by
        rapidfuzz's indexed matcher. Only the first :data:`MAX_SEARCH_TEXT` characters of
        ``text`` count: no name is longer, and a search costs the same whatever is typed.

        Examples
        --------
        >>> kb = load()
        >>> kb.search("Hungery")[0].entity.label
        'Hungary'
        """
        from rapidfuzz import fuzz, process

        query = normalize_name(text[:MAX_SEARCH_TEXT])
        if not query:
            return []
        names = self._name_list
        best: dict[URIRef, tuple[float, str]] = {}

        def consider(name: str, score: float) -> None:
            for iri, rank in self._names[name].items():
                adjusted = score - 0.01 * rank
                if adjusted > best.get(iri, (0.0, ""))[0]:
                    best[iri] = (adjusted, name)

        for name in names:
            if name == query:
                consider(name, 1.0)
            elif name.startswith(query) or any(w.startswith(query) for w in name.split()):
                consider(name, 0.9 - 0.1 * min(1.0, (len(name) - len(query)) / 40))
            elif query in name:
                consider(name, 0.8 - 0.1 * min(1.0, (len(name) - len(query)) / 40))
        for name, ratio, _ in process.extract(query, names, scorer=fuzz.ratio, score_cutoff=60, limit=None):
            if name != query and not (query in name):
                consider(name, ratio / 100 * 0.75)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], self._label(kv[0]).casefold(), str(kv[0])))
        return [
            SearchHit(self._entity(iri), round(score, 3), matched)
            for iri, (score, matched) in ranked[:limit]
        ]

    @cached_property
    def _name_list(self) -> list[str]:
        return sorted(self._names)

    # ----------------------------------------------------------------- describing

    def label_of(self, term) -> str:
        """The English label of an IRI (or its prefixed name when it has none)."""
        return self._label(term)

    def graph_title(self, graph: str) -> str:
        """The title of the source a named graph holds (its IRI if none)."""
        source = self.graph_source(URIRef(graph))
        return self.source_title(source) if source is not None else self._compact(URIRef(graph))

    def attributes(self, iri: str) -> tuple[tuple[str, str], ...]:
        """An entity's literal facts and figures in words, as (name, text) pairs:
        capacity, status, dates, shares, descriptions ... (no relations to entities)."""
        node = URIRef(iri)
        pairs = []
        for predicate, value in self._dataset.predicate_objects(node):
            if predicate in NO_DETAIL_PREDICATES:
                continue
            if isinstance(value, URIRef) and str(value).startswith(str(ID)):
                continue
            pairs.append((self._label(predicate), self._value_text(value)))
        return tuple(sorted(set(pairs)))

    def node_citations(self, iri: str) -> list[Citation]:
        """The quotes and sources of a fact node (with its extra evidence), or of an
        evidence or reference statement node given as its term (a blank node)."""
        return self._citations_for_node(iri if isinstance(iri, (URIRef, BNode)) else URIRef(iri))

    def evidence_index(self) -> dict[tuple, list[Citation]]:
        """Every reified triple (s, p, o) with the citations of its evidence nodes."""
        return self._evidence

    @cached_property
    def _evidence(self) -> dict[tuple, list[Citation]]:
        index: dict[tuple, list[Citation]] = defaultdict(list)
        for node in set(self._dataset.subjects(RDF.subject, None)):
            triple = (
                self._dataset.value(node, RDF.subject),
                self._dataset.value(node, RDF.predicate),
                self._dataset.value(node, RDF.object),
            )
            index[triple].extend(self._citations_for_node(node))
        # Evidence nodes are blank nodes, whose set order changes from run to run: sort
        # by content so that graphs, exports and pages come out the same every time.
        return {triple: sorted(found, key=Citation.sort_key) for triple, found in index.items()}

    def _is_fact(self, node) -> bool:
        return (node, EV.quote, None) in self._dataset and (node, RDF.type, EV.Evidence) not in self._dataset

    def source_title(self, source) -> str:
        """The title of a source document (its label), or "" for None.

        >>> kb = load()
        >>> kb.source_title(kb.graph_source(GRAPH["001_86523e72b0c041e9"]))[:26]
        'How Japanese Automakers Ar'
        >>> kb.source_title(None)
        ''
        """
        return self._label(source) if source is not None else ""

    def _citation_note(self, source) -> str | None:
        note = self._dataset.value(source, EV.citationNote) if source is not None else None
        return None if note is None else str(note)

    def _graphs_of(self, triple) -> list[URIRef]:
        names = (c.identifier if hasattr(c, "identifier") else c for c in self._dataset.graphs(triple))
        return sorted(n for n in names if isinstance(n, URIRef) and n != DATASET_DEFAULT_GRAPH_ID)

    def _citations_for_node(self, node, graphs: Iterable[URIRef] | None = None) -> list[Citation]:
        """The quotes of a fact or evidence node, each with the named graph (article) that
        holds it, and those of its extra evidence. With ``graphs``, only the citations
        from those graphs: a fact node two articles describe cites, for each of its
        statements, only the article that makes it."""
        keep = None if graphs is None else set(graphs)
        citations = []
        interpretation = self._dataset.value(node, EV.interpretation)
        interpretation = None if interpretation is None else str(interpretation)
        for _, _, quote, graph in self._dataset.quads((node, EV.quote, None, None)):
            name = graph.identifier if hasattr(graph, "identifier") else graph
            if keep is None or name in keep:
                source = self.graph_source(name)
                citations.append(Citation(str(name), str(source or ""), self.source_title(source), str(quote), interpretation))
        if not citations:
            # A reference statement cites the source it follows (a classification,
            # background knowledge), not the graph that holds it.
            follows = self._dataset.value(node, PROV.wasDerivedFrom) if (node, RDF.type, EV.ReferenceStatement) in self._dataset else None
            typed = self._graphs_of((node, RDF.type, EV.ReferenceStatement)) if follows is not None else self._graphs_of((node, RDF.type, None))
            for name in typed:
                if keep is None or name in keep:
                    source = follows if follows is not None else self.graph_source(name)
                    citations.append(Citation(str(name), str(source or ""), self.source_title(source), None,
                                              note=self._citation_note(source)))
        for extra in sorted(self._dataset.objects(node, EV.evidence)):
            citations.extend(self._citations_for_node(extra, keep))
        return sorted(set(citations), key=lambda c: (c.graph, c.quote or ""))

    def citations(self, subject, predicate, obj) -> list[Citation]:
        """The sources of a plain triple: its evidence nodes' quotes, or else the graphs
        that assert it (reference data has no quote)."""
        found: list[Citation] = []
        for evidence in sorted(self._dataset.subjects(RDF.subject, subject), key=str):
            if (evidence, RDF.predicate, predicate) in self._dataset and (
                evidence,
                RDF.object,
                obj,
            ) in self._dataset:
                found.extend(self._citations_for_node(evidence))
        if not found:
            for graph in self._graphs_of((subject, predicate, obj)):
                source = self.graph_source(graph)
                found.append(Citation(str(graph), str(source or ""), self.source_title(source), None,
                                      note=self._citation_note(source)))
        return sorted(set(found), key=lambda c: (c.graph, c.quote or ""))

    def statement_citations(self, subject, predicate, obj) -> list[Citation]:
        """The sources of one statement, as :meth:`describe` gives them: for a fact node
        (a plant, a stake ...), its quotes from the graphs that state this triple (all
        its quotes when no graph quotes it); for a plain triple, :meth:`citations`.

        >>> kb = load()
        >>> [c.title for c in kb.statement_citations(ID["company/byd"], EV.basedIn, ID["country/cn"])][-1][:21]
        'How Japanese Automake'
        """
        if self._is_fact(subject):
            graphs = self._graphs_of((subject, predicate, obj))
            return self._citations_for_node(subject, graphs) or self._citations_for_node(subject)
        return self.citations(subject, predicate, obj)

    def graph_source(self, graph: URIRef) -> URIRef | None:
        """The source document a named graph holds (an article, reference data, the
        ontology), or None when the graph names none. Read once per knowledge base.

        >>> kb = load()
        >>> kb.graph_source(GRAPH["001_86523e72b0c041e9"])
        rdflib.term.URIRef('https://w3id.org/evkg/source/001_86523e72b0c041e9')
        >>> kb.graph_source(URIRef("https://example.org/no-such-graph")) is None
        True
        """
        return self._sources_by_graph.get(graph)

    @cached_property
    def _sources_by_graph(self) -> dict[URIRef, URIRef]:
        """Each named graph's source document (article, reference data, ontology)."""
        found: dict[URIRef, URIRef] = {}
        for kind in (EV.Article, EV.ReferenceData, EV.Source, OWL.Ontology, *self._source_subclasses()):
            for source, _, _, graph in self._dataset.quads((None, RDF.type, kind, None)):
                name = graph.identifier if hasattr(graph, "identifier") else graph
                found.setdefault(name, source)
        return found

    def _source_subclasses(self) -> set[URIRef]:
        return {c for c in self._dataset.transitive_subjects(RDFS.subClassOf, EV.Source) if c != EV.Source}

    def _value_text(self, node) -> str:
        """A quantity value or other blank node in words: '150000 vehicles per year'."""
        if isinstance(node, BNode):
            value = self._dataset.value
            return quantity_text({predicate: value(node, predicate) for predicate in QUANTITY_PARTS})
        return self._label(node)

    def _details(self, node, skip=()) -> tuple[tuple[str, str], ...]:
        details = []
        for predicate, value in sorted(self._dataset.predicate_objects(node)):
            if predicate in NO_DETAIL_PREDICATES or predicate in skip:
                continue
            details.append((self._label(predicate), self._value_text(value)))
        return tuple(sorted(set(details)))

    def describe(self, name: str) -> Description:
        """Everything known about an entity: its relations both ways, the n-ary facts it
        takes part in (with their other parts), figures, and each fact's sources."""
        iri = self._resolve(name)
        description = Description(self._entity(iri))
        own_citations = tuple(self._citations_for_node(iri)) if self._is_fact(iri) else ()
        for predicate, value in sorted(set(self._dataset.predicate_objects(iri))):
            if predicate in (RDFS.label, SKOS.altLabel) and not own_citations:
                # A name a classification gives (ISO 3166-1's short and full names of a
                # country) is shown with its citations; other names only head the page.
                citations = tuple(self.citations(iri, predicate, value))
                if any(c.note for c in citations):
                    description.facts.append(Fact(str(predicate), self._label(predicate), "out", str(value), str(value), citations))
                continue
            if predicate in NO_DETAIL_PREDICATES:
                continue
            if own_citations:
                graphs = self._graphs_of((iri, predicate, value))
                citations = tuple(self._citations_for_node(iri, graphs)) or own_citations
            else:
                citations = tuple(self.citations(iri, predicate, value))
            description.facts.append(
                Fact(
                    str(predicate),
                    self._label(predicate),
                    "out",
                    str(value),
                    self._value_text(value),
                    citations,
                )
            )
        for subject, predicate in sorted(set(self._dataset.subject_predicates(iri))):
            if predicate in (RDF.subject, RDF.object, PROV.wasDerivedFrom) or isinstance(subject, BNode):
                continue
            if self._is_fact(subject):
                description.facts.append(
                    Fact(
                        str(predicate),
                        self._label(predicate),
                        "part",
                        str(subject),
                        self._label(subject),
                        # The fact is shown whole, with details any of its sources give: cite them all.
                        tuple(self._citations_for_node(subject)),
                        self._details(subject, skip=(predicate,)),
                    )
                )
            else:
                description.facts.append(
                    Fact(
                        str(predicate),
                        self._label(predicate),
                        "in",
                        str(subject),
                        self._label(subject),
                        tuple(self.citations(subject, predicate, iri)),
                    )
                )
        return description

    # ----------------------------------------------------------------- statistics

    def stats(self) -> Stats:
        """Counts of entities by class and of triples and facts by named graph.

        On a store that answers SPARQL itself, three aggregate queries do the counting,
        so that a store of millions of triples answers in seconds.
        """
        native = self.store is not None and self.store.native_sparql
        if native:
            typed = self.rows("SELECT ?s ?t WHERE { ?s a ?t }")
            triples = {g: int(n) for g, n in self.rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
            facts = {g: int(n) for g, n in self.rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ev:quote ?o } } GROUP BY ?g")}
        else:
            typed = self._dataset.subject_objects(RDF.type)
        types: dict[URIRef, list[URIRef]] = defaultdict(list)
        for subject, kind in typed:
            if isinstance(subject, URIRef) and str(subject).startswith(str(ID)):
                types[subject].append(kind)
        by_class: dict[str, int] = defaultdict(int)
        labels: dict[URIRef | None, str] = {}
        for kinds in types.values():
            kind = _main_type(kinds)
            if kind not in labels:
                labels[kind] = self._label(kind) if kind else ""
            by_class[labels[kind] or "(untyped)"] += 1
        by_source = []
        for graph in self.graph_names():
            if native:
                size, quoted = triples.get(graph, 0), facts.get(graph, 0)
            else:
                named = self._dataset.graph(graph)
                size, quoted = len(named), sum(1 for _ in named.subjects(EV.quote, None))
            source = self.graph_source(graph)
            by_source.append(
                {
                    "graph": str(graph),
                    "title": self.source_title(source) if source is not None else self._compact(graph),
                    "triples": size,
                    "facts": quoted,
                }
            )
        return Stats(dict(sorted(by_class.items())), by_source, len(self._dataset))

    # ----------------------------------------------------------------- validation

    def validate(self) -> ValidationReport:
        """Check the data against the SHACL shapes (``evkg/ontology/shapes.ttl``).

        The data graph is the union of every named graph, the ontology included. No
        RDFS or OWL inference runs (pyshacl's default, and what other SHACL processors
        such as rdf-validate-shacl do): SHACL itself follows the ontology's
        ``rdfs:subClassOf`` triples, so a shape that targets ev:Fact checks every
        ev:JointVenture too, and ``sh:class ev:Organization`` accepts an ev:Automaker.
        Running pyshacl on an export of the knowledge base with the same shapes gives
        the same results.

        Returns
        -------
        ValidationReport
            Its ``violations`` are the report's top-level results, each with the
            results nested under it as ``details``.
        """
        import pyshacl
        from rdflib.namespace import SH

        data = Graph()
        for s, p, o, _ in self._dataset.quads((None, None, None, None)):
            data.add((s, p, o))
        shapes = Graph().parse(SHAPES_PATH)
        conforms, report, text = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", allow_warnings=True, advanced=True
        )

        def violation(result, seen: frozenset = frozenset()) -> Violation:
            focus = report.value(result, SH.focusNode)
            path = report.value(result, SH.resultPath)
            value = report.value(result, SH.value)
            severity = report.value(result, SH.resultSeverity)
            nested = [violation(d, seen | {result}) for d in report.objects(result, SH.detail) if d not in seen]
            return Violation(
                focus=f"_:{focus}" if isinstance(focus, BNode) else str(focus),
                path=self._compact(path) if isinstance(path, URIRef) else "",
                message=str(report.value(result, SH.resultMessage) or ""),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                value="" if value is None or value == focus else self._node_text(data, value, literal=True),
                focus_label=self._node_text(data, focus),
                details=tuple(sorted(nested, key=_violation_order)),
            )

        top = [violation(result) for result in report.objects(None, SH.result)]
        return ValidationReport(bool(conforms), sorted(top, key=_violation_order), str(text))

    def _node_text(self, data: Graph, node, *, literal: bool = False) -> str:
        """How a reader knows a node of a validation result: ``Label <IRI>``, a literal's
        text, or for a blank node the fact it belongs to, found by walking up to the
        nearest IRI that points to it ("the capacity of Example plant <IRI> (a blank node)")."""
        if isinstance(node, Literal):
            return str(node) if literal else node.n3()
        if isinstance(node, URIRef):
            label = self._label(node)
            return f"<{node}>" if label == str(node) else f"{label} <{node}>"
        chain, seen, current = [], {node}, node
        while isinstance(current, BNode):
            # IRI subjects first, then by predicate, so that the same data names it the same way
            parents = sorted(data.subject_predicates(current), key=lambda sp: (isinstance(sp[0], BNode), str(sp[1]), str(sp[0])))
            if not parents or parents[0][0] in seen:
                return "a blank node that no IRI points to"
            current, predicate = parents[0]
            chain.append(self._label(predicate))
            seen.add(current)
        return f"the {' of the '.join(chain)} of {self._node_text(data, current)} (a blank node)"

    # ----------------------------------------------------------------- export

    def serialize(self, format: str) -> str:
        """The whole knowledge base as text in ``format`` (ttl, trig, nq, nt, jsonld),
        byte-identical for the same data."""
        return serialize_dataset(self._dataset, format, prefixes=PREFIXES)

    def export(self, destination: str | Path | IO[str], format: str) -> None:
        """Write the knowledge base to a path (atomically) or an open text stream."""
        text = self.serialize(format)
        if hasattr(destination, "write"):
            destination.write(text)  # type: ignore[union-attr]
        else:
            write_atomically(Path(destination), text)


def _violation_order(violation: Violation) -> tuple[str, str, str, str]:
    return (violation.focus_label, violation.path, violation.message, violation.value)


#: The properties of a quantity value that :func:`quantity_text` puts into words.
QUANTITY_PARTS = (QUDT.numericValue, QUDT.hasUnit, EV.valueWording, EV.countedItem, EV.comparison, EV.period)


def quantity_text(parts: dict) -> str:
    """A quantity value in words, from its properties (``QUANTITY_PARTS`` -> term or None).

    >>> quantity_text({QUDT.numericValue: Literal(150000.0), QUDT.hasUnit: URIRef("http://qudt.org/vocab/unit/NUM-PER-YR"),
    ...                EV.countedItem: Literal("vehicles")})
    '150,000 vehicles per year'
    """
    number, unit, wording = parts.get(QUDT.numericValue), parts.get(QUDT.hasUnit), parts.get(EV.valueWording)
    words = []
    if number is not None:
        words.append(format_number(number.toPython()))
        words.append(unit_text(unit, parts.get(EV.countedItem)))
    if wording is not None:
        words.append(f"(\u201c{wording}\u201d)" if words else f"\u201c{wording}\u201d")
    for predicate in (EV.comparison, EV.period):
        extra = parts.get(predicate)
        if extra is not None:
            words.append(f"[{extra}]")
    return " ".join(w for w in words if w).replace(" %", "%")


def format_number(value) -> str:
    """A number for reading: thousands separated, no trailing ``.0``.

    >>> format_number(150000.0)
    '150,000'
    >>> format_number(6.9)
    '6.9'
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.6g}" if abs(number) < 1e6 else f"{number:,.0f}"


def unit_text(unit, counted=None) -> str:
    """A unit in words: ``unit:GigaW-HR`` -> 'GWh', a count with its item -> 'vehicles per year'."""
    if unit is None:
        return str(counted or "")
    from .ontology.units import UNITS

    local = str(unit).rsplit("/", 1)[-1]
    if local == "NUM":
        words = ""  # a plain count reads as its item: "150,000 vehicles"
    elif local in UNITS:
        words = UNITS[local][0]
    else:  # any QUDT currency unit reads as its ISO 4217 code (CCY_EUR -> EUR)
        words = local[4:] if local.startswith("CCY_") else local
    if counted:
        return f"{counted} {words}".strip()
    return words


def _main_type(kinds: Iterable) -> URIRef | None:
    """The class an entity is shown as: the first of its ontology's classes by IRI, else
    the first of its other classes, else None."""
    types = sorted(t for t in kinds if isinstance(t, URIRef))
    own = [t for t in types if str(t).startswith(str(EV._NS))]
    return (own or types or [None])[0]


def load(
    extra: Iterable[str | Path] = (),
    *,
    seeds: bool = True,
    allow_network: bool = False,
    store: str | Store = "memory",
) -> KnowledgeBase:
    """Load the knowledge base: the ontology, the seed graphs (unless ``seeds=False``) and
    the user's RDF files, each parsed whole before it is added.

    Parameters
    ----------
    extra : iterable of paths
        The user's RDF files, any format rdflib reads (guessed from the extension).
    seeds : bool
        Include the shipped seed data (one named graph per article plus reference data).
    allow_network : bool
        Let queries and parsers fetch remote data. Off by default.
    store : str or evkg.stores.Store
        ``"memory"`` (the default), or a persistent store such as ``"oxigraph:PATH"``:
        it is read as it is, without parsing anything. A new persistent store gets the
        ontology and (unless ``seeds=False``) the seeds; ``extra`` files go into it with
        `evkg load`, not here.

    Raises
    ------
    InputError, ParseError, UnsafeInputError, NetworkAccessError, StoreError

    Examples
    --------
    >>> kb = load(seeds=False)
    >>> [str(g) for g in kb.graph_names()]
    ['https://w3id.org/evkg/graph/ontology']
    """
    backend = open_store(store) if isinstance(store, str) else store
    extra = list(extra)
    if backend.persistent:
        if extra:
            raise StoreError(
                f"--data adds files to the memory store for one run; to add them to {backend.spec} "
                f"for good, run `evkg --store {backend.spec} load FILE...`."
            )
        if backend.needs_seeds():
            # Built in memory, then added in one transaction: the ontology graph marks
            # a store as set up, so it must not go in without the seeds.
            staged = load(seeds=seeds)
            backend.add_quads(staged.dataset.quads((None, None, None, None)))
    dataset = backend.dataset()
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    if backend.persistent:
        kb = KnowledgeBase(dataset, allow_network=allow_network, store=backend)
        kb._vouch(backend.generation())
        return kb
    files = [ONTOLOGY_PATH, *(seed_files() if seeds else ()), *map(Path, extra)]
    try:
        content = _digest_of_files(files)
    except OSError:
        content = None  # a file that cannot be read: parsing it below says why
    # The parsed dataset is kept on disk by content (evkg.caching): a second run on the
    # same files reads it instead of parsing them. Only for a store named by its spec,
    # so that a Store passed in is the one filled.
    key = _dataset_key(content, allow_network) if content is not None and isinstance(store, str) else None
    if key and _read_parsed(key, into=dataset):
        kb = KnowledgeBase(dataset, allow_network=allow_network, store=backend)
        kb.sources = [Path(path) for path in extra]
        kb._vouch(content)
        return kb
    kb = KnowledgeBase(dataset, allow_network=allow_network, store=backend)
    kb._merge(parse_file(ONTOLOGY_PATH, graph_iri=ONTOLOGY_GRAPH), into=ONTOLOGY_GRAPH)
    if seeds:
        for path in seed_files():
            kb._merge(parse_file(path))
    for path in extra:
        kb.add_file(path)
    kb._vouch(content)
    if key:
        _file_parsed(key, dataset)
    return kb


#: Changes whenever the parsed dataset on disk could differ for the same files.
DATASET_FORMAT = "evkg-dataset-3"


def _dataset_key(content: str, allow_network: bool) -> str:
    import rdflib

    from . import __version__

    return cache_key(DATASET_FORMAT, __version__, f"rdflib {rdflib.__version__}", content, f"network={allow_network}")


def _read_parsed(key: str, *, into: Dataset) -> bool:
    """Fill the empty ``into`` with the dataset filed under ``key``; False if there is
    none, or what is there is not a dataset this version wrote (a miss: parse again)."""
    data = read_cached("datasets", key)
    if data is None:
        return False
    try:
        dataset_from_bytes(data, into=into)
    except Exception:  # another layout, damaged, wrong types: checked before anything is added
        return False
    return True


def _file_parsed(key: str, dataset: Dataset) -> None:
    """Keep the parsed ``dataset`` under ``key``; one that cannot be kept as data is skipped."""
    try:
        data = dataset_to_bytes(dataset)
    except (TypeError, ValueError):
        return
    write_cached("datasets", key, data)


def _digest_of_files(paths: Iterable[Path]) -> str:
    """A digest of the files' names and bytes, in order."""
    import hashlib

    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()
