"""Work kept on disk between runs: the parsed knowledge base, the built graph and the path
search's index, each filed under a key made from what the knowledge base holds, so that
a second run on the same files (or the same store) skips the parsing and the building.

Everything lives under one folder: ``$EVKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/evkg``,
else ``~/.cache/evkg``; ``EVKG_CACHE_DIR=off`` turns the cache off. Each kind of work has
a sub-folder (``datasets``, ``graphs``, ``search``) that keeps its :data:`KEPT` most
recently used files. Files are written atomically (a temporary file, then a rename).

What is kept is data, never code: the cache holds bytes (JSON, see :func:`dataset_to_bytes`
and :mod:`evkg.graph.cache`; JSON and machine integers, see :mod:`evkg.graph.search`),
and nothing read from it is ever run. The folders are
created private (0700) and the files too (0600), whatever the inputs' modes; a folder that
belongs to another user, or that others may write, is not used at all (the cache is off,
with one warning). File names and contents are tied to a random secret kept in the folder
(``key``, 0600): a file's name is an HMAC of its key, so the same inputs give other names
under another folder, and each file carries an HMAC of its name and contents, so a file
planted or damaged, cut short or left by another version is a miss, never an error: the
work is done again and filed anew.

Examples
--------
>>> import os, tempfile
>>> os.environ["EVKG_CACHE_DIR"] = tempfile.mkdtemp()
>>> read_cached("graphs", "abc") is None
True
>>> write_cached("graphs", "abc", b'{"nodes": 3}')
>>> read_cached("graphs", "abc")
b'{"nodes": 3}'
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
import logging
import os
import secrets
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Dataset

__all__ = [
    "KEPT",
    "cache_folder",
    "cache_key",
    "collector_paused",
    "dataset_from_bytes",
    "dataset_to_bytes",
    "read_cached",
    "write_cached",
]

#: How many files each kind of cached work keeps; the least recently used go first.
KEPT = 8

#: The first line of every cached file; the second is the HMAC of its name and contents.
_MAGIC = b"evkg-cache-1\n"
_SUFFIX = ".cache"
_SECRET = "key"

_log = logging.getLogger("evkg")
_warned: set[Path] = set()


def cache_folder(kind: str | None = None) -> Path | None:
    """The cache folder (of one kind of work), or None when the cache is off.

    Only the place: whether it may be used is checked when it is read or written.

    >>> os.environ["EVKG_CACHE_DIR"] = "off"
    >>> cache_folder("graphs") is None
    True
    """
    chosen = os.environ.get("EVKG_CACHE_DIR")
    if chosen is not None:
        if chosen.strip().lower() in ("", "off", "0", "no"):
            return None
        root = Path(chosen).expanduser()
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "evkg"
    return root / kind if kind else root


def cache_key(*parts: object) -> str:
    """A key for work made from ``parts`` (versions, a content digest, options); the file
    name is made from it with the folder's secret.

    >>> cache_key("evkg-graph-2", "0.1.0", "collapse=False") == cache_key("evkg-graph-2", "0.1.0", "collapse=False")
    True
    """
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def read_cached(kind: str, key: str) -> bytes | None:
    """The bytes filed under ``key``, or None if there are none, they cannot be read, or
    they were not written here (their HMAC does not match)."""
    place = _place(kind, create=False)
    if place is None:
        return None
    folder, secret = place
    name = _file_name(secret, kind, key)
    path = folder / name
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                return None
            found = stream.read()
    except OSError:
        return None
    header = len(_MAGIC) + 65
    if len(found) < header or not found.startswith(_MAGIC) or found[header - 1 : header] != b"\n":
        return None
    data = found[header:]
    if not hmac.compare_digest(found[len(_MAGIC) : header - 1], _mac(secret, name, data).encode()):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept longest
    return data


def write_cached(kind: str, key: str, data: bytes) -> None:
    """File ``data`` under ``key``, atomically and private (0600), and drop the least
    recently used files beyond :data:`KEPT`. A cache that cannot be written (a read-only
    home, a full disk, a folder not ours) is skipped: the work is simply done again next
    time."""
    place = _place(kind, create=True)
    if place is None:
        return
    folder, secret = place
    name = _file_name(secret, kind, key)
    try:
        _write_private(folder / name, _MAGIC + _mac(secret, name, data).encode() + b"\n" + data)
    except OSError:
        return
    _prune(folder)


# --------------------------------------------------------------------------- the folder


def _place(kind: str, *, create: bool) -> tuple[Path, bytes] | None:
    """The usable folder of ``kind`` and the secret of its root, or None (cache off)."""
    root = cache_folder()
    if root is None:
        return None
    try:
        if not _usable(root, create=create) or not _usable(root / kind, create=create, tighten=create):
            return None
        secret = _secret(root, create=create)
    except OSError:
        return None
    return None if secret is None else (root / kind, secret)


def _usable(folder: Path, *, create: bool, tighten: bool = False) -> bool:
    """Whether ``folder`` is a folder of this user that no one else may write; a missing
    one is created 0700 when ``create``, one that others may read is made 0700 when
    ``tighten`` (the sub-folders an older version made 0755)."""
    try:
        info = folder.stat()
    except FileNotFoundError:
        if not create:
            return False
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
        if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) != 0o700:
            os.chmod(folder, 0o700)
            info = folder.stat()
    if not stat.S_ISDIR(info.st_mode):
        return False
    if info.st_uid != os.geteuid():
        _warn(folder, "it belongs to another user")
        return False
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        _warn(folder, "other users may write in it")
        return False
    if tighten and stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(folder, 0o700)
    return True


def _warn(folder: Path, why: str) -> None:
    if folder not in _warned:
        _warned.add(folder)
        _log.warning(
            f"evkg: not using the cache folder {folder}: {why}; the cache is off "
            f"(set EVKG_CACHE_DIR to a folder of your own, or to off)."
        )


def _secret(root: Path, *, create: bool) -> bytes | None:
    """The root's random secret (made on first use, 0600), or None if there is none yet."""
    path = root / _SECRET
    with contextlib.suppress(FileNotFoundError):
        found = path.read_bytes().strip()
        if len(found) == 64 and all(c in b"0123456789abcdef" for c in found):
            return found
        if not create:
            return None
        _write_private(path, secrets.token_hex(32).encode())  # damaged: a new one
        return path.read_bytes().strip()
    if not create:
        return None
    fd, tmp = tempfile.mkstemp(prefix=f".{_SECRET}.", dir=root)  # private: 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_hex(32).encode())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)  # the first process to make one wins; the others read it
    finally:
        os.unlink(tmp)
    return _secret(root, create=False)


