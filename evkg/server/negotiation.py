"""Content negotiation for the SPARQL endpoint and entity pages: the result formats, the
media types each answers to, and the choice of one from an ``Accept`` header or a
``format=`` parameter.

Examples
--------
>>> choose(TABLE_FORMATS, "application/sparql-results+xml").name
'xml'
>>> choose(RDF_FORMATS, "text/html, application/ld+json;q=0.9, */*;q=0.1").name
'jsonld'
>>> choose(TABLE_FORMATS, None, "csv").media_type
'text/csv; charset=utf-8'
"""

from __future__ import annotations

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
    """A result format: its short name, the media type it is sent as, and the media
    types (and ``format=`` names) that ask for it."""

    name: str
    media_type: str
    accepts: tuple[str, ...]
    aliases: tuple[str, ...] = ()


#: Formats for SELECT and ASK results, the default first.
TABLE_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", ("application/sparql-results+json", "application/json", "text/javascript", "application/javascript")),
    Format("xml", "application/sparql-results+xml", ("application/sparql-results+xml", "application/xml", "text/xml")),
    Format("csv", "text/csv; charset=utf-8", ("text/csv",)),
    Format("tsv", "text/tab-separated-values; charset=utf-8", ("text/tab-separated-values",)),
)

#: Formats for CONSTRUCT and DESCRIBE results and for entity triples, the default first.
RDF_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle; charset=utf-8", ("text/turtle", "application/x-turtle", "application/turtle"), ("ttl",)),
    Format("nt", "application/n-triples", ("application/n-triples", "text/plain"), ("ntriples", "n-triples")),
    Format("jsonld", "application/ld+json", ("application/ld+json", "application/json"), ("json-ld", "json")),
    Format("rdfxml", "application/rdf+xml", ("application/rdf+xml", "application/xml", "text/xml"), ("xml", "rdf")),
)


class NotAcceptable(InputError):
    """The client accepts none of the formats this kind of result comes in (HTTP 406)."""


class UnknownFormatName(InputError):
    """A ``format=`` value that names no format of this kind of result (HTTP 400)."""


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


def choose(formats: tuple[Format, ...], accept: str | None, name: str | None = None) -> Format:
    """Pick the format to answer with: ``name`` (a ``format=`` value: a short name or a
    media type) when given, else the best match for ``accept``, else the default.

    Among formats the client accepts equally, the one it listed first wins, then the
    order of ``formats``.

    Raises
    ------
    UnknownFormatName
        ``name`` is not a format of this kind.
    NotAcceptable
        The ``Accept`` header excludes every format.

    >>> choose(TABLE_FORMATS, "text/tab-separated-values;q=0.9, text/csv").name
    'csv'
    >>> choose(RDF_FORMATS, None).name
    'turtle'
    """
    if name:
        wanted = name.strip().lower()
        for fmt in formats:
            if wanted in (fmt.name, *fmt.aliases, *fmt.accepts, fmt.media_type.split(";")[0]):
                return fmt
        known = ", ".join(fmt.name for fmt in formats)
        raise UnknownFormatName(f"format={name!r} is not a format for this result; use one of {known}.")
    ranges = parse_accept(accept)
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
