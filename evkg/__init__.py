"""evkg: a sourced knowledge graph of the global electric-vehicle industry.

The package's public face is small: :func:`load` returns a :class:`KnowledgeBase`.
Heavy modules (rdflib, pyshacl) load on first use, so ``evkg --help`` stays fast.

Examples
--------
>>> import evkg
>>> kb = evkg.load()
>>> kb.entity("CPEC").label
'China–Pakistan Economic Corridor'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import (
    AmbiguousEntity,
    EvkgError,
    InputError,
    NetworkAccessError,
    OutputError,
    ParseError,
    QueryError,
    StoreError,
    TableError,
    UnknownEntity,
    UnknownFormat,
    UnsafeInputError,
)

if TYPE_CHECKING:
    from .kb import KnowledgeBase, load

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "load",
    "KnowledgeBase",
    "EvkgError",
    "InputError",
    "ParseError",
    "UnsafeInputError",
    "QueryError",
    "NetworkAccessError",
    "UnknownEntity",
    "AmbiguousEntity",
    "UnknownFormat",
    "OutputError",
    "TableError",
    "StoreError",
]


def __getattr__(name: str):
    if name in ("load", "KnowledgeBase"):
        from . import kb

        return getattr(kb, name)
    raise AttributeError(f"module 'evkg' has no attribute {name!r}")