def _file_name(secret: bytes, kind: str, key: str) -> str:
    return hmac.new(secret, f"name|{kind}|{key}".encode(), hashlib.sha256).hexdigest()[:40] + _SUFFIX


def _mac(secret: bytes, name: str, data: bytes) -> str:
    mac = hmac.new(secret, f"data|{name}|".encode(), hashlib.sha256)
    mac.update(data)
    return mac.hexdigest()


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a private (0600) temporary file and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _prune(folder: Path) -> None:
    files = []
    for path in folder.glob(f"*{_SUFFIX}"):
        with contextlib.suppress(OSError):
            files.append((path.stat().st_mtime, path))
    # Files of older versions (pickles, readable by anyone) are dropped too.
    old = list(folder.glob("*.pickle"))
    for path in [path for _, path in sorted(files, reverse=True)[KEPT:]] + old:
        with contextlib.suppress(OSError):
            path.unlink()


@contextlib.contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector while cached work is read back: the new
    values hold no cycles, and its passes over millions of them took half the reading
    time of a large graph."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


# --------------------------------------------------------------------------- the parsed dataset

#: Changes whenever the layout below changes.
DATASET_LAYOUT = "evkg-dataset-2"


def dataset_to_bytes(dataset: Dataset) -> bytes:
    """An rdflib ``Dataset`` as plain JSON: its prefixes, its graphs (the empty ones too),
    a table of its terms and its quads as numbers into that table.

    Terms are kept as they are (an IRI as its string, a literal as lexical form, language
    and datatype, a blank node with its id), never written as RDF text to be parsed again.

    >>> from rdflib import Dataset, Literal, URIRef
    >>> rdf = Dataset()
    >>> g = rdf.graph(URIRef("http://example.org/g"))
    >>> _ = g.add((URIRef("http://example.org/s"), URIRef("http://example.org/p"), Literal("x", lang="en")))
    >>> again = Dataset()
    >>> dataset_from_bytes(dataset_to_bytes(rdf), into=again)
    >>> sorted(again.quads()) == sorted(rdf.quads())
    True
    """
    import json

    from rdflib import BNode, Literal, URIRef

    index: dict = {}
    terms: list = []

    def number(term) -> int:
        found = index.get(term)
        if found is None:
            kind = type(term)
            if kind is URIRef:
                terms.append(str(term))
            elif kind is Literal:
                datatype = term.datatype
                terms.append([str(term), term.language, None if datatype is None else str(datatype)])
            elif kind is BNode:
                terms.append({"b": str(term)})
            else:
                raise TypeError(f"not an RDF term: {term!r}")
            found = index[term] = len(terms) - 1
        return found

    graphs = [number(graph.identifier) for graph in dataset.store.contexts()]
    quads = []
    for s, p, o, g in dataset.quads((None, None, None, None)):
        quads.extend((number(s), number(p), number(o), number(getattr(g, "identifier", g))))
    body = {
        "layout": DATASET_LAYOUT,
        "namespaces": [[prefix, str(namespace)] for prefix, namespace in dataset.namespaces()],
        "terms": terms,
        "graphs": graphs,
        "quads": quads,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def dataset_from_bytes(data: bytes, *, into: Dataset) -> None:
    """Add what :func:`dataset_to_bytes` wrote to the (empty) dataset ``into``.

    Everything is checked before anything is added: on any error ``into`` is unchanged.

    Raises
    ------
    ValueError
        ``data`` is not such a dataset (damaged, another layout, wrong types).
    """
    with collector_paused():
        _fill_dataset(data, into)


def _fill_dataset(data: bytes, into: Dataset) -> None:
    import json

    from rdflib import BNode, Literal, URIRef
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(body, dict) or body.get("layout") != DATASET_LAYOUT:
        raise ValueError("not a dataset of this layout")
    namespaces, terms, graphs, quads = (body.get(name) for name in ("namespaces", "terms", "graphs", "quads"))
    if not all(isinstance(part, list) for part in (namespaces, terms, graphs, quads)) or len(quads) % 4:
        raise ValueError("parts missing or of the wrong type")
    if not all(
        isinstance(pair, list) and len(pair) == 2 and all(type(text) is str for text in pair) for pair in namespaces
    ):
        raise ValueError("a namespace is not a (prefix, IRI) pair")
    made = []
    for term in terms:
        if type(term) is str:
            made.append(URIRef(term))
        elif (
            isinstance(term, list) and len(term) == 3 and type(term[0]) is str
            and all(part is None or type(part) is str for part in term[1:]) and None in term[1:]
        ):
            made.append(Literal(term[0], lang=term[1], datatype=None if term[2] is None else URIRef(term[2])))
        elif isinstance(term, dict) and len(term) == 1 and type(term.get("b")) is str:
            made.append(BNode(term["b"]))
        else:
            raise ValueError(f"not a term: {term!r}")
    count = len(made)
    if not all(type(n) is int and 0 <= n < count for n in graphs) or not all(
        type(n) is int and 0 <= n < count for n in quads
    ):
        raise ValueError("a term number out of range")
    names = [made[n] for n in graphs]
    resources = (URIRef, BNode)
    if not all(isinstance(name, resources) for name in names):
        raise ValueError("a graph named by a literal")
    for at in range(0, len(quads), 4):
        s, p, g = made[quads[at]], made[quads[at + 1]], made[quads[at + 3]]
        if not isinstance(s, resources) or type(p) is not URIRef or not isinstance(g, resources):
            raise ValueError("a quad with a literal subject, predicate or graph")

    contexts = {DATASET_DEFAULT_GRAPH_ID: into.default_context}
    for name in names:
        if name not in contexts:
            contexts[name] = into.graph(name)
    add = into.store.add
    for at in range(0, len(quads), 4):
        name = made[quads[at + 3]]
        context = contexts.get(name)
        if context is None:
            context = contexts[name] = into.graph(name)
        add((made[quads[at]], made[quads[at + 1]], made[quads[at + 2]]), context, False)
    store = into.store
    for prefix, namespace in namespaces:
        store.bind(prefix, URIRef(namespace), override=True)
