"""Where the knowledge base keeps its quads: the Store interface, and one module per store.

A store is named by a spec, as ``--store`` takes it: ``memory`` (rdflib in memory, the
default, :mod:`evkg.stores.memory`), ``oxigraph:PATH`` (an Oxigraph database on disk,
:mod:`evkg.stores.oxigraph`) or ``sparql:URL`` (a SPARQL 1.1 endpoint,
:mod:`evkg.stores.sparql`). :func:`open_store` parses the spec and imports only the module
of the store it opens.

The package depends only on the layers below it (errors, loading, ontology, SPARQL
preparation, atomic writes); nothing here imports the knowledge base, the graph side, the
server or the CLI, and the store modules import this one, never each other.

Examples
--------
>>> open_store("memory").spec
'memory'
>>> open_store("sparkle:/tmp/x")
Traceback (most recent call last):
...
evkg.errors.StoreError: unknown store 'sparkle:/tmp/x'. Give one of: memory (rdflib in memory, the default), oxigraph:PATH (an Oxigraph database in the folder PATH, made by `evkg load`), sparql:URL (a SPARQL 1.1 endpoint, filled by `evkg load`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreError

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Dataset
    from rdflib.query import Result

__all__ = ["Store", "LoadReport", "LoadProgress", "open_store", "STORE_FORMS"]

#: The forms ``--store`` accepts, with what each means.
STORE_FORMS = {
    "memory": "rdflib in memory, the default",
    "oxigraph:PATH": "an Oxigraph database in the folder PATH, made by `evkg load`",
    "sparql:URL": "a SPARQL 1.1 endpoint, filled by `evkg load`",
}


def open_store(spec: str, *, update_url: str | None = None) -> Store:
    """Open the store a ``--store`` spec names.

    Parameters
    ----------
    spec : str
        ``memory``, ``oxigraph:PATH`` or ``sparql:URL``.
    update_url : str, optional
        For ``sparql:URL``: the SPARQL Update endpoint, when it is not URL itself.

    Raises
    ------
    StoreError
        An unknown spec (the message lists the valid forms), or a PATH that cannot hold
        the database: a file, not writable, or locked by another process.
    """
    kind, sep, rest = spec.partition(":")
    if spec == "memory":
        from .memory import MemoryStore

        return MemoryStore()
    if kind == "oxigraph" and sep:
        if not rest.strip():
            raise StoreError("--store oxigraph:PATH needs the folder of the database, e.g. oxigraph:./evkg-db.")
        from .oxigraph import OxigraphStore

        return OxigraphStore(Path(rest).expanduser())
    if kind == "sparql" and sep:
        from .sparql import SparqlStore

        return SparqlStore(rest.strip(), update_url=update_url)
    forms = ", ".join(f"{form} ({meaning})" for form, meaning in STORE_FORMS.items())
    raise StoreError(f"unknown store {spec!r}. Give one of: {forms}.")


@dataclass
class LoadReport:
    """What :meth:`Store.load_file` did: triples read from ``path`` in ``seconds``."""

    path: Path
    triples: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.triples / self.seconds if self.seconds > 0 else float("inf")


#: ``progress(stage, done, total)``: how far :meth:`Store.load_file` is. ``stage`` is
#: ``"parsing"`` or ``"writing"``; ``done`` and ``total`` count triples (``total`` is
#: None while it is not known yet).
LoadProgress = Callable[[str, int, "int | None"], None]


class Store:
    """A place for the knowledge base's quads. Subclasses say how to open it as an
    rdflib ``Dataset`` and may answer SPARQL natively."""

    spec: str
    #: Whether the data outlives the process (filled by `evkg load`, not by --data).
    persistent = False
    #: Whether :meth:`query` parses the text itself (evkg then skips its own parse of a
    #: query that cannot reach past the store).
    parses_queries = False
    #: Whether the store answers SPARQL itself, so that reading much of it is best done
    #: with a few streamed queries (rdflib's memory store is read faster by triple patterns).
    native_sparql = False

    def dataset(self) -> Dataset:
        """The store as an rdflib Dataset whose default graph is the union of all graphs."""
        raise NotImplementedError

    @property
    def pyoxigraph_store(self) -> pyoxigraph.Store | None:
        """The open ``pyoxigraph.Store`` that holds the quads, for reading many of them
        without making rdflib terms; None unless the store is an Oxigraph database.

        >>> open_store("memory").pyoxigraph_store is None
        True
        """
        return None

    def needs_seeds(self) -> bool:
        """Whether the ontology (and seeds) must still be put into the store."""
        return True

    def generation(self) -> str | None:
        """A mark that changes whenever evkg changes the store's contents, or None if
        the store has none (then nothing built from it is kept between runs)."""
        return None

    def add_quads(self, quads: Iterable[tuple]) -> None:
        """Add rdflib quads (s, p, o, graph) in one transaction."""
        self.dataset().addN(quads)

    def query(self, text: str, prefixes: dict[str, str]) -> Result | None:
        """Answer a SPARQL query natively, or return None to let rdflib evaluate it."""
        return None

    def select_rows(self, text: str, prefixes: dict[str, str]) -> Iterator[tuple] | None:
        """Stream a SELECT query's rows as tuples of rdflib terms (None where unbound),
        without building a result first; None if the store cannot (use :meth:`query`)."""
        return None

    def load_file(self, path: Path, *, graph_iri: str, format: str | None = None) -> LoadReport:
        raise StoreError(
            f"`evkg load` fills a persistent store; {self.spec} holds data for one run only. "
            "Give --store oxigraph:PATH, or add files to the memory store with --data FILE."
        )
