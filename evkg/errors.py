"""The one exception tree of evkg: every error a user can act on is an ``EvkgError``."""

from __future__ import annotations

__all__ = [
    "EvkgError",
    "InputError",
    "ParseError",
    "UnsafeInputError",
    "QueryError",
    "TimeLimitExceeded",
    "NetworkAccessError",
    "UnknownEntity",
    "AmbiguousEntity",
    "UnknownFormat",
    "OutputError",
    "TableError",
    "StoreError",
]


class EvkgError(Exception):
    """Base class of every error evkg raises on purpose.

    The message is written for the user: it says what went wrong and, where it can,
    what to do about it. The command line prints it and exits with ``exit_code``.
    """

    exit_code = 2


class InputError(EvkgError):
    """A file, option or argument the user gave cannot be used."""


class UnknownFormat(InputError):
    """An RDF or result format name that evkg does not know."""


class ParseError(InputError):
    """An RDF file that does not parse. Carries the file and the line where known."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.path = path
        self.line = line


class UnsafeInputError(InputError):
    """An input that evkg refuses to process: external XML entities, entity expansion bombs."""


class QueryError(InputError):
    """A SPARQL query that does not parse or cannot be evaluated."""


class TimeLimitExceeded(QueryError):
    """Work (a query, most often) ran past the time limit the user set, and was stopped."""


class NetworkAccessError(EvkgError):
    """An operation would reach the network or a file behind the user's back.

    Raised for SPARQL ``SERVICE``, ``LOAD``, ``FROM`` of a graph not in the store, and
    remote JSON-LD contexts, unless network access was explicitly allowed.
    """


class UnknownEntity(InputError):
    """A name that matches no entity; ``suggestions`` holds close matches."""

    def __init__(self, message: str, *, suggestions: list[str] | None = None):
        super().__init__(message)
        self.suggestions = suggestions or []


class AmbiguousEntity(InputError):
    """A name that matches several entities; ``candidates`` lists (iri, label, type)."""

    def __init__(self, message: str, *, candidates: list[tuple[str, str, str]] | None = None):
        super().__init__(message)
        self.candidates = candidates or []


class OutputError(InputError):
    """An output path that cannot be written (missing directory, not writable)."""


class StoreError(InputError):
    """A store that cannot be opened or used: an unknown ``--store`` spec, a folder that is
    a file, not writable, or locked by another process."""


class TableError(InputError):
    """A CSV table that cannot be imported.

    ``problems`` lists each problem as ``(row, column, value, message)``; ``row`` and
    ``column`` are ``None`` when the problem is the file or its header as a whole. Rows
    are numbered as a spreadsheet shows them: the header is row 1.
    """

    def __init__(
        self,
        message: str,
        *,
        problems: list[tuple[int | None, str | None, str | None, str]] | None = None,
    ):
        super().__init__(message)
        self.problems = problems or []
