"""Plain-text views: aligned tables, entity descriptions, statistics, validation reports.

Every function takes plain data and yields lines; nothing here reads or writes files.

Examples
--------
>>> for line in table(["name", "n"], [["CATL", 2], ["BYD", 10]]):
...     print(line)
name  n
----  --
CATL  2
BYD   10
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

__all__ = ["table", "describe_lines", "stats_lines", "violation_lines", "search_lines", "shorten", "conflict_lines"]


def shorten(text: str, width: int = 80) -> str:
    """Cut ``text`` to ``width`` characters with an ellipsis; newlines become spaces."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], *, width: int | None = None) -> Iterator[str]:
    """Yield the lines of a left-aligned table with a dashed rule under the headers.

    Every value is shown whole. With ``width`` (a terminal's columns), a table wider than
    that narrows its widest columns and wraps their values onto more lines; without it
    (a file, a pipe) lines are as long as the values.

    >>> for line in table(["name", "quote"], [["CATL", "Plants rise in the east and the west."]], width=24):
    ...     print(line)
    name  quote
    ----  ------------------
    CATL  Plants rise in the
          east and the west.
    """
    cells = [[" ".join(("" if v is None else str(v)).split()) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))
    if width is not None:
        widths = _fitted(widths, [len(h) for h in headers], width - 2 * (len(widths) - 1))
    yield "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()
    yield "  ".join("-" * w for w in widths).rstrip()
    for row in cells:
        if width is None or all(len(v) <= w for v, w in zip(row, widths)):
            yield "  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip()
            continue
        import textwrap

        wrapped = [textwrap.wrap(v, w, break_on_hyphens=False) or [""] for v, w in zip(row, widths)]
        for n in range(max(len(lines) for lines in wrapped)):
            yield "  ".join((lines[n] if n < len(lines) else "").ljust(w) for lines, w in zip(wrapped, widths)).rstrip()


#: A column narrowed to fit a terminal keeps at least this many characters (or its header's).
NARROWEST = 12


def _fitted(widths: list[int], headers: list[int], room: int) -> list[int]:
    """Column widths that fit ``room`` characters: the widest columns are narrowed to a
    common cap, none below its header or :data:`NARROWEST` (then the table is wider)."""
    if sum(widths) <= room:
        return widths
    floors = [min(w, max(h, NARROWEST)) for w, h in zip(widths, headers)]
    cap = max(widths)
    while cap > 1 and sum(max(f, min(w, cap)) for w, f in zip(widths, floors)) > room:
        cap -= 1
    return [max(f, min(w, cap)) for w, f in zip(widths, floors)]


def _heading(relation_label: str, direction: str) -> str:
    if direction == "in":
        return f"← {relation_label}"
    if direction == "part":
        return f"as {relation_label} in"
    return relation_label


def describe_lines(description) -> Iterator[str]:
    """Yield an entity page: its name, type and IRI, then each relation with its values,
    each value with its quotes and sources (``[n]`` refer to the source list at the end)."""
    entity = description.entity
    yield f"{entity.label}  ({entity.type_label})"
    yield f"  {entity.iri}"
    if entity.alt_labels:
        yield f"  also known as: {', '.join(entity.alt_labels)}"
    sources: dict[tuple[str, str], int] = {}
    groups: dict[tuple[str, str], list] = {}
    for fact in description.facts:
        groups.setdefault((fact.relation_label, fact.direction), []).append(fact)
    for (label, direction), facts in sorted(groups.items(), key=lambda kv: (kv[0][1] != "out", kv[0][0])):
        yield ""
        yield _heading(label, direction)
        for fact in facts:
            count = fact.source_count
            yield f"  • {fact.value_label}" + (f"  ({count} sources)" if count > 1 else "")
            for name, value in fact.details:
                yield f"      {name}: {shorten(value, 100)}"
            for citation in fact.citations:
                key = (citation.source or citation.graph, citation.title)
                number = sources.setdefault(key, len(sources) + 1)
                if citation.quote:
                    yield f"      [{number}] “{citation.quote}”"
                    if getattr(citation, "interpretation", None):
                        yield f"          interpreted: {citation.interpretation}"
                elif getattr(citation, "note", None):
                    yield f"      [{number}] ({citation.note})"
                else:
                    yield f"      [{number}] (no quote: stated by this source as data, not by an article sentence)"
    if sources:
        yield ""
        yield "Sources"
        for (source, title), number in sorted(sources.items(), key=lambda kv: kv[1]):
            yield f"  [{number}] {title or source}  <{source}>"


def stats_lines(stats, *, width: int | None = None) -> Iterator[str]:
    """Yield the entity counts by class and the triple and fact counts by named graph
    (tables fit ``width`` columns, see :func:`table`)."""
    yield "Entities by class"
    yield from table(["class", "entities"], sorted(stats.by_class.items(), key=lambda kv: (-kv[1], kv[0])), width=width)
    yield ""
    yield "Named graphs"
    yield from table(
        ["graph", "source", "triples", "facts"],
        [(s["graph"], s["title"], s["triples"], s["facts"]) for s in stats.by_source],
        width=width,
    )
    yield ""
    yield f"{stats.triples} triples in {len(stats.by_source)} graphs, {sum(stats.by_class.values())} entities."


def _result_lines(v, indent: str) -> Iterator[str]:
    yield f"{indent}{v.severity}: {v.focus_label or v.focus}"
    if v.path:
        yield f"{indent}  path:    {v.path}"
    if v.value:
        yield f"{indent}  value:   {shorten(v.value, 100)}"
    yield f"{indent}  message: {v.message}"
    if v.details:
        yield f"{indent}  because:"
        for detail in v.details:
            yield from _result_lines(detail, indent + "    ")


