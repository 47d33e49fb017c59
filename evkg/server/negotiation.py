"""Content negotiation for the SPARQL endpoint and entity pages: the result formats, the
media types each answers to, and the choice of one from an ``Accept`` header or the
``format=`` / ``output=`` names clients send.

The names are those of SPARQLWrapper, Fuseki and Virtuoso (``json``, ``xml``, ``csv``,
``tsv``, ``turtle``, ``ttl``, ``n3``, ``nt``, ``json-ld``, ``jsonld``, ``rdf+xml``,
``rdf``) and any media type a format is sent as. A name of the other kind of result
(``csv`` for a CONSTRUCT, ``turtle`` for a SELECT) leaves the choice to the ``Accept``
header. ``json`` and ``xml`` for a CONSTRUCT or DESCRIBE mean JSON-LD and RDF/XML, unless
the ``Accept`` header names an RDF format.

Examples
--------
>>> choose(TABLE_FORMATS, "application/sparql-results+xml").name
'xml'
>>> choose(RDF_FORMATS, "text/html, application/ld+json;q=0.9, */*;q=0.1").name
'jsonld'
>>> choose(TABLE_FORMATS, None, "csv").media_type
'text/csv; charset=utf-8'
>>> choose(RDF_FORMATS, "text/turtle", "n3").name, choose(RDF_FORMATS, "*/*", "csv").name
('turtle', 'turtle')
>>> choose(RDF_FORMATS, "*/*", "json").name, choose(RDF_FORMATS, "application/n-triples", "json").name
('jsonld', 'nt')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InputError

__all__ = [
    "Format",
    "TABLE_FORMATS",
    "RDF_FORMATS",
    "NotAcceptable",
    "UnknownFormatName",
    "parse_accept",
    "choose",
    "prefers_html",
]


@dataclass(frozen=True)
class Format:
    """A result format: its short name, the media type it is sent as, the media types
    that ask for it, other ``format=`` names for it, and ``loose`` names: names of the
    other kind of result that mean this format unless the ``Accept`` header names one."""

    name: str
    media_type: str
    accepts: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    loose: tuple[str, ...] = ()

    def named(self, name: str) -> bool:
        """Whether ``name`` (lower case) names this format exactly."""
        return name in (self.name, *self.aliases, *self.accepts, self.media_type.split(";")[0])


#: Formats for SELECT and ASK results, the default first.
TABLE_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", ("application/sparql-results+json", "application/json", "text/javascript", "application/javascript"), ("srj",)),
    Format("xml", "application/sparql-results+xml", ("application/sparql-results+xml", "application/xml", "text/xml"), ("srx",)),
    Format("csv", "text/csv; charset=utf-8", ("text/csv",)),
    Format("tsv", "text/tab-separated-values; charset=utf-8", ("text/tab-separated-values",)),
)

#: Formats for CONSTRUCT and DESCRIBE results and for entity triples, the default first.
RDF_FORMATS: tuple[Format, ...] = (
    # Turtle is N3 too: it answers clients that ask for N3.
    Format("turtle", "text/turtle; charset=utf-8", ("text/turtle", "application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"), ("ttl", "n3")),
    Format("nt", "application/n-triples", ("application/n-triples", "text/plain"), ("ntriples", "n-triples")),
    Format("jsonld", "application/ld+json", ("application/ld+json", "application/x-json+ld", "application/json"), ("json-ld",), ("json", "application/json")),
    Format("rdfxml", "application/rdf+xml", ("application/rdf+xml", "application/xml", "text/xml"), ("rdf+xml", "rdf", "owl"), ("xml", "application/xml", "text/xml")),
)

#: Media types that say "JSON" or "XML" without saying which kind (an Accept header of
#: application/json names no RDF format in particular).
_LOOSE_MEDIA = {"application/json", "application/xml", "text/xml", "text/plain"}

#: Every name a ``format=`` parameter may give, of either kind of result.
_KNOWN = {n for fmt in (*TABLE_FORMATS, *RDF_FORMATS) for n in (fmt.name, *fmt.aliases, *fmt.accepts, *fmt.loose, fmt.media_type.split(";")[0])}


class NotAcceptable(InputError):
    """The client accepts none of the formats this kind of result comes in (HTTP 406)."""


class UnknownFormatName(InputError):
    """A ``format=`` value that names no result format at all (HTTP 400)."""


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an ``Accept`` header with their q-values, in the order given.

    >>> parse_accept("text/csv;q=0.5, application/json")
    [('text/csv', 0.5), ('application/json', 1.0)]
    >>> parse_accept("")
    []
    """
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for parameter in fields[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _match(media_range: str, media: str) -> int:
    """How specifically ``media_range`` matches ``media``: 3 exact, 2 type/*, 1 */*, 0 no."""
    if media_range == media:
        return 3
    if media_range == "*/*":
        return 1
    if media_range.endswith("/*") and media.split("/")[0] == media_range[:-2]:
        return 2
    return 0


def choose(formats: tuple[Format, ...], accept: str | None, name: str | Sequence[str] | None = None) -> Format:
    """Pick the format to answer with.

    ``name`` holds the ``format=`` / ``output=`` values a client sent (one or several:
    SPARQLWrapper sends a short name and a media type). The first that names one of
    ``formats`` decides. Failing that, the ``Accept`` header does: its best match, where
    among formats the client accepts equally the one it listed first wins, then the
    order of ``formats``. A loose name (``json`` for JSON-LD) decides when the header
    names none of ``formats`` (no header, or only ``*/*``); else the default.

    Raises
    ------
    UnknownFormatName
        None of the names is a result format of any kind.
    NotAcceptable
        The ``Accept`` header excludes every format.

    >>> choose(TABLE_FORMATS, "text/tab-separated-values;q=0.9, text/csv").name
    'csv'
    >>> choose(RDF_FORMATS, None).name
    'turtle'
    >>> choose(TABLE_FORMATS, "application/sparql-results+json", ["tsv", "text/tab-separated-values"]).name
    'tsv'
    >>> choose(TABLE_FORMATS, None, "turtle").name  # a graph format for a table: the Accept header decides
    'json'
    """
    names = [name] if isinstance(name, str) else list(name or ())
    wanted = [n.strip().lower() for n in names if n and n.strip()]
    for value in wanted:
        for fmt in formats:
            if fmt.named(value):
                return fmt
    unknown = [value for value in wanted if value not in _KNOWN]
    if wanted and len(unknown) == len(wanted):
        known = ", ".join(fmt.name for fmt in formats)
        raise UnknownFormatName(f"format={names[-1]!r} is not a format for this result; use one of {known}.")
    ranges = parse_accept(accept)
    loose = next((fmt for value in wanted for fmt in formats if value in fmt.loose), None)
    if loose is not None and not any(_match(r, media) == 3 and q > 0 for r, q in ranges for fmt in formats for media in fmt.accepts if media not in _LOOSE_MEDIA):
        return loose
    if not ranges:
        return formats[0]
    best: tuple | None = None
    for rank, fmt in enumerate(formats):
        for media in fmt.accepts:
            # The most specific range that matches decides (RFC 9110, 12.5.1); among
            # equally specific ones, the first listed.
            found = [(_match(r, media), -pos, q) for pos, (r, q) in enumerate(ranges) if _match(r, media)]
            if not found:
                continue
            specificity, neg_position, q = max(found)
            if q <= 0:
                continue
            key = (-q, -specificity, -neg_position, rank)
            if best is None or key < best[0]:
                best = (key, fmt)
    if best is None:
        offered = ", ".join(fmt.media_type.split(";")[0] for fmt in formats)
        raise NotAcceptable(f"none of the accepted types ({accept}) can be given; this result comes as {offered}.")
    return best[1]


def prefers_html(accept: str | None) -> bool:
    """Whether a client (a browser) wants HTML more than any RDF or results format.

    >>> prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    True
    >>> prefers_html("text/turtle, text/html;q=0.5")
    False
    >>> prefers_html(None)
    False
    """
    ranges = parse_accept(accept)
    html = max((q for media, q in ranges if media in ("text/html", "application/xhtml+xml")), default=0.0)
    if html <= 0:
        return False
    offered = [media for fmt in (*TABLE_FORMATS, *RDF_FORMATS) for media in fmt.accepts]
    other = max((q for media, q in ranges if media in offered), default=0.0)
    return html >= other
