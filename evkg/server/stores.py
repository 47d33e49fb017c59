"""Where the server and its query workers get the data: a copy for the memory store, the
store itself for a persistent one.

A query worker is a separate process, so it needs its own handle on the data. For the
memory store that is a :class:`Snapshot`, the dataset as N-Quads, parsed by each worker.
A persistent store is opened by each worker itself (:class:`SharedStore`): an Oxigraph
database read-only (any number of processes may read one at once), a SPARQL endpoint
over HTTP, with the credentials the worker inherits from ``EVKG_SPARQL_USER`` and
``EVKG_SPARQL_PASSWORD``. Nothing is copied, however large the store.

An Oxigraph database must not change while read-only handles are open on it, so the
serving process opens it with :func:`open_served_kb`, which also takes the database's
write lock: `evkg load` is refused until the server stops, as while any command has it open.

Examples
--------
>>> import evkg
>>> data = worker_data(evkg.load(seeds=False))
>>> type(data).__name__, len(data.open().graph_names())
('Snapshot', 1)
>>> SharedStore("sparql:http://localhost:8890/sparql").spec
'sparql:http://localhost:8890/sparql'
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EvkgError, StoreError
from ..kb import KnowledgeBase, load
from ..stores import open_store
from ..stores.oxigraph import OxigraphStore
from ..stores.sparql import SparqlStore
from .evaluation import kb_from_nquads, snapshot_of

if TYPE_CHECKING:
    from rdflib import Dataset

__all__ = [
    "Snapshot",
    "SharedStore",
    "ReadOnlyOxigraphStore",
    "worker_data",
    "open_served_kb",
    "update_refusal",
]


# --------------------------------------------------------------------------- what a worker gets


@dataclass(frozen=True)
class Snapshot:
    """The data as N-Quads (:func:`~evkg.server.evaluation.snapshot_of`): each worker
    parses it into a memory store of its own."""

    nquads: str

    def open(self) -> KnowledgeBase:
        return kb_from_nquads(self.nquads)


@dataclass(frozen=True)
class SharedStore:
    """A persistent store each worker opens itself, by its ``--store`` spec: an Oxigraph
    database read-only, a SPARQL endpoint (and its update URL) over HTTP."""

    spec: str
    update_url: str | None = None

    def open(self) -> KnowledgeBase:
        kind, _, rest = self.spec.partition(":")
        if kind == "oxigraph":
            store = ReadOnlyOxigraphStore(Path(rest))
        else:
            store = open_store(self.spec, update_url=self.update_url)
        return load(store=store)


def worker_data(kb: KnowledgeBase) -> Snapshot | SharedStore:
    """What the query workers need to answer from ``kb``: its store, when every worker can
    open it too (Oxigraph, SPARQL), or else a snapshot of its quads."""
    store = kb.store
    if isinstance(store, OxigraphStore):
        return SharedStore(f"oxigraph:{store.path.resolve()}")
    if isinstance(store, SparqlStore):
        return SharedStore(store.spec, None if store.update_url == store.url else store.update_url)
    return Snapshot(snapshot_of(kb))


# --------------------------------------------------------------------------- Oxigraph read-only


class ReadOnlyOxigraphStore(OxigraphStore):
    """An Oxigraph database opened read-only, which any number of processes may do at once.

    It answers as :class:`~evkg.stores.oxigraph.OxigraphStore` does (SPARQL natively, the same rdflib
    view) and refuses to change. Oxigraph's read-only handles see the database as it was
    when they opened it and must not have it change under them: with ``hold_lock``, this
    process takes the database's write lock, and keeps it as long as the store lives, so
    that no other process opens it for writing meanwhile.

    Raises
    ------
    StoreError
        No database in ``path``, or (with ``hold_lock``) another process has it open for
        writing.
    """

    def __init__(self, path: Path, *, hold_lock: bool = False):
        if not (path / "CURRENT").is_file():
            raise StoreError(
                f"--store oxigraph:{path}: there is no Oxigraph database in {path}. "
                f"Make one with `evkg --store oxigraph:{path} load FILE...`."
            )
        self._lock = _hold_write_lock(path) if hold_lock else None
        super().__init__(path)

    def _open(self, path: Path):
        import pyoxigraph as ox

        try:
            return ox.Store.read_only(str(path))
        except OSError as exc:
            raise StoreError(f"--store oxigraph:{path}: cannot open the database read-only: {exc}") from None

    def dataset(self) -> Dataset:
        if self._dataset is None:
            from rdflib import Dataset

            from ..stores.oxigraph import rdflib_plugin_class

            class ReadOnlyPlugin(rdflib_plugin_class()):
                def add_graph(self, graph):
                    pass  # rdflib "adds" each graph it is asked for by name, to read it too

            self._dataset = Dataset(store=ReadOnlyPlugin(store=self.pyoxigraph_store), default_union=True)
        return self._dataset

    def _refuse(self, *args, **kwargs):
        raise StoreError(
            f"{self.spec} is open read-only here (it is being served); stop the server, then "
            f"change it with `evkg --store {self.spec} load FILE...`."
        )

    add_quads = _refuse
    load_file = _refuse


def _hold_write_lock(path: Path):
    """Take the lock an Oxigraph (RocksDB) writer takes on ``path/LOCK``; it lasts as long as
    the returned file stays open."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system; RocksDB locks with other means there
        return None
    where = f"--store oxigraph:{path}"
    try:
        handle = open(path / "LOCK", "a")  # noqa: SIM115 (held open on purpose)
    except OSError as exc:
        raise StoreError(
            f"{where}: cannot lock the database ({exc.strerror or exc}); serving it needs "
            "write access to its folder, to keep other processes from changing it meanwhile."
        ) from None
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise StoreError(
            f"{where}: another process has this database open (an `evkg load`, or another "
            "command on this store). Wait for it to finish, or stop it, then start the server again."
        ) from None
    return handle


