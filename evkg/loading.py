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
    "check_xml_whole",
    "default_graph",
    "iri_problem",
    "TermCheck",
    "check_terms",
    "read_jsonld",
    "refuse_external_contexts",
    "files_closed",
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
#: What entity references may add to a document, in bytes: this much to any document, or
#: this many times the document's own size to a larger one. Namespace abbreviations add
#: a few times the size of their references; one long entity referenced over and over
#: (the "quadratic blowup") adds thousands of times it.
MAX_ENTITY_EXPANSION = 1024 * 1024
MAX_ENTITY_EXPANSION_RATIO = 10
#: How deep the elements of an RDF/XML document with an ``rdf:parseType="Literal"`` may nest.
MAX_XML_DEPTH = 256


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
_files_shut: contextvars.ContextVar[bool] = contextvars.ContextVar("evkg_files_shut", default=False)
_hook_installed = False


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _files_shut.get() and not isinstance(args[0], int):
        blocked = _blocked.get()
        if blocked is not None:
            blocked.append(f"open {args[0]}")
        raise NetworkAccessError(
            f"evkg refused to open {args[0]}; a document being parsed may not read files. "
            "Pass --allow-network to permit it."
        )
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
    _install_hook()
    blocked: list[str] = []
    token_allow = _network_allowed.set(allow)
    token_blocked = _blocked.set(blocked)
    try:
        yield blocked
    finally:
        _network_allowed.reset(token_allow)
        _blocked.reset(token_blocked)


def _install_hook() -> None:
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True


@contextlib.contextmanager
def files_closed() -> Iterator[None]:
    """Refuse every ``open()`` of a file inside the block (raising NetworkAccessError).

    For a parser that has its whole input in memory and so has no file to open: rdflib's
    JSON-LD parser would otherwise read any local file a document names as its context.
    Modules the parser imports late must be imported before the block.
    """
    _install_hook()
    token = _files_shut.set(True)
    try:
        yield
    finally:
        _files_shut.reset(token)


# --------------------------------------------------------------------------- terms

# What RFC 3987 keeps out of an IRI, and what would let an IRI written as <...> end early or
# break a line: spaces and controls (C0, DEL, C1), <>"{}|\^` , line and paragraph separators,
# bidirectional formatting marks (RFC 3987, 4.1), lone surrogates and non-characters.
_BAD_IRI_CHAR = re.compile(
    "[\x00-\x20<>\"{}|\\\\^`\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\ud800-\udfff\ufffe\uffff]"
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# Brackets belong only around an IP literal host, and nowhere else (RFC 3987, 2.2).
_IP_LITERAL_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://(?:[^/?#\[\]@]*@)?\[[0-9A-Fa-fvV:.]+\](?::[0-9]*)?(?:[/?#][^\[\]]*)?$")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
#: How much of a refused term an error message shows.
SHOWN_TERM = 80


def _shown(value: str, limit: int = SHOWN_TERM) -> str:
    """``value`` for an error message: cut to ``limit`` characters, quoted and escaped."""
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "...")


def iri_problem(value: str) -> str | None:
    """Why ``value`` is not an absolute IRI, or None if it is one.

    Examples
    --------
    >>> iri_problem("https://w3id.org/evkg/id/company/catl") is None
    True
    >>> iri_problem("http://example.org/a b")
    'it holds a space'
    >>> iri_problem("http://example.org/p>")
    "it holds '>'"
    >>> iri_problem("company/catl")
    'it is relative; an IRI here starts with a scheme, such as https:'
    >>> iri_problem("http://example.org/a#b#c")
    "it holds two '#' (an IRI has one fragment at most)"
    >>> iri_problem("http://example.[rg/x"), iri_problem("http://[::1]:8000/sparql") is None
    ("it holds '[' or ']' outside an IPv6 host such as http://[::1]/", True)
    """
    bad = _BAD_IRI_CHAR.search(value)
    if bad:
        char = bad.group()
        return "it holds a space" if char == " " else f"it holds {char!r}"
    if not _SCHEME.match(value):
        return "it is relative; an IRI here starts with a scheme, such as https:"
    if value.count("#") > 1:
        return "it holds two '#' (an IRI has one fragment at most)"
    if ("[" in value or "]" in value) and not _IP_LITERAL_IRI.match(value):
        return "it holds '[' or ']' outside an IPv6 host such as http://[::1]/"
    return None


