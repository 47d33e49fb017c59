"""Views of suggested facts: the review page (one self-contained HTML file) and the terminal summary.

Both take the JSON contract of ``evkg suggest --format json`` (a plain dict, or anything
with ``to_dict()``) and, for the page, the article's text. The page shows the article with
each suggestion's sentence highlighted, the suggestions by kind with their confidence and
whether the graph already holds them (corroborated) or holds another value (conflict),
and the new entities apart. Every piece of the article reaches the page as escaped text;
a Content-Security-Policy allows the page's own script (by hash) and no request at all.

Examples
--------
>>> result = {"source": {"title": "<b>Volta</b>", "date": None, "url": None, "path": None, "sha256": "0" * 64},
...           "entities": [], "facts": []}
>>> page = render_review(result, "<script>alert(1)</script>")
>>> "<script>alert(1)" in page, "&lt;script&gt;alert(1)" in page
(False, True)
>>> summary_lines(result)[1]
'0 facts, 0 new entities.'
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from importlib import resources

from .. import __version__

__all__ = ["render_review", "review_data", "summary_lines", "KIND_TITLES", "STATUS_MARKS"]

#: Fact kind → the heading the views give it, in the order they list the kinds.
KIND_TITLES = {
    "alliances": "Alliances",
    "facilities": "Facilities",
    "ownership": "Ownership",
    "observations": "Observations",
    "based-in": "Based in",
    "located-in": "Located in",
}
#: Status → (the mark shown, what it means).
STATUS_MARKS = {
    "new": ("new", "not in the graph"),
    "known": ("corroborated", "the graph holds this fact"),
    "conflicts": ("conflict", "the graph holds this fact with another value"),
}


def _as_dict(result) -> dict:
    return result.to_dict() if hasattr(result, "to_dict") else result


# --------------------------------------------------------------------------- page


def review_data(result, text: str) -> dict:
    """The data the review page is built from: the article cut into pieces, each with the
    suggestions and entity mentions over it, the facts by kind and the new entities.

    Offsets are checked against ``text``: a fact whose quote is not ``text[start:end]``
    is listed but not highlighted (``"placed": False``).
    """
    data = _as_dict(result)
    facts = []
    spans: dict[tuple[int, int], str] = {}
    for number, fact in enumerate(data["facts"]):
        start, end = fact["start"], fact["end"]
        placed = 0 <= start < end <= len(text) and text[start:end] == fact["quote"]
        anchor = spans.setdefault((start, end), f"q{start}-{end}") if placed else None
        facts.append({**fact, "number": number, "anchor": anchor, "placed": placed,
                      "shown_fields": [(k, v) for k, v in fact["fields"].items() if v not in (None, "")]})
    mentions = {}
    for entity in data["entities"]:
        start, end = entity["start"], entity["end"]
        if 0 <= start < end <= len(text):
            mentions.setdefault((start, end), entity)
    pieces = _pieces(text, spans, mentions)
    by_kind = [(kind, title, [f for f in facts if f["kind"] == kind]) for kind, title in KIND_TITLES.items()]
    by_kind += [(k, k, [f for f in facts if f["kind"] == k]) for k in sorted({f["kind"] for f in facts} - set(KIND_TITLES))]
    new_entities: dict[str, dict] = {}
    for entity in data["entities"]:
        if entity.get("status") == "new":
            name = entity.get("label") or entity["mention"]
            item = new_entities.setdefault(name, {"name": name, "class": entity.get("class"), "mentions": 0,
                                                   "anchor": f"m{entity['start']}-{entity['end']}",
                                                   "confidence": entity.get("confidence")})
            item["mentions"] += 1
    counts = {kind: len(items) for kind, _, items in by_kind if items}
    statuses = {s: sum(1 for f in facts if f["status"] == s) for s in STATUS_MARKS}
    return {
        "source": data["source"],
        "title": data["source"].get("title") or data["source"].get("path") or "Suggested facts",
        "pieces": pieces,
        "kinds": [k for k in by_kind if k[2]],
        "counts": counts,
        "statuses": statuses,
        "facts": len(facts),
        "new_entities": list(new_entities.values()),
        "known_entities": sorted({e.get("label") or e["mention"] for e in data["entities"] if e.get("status") != "new"}),
    }


def render_review(result, text: str, *, title: str | None = None) -> str:
    """Return the review page of one article's suggestions: one self-contained HTML document.

    Parameters
    ----------
    result : dict or Suggestions
        The suggestions, as ``evkg suggest --format json`` gives them.
    text : str
        The article's text, which every offset points into.
    title : str, optional
        The page's heading; default the article's title.

    Returns
    -------
    str
        The HTML; the same suggestions and text give the same bytes.
    """
    from .html import _csp_hash, _inline_safe

    data = review_data(result, text)
    if title is not None:
        data["title"] = title
    script = _inline_safe(_asset("review.js"), "script")
    style = _inline_safe(_asset("review.css"), "style")
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_csp_hash(script)}",
            f"style-src {_csp_hash(style)}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    return _template().render(data=data, csp=csp, script=script, style=style, marks=STATUS_MARKS, version=__version__)


def _pieces(text: str, spans: dict[tuple[int, int], str], mentions: dict[tuple[int, int], dict]) -> list[dict]:
    """``text`` cut at every start and end of a highlighted sentence or a mention.

    Each piece: its text, the anchors of the sentences over it (the first piece of a
    sentence carries its ``id``), and the mention over it, if any. One sweep over the
    cuts, so a long article with many suggestions stays fast."""
    cuts = sorted({0, len(text), *(x for span in [*spans, *mentions] for x in span)})
    starting_spans: dict[int, list[tuple[int, str]]] = {}
    for (start, end), anchor in sorted(spans.items()):
        starting_spans.setdefault(start, []).append((end, anchor))
    starting_mentions: dict[int, list[tuple[int, dict]]] = {}
    for (start, end), mention in sorted(mentions.items()):
        starting_mentions.setdefault(start, []).append((end, mention))
    open_spans: list[tuple[int, str]] = []
    open_mentions: list[tuple[int, int, dict]] = []
    pieces = []
    for start, end in zip(cuts, cuts[1:]):
        open_spans = [(e, a) for e, a in open_spans if e > start] + starting_spans.get(start, [])
        open_mentions = [(s, e, m) for s, e, m in open_mentions if e > start]
        open_mentions += [(start, e, m) for e, m in starting_mentions.get(start, [])]
        opens = [a for _, a in starting_spans.get(start, [])]
        piece = {"text": text[start:end], "sentences": [a for _, a in open_spans], "id": opens[0] if opens else None,
                 "mention": None}
        if open_mentions:
            s, e, m = open_mentions[0]
            piece["mention"] = {"status": m.get("status", "known"), "label": m.get("label") or m["mention"],
                                "class": m.get("class") or "", "id": f"m{s}-{e}" if s == start else None}
        pieces.append(piece)
    return pieces


def _asset(name: str) -> str:
    return (resources.files("evkg.render") / "templates" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _template():
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True)
    return env.from_string(_asset("review.html"))


# --------------------------------------------------------------------------- terminal


def summary_lines(result, *, width: int = 100) -> list[str]:
    """A readable summary of one article's suggestions, as lines for a terminal.

    The article, counts by kind, then each fact in one or two lines (status, confidence,
    fields; the quote), then the new entities.

    Parameters
    ----------
    result : dict or Suggestions
    width : int
        The longest line; quotes are shortened to fit.
    """
    data = _as_dict(result)
    source = data["source"]
    facts = data["facts"]
    about = ", ".join(x for x in (source.get("date"), source.get("path") or "standard input") if x)
    lines = [f"{source.get('title') or '(untitled)'}  ({about})"]
    new = {e.get("label") or e["mention"]: e for e in data["entities"] if e.get("status") == "new"}
    counts = [f"{sum(1 for f in facts if f['kind'] == k)} {k}" for k in KIND_TITLES if any(f["kind"] == k for f in facts)]
    statuses = [f"{n} {STATUS_MARKS[s][0]}" for s in ("known", "conflicts") if (n := sum(1 for f in facts if f["status"] == s))]
    head = f"{len(facts)} fact{'s' if len(facts) != 1 else ''}"
    if counts:
        head += f" ({', '.join(counts)})"
    if statuses:
        head += f"; {', '.join(statuses)}"
    lines.append(f"{head}, {len(new)} new entit{'ies' if len(new) != 1 else 'y'}.")
    for kind, heading in KIND_TITLES.items():
        chosen = [f for f in facts if f["kind"] == kind]
        if not chosen:
            continue
        lines += ["", heading]
        for fact in chosen:
            mark = {"new": "new", "known": "KNOWN", "conflicts": "CONFLICT"}.get(fact["status"], fact["status"])
            lines += textwrap.wrap(f"  {mark} {fact['confidence']:.2f}  {_fields_text(fact['fields'])}", width,
                                   subsequent_indent="        ")
            lines.append(f"        “{_shorten(fact['quote'], width - 10)}”")
            for match in fact.get("matches") or ():
                lines += _match_lines(fact["status"], match, width)
    if new:
        lines += ["", "New entities"]
        for name, entity in new.items():
            mentions = sum(1 for e in data["entities"] if (e.get("label") or e["mention"]) == name)
            lines.append(f"  {name}  ({entity.get('class') or 'class unknown'}, {mentions} mention{'s' if mentions != 1 else ''})")
    return lines


def _fields_text(fields: dict) -> str:
    """The fields in a line: a figure with its unit (``capacity 12 GWh``), no ``_type`` columns."""
    parts, used = [], set()
    for key, value in fields.items():
        if value in (None, "") or key in used or key.endswith("_type"):
            continue
        unit_key = "unit" if key == "value" else f"{key}_unit"
        if fields.get(unit_key):
            unit = fields[unit_key]
            used.add(unit_key)
            if unit in ("count", "per year") and fields.get("counted_item"):
                unit = fields["counted_item"] + (" a year" if unit == "per year" else "")
                used.add("counted_item")
            value = f"{value} {unit}"
        elif key == "share_percent":
            key, value = "share", f"{value}%"
        parts.append(f"{key} {value}")
    return ", ".join(parts)


def _match_lines(status: str, match: dict, width: int) -> list[str]:
    sources = match.get("sources") or []
    cited = "; ".join(_source_name(s) for s in sources) or "no source"
    if status == "conflicts":
        first = f"        the graph has {match.get('field')} {match.get('value')} (this article: {match.get('suggested')}), from {cited}"
    else:
        first = f"        the graph has it ({len(sources)} source{'s' if len(sources) != 1 else ''}: {cited})"
    return textwrap.wrap(first, width, subsequent_indent="          ")


def _source_name(source: dict) -> str:
    name = source.get("title") or source.get("source") or "?"
    return f"{name}, {source['date']}" if source.get("date") else name


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
