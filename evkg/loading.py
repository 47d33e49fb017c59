"""Reading RDF files safely: format guessing, all-or-nothing parsing, XML entity limits,
errors with file and line, and a guard that keeps parsers and queries off the network.

Examples
--------
>>> guess_format("facts.ttl")
'turtle'
>>> guess_format("ontology.owl")
'xml'
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import sys
import xml.parsers.expat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from .errors import NetworkAccessError, ParseError, UnknownFormat, UnsafeInputError

__all__ = [
    "FORMATS",
    "QUAD_FORMATS",
    "guess_format",
    "parse_file",
    "network_guard",
    "check_xml_entities",
    "default_graph",
]

#: File extensions evkg reads, and the rdflib parser for each.
FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".n3": "n3",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".trig": "trig",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".trix": "trix",
    ".hext": "hext",
}
#: Format names a user may give with ``--format`` on input, mapped to rdflib's names.
FORMAT_NAMES: dict[str, str] = {
    "turtle": "turtle", "ttl": "turtle", "n3": "n3", "nt": "nt", "ntriples": "nt",
    "nquads": "nquads", "nq": "nquads", "trig": "trig", "xml": "xml", "rdfxml": "xml",
    "rdf/xml": "xml", "json-ld": "json-ld", "jsonld": "json-ld", "trix": "trix", "hext": "hext",
}
QUAD_FORMATS = frozenset({"trig", "nquads", "trix", "hext", "json-ld"})

# Limits on XML internal entities: plain namespace abbreviations (as Protégé writes them)
# pass, anything that could expand without bound is refused before the parser sees it.
MAX_ENTITY_VALUE = 4096
MAX_ENTITY_EXPANSION = 32 * 1024 * 1024


def guess_format(path: str | Path) -> str:
    """Return the rdflib parser name for a file, from its extension.

    Raises
    ------
    UnknownFormat
        If the extension is not one evkg reads.
    """
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise UnknownFormat(
            f"{path}: cannot tell the RDF format from the extension {suffix or '(none)'!r}. "
            f"Use one of {known}."
        ) from None


# --------------------------------------------------------------------------- network


_network_allowed: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "evkg_network_allowed", default=True
)
_blocked: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "evkg_blocked", default=None
)
_NETWORK_EVENTS = frozenset(
    {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"}
)
_hook_installed = False


def _audit(event: str, args: tuple) -> None:
    if event not in _NETWORK_EVENTS or _network_allowed.get():
        return
    target = args[0] if event == "urllib.Request" else args[1:2]
    blocked = _blocked.get()
    if blocked is not None:
        blocked.append(f"{event} {target}")
    raise NetworkAccessError(
        f"evkg refused to reach {target} ({event}); network access is off. "
        "Pass --allow-network to permit it."
    )


@contextlib.contextmanager
def network_guard(allow: bool = False) -> Iterator[list[str]]:
    """Forbid network access (sockets and ``urllib`` requests, ``file:`` URLs included)
    inside the block, unless ``allow`` is true.

    The guard is a Python audit hook, installed once per process; it acts only inside
    this context. It yields the list of attempts it blocked, so a caller can report one
    even when a library swallowed the exception.
    """
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True
    blocked: list[str] = []
    token_allow = _network_allowed.set(allow)
    token_blocked = _blocked.set(blocked)
    try:
        yield blocked
    finally:
        _network_allowed.reset(token_allow)
        _blocked.reset(token_blocked)


# --------------------------------------------------------------------------- XML


_ENTITY_REF = re.compile(rb"&([A-Za-z_][\w.\-]*);")


class _EndOfProlog(Exception):
    pass


@dataclass
class _EntityDecl:
    name: str
    value: str | None
    external: bool
    parameter: bool


def check_xml_entities(data: bytes, path: str) -> None:
    """Refuse XML whose DTD could fetch files or expand without bound.

    Allowed: internal general entities with plain text values (``<!ENTITY owl
    "http://www.w3.org/2002/07/owl#">``). Refused: external entities (SYSTEM/PUBLIC),
    parameter entities, entities whose value refers to other entities (the "billion
    laughs" pattern), values over ``MAX_ENTITY_VALUE`` characters, and documents whose
    entity references would expand to more than ``MAX_ENTITY_EXPANSION`` bytes.

    Raises
    ------
    UnsafeInputError
        With the file, line and entity name.
    """
    if b"<!ENTITY" not in data and b"<!entity" not in data.upper():
        return
    decls: list[tuple[_EntityDecl, int]] = []
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def on_entity(name, is_parameter, value, base, system_id, public_id, notation):
        decls.append(
            (
                _EntityDecl(name, value, bool(system_id or public_id), bool(is_parameter)),
                parser.CurrentLineNumber,
            )
        )

    def on_start(*_args):
        raise _EndOfProlog

    parser.EntityDeclHandler = on_entity
    parser.StartElementHandler = on_start
    try:
        parser.Parse(data, True)
    except _EndOfProlog:
        pass
    except xml.parsers.expat.ExpatError as exc:
        raise ParseError(
            f"{path}, line {exc.lineno}: not well-formed XML ({xml.parsers.expat.errors.messages[exc.code]}).",
            path=path,
            line=exc.lineno,
        ) from None
    sizes: dict[str, int] = {}
    for decl, line in decls:
        where = f"{path}, line {line}: entity {decl.name!r}"
        if decl.external:
            raise UnsafeInputError(
                f"{where} is external (SYSTEM/PUBLIC); evkg never resolves external XML entities."
            )
        if decl.parameter:
            raise UnsafeInputError(f"{where} is a parameter entity; evkg does not expand them.")
        value = decl.value or ""
        if "&" in value or "%" in value:
            raise UnsafeInputError(
                f"{where} refers to other entities; nested entities can expand without bound "
                "(the 'billion laughs' attack), so evkg refuses them."
            )
        if len(value) > MAX_ENTITY_VALUE:
            raise UnsafeInputError(
                f"{where} is {len(value)} characters long (at most {MAX_ENTITY_VALUE})."
            )
        sizes[decl.name] = len(value.encode())
    expansion = sum(sizes.get(m.group(1).decode(), 0) for m in _ENTITY_REF.finditer(data))
    if expansion > MAX_ENTITY_EXPANSION:
        raise UnsafeInputError(
            f"{path}: entity references would expand to {expansion:,} bytes "
            f"(at most {MAX_ENTITY_EXPANSION:,}); evkg refuses the file."
        )


# --------------------------------------------------------------------------- parsing


def default_graph(dataset: Dataset) -> Graph:
    """The dataset's default graph (rdflib renamed the accessor in 7.5)."""
    graph = getattr(dataset, "default_graph", None)
    return graph if isinstance(graph, Graph) else dataset.default_context


def _line_of_ntriples_error(message: str, text: str) -> int | None:
    match = re.search(r"Invalid line[^:]*:\s*'?(.*?)'?$", message, re.S)
    if match:
        bad = match.group(1).strip().strip("'\"")
        for number, line in enumerate(text.splitlines(), start=1):
            if bad and (bad in line or line.strip() in bad) and line.strip():
                return number
    return None


def _describe_parse_error(exc: Exception, path: str, fmt: str, data: bytes) -> ParseError:
    """Turn whatever a parser raised into a ParseError naming the file and line."""
    line: int | None = None
    why = str(exc).strip()
    name = type(exc).__name__
    if name == "BadSyntax":  # turtle, trig, n3
        # rdflib's own line count is unreliable; count newlines up to the error offset.
        text, offset = getattr(exc, "_str", None), getattr(exc, "_i", None)
        if isinstance(offset, int) and isinstance(text, (bytes, str)):
            newline = b"\n" if isinstance(text, bytes) else "\n"
            line = text[:offset].count(newline) + 1
        why = getattr(exc, "_why", why)
        why = f"bad syntax ({why})"
    elif name == "SAXParseException":
        line = exc.getLineNumber()  # type: ignore[attr-defined]
        why = exc.getMessage()  # type: ignore[attr-defined]
    elif name == "JSONDecodeError":
        line = exc.lineno  # type: ignore[attr-defined]
        why = f"invalid JSON ({exc.msg})"  # type: ignore[attr-defined]
    elif fmt in ("nt", "nquads"):
        line = _line_of_ntriples_error(why, data.decode("utf-8", "replace"))
    else:
        match = re.search(r"line (\d+)", why)
        line = int(match.group(1)) if match else None
    why = " ".join(why.split())
    if len(why) > 300:
        why = why[:300] + " ..."
    where = f"{path}, line {line}" if line else path
    return ParseError(f"{where}: cannot parse as {fmt}: {why}", path=path, line=line)


def check_readable(path: Path) -> None:
    """Refuse a path that is not an existing file, before anything reads or writes.

    Raises
    ------
    InputError
    """
    from .errors import InputError

    if not path.exists():
        raise InputError(f"{path}: no such file.")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not an RDF file.")


def parse_file(
    path: str | Path,
    *,
    format: str | None = None,
    graph_iri: URIRef | None = None,
    allow_network: bool = False,
) -> Dataset:
    """Parse one RDF file into a fresh ``Dataset`` and return it; nothing is merged anywhere.

    The caller merges the result only when the whole file parsed, so loading is
    all-or-nothing. Triples outside any named graph go to ``graph_iri``.

    Raises
    ------
    InputError
        Missing file, unknown format.
    ParseError
        With the file and the line of the error.
    UnsafeInputError
        XML whose entities could fetch files or explode.
    NetworkAccessError
        A document that would fetch something (a remote JSON-LD ``@context``).
    """
    from .errors import InputError

    path = Path(path)
    check_readable(path)
    if format is not None:
        try:
            fmt = FORMAT_NAMES[format.lower()]
        except KeyError:
            raise UnknownFormat(
                f"unknown RDF format {format!r}; use one of {', '.join(sorted(FORMAT_NAMES))}."
            ) from None
    else:
        fmt = guess_format(path)
    data = path.read_bytes()
    if fmt in ("xml", "trix"):
        check_xml_entities(data, str(path))
    dataset = Dataset(default_union=True)
    if fmt in QUAD_FORMATS:
        target: Graph = dataset
    else:
        target = dataset.graph(graph_iri) if graph_iri is not None else default_graph(dataset)
    with network_guard(allow_network) as blocked:
        try:
            target.parse(data=data, format=fmt, publicID=graph_iri)
        except NetworkAccessError:
            raise
        except Exception as exc:  # parsers raise many types; all become ParseError
            if blocked:
                raise NetworkAccessError(
                    f"{path}: parsing would reach {blocked[0].split(' ', 1)[1]}; "
                    "evkg does not fetch remote documents (JSON-LD contexts, imports). "
                    "Pass --allow-network to permit it."
                ) from None
            raise _describe_parse_error(exc, str(path), fmt, data) from None
    if fmt in QUAD_FORMATS and graph_iri is not None:
        default = default_graph(dataset)
        if len(default):
            named = dataset.graph(graph_iri)
            for triple in default:
                named.add(triple)
            default.remove((None, None, None))
    return dataset