class TermCheck:
    """Checks the terms a parser gave for ``path`` before any of them is stored.

    Each method raises ParseError naming the file and the term (cut and escaped).
    """

    def __init__(self, path: str | Path):
        self.path = str(path)

    def _refuse(self, what: str, value: str, why: str) -> None:
        raise ParseError(
            f"{self.path}: {what} {_shown(value)} is not valid ({why}); nothing was loaded.",
            path=self.path,
        )

    def iri(self, value: str, what: str = "the IRI") -> None:
        """An IRI (subject, predicate, object, graph name or datatype)."""
        why = iri_problem(value)
        if why is None:
            return
        raise ParseError(
            f"{self.path}: {what} {_shown(value)} is not a valid IRI ({why}); nothing was loaded.",
            path=self.path,
        )

    def blank(self, label: str) -> None:
        """A blank node's label."""
        if not label or _BAD_IRI_CHAR.search(label):
            self._refuse("the blank node label", label, "a label is letters, digits, '_', '-' and '.'")

    def language(self, tag: str) -> None:
        """A literal's language tag (BCP 47 in shape)."""
        if not _LANGUAGE_TAG.fullmatch(tag):
            self._refuse("the language tag", tag, "a tag is letters, digits and '-', such as en or pt-BR")


def check_terms(quads, path: str | Path) -> None:
    """Refuse rdflib quads whose IRIs, blank node labels, datatypes or language tags are
    not valid; such terms could not be written back out, or would change what a file
    written from them says.

    Raises
    ------
    ParseError
        Naming the file and the term.
    """
    from rdflib import BNode, Literal

    check = TermCheck(path)
    passed: set[str] = set()  # predicates, datatypes and graphs: few, and on every quad
    for quad in quads:
        for position, term in enumerate(quad):
            if isinstance(term, URIRef):
                if term not in passed:
                    check.iri(term)
                    if position == 1 or position == 3:
                        passed.add(term)
            elif isinstance(term, BNode):
                check.blank(term)
            elif isinstance(term, Literal):
                if term.language:
                    check.language(term.language)
                if term.datatype is not None and term.datatype not in passed:
                    check.iri(term.datatype, "the datatype IRI")
                    passed.add(term.datatype)


# --------------------------------------------------------------------------- JSON-LD

#: How much of a context reference an error message shows (paths can be long).
SHOWN_CONTEXT = 300


def read_jsonld(data: bytes, path: str | Path) -> tuple[object, list[str]]:
    """Parse a JSON-LD document; return it with every context it names instead of
    writing it inline: each string that is, or is in the array that is, the value of an
    ``@context`` key, and each ``@import``, at any depth (scoped, type-scoped and nested
    contexts, duplicate keys included), innermost objects first. Any of them would make a
    JSON-LD processor read a URL or a local file.

    Examples
    --------
    >>> read_jsonld(b'{"@context": [{"@import": "/etc/b"}, "a.json"], "@id": "x:y"}', "doc.jsonld")[1]
    ['/etc/b', 'a.json']

    Raises
    ------
    ParseError
        Not JSON.
    """
    import json

    found: list[str] = []

    def note(pairs: list[tuple[str, object]]) -> dict:
        for key, value in pairs:
            if key == "@context":
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str):
                        found.append(item)
            elif key == "@import" and isinstance(value, str):
                found.append(value)
        return dict(pairs)

    try:
        document = json.loads(data, object_pairs_hook=note)
    except json.JSONDecodeError as exc:
        raise _describe_parse_error(exc, str(path), "json-ld", data) from None
    except (UnicodeDecodeError, RecursionError) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else "not UTF-8"
        raise ParseError(f"{path}: cannot parse as json-ld: {why}.", path=str(path)) from None
    return document, found