# --------------------------------------------------------------------------- the serving process


def open_served_kb(
    spec: str, *, update_url: str | None = None, data: Sequence[Path] = (), seeds: bool = True
) -> KnowledgeBase:
    """The knowledge base ``evkg serve --store SPEC`` serves from a persistent store.

    An Oxigraph database is opened read-only, with its write lock held (see
    :class:`ReadOnlyOxigraphStore`); a new one is first made with the ontology and (unless
    ``seeds=False``) the seeds, as every command does. A SPARQL endpoint is opened as
    :func:`evkg.load` opens it.

    Raises
    ------
    StoreError
        ``data`` files given (they go into a persistent store with `evkg load`), or the store
        cannot be opened.

    Examples
    --------
    >>> import tempfile
    >>> kb = open_served_kb(f"oxigraph:{tempfile.mkdtemp()}/db", seeds=False)
    >>> [str(g) for g in kb.graph_names()], type(kb.store).__name__
    (['https://w3id.org/evkg/graph/ontology'], 'ReadOnlyOxigraphStore')
    """
    if data:
        raise StoreError(
            f"--data adds files to the memory store for one run; to add them to {spec} for good, "
            f"run `evkg --store {spec} load FILE...`, then serve it."
        )
    kind, _, rest = spec.partition(":")
    if kind != "oxigraph":
        return load(seeds=seeds, store=open_store(spec, update_url=update_url))
    path = Path(rest).expanduser()
    if not rest.strip() or not (path / "CURRENT").is_file():
        _set_up(spec, seeds)  # a new store (or a bad spec, which this explains)
    store = ReadOnlyOxigraphStore(path, hold_lock=True)
    if store.needs_seeds():
        raise StoreError(f"{spec} is not set up; make it with `evkg --store {spec} load FILE...`.")
    return load(store=store)


def _set_up(spec: str, seeds: bool) -> None:
    """Make a new Oxigraph store in a process of its own, which lets go of the database's
    write lock when it ends."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as child:
        problem = child.submit(_set_up_store, spec, seeds).result()
    if problem is not None:
        raise StoreError(problem)


def _set_up_store(spec: str, seeds: bool) -> str | None:
    try:
        load(seeds=seeds, store=spec)
    except EvkgError as exc:
        return str(exc)
    return None


def update_refusal(spec: str) -> str:
    """Why ``--allow-update`` is refused on the persistent store ``spec``.

    >>> print(update_refusal("sparql:http://localhost:8890/sparql"))  # doctest: +NORMALIZE_WHITESPACE
    --allow-update keeps changes in the server's memory, so it works with the memory
    store only: the server never changes sparql:http://localhost:8890/sparql. Add data
    to it with `evkg --store sparql:http://localhost:8890/sparql load FILE...`; to try
    updates, serve a copy from memory: `evkg --store sparql:http://localhost:8890/sparql
    export --format nq -o copy.nq`, then `evkg --no-seeds --data copy.nq serve --allow-update`.
    """
    stopped = " with the server stopped" if spec.startswith("oxigraph:") else ""
    return (
        f"--allow-update keeps changes in the server's memory, so it works with the memory store "
        f"only: the server never changes {spec}. Add data to it with `evkg --store {spec} load "
        f"FILE...`{stopped}; to try updates, serve a copy from memory: `evkg --store {spec} "
        f"export --format nq -o copy.nq`, then `evkg --no-seeds --data copy.nq serve --allow-update`."
    )
