"""An Oxigraph (RocksDB) database on disk: ``--store oxigraph:PATH``.

Made and filled by ``evkg load FILE... --store oxigraph:PATH``; every other command reads
it without parsing anything. SPARQL is answered by Oxigraph's engine, and rdflib reads
the database through oxrdflib with evkg's term mapping.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, QueryError, StoreError
from . import LoadProgress, LoadReport, Store

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Dataset
    from rdflib.query import Result

__all__ = ["OxigraphStore", "rdflib_plugin_class"]


#: Oxigraph databases open in this process, by folder: Oxigraph allows one writer per
#: folder, and a second handle from the same process would be refused as locked.
_OPEN: dict[Path, pyoxigraph.Store] = {}

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def _to_ox(term):
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    if term is None or term == DATASET_DEFAULT_GRAPH_ID:
        return ox.DefaultGraph()
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    return _to_ox(term.identifier)  # a Graph as a graph name


def _from_ox(term):
    """An rdflib term for an Oxigraph term, written as rdflib writes it (plain strings,
    decimals with a point), so that both stores print the same."""
    if term is None:
        return None
    kinds = _ox_kinds()
    kind = type(term)
    if kind is kinds.named:
        return kinds.URIRef(term.value)
    if kind is kinds.literal:
        if term.language:
            return kinds.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return kinds.Literal(term.value)
        value = term.value
        if datatype == _XSD_DECIMAL and "." not in value:
            value += ".0"  # Oxigraph writes 10 where rdflib writes 10.0
        return kinds.Literal(value, datatype=kinds.URIRef(datatype))
    if kind is kinds.blank:
        return kinds.BNode(term.value)
    raise StoreError(f"Oxigraph returned a term evkg cannot read: {term!r}.")


@lru_cache(maxsize=1)
def _ox_kinds():
    """Oxigraph's and rdflib's term classes, imported once (term conversion is hot)."""
    from types import SimpleNamespace

    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    def iri(value: str) -> URIRef:
        # Oxigraph has checked every IRI it holds: skip rdflib's check, the costly part
        # of making a URIRef (URIRef is a str with nothing else to set up).
        return str.__new__(URIRef, value)

    return SimpleNamespace(
        named=ox.NamedNode, blank=ox.BlankNode, literal=ox.Literal, URIRef=iri, BNode=BNode, Literal=Literal
    )


def rdflib_plugin_class():
    """The rdflib Store class over an open pyoxigraph Store, with evkg's term mapping.

    oxrdflib's ``OxigraphStore`` plugin, changed so that the default graph holds the union
    of the named graphs (the union copy :meth:`OxigraphStore.load_file` writes) and is no
    graph of its own. Subclass it to change how a store is read, as the server's read-only
    store does.

    >>> rdflib_plugin_class().__name__
    'EvkgOxigraphPlugin'
    """
    import pyoxigraph as ox
    from oxrdflib import OxigraphStore as Plugin
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
    from oxrdflib._converter import from_ox_graph_name, to_ox_quad_pattern

    class EvkgOxigraphPlugin(Plugin):
        def __len__(self, context=None):
            if context is not None and context.identifier == DATASET_DEFAULT_GRAPH_ID:
                return 0  # the union copy is not a graph of its own
            return super().__len__(context)

        def triples(self, triple_pattern, context=None):
            if context is not None and context.identifier == DATASET_DEFAULT_GRAPH_ID:
                return iter(())
            union = context is None
            try:
                # The store's default graph holds the union of the named graphs, each
                # triple once: read it for the union, and the named graphs for contexts.
                pattern = to_ox_quad_pattern(triple_pattern, None if union else context)
                found = self._inner.quads_for_pattern(*pattern[:3], ox.DefaultGraph() if union else pattern[3])
            except (TypeError, ValueError):  # a literal as subject, say: nothing matches
                return iter(())
            if not union:
                return (
                    ((_from_ox(q.subject), _from_ox(q.predicate), _from_ox(q.object)),
                     iter((from_ox_graph_name(q.graph_name, self),)))
                    for q in found
                )
            return (
                ((_from_ox(q.subject), _from_ox(q.predicate), _from_ox(q.object)), self._graphs_of(q))
                for q in found
            )

        def contexts(self, triple=None):
            # rdflib may register its default graph's name as a graph; it is not a source.
            return (g for g in super().contexts(triple) if g.identifier != DATASET_DEFAULT_GRAPH_ID)

        def _graphs_of(self, quad):
            for other in self._inner.quads_for_pattern(quad.subject, quad.predicate, quad.object, None):
                if not isinstance(other.graph_name, ox.DefaultGraph):
                    yield from_ox_graph_name(other.graph_name, self)

    return EvkgOxigraphPlugin


#: Formats Oxigraph's own parsers read, by evkg's (rdflib's) format name.
_OX_FORMATS = {
    "turtle": "TURTLE", "nt": "N_TRIPLES", "nquads": "N_QUADS", "trig": "TRIG",
    "n3": "N3", "xml": "RDF_XML", "json-ld": "JSON_LD",
}


class OxigraphStore(Store):
    """A persistent Oxigraph (RocksDB) database in a folder.

    Made and filled by ``evkg load FILE... --store oxigraph:PATH``; every other command
    reads it without parsing anything. One process at a time may have it open.
    """

    persistent = True
    parses_queries = True
    native_sparql = True

    def __init__(self, path: Path):
        self.path = path
        self.spec = f"oxigraph:{path}"
        self._ox = self._open(path)
        self._dataset: Dataset | None = None

    def _open(self, path: Path):
        key = path.resolve()
        if key in _OPEN:
            return _OPEN[key]
        where = f"--store oxigraph:{path}"
        if path.exists() and not path.is_dir():
            raise StoreError(f"{where}: {path} is a file; an Oxigraph store is a folder. Give a folder that does not exist yet (evkg makes it) or one made by `evkg load`.")
        if path.is_dir() and any(path.iterdir()) and not (path / "CURRENT").exists():
            raise StoreError(f"{where}: the folder {path} holds other files, not an Oxigraph database. Give an empty or new folder.")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{where}: cannot make the folder {path} ({exc.strerror or exc}).") from None
        if not os.access(path, os.W_OK | os.X_OK):
            raise StoreError(f"{where}: the folder {path} is not writable; Oxigraph needs to write its lock and logs there.")
        import pyoxigraph as ox

        try:
            store = ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreError(
                    f"{where}: another process has this database open (Oxigraph allows one at a time). "
                    "Wait for it to finish, or stop it (an `evkg serve` on the same store, for instance)."
                ) from None
            raise StoreError(f"{where}: cannot open the database: {exc}") from None
        _OPEN[key] = store
        _recover(path, f"oxigraph:{path}")
        return store

    def dataset(self) -> Dataset:
        if self._dataset is None:
            from rdflib import Dataset

            self._dataset = Dataset(store=rdflib_plugin_class()(store=self._ox), default_union=True)
        return self._dataset

    @property
    def pyoxigraph_store(self) -> pyoxigraph.Store:
        """The open ``pyoxigraph.Store`` of the database, for reading many quads without
        making rdflib terms. Change the database through this store's methods only: they
        keep the default graph as the union of the named graphs, and the generation mark.

        >>> import tempfile
        >>> store = OxigraphStore(Path(tempfile.mkdtemp()) / "db")
        >>> len(store.pyoxigraph_store)
        0
        """
        return self._ox

    #: The file in the database folder that holds the generation mark.
    GENERATION_FILE = "evkg-generation"

    def generation(self) -> str | None:
        """The mark evkg wrote when it last changed this database (None for a database
        made by other tools: evkg cannot tell when that one changes)."""
        try:
            return "oxigraph:" + (self.path / self.GENERATION_FILE).read_text(encoding="ascii").strip()
        except OSError:
            return None

    def _changed(self) -> None:
        """Write a new generation mark (atomically): what was built from the old
        contents is not used again."""
        import uuid

        from ..export import write_atomically

        write_atomically(self.path / self.GENERATION_FILE, uuid.uuid4().hex + "\n")

    def needs_seeds(self) -> bool:
        """A store is set up once the ontology graph is in it; it goes in last."""
        import pyoxigraph as ox

        from ..ontology import GRAPH

        return not self._ox.contains_named_graph(ox.NamedNode(str(GRAPH["ontology"])))

    def add_quads(self, quads: Iterable[tuple]) -> None:
        import pyoxigraph as ox

        added = []
        for s, p, o, g in quads:
            triple = (_to_ox(s), _to_ox(p), _to_ox(o))
            added.append(ox.Quad(*triple, _to_ox(g)))
            added.append(ox.Quad(*triple, ox.DefaultGraph()))
        try:
            self._ox.extend(added)
            self._ox.flush()
        finally:
            self._changed()

    def query(self, text: str, prefixes: dict[str, str]) -> Result | None:
        # Oxigraph's engine would send SERVICE requests itself, out of reach of evkg's
        # network guard: any query that so much as mentions the word goes to rdflib.
        if re.search(r"service", text, re.I):
            return None
        import pyoxigraph as ox
        from rdflib import Graph, Variable
        from rdflib.query import Result

        # The default graph is the union of the named graphs, kept as a set (Oxigraph's
        # own union would repeat a triple once per graph that holds it).
        answer = self._ox_query(text, prefixes)
        if isinstance(answer, ox.QueryBoolean):
            result = Result("ASK")
            result.askAnswer = bool(answer)
        elif isinstance(answer, ox.QuerySolutions):
            from ..sparql import order_star

            result = Result("SELECT")
            variables = [Variable(v.value) for v in answer.variables]
            result.bindings = [
                {var: _from_ox(value) for var, value in zip(variables, row) if value is not None}
                for row in answer
            ]
            result.vars = order_star(text, variables)
        else:
            result = Result("CONSTRUCT")
            result.graph = Graph()
            for prefix, namespace in prefixes.items():
                result.graph.bind(prefix, namespace)
            result.graph += ((_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object)) for t in answer)
        return result

    def _ox_query(self, text: str, prefixes: dict[str, str]):
        """Oxigraph's answer; a query its engine cannot evaluate (a custom or unknown
        function) is a :class:`~evkg.errors.QueryError` that says so."""
        try:
            return self._ox.query(text, prefixes=prefixes)
        except RuntimeError as exc:
            message = " ".join(str(exc).split())
            if "custom function" in message and "is not supported" in message:
                raise QueryError(
                    f"the query failed: {message.replace('The custom', 'the')} by the Oxigraph "
                    "store (SPARQL 1.1's own functions are; evkg defines no others)."
                ) from None
            raise QueryError(f"the query failed: {message}") from None

    def select_rows(self, text: str, prefixes: dict[str, str]) -> Iterator[tuple] | None:
        if re.search(r"service", text, re.I):
            return None
        from ..sparql import order_star

        convert = _from_ox
        answer = self._ox_query(text, prefixes)
        names = [v.value for v in answer.variables]
        columns = [names.index(name) for name in order_star(text, names)]
        return (tuple(convert(row[i]) for i in columns) for row in answer)

    def load_file(
        self,
        path: Path,
        *,
        graph_iri: str,
        format: str | None = None,
        allow_network: bool = False,
        progress: LoadProgress | None = None,
    ) -> LoadReport:
        """Add one RDF file with Oxigraph's bulk loader; all or nothing.

        Triples outside a named graph go to ``graph_iri``. Formats Oxigraph does not read
        are parsed whole by evkg's safe rdflib loader first, then written.

        The store writes each triple twice: to its named graph, and to the de-duplicated
        union in the default graph (Oxigraph's own union would repeat a triple once per
        graph that holds it). The file is read once by Oxigraph's parser, with its blank
        nodes given fresh names, and each triple goes to one bulk loader twice, as terms
        (nothing is written out as text and read back): a file loads whole or not at all,
        as the bulk loader writes nothing until its input has ended without an error.
        N-Triples and N-Quads without a blank node (no ``_:`` in the file) are written
        faster: Oxigraph's bulk loader reads the file for the named copy without Python's
        lock, while evkg reads it for the union copy, so the two use two cores.

        Oxigraph's parsers (but for JSON-LD's) refuse every IRI RFC 3987's grammar
        refuses; what the grammar lets through and evkg refuses (bidirectional marks,
        line separators: :func:`evkg.loading.iri_problem`) can only be in a file that
        holds their bytes or an escape, and in such a file (and in any JSON-LD document)
        every IRI, blank node label, datatype and language tag is checked
        (:class:`evkg.loading.TermCheck`) before anything is written. A JSON-LD document
        that names a context instead of writing it inline is refused unless
        ``allow_network`` (then evkg's rdflib loader reads it: Oxigraph's parser reads no
        context).

        ``progress(stage, done, total)`` hears of the work: ``"parsing"`` with the
        triples read so far, then ``"writing"`` (total known) for what is left once the
        whole file is read.
        """
        from ..loading import (
            FORMAT_NAMES, check_readable, check_xml_entities, check_xml_whole, guess_format, parse_file,
            read_jsonld, refuse_external_contexts,
        )

        check_readable(path)
        fmt = FORMAT_NAMES.get(format.lower(), format) if format else guess_format(path)
        report = progress or (lambda stage, done, total: None)
        started = time.perf_counter()
        contexts: list[str] = []
        if fmt == "json-ld":
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise InputError(f"{path}: cannot read: {exc}") from None
            contexts = read_jsonld(data, path)[1]
            refuse_external_contexts(contexts, path, allow_network)
        if fmt not in _OX_FORMATS or contexts:
            parsed = parse_file(path, format=format, graph_iri=_rdflib_iri(graph_iri), allow_network=allow_network)
            report("parsing", len(parsed), len(parsed))
            self.add_quads(parsed.quads((None, None, None, None)))
            report("writing", len(parsed), len(parsed))
            return LoadReport(path, len(parsed), time.perf_counter() - started)
        if fmt == "xml":
            check_xml_entities(path.read_bytes(), str(path))
            check_xml_whole(path)  # Oxigraph's parser takes a cut document as whole
        import pyoxigraph as ox

        ox_format = getattr(ox.RdfFormat, _OX_FORMATS[fmt])
        # Oxigraph's JSON-LD parser drops an invalid IRI unless lenient: read it leniently
        # everywhere, so that what is checked is what is written.
        read = _Reading(path, ox_format, base=graph_iri, lenient=ox_format == ox.RdfFormat.JSON_LD)
        check = _OxTermCheck(path) if read.lenient or _may_hold_marks(path) else None
        side_by_side = not read.lenient and _free_of_blank_nodes(read)
        if side_by_side and check is not None:
            self._check(read, check, report)  # two bulk loaders: checked before either writes
        marker = self.path / LOADING_FILE
        try:
            self._changed()  # before writing: a load cut short leaves no stale graph behind
            # Removed when the writing ends; found by the next process that opens the
            # database if this one is killed meanwhile (see _recover).
            _write_marker(marker, path, graph_iri)
            target = ox.NamedNode(graph_iri)
            if side_by_side:
                triples = self._write_side_by_side(read, target, None if check else report)
            else:
                triples = self._write_together(read, target, check, report)
            self._ox.flush()
        except OSError as exc:
            raise StoreError(f"{path}: writing to {self.spec} failed: {exc}") from None
        except MemoryError:
            raise StoreError(
                f"{path}: writing to {self.spec} ran out of memory; part of the file may be in the store. "
                "Free memory (or split the file) and load it again: triples already there are not doubled."
            ) from None
        finally:
            self._changed()
            marker.unlink(missing_ok=True)
        report("writing", triples, triples)
        return LoadReport(path, triples, time.perf_counter() - started)

    def _write_together(self, read: _Reading, target, check: _OxTermCheck | None, report: LoadProgress) -> int:
        """Both copies of the file's triples by one bulk loader (see :meth:`load_file`),
        each term checked first if ``check``; the number of triples read."""
        import pyoxigraph as ox

        quad, unnamed, default = ox.Quad, ox.DefaultGraph, ox.DefaultGraph()
        count = 0
        # The check reads blank node labels as written; fresh names are then given here.
        fresh = None if check is None else _FreshBlankNodes()

        def doubled():
            nonlocal count
            parsed = ox.parse(
                path=str(read.path), format=read.format, base_iri=read.base, lenient=read.lenient,
                rename_blank_nodes=check is None,
            )
            try:
                for found in parsed:
                    count += 1
                    if fresh is not None:
                        check.quad(found)
                        found = fresh.quad(found)
                    s, p, o, g = found.subject, found.predicate, found.object, found.graph_name
                    yield quad(s, p, o, target if type(g) is unnamed else g)
                    yield quad(s, p, o, default)
                    if not count % 100_000:
                        report("parsing", count, None)
            except (SyntaxError, MemoryError, OSError) as exc:
                raise _ReadFailed from exc
            report("parsing", count, count)
            report("writing", 0, count)

        try:
            self._ox.bulk_extend(doubled())
        except _ReadFailed as failed:
            raise _parse_error(read.path, failed.__cause__) from None
        return count

    def _write_side_by_side(self, read: _Reading, target, report: LoadProgress | None) -> int:
        """The named copy by Oxigraph's bulk loader from the file, the union copy at the
        same time by a second one from evkg's reading (a file without blank nodes); the
        number of triples read. ``report`` hears of the reading (None: a check has read
        the file already and said so)."""
        from concurrent.futures import ThreadPoolExecutor

        import pyoxigraph as ox

        quad, default = ox.Quad, ox.DefaultGraph()
        count = 0

        def union(named_failed):
            nonlocal count
            parsed = ox.parse(path=str(read.path), format=read.format, base_iri=read.base, lenient=read.lenient)
            try:
                for found in parsed:
                    count += 1
                    yield quad(found.subject, found.predicate, found.object, default)
                    if not count % 100_000:
                        if named_failed():
                            raise _Stopped  # before this loader writes anything
                        if report is not None:
                            report("parsing", count, None)
            except (SyntaxError, MemoryError, OSError) as exc:
                raise _ReadFailed from exc
            if report is not None:
                report("parsing", count, count)
                report("writing", 0, count)

        with ThreadPoolExecutor(1, thread_name_prefix="evkg-load") as pool:
            named = pool.submit(
                self._ox.bulk_load, path=str(read.path), format=read.format, base_iri=read.base,
                to_graph=target, lenient=read.lenient,
            )
            try:
                self._ox.bulk_extend(union(lambda: named.done() and named.exception() is not None))
            except _Stopped:
                pass  # the named copy failed: its error is raised below
            except _ReadFailed as failed:
                if named.exception() is None:  # cannot be: both read the same file alike
                    raise StoreError(
                        f"{read.path}: the file read differently twice ({failed.__cause__}); part of it may be "
                        f"in {self.spec}. Load it again: triples already there are not doubled."
                    ) from None
                raise _parse_error(read.path, failed.__cause__) from None
            try:
                named.result()
            except (SyntaxError, MemoryError) as exc:  # read ahead of the union copy, which stopped
                raise _parse_error(read.path, exc) from None
        return count

    def _check(self, read: _Reading, check: _OxTermCheck, report: LoadProgress) -> None:
        """Parse the whole file without storing it, checking every term."""
        import pyoxigraph as ox

        count = 0
        try:
            for quad in ox.parse(path=str(read.path), format=read.format, base_iri=read.base, lenient=read.lenient):
                count += 1
                check.quad(quad)
                if not count % 100_000:
                    report("parsing", count, None)
        except (SyntaxError, MemoryError, OSError) as exc:
            raise _parse_error(read.path, exc) from None
        report("parsing", count, count)


class _FreshBlankNodes:
    """Gives each blank node label of one file a fresh blank node, as Oxigraph's parser
    does when asked to rename them."""

    def __init__(self):
        import pyoxigraph as ox

        self._ox = ox
        self._names: dict[str, object] = {}
        self._renamed = (ox.BlankNode, getattr(ox, "Triple", ox.BlankNode))

    def quad(self, quad):
        s, o, g = quad.subject, quad.object, quad.graph_name
        if type(s) in self._renamed or type(o) in self._renamed or type(g) in self._renamed:
            return self._ox.Quad(self.term(s), quad.predicate, self.term(o), self.term(g))
        return quad

    def term(self, term):
        ox = self._ox
        kind = type(term)
        if kind is ox.BlankNode:
            found = self._names.get(term.value)
            if found is None:
                found = self._names[term.value] = ox.BlankNode()
            return found
        if kind is getattr(ox, "Triple", None):
            return ox.Triple(self.term(term.subject), term.predicate, self.term(term.object))
        return term


@dataclass
class _Reading:
    """How a file is read: its path, Oxigraph's format, the base IRI, leniency."""

    path: Path
    format: object
    base: str
    lenient: bool