def refuse_external_contexts(contexts: list[str], path: str | Path, allow_network: bool) -> None:
    """Refuse a JSON-LD document that names contexts to fetch (see :func:`read_jsonld`),
    unless ``allow_network``: evkg counts reading a file the document names as reaching
    outside the input, as fetching a URL is.

    Raises
    ------
    NetworkAccessError
        Naming the document and the first context it names.
    """
    if not contexts or allow_network:
        return
    more = f" (and {len(contexts) - 1} more)" if len(contexts) > 1 else ""
    raise NetworkAccessError(
        f"{path}: the JSON-LD context {_shown(contexts[0], SHOWN_CONTEXT)}{more} is not written in the "
        "document; evkg reads no context from a file or the network. Write the context into the "
        "document, or pass --allow-network to let evkg read it."
    )


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
    entity references would expand to more than ``MAX_ENTITY_EXPANSION`` bytes, or
    ``MAX_ENTITY_EXPANSION_RATIO`` times the document's size if that is more (one long
    entity referenced thousands of times, the "quadratic blowup"). The expansion is
    counted from the references and the sizes of the values, never by expanding: every
    ``&name;`` in the document counts, in text and attributes alike.

    Examples
    --------
    >>> quadratic = b'<!DOCTYPE r [<!ENTITY a "' + b"x" * 4000 + b'">]><r>' + b"&a;" * 6000 + b"</r>"
    >>> check_xml_entities(quadratic, "q.rdf")
    Traceback (most recent call last):
    ...
    evkg.errors.UnsafeInputError: q.rdf: entity references would expand to 24,000,000 bytes in a document of 22,036 (at most 1,048,576, or 10 times the document); one long entity referenced over and over (the 'quadratic blowup' attack) is refused.

    A document with ``rdf:parseType="Literal"`` is refused too when its elements nest more
    than ``MAX_XML_DEPTH`` deep: rdflib turns such a literal into a DOM tree and walks it
    recursively, which no depth of the call stack can bound.

    >>> deep = b'<r xmlns:rdf="x" rdf:parseType="Literal">' + b"<a>" * 300 + b"</a>" * 300 + b"</r>"
    >>> check_xml_entities(deep, "deep.rdf")
    Traceback (most recent call last):
    ...
    evkg.errors.UnsafeInputError: deep.rdf, line 1: elements nest more than 256 deep; evkg refuses XML nested so deeply (an rdf:parseType="Literal" is read recursively).

    Raises
    ------
    UnsafeInputError
        With the file, line and entity name, or the line where the nesting is too deep.
    """
    if b"<!ENTITY" in data or b"<!entity" in data.upper():
        _check_entities(data, path)
    if b"parseType" in data:
        _check_depth(data, path)


def _check_depth(data: bytes, path: str) -> None:
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = 0

    def on_start(*_args):
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise UnsafeInputError(
                f"{path}, line {parser.CurrentLineNumber}: elements nest more than {MAX_XML_DEPTH} deep; evkg "
                'refuses XML nested so deeply (an rdf:parseType="Literal" is read recursively).'
            )

    def on_end(*_args):
        nonlocal depth
        depth -= 1

    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    _expat(parser, data, path)


def _expat(parser, data: bytes, path: str) -> None:
    """Run ``parser`` over ``data``; malformed XML or an unknown encoding is a ParseError."""
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise ParseError(
            f"{path}, line {exc.lineno}: not well-formed XML ({xml.parsers.expat.errors.messages[exc.code]}).",
            path=path,
            line=exc.lineno,
        ) from None
    except LookupError as exc:
        raise ParseError(_unknown_encoding(path, exc), path=str(path)) from None


def _check_entities(data: bytes, path: str) -> None:
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
        _expat(parser, data, path)
    except _EndOfProlog:
        pass
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
    if not sizes:
        return
    counts: dict[bytes, int] = {}
    for match in _ENTITY_REF.finditer(data):
        counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    expansion = sum(sizes.get(name.decode(), 0) * count for name, count in counts.items())
    if expansion > max(MAX_ENTITY_EXPANSION, MAX_ENTITY_EXPANSION_RATIO * len(data)):
        raise UnsafeInputError(
            f"{path}: entity references would expand to {expansion:,} bytes in a document of {len(data):,} "
            f"(at most {MAX_ENTITY_EXPANSION:,}, or {MAX_ENTITY_EXPANSION_RATIO} times the document); "
            "one long entity referenced over and over (the 'quadratic blowup' attack) is refused."
        )


def check_xml_whole(path: str | Path) -> None:
    """Refuse an XML file that is not one whole, well-formed document.

    Oxigraph's RDF/XML parser reads a document cut after any closing tag as whole (its
    triples so far, no error); rdflib's parser, on expat, refuses it. Run this after
    :func:`check_xml_entities` (expat expands the internal entities that check let
    through); it reads the file in blocks, with no handlers, and resolves no external
    entity.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> cut = pathlib.Path(tempfile.mkdtemp()) / "cut.rdf"
    >>> _ = cut.write_text("<rdf:RDF><rdf:Description/>")
    >>> check_xml_whole(cut)
    Traceback (most recent call last):
    ...
    evkg.errors.ParseError: .../cut.rdf, line 1: not well-formed XML (no element found): the document ends before it is closed, so it may have been cut short. Nothing was loaded.

    Raises
    ------
    ParseError
        With the file and the line where expat stopped.
    """
    from .errors import InputError

    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        with open(path, "rb") as handle:
            parser.ParseFile(handle)
    except xml.parsers.expat.ExpatError as exc:
        why = xml.parsers.expat.errors.messages[exc.code]
        if exc.code == xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_NO_ELEMENTS]:
            why += "): the document ends before it is closed, so it may have been cut short"
        else:
            why += ")"
        raise ParseError(
            f"{path}, line {exc.lineno}: not well-formed XML ({why}. Nothing was loaded.",
            path=str(path),
            line=exc.lineno,
        ) from None
    except LookupError as exc:
        raise ParseError(_unknown_encoding(path, exc), path=str(path)) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None


def _unknown_encoding(path, exc: LookupError) -> str:
    """The message for an XML declaration naming an encoding Python does not know."""
    return f"{path}: the XML declaration names an encoding this system does not know ({exc}); save the file as UTF-8. Nothing was loaded."


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


#: The largest term Oxigraph's parsers read (their buffer limit), in bytes.
MAX_TERM_BYTES = 16 * 1024 * 1024


def too_large_term(path: str | Path) -> ParseError:
    """The error for a file with a term (a literal, most often) past :data:`MAX_TERM_BYTES`."""
    return ParseError(
        f"{path}: a term (a literal, most likely) is longer than {MAX_TERM_BYTES // (1024 * 1024)} MB, "
        "the most evkg reads in one term; nothing was loaded. Keep long texts in files of their own "
        "and point to them with an IRI.",
        path=str(path),
    )


def _parse_lines(path: Path, fmt: str, graph_iri: URIRef | None) -> Dataset:
    """N-Triples or N-Quads into a fresh Dataset, with Oxigraph's parser (it streams the
    file and reads long literals in linear time; rdflib's line parser takes quadratic
    time on them). Each blank node label becomes a fresh rdflib blank node, as rdflib's
    parser makes them; a typed xsd:string literal becomes a plain one (the same literal
    in RDF 1.1); Oxigraph writes language tags in lower case.
    """
    import pyoxigraph as ox
    from rdflib import BNode, Literal

    dataset = Dataset(default_union=True)
    default = default_graph(dataset)
    target = dataset.graph(graph_iri) if graph_iri is not None else default
    named, blank, literal, unnamed = ox.NamedNode, ox.BlankNode, ox.Literal, ox.DefaultGraph
    blank_nodes: dict[str, BNode] = {}
    graphs: dict[str, Graph] = {}

    def term(node):
        kind = type(node)
        if kind is named:
            return URIRef(node.value)
        if kind is blank:
            found = blank_nodes.get(node.value)
            if found is None:
                found = blank_nodes[node.value] = BNode()
            return found
        if kind is literal:
            if node.language:
                return Literal(node.value, lang=node.language)
            datatype = node.datatype.value
            return Literal(node.value) if datatype == _XSD_STRING else Literal(node.value, datatype=URIRef(datatype))
        raise ParseError(f"{path}: cannot parse as {fmt}: evkg does not read RDF-star triple terms.", path=str(path))

    def graph_of(name):
        if type(name) is unnamed:
            return target
        key = f"{type(name).__name__}:{name.value}"
        found = graphs.get(key)
        if found is None:
            found = graphs[key] = dataset.graph(term(name))
        return found

    def quads():
        for quad in ox.parse(path=str(path), format=ox_format):
            yield term(quad.subject), term(quad.predicate), term(quad.object), graph_of(quad.graph_name)

    ox_format = ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.N_QUADS
    try:
        dataset.addN(quads())
    except SyntaxError as exc:
        line = getattr(exc, "lineno", None)
        why = " ".join(str(getattr(exc, "msg", exc)).split())
        if len(why) > 300:
            why = why[:300] + " ..."
        where = f"{path}, line {line}" if line else str(path)
        raise ParseError(f"{where}: cannot parse as {fmt}: {why}", path=str(path), line=line) from None
    except MemoryError:
        raise too_large_term(path) from None
    except OSError as exc:
        from .errors import InputError

        raise InputError(f"{path}: cannot read: {exc}") from None
    return dataset


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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
        With the file and the line of the error, or the IRI, blank node label or
        language tag that is not valid (:func:`check_terms`).
    UnsafeInputError
        XML whose entities could fetch files or explode.
    NetworkAccessError
        A document that would fetch something or read a file: a JSON-LD ``@context`` or
        ``@import`` not written inline (:func:`read_jsonld`), unless ``allow_network``.
    """
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
    if fmt in ("nt", "nquads"):
        dataset = _parse_lines(path, fmt, graph_iri)
        check_terms(dataset.quads((None, None, None, None)), path)
        return dataset
    data = path.read_bytes()
    if fmt in ("xml", "trix"):
        check_xml_entities(data, str(path))
    dataset = Dataset(default_union=True)
    if fmt in QUAD_FORMATS:
        target: Graph = dataset
    else:
        target = dataset.graph(graph_iri) if graph_iri is not None else default_graph(dataset)
    source: dict = {"data": data}
    shut = contextlib.nullcontext()
    if fmt == "json-ld":
        document, contexts = read_jsonld(data, path)
        refuse_external_contexts(contexts, path, allow_network)
        from rdflib.parser import PythonInputSource
        from rdflib.plugins.parsers import jsonld  # noqa: F401 (imported before files are shut)

        # rdflib parses the very object that was checked, not the bytes again.
        source = {"source": PythonInputSource(document)}
        if not allow_network:
            shut = files_closed()
    with network_guard(allow_network) as blocked:
        try:
            with shut:
                target.parse(**source, format=fmt, publicID=graph_iri)
        except NetworkAccessError as exc:
            raise NetworkAccessError(f"{path}: {exc}") from None
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
    check_terms(dataset.quads((None, None, None, None)), path)
    return dataset