def violation_lines(report) -> Iterator[str]:
    """Yield one block per top-level SHACL result (focus node, path, value and message),
    the results nested under it (``sh:detail``) indented below it, then the count of
    top-level results, as SHACL processors count them."""
    for v in report.violations:
        yield from _result_lines(v, "")
    count = sum(1 for v in report.violations if v.severity == "Violation")
    others = len(report.violations) - count
    if report.conforms and not report.violations:
        yield "The data conforms to the shapes."
    else:
        extra = f" and {others} warning{'s' if others != 1 else ''}" if others else ""
        yield f"{count} violation{'s' if count != 1 else ''}{extra}."


def search_lines(hits, *, width: int | None = None) -> Iterator[str]:
    """Yield a table of search hits, best first (fitting ``width`` columns, see :func:`table`)."""
    yield from table(
        ["score", "label", "type", "iri"],
        [(f"{h.score:.2f}", h.entity.label, h.entity.type_label, h.entity.iri) for h in hits],
        width=width,
    )


def path_lines(result) -> Iterator[str]:
    """Yield explained paths: one line of hops per path, then its numbered quotes.

    Hops walked backwards read with the relation's inverse label (``home of``)."""
    if not result.paths:
        yield f"No path from {result.source.label} to {result.target.label}: {result.reason}"
        yield f"  {result.source.label} is connected to: {', '.join(result.source_neighbours) or 'nothing'}"
        yield f"  {result.target.label} is connected to: {', '.join(result.target_neighbours) or 'nothing'}"
        return
    for number, path in enumerate(result.paths, start=1):
        if len(result.paths) > 1:
            yield f"Path {number} ({path.length} hop{'s' if path.length != 1 else ''})"
        parts = [path.nodes[0].label]
        for edge, node in zip(path.edges, path.nodes[1:]):
            parts.append(f"—{edge.label}→ {node.label}")
        yield " ".join(parts)
        cited = 0
        labels = {node.id: node.label for node in path.nodes}
        for edge in path.edges:
            for source in edge.sources:
                cited += 1
                if source.get("quote"):
                    yield f"  [{cited}] “{shorten(source['quote'], 160)}” ({source['title']})"
                    if source.get("interpretation"):
                        yield f"      interpreted: {source['interpretation']}"
                elif source.get("note"):
                    yield f"  [{cited}] {edge.label}: {source['note']}"
                else:
                    yield f"  [{cited}] {edge.label}: no quote ({source['title']})"
            if edge.source_count > 1:
                yield f"  {labels[edge.source]} —{edge.label}→ {labels[edge.target]}: {edge.source_count} sources"
        if number < len(result.paths):
            yield ""


def neighbourhood_lines(hood) -> Iterator[str]:
    """Yield an entity's neighbours grouped by relation, with depth for depth > 1."""
    yield f"{hood.center.label}  ({hood.center.type})"
    if not hood.neighbours:
        yield "  (no neighbours)"
    for relation, items in hood.grouped().items():
        yield ""
        yield relation
        for n in items:
            depth = f"  [depth {n.depth}]" if n.depth > 1 else ""
            yield f"  • {n.node.label}  ({n.node.type}){depth}"


def dependency_lines(report, *, width: int | None = None) -> Iterator[str]:
    """Yield the organizations an entity depends on, grouped by country with shares
    (tables fit ``width`` columns, see :func:`table`)."""
    verb = "is depended on by" if report.reverse else "depends on"
    if not report.items:
        yield f"{report.entity.label} {verb} no organization along dependency edges."
        return
    yield f"{report.entity.label} {verb} {len(report.items)} organizations:"
    yield ""
    yield from table(["country", "organizations", "share"], [(c, n, f"{s:.1f}%") for c, n, s in report.by_country], width=width)
    yield ""
    yield from table(
        ["organization", "country", "depth", "chain"],
        [(d.node.label, d.country_label, d.depth, " → ".join(d.chain)) for d in report.items],
        width=width,
    )


def ranking_lines(ranked, measure: str, *, width: int | None = None) -> Iterator[str]:
    """Yield a table of ranked entities, best first (fitting ``width`` columns, see :func:`table`)."""
    yield from table(["rank", "entity", "type", measure], [(i, r.label, r.type, f"{r.score:.4f}") for i, r in enumerate(ranked, 1)], width=width)


_FIELD_WORDS = {"target_year": "target year", "share_percent": "share", "value": "figure"}


def conflict_lines(conflicts) -> Iterator[str]:
    """Yield the facts on which sources disagree: what each is about and the field, then
    each source's value with its title, date, quote and IRI, newest first.

    Takes :class:`evkg.corroboration.Conflict` records (or anything with their fields)."""
    if not conflicts:
        yield "No conflicts: no two sources give another figure, status, year or country for the same fact."
        return
    yield f"{len(conflicts)} conflict{'s' if len(conflicts) != 1 else ''}, newest first"
    for conflict in conflicts:
        field = "home country" if conflict.kind == "based-in" else _FIELD_WORDS.get(conflict.field, conflict.field.replace("_", " "))
        several = len({side.fact for side in conflict.sides}) > 1
        yield ""
        yield f"{conflict.about}: {field} ({conflict.kind})"
        for side in conflict.sides:
            on = f" ({side.fact_label})" if several else ""
            yield f"  • {side.value}{on}: {side.title or side.source}, {side.date or 'no date'}"
            if side.quote:
                yield f"      “{side.quote}”"
            else:
                yield "      (no quote: stated by this source as data, not by an article sentence)"
            yield f"      <{side.source}>"
