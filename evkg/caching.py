"""Work kept on disk between runs: the parsed knowledge base and the built graph, each
filed under a key made from what the knowledge base holds, so that a second run on the
same files (or the same store) skips the parsing and the building.

Everything lives under one folder: ``$EVKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/evkg``,
else ``~/.cache/evkg``; ``EVKG_CACHE_DIR=off`` turns the cache off. Each kind of work has
a sub-folder (``datasets``, ``graphs``) that keeps its :data:`KEPT` most recently used
files. Files are written atomically (a temporary file, then a rename); a file that
cannot be read counts as missing, and the work is done again and filed anew.

The files are Python pickles: read only those in a folder that you alone can write (the
default is in your home).

Examples
--------
>>> import os, tempfile
>>> os.environ["EVKG_CACHE_DIR"] = tempfile.mkdtemp()
>>> read_cached("graphs", "abc") is None
True
>>> write_cached("graphs", "abc", {"nodes": 3})
>>> read_cached("graphs", "abc")
{'nodes': 3}
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path

__all__ = ["KEPT", "cache_folder", "cache_key", "read_cached", "write_cached"]

#: How many files each kind of cached work keeps; the least recently used go first.
KEPT = 8


def cache_folder(kind: str | None = None) -> Path | None:
    """The cache folder (of one kind of work), or None when the cache is off."""
    chosen = os.environ.get("EVKG_CACHE_DIR")
    if chosen is not None:
        if chosen.strip().lower() in ("", "off", "0", "no"):
            return None
        root = Path(chosen).expanduser()
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "evkg"
    return root / kind if kind else root


def cache_key(*parts: object) -> str:
    """A file name for work made from ``parts`` (versions, a content digest, options).

    >>> cache_key("evkg-graph-2", "0.1.0", "collapse=False") == cache_key("evkg-graph-2", "0.1.0", "collapse=False")
    True
    """
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def read_cached(kind: str, key: str):
    """The object filed under ``key``, or None if there is none or it cannot be read."""
    folder = cache_folder(kind)
    if folder is None:
        return None
    path = folder / f"{key}.pickle"
    try:
        with path.open("rb") as stream:
            found = pickle.load(stream)
    except Exception:  # missing, damaged or foreign: the work is done again
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept longest
    return found


def write_cached(kind: str, key: str, value: object) -> None:
    """File ``value`` under ``key``, atomically, and drop the least recently used files
    beyond :data:`KEPT`. A cache that cannot be written (a read-only home, a full disk) is
    skipped: the work is simply done again next time."""
    folder = cache_folder(kind)
    if folder is None:
        return
    from .errors import OutputError
    from .export import write_atomically

    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / f"{key}.pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, OutputError, pickle.PicklingError, TypeError, AttributeError):
        return
    _prune(folder)


def _prune(folder: Path) -> None:
    files = []
    for path in folder.glob("*.pickle"):
        with contextlib.suppress(OSError):
            files.append((path.stat().st_mtime, path))
    for _, path in sorted(files, reverse=True)[KEPT:]:
        with contextlib.suppress(OSError):
            path.unlink()