class _ReadFailed(Exception):
    """Reading the file for a bulk loader failed (the cause is the parser's error)."""


class _Stopped(Exception):
    """The union copy stopped, before writing anything, as the named copy had failed."""


def _parse_error(path: Path, exc: BaseException) -> Exception:
    """The evkg error for what Oxigraph's parser raised while reading ``path``."""
    from ..errors import ParseError

    if isinstance(exc, MemoryError):
        from ..loading import too_large_term

        return too_large_term(path)
    if isinstance(exc, SyntaxError):
        line = getattr(exc, "lineno", None)
        why = " ".join(str(exc.msg if hasattr(exc, "msg") else exc).split())
        where = f"{path}, line {line}" if line else str(path)
        return ParseError(f"{where}: cannot parse: {why}. Nothing was loaded.", path=str(path), line=line)
    return InputError(f"{path}: cannot read: {exc}")


#: The file in the database folder that says a bulk load is writing (removed when it ends).
LOADING_FILE = "evkg-loading"

_log = logging.getLogger("evkg")


def _write_marker(marker: Path, path: Path, graph_iri: str) -> None:
    import json

    from ..export import write_atomically

    note = {"file": str(path.resolve()), "graph": graph_iri, "pid": os.getpid(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    write_atomically(marker, json.dumps(note) + "\n")


def _recover(folder: Path, spec: str) -> str | None:
    """Clean up after a load that was killed while writing into the database in ``folder``,
    which this process has just opened for writing (so no other process is loading).

    Oxigraph's bulk loader builds ``bulk-*.sst`` files in the folder and hands them to
    RocksDB when they are done; a killed load leaves the unfinished ones behind, unknown
    to the database and never removed. They are removed here, and the load that
    :data:`LOADING_FILE` names is reported on standard error (the ``evkg`` logger), with
    what to do: part of its file may be in the store. Returns the report, or None when
    there was nothing to clean.
    """
    import json

    marker = folder / LOADING_FILE
    try:
        note = json.loads(marker.read_text(encoding="utf-8"))
        if not isinstance(note, dict):
            note = {}
    except FileNotFoundError:
        note = None
    except (OSError, ValueError):
        note = {}
    orphans = [entry for entry in folder.glob("bulk-*.sst") if entry.is_file()]
    if note is None and not orphans:
        return None
    size = 0
    for orphan in orphans:
        with contextlib.suppress(OSError):
            size += orphan.stat().st_size
            orphan.unlink()
    files = f"{len(orphans)} unfinished bulk file{'s' if len(orphans) != 1 else ''} ({size / 1e6:,.1f} MB)"
    if note is None:
        message = f"{spec}: removed {files} left by a load that was interrupted."
    else:
        name = note.get("file", "a file")
        when = f", started {note['started']}" if note.get("started") else ""
        who = f" (process {note['pid']}{when})" if note.get("pid") else ""
        message = (
            f"{spec}: the load of {name}{who} was interrupted; removed {files}. Part of {name} may be "
            f"in the store (graph <{note.get('graph', '?')}>): load it again (triples already there are not doubled)."
        )
        marker.unlink(missing_ok=True)
    _log.warning(message)
    return message


# Characters RFC 3987's grammar allows but evkg refuses in IRIs (bidirectional formatting
# marks, line and paragraph separators) in UTF-8, and the escapes that could write one:
# one pattern each, as a pattern that starts with a fixed byte is searched for fast.
_MARKS = tuple(re.compile(pattern) for pattern in (rb"\xe2\x80[\x8e\x8f\xa8-\xae]", rb"\\[uU]", rb"&#"))


def _may_hold_marks(path: Path) -> bool:
    """Whether the file may hold a character that :func:`evkg.loading.iri_problem` refuses
    and Oxigraph's strict parsers accept."""
    with path.open("rb") as lines:
        tail = b""
        while chunk := lines.read(1 << 22):
            block = tail + chunk
            if any(mark.search(block) for mark in _MARKS):
                return True
            tail = chunk[-2:]
    return False


def _free_of_blank_nodes(read: _Reading) -> bool:
    """Whether the file is N-Triples or N-Quads without a blank node: those write one as
    ``_:label`` and in no other way, so a file without ``_:`` has none."""
    import pyoxigraph as ox

    if read.format not in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        return False
    with read.path.open("rb") as lines:
        tail = b""
        while chunk := lines.read(1 << 22):
            if b"_:" in tail + chunk:
                return False
            tail = chunk[-1:]
    return True


class _OxTermCheck:
    """Checks Oxigraph's terms as :class:`evkg.loading.TermCheck` checks rdflib's; the
    predicates and datatypes it has passed are remembered (a file has few of them)."""

    REMEMBERED = 10_000

    def __init__(self, path: Path):
        import pyoxigraph as ox

        from ..loading import TermCheck

        self._check = TermCheck(path)
        self._passed: set[str] = set()
        self._named, self._blank, self._literal = ox.NamedNode, ox.BlankNode, ox.Literal
        self._triple = getattr(ox, "Triple", None)

    def quad(self, quad) -> None:
        predicate = quad.predicate.value
        if predicate not in self._passed:
            self._check.iri(predicate)
            if len(self._passed) < self.REMEMBERED:
                self._passed.add(predicate)
        self.term(quad.subject)
        self.term(quad.object)
        self.term(quad.graph_name)

    def term(self, term) -> None:
        kind = type(term)
        if kind is self._named:
            self._check.iri(term.value)
        elif kind is self._literal:
            if term.language:
                self._check.language(term.language)
            else:
                datatype = term.datatype.value
                if datatype not in self._passed:
                    self._check.iri(datatype, "the datatype IRI")
                    if len(self._passed) < self.REMEMBERED:
                        self._passed.add(datatype)
        elif kind is self._blank:
            self._check.blank(term.value)
        elif kind is self._triple:
            self.term(term.subject)
            self.term(term.predicate)
            self.term(term.object)


def _rdflib_iri(iri: str):
    from rdflib import URIRef

    return URIRef(iri)
