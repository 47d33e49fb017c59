"""The review folder: suggested facts as CSV files that ``evkg import`` takes unchanged.

:func:`review_tables` turns the suggestions for one or more articles (the JSON contract of
``evkg suggest --format json``, or :class:`~evkg.ingest.suggest.Suggestions`) into one
CSV table per import kind — ``alliances.csv``, ``facilities.csv``, ``ownership.csv``,
``observations.csv``, ``based-in.csv``, ``located-in.csv`` — and ``entities.csv`` for the
new entities. Each table has the import columns of its kind in the layout's order
(:data:`evkg.ingest.tabular.LAYOUTS`), with ``source``, ``source_title``, ``source_date``
and ``quote`` filled in, and a ``confidence`` column the importer ignores. A reviewer
deletes or edits rows, then imports each file with ``evkg import FILE --kind KIND``.

Only kinds with at least one row get a file (the importer refuses a table without rows).
Facts name a new organization with its ``<column>_type``; a new place only
``entities.csv`` declares, so it is imported first and each facts table with its Turtle
as ``--data`` (``evkg --data entities.ttl import facilities.csv --kind facilities``).

Cells are formula-safe: one that a spreadsheet would run as a formula (it starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading single quote, in a
way :func:`evkg.export.undo_formula_safe` takes back exactly; the folder's
``manifest.json`` says so, and :func:`evkg.ingest.tabular.import_csv` restores such a
folder's cells, so an imported quote is the article's text again. ``raw=True`` writes
every cell as the article has it.

Examples
--------
>>> result = {"source": {"title": "Volta builds", "date": "2026-03", "url": None, "path": None, "sha256": "ab" * 32},
...           "entities": [], "facts": [{"kind": "based-in", "fields": {"organization": "Volta Cells",
...           "organization_type": "battery maker", "country": "Portugal"}, "links": {}, "quote": "Volta Cells, based in Portugal, said so.",
...           "start": 0, "end": 39, "confidence": 0.9, "status": "new", "matches": []}]}
>>> tables = review_tables([result])
>>> list(tables)
['based-in.csv']
>>> print(tables["based-in.csv"].splitlines()[0])
organization,organization_type,country,source,source_title,source_date,quote,description,confidence
>>> result["facts"][0]["quote"] = "=Volta Cells, based in Portugal, said so."
>>> print(review_tables([result])["based-in.csv"].splitlines()[1].split(",", 6)[-1])
"'=Volta Cells, based in Portugal, said so.",,0.90
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError, OutputError

__all__ = [
    "FACT_KINDS", "REVIEW_FILES", "MANIFEST", "review_tables", "review_manifest", "write_review_folder",
    "check_review_folder", "review_source", "written_formula_safe",
]

#: The kinds of suggested fact, in the order their tables are written.
FACT_KINDS = ("alliances", "facilities", "ownership", "observations", "based-in", "located-in")
#: The file names a review folder may hold: ``KIND.csv`` for each fact kind, then ``entities.csv``.
REVIEW_FILES = tuple(f"{kind}.csv" for kind in (*FACT_KINDS, "entities"))
#: The file beside the tables that says how their cells were written.
MANIFEST = "manifest.json"

_NUMBERED = re.compile(r"^([a-z]+)_N(_type)?$")


def review_source(source: dict) -> tuple[str, str, str]:
    """``(source, source_title, source_date)`` for the rows of one article's suggestions.

    The source is the article's URL, else ``urn:sha256:<digest>``; the title the article's
    title, else its file name.

    >>> review_source({"title": None, "date": None, "url": None, "path": "news/volta.txt", "sha256": "0f" * 32})[1:]
    ('volta.txt', '')
    """
    iri = source.get("url") or f"urn:sha256:{source['sha256']}"
    title = source.get("title") or (Path(source["path"]).name if source.get("path") else f"article {source['sha256'][:12]}")
    return iri, title, source.get("date") or ""


def review_tables(results: Iterable, *, texts: dict[str, str] | None = None, raw: bool = False) -> dict[str, str]:
    """The CSV text of each review file, by file name, for the suggestions of some articles.

    Parameters
    ----------
    results : iterable of dict or Suggestions
        One result per article (rows of several articles share the tables, each row with
        its own source).
    texts : dict, optional
        Article text by SHA-256 digest, for the sentence that names a new entity no
        suggested fact quotes (without it such an entity gets no row).
    raw : bool
        Write every cell as it is. By default a cell that starts like a spreadsheet
        formula gets a leading single quote (``formula_safe(cell, reversible=True)``).

    Returns
    -------
    dict
        File name (``facilities.csv`` ...) → CSV text (UTF-8 when written, comma-separated,
        ``\\n`` line ends), in :data:`REVIEW_FILES` order; only tables with rows. The same
        suggestions give the same text.
    """
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in REVIEW_FILES}
    for result in results:
        data = result.to_dict() if hasattr(result, "to_dict") else result
        source, title, date = review_source(data["source"])
        common = {"source": source, "source_title": title, "source_date": date}
        for fact in data["facts"]:
            row = {key: _cell(value) for key, value in fact["fields"].items()}
            known = [m["fact"] for m in fact.get("matches") or () if m.get("fact")] if fact.get("status") == "known" else []
            if known:  # imported, the row becomes one more source of the fact the graph has
                row["fact"] = known[0]
            row.update(common, quote=fact["quote"], confidence=_confidence(fact.get("confidence")))
            rows[f"{fact['kind']}.csv"].append(row)
        for row in _entity_rows(data, (texts or {}).get(data["source"]["sha256"])):
            row.update(common)
            rows["entities.csv"].append(row)
    return {name: _table(name[: -len(".csv")], table, raw) for name, table in rows.items() if table}


def review_manifest(*, raw: bool = False) -> str:
    """The text of a review folder's ``manifest.json``: what wrote the tables and how
    their cells were written (``"cells": "formula-safe"`` or ``"raw"``).

    >>> import json
    >>> json.loads(review_manifest())["cells"], json.loads(review_manifest(raw=True))["cells"]
    ('formula-safe', 'raw')
    """
    about = (
        "Every cell of the CSV files in this folder is as the article has it."
        if raw else
        "In the CSV files of this folder, a cell that starts with =, +, -, @, a tab or a carriage return, "
        "after any number of single quotes, has one single quote more at its start than the article "
        "(a plain number such as -3.5 excepted), so that a spreadsheet shows it as text. "
        "evkg import takes that quote off a file of this folder while this manifest says formula-safe."
    )
    manifest = {"written_by": "evkg suggest --format csv", "cells": "raw" if raw else "formula-safe", "about": about}
    return json.dumps(manifest, indent=2) + "\n"


def written_formula_safe(table: str | Path) -> bool:
    """Whether the CSV file ``table`` lies in a review folder whose cells were written
    formula-safe, so that :func:`evkg.export.undo_formula_safe` gives each cell back as
    the article has it: the folder's ``manifest.json`` says ``"cells": "formula-safe"``.
    A file in a folder without a manifest is read as it is.

    Raises
    ------
    InputError
        The folder's manifest is not one :func:`write_review_folder` writes.
    """
    manifest = Path(table).parent / MANIFEST
    if not manifest.is_file():
        return False
    try:
        cells = json.loads(manifest.read_text(encoding="utf-8")).get("cells")
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        cells = None
    if cells not in ("formula-safe", "raw"):
        raise InputError(
            f"{manifest}: is not the manifest `evkg suggest` writes (its \"cells\" must be \"formula-safe\" or "
            f"\"raw\"), so the cells of {Path(table).name} cannot be read back with certainty. "
            "Write the folder again with `evkg suggest --format csv`, or remove the manifest to import every cell as it is."
        )
    return cells == "formula-safe"


def write_review_folder(
    results: Iterable, folder: str | Path, *, texts: dict[str, str] | None = None, replace: bool = False,
    raw: bool = False,
) -> list[Path]:
    """Write the review tables of ``results`` into ``folder``, each file atomically, and
    the folder's ``manifest.json`` beside them.

    Parameters
    ----------
    results : iterable of dict or Suggestions
    folder : str or Path
        Made if it does not exist (its parent must).
    texts : dict, optional
        Article text by SHA-256 digest, as :func:`review_tables` takes it.
    replace : bool
        Overwrite review files already in the folder (and remove those of kinds that
        have no rows now). By default a folder holding any review file is refused, so
        that a reviewer's edits are never overwritten.
    raw : bool
        Write every cell as it is (:func:`review_tables`); the manifest says so, and
        the import then reads the cells as they are.

    Returns
    -------
    list of Path
        The tables written (the manifest is not listed; none is written when no table is).

    Raises
    ------
    OutputError
        The folder is a file, its parent does not exist, or it holds review files and
        ``replace`` is false.
    """
    from ..export import write_files_atomically

    folder = Path(folder)
    tables = review_tables(results, texts=texts, raw=raw)
    check_review_folder(folder, replace=replace)
    if not folder.is_dir():
        try:
            folder.mkdir()
        except OSError as exc:
            raise OutputError(f"{folder}: cannot be made: {exc.strerror}.") from None
    written = []
    if tables:  # the manifest and the tables in one write of several files
        files = {folder / MANIFEST: review_manifest(raw=raw), **{folder / name: text for name, text in tables.items()}}
        written = write_files_atomically(files)[1:]
    stale = [name for name in REVIEW_FILES if name not in tables] + ([] if tables else [MANIFEST])
    for name in stale:
        if (folder / name).exists():
            (folder / name).unlink()
    return written


def check_review_folder(folder: str | Path, *, replace: bool = False) -> None:
    """Refuse a review folder :func:`write_review_folder` would not write, before any work.

    Raises
    ------
    OutputError
        ``folder`` is a file, its parent does not exist, or it holds review files and
        ``replace`` is false.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file; the CSV review needs a folder (-o DIR).")
    if folder.is_dir():
        present = [name for name in REVIEW_FILES if (folder / name).exists()]
        if present and not replace:
            raise OutputError(
                f"{folder}: already holds review files ({', '.join(present)}); nothing was written, "
                "so that reviewed rows are not overwritten. Give a new folder, or --force to replace them."
            )
    else:
        parent = folder.parent if str(folder.parent) else Path(".")
        if not parent.is_dir():
            raise OutputError(f"{folder}: the folder {parent} does not exist; create it first.")


# --------------------------------------------------------------------------- helpers


def _cell(value) -> str:
    return "" if value is None else str(value)


def _confidence(value) -> str:
    return "" if value is None else f"{float(value):.2f}"


def _entity_rows(data: dict, text: str | None) -> list[dict[str, str]]:
    """One row per new entity (by name, first mention first), quoted by the sentence that names it."""
    homes: dict[str, str] = {}
    for fact in data["facts"]:
        fields = fact["fields"]
        if fact["kind"] == "based-in":
            homes.setdefault(fields.get("organization", ""), fields.get("country", ""))
        elif fact["kind"] == "located-in":
            homes.setdefault(fields.get("place", ""), fields.get("country", ""))
    mentions: dict[str, list[dict]] = {}
    for entity in data["entities"]:
        if entity.get("status") == "new":
            mentions.setdefault(entity.get("label") or entity["mention"], []).append(entity)
    rows = []
    for name, found in mentions.items():
        # The first sentence a suggested fact quotes, else the sentence of the first mention.
        quote = next((q for e in found if (q := _quoted(data, e["start"], e["end"])) is not None), None)
        if quote is None and text is not None:
            quote = _sentence_of(text, found[0]["start"], found[0]["end"])
        if quote is None:
            continue
        rows.append({
            "name": name,
            "class": found[0].get("class") or "",
            "country": homes.get(name, ""),
            "quote": quote,
            "confidence": _confidence(max((e.get("confidence") or 0) for e in found)),
        })
    return rows


def _quoted(data: dict, start: int, end: int) -> str | None:
    """The quote of the first suggested fact whose sentence holds ``start:end``."""
    for fact in data["facts"]:
        if fact["start"] <= start and end <= fact["end"]:
            return fact["quote"]
    return None


def _sentence_of(text: str, start: int, end: int) -> str | None:
    """The sentence of ``text`` that holds ``start:end``."""
    from .sentences import split_sentences

    for sentence in split_sentences(text):
        if sentence.start <= start and end <= sentence.end:
            return text[sentence.start : sentence.end]
    return None


def _table(kind: str, rows: list[dict[str, str]], raw: bool) -> str:
    from ..export import csv_row

    columns = _columns(kind, rows)
    lines = [csv_row(columns, raw=True)]
    lines += [csv_row([row.get(c, "") for c in columns], raw=raw, reversible=True) for row in rows]
    return "\n".join(lines) + "\n"


def _columns(kind: str, rows: list[dict[str, str]]) -> list[str]:
    """The layout's columns in its order, numbered columns made as many as the rows need,
    ``confidence`` last; a field no layout column takes comes after, so nothing is lost
    (the importer then names it)."""
    from .tabular import LAYOUTS

    names = [c.name for c in LAYOUTS[kind].columns]
    present = {key for row in rows for key in row}
    columns: list[str] = []
    for name in names:
        numbered = _NUMBERED.match(name)
        if numbered:
            stem, typed = numbered.groups()
            suffix = "_type" if typed else ""
            found = sorted(int(m.group(1)) for k in present if (m := re.fullmatch(rf"{stem}_([0-9]+){suffix}", k)))
            columns += [f"{stem}_{n}{suffix}" for n in found if f"{stem}_{n}{suffix}" not in names]
        elif name not in columns:
            columns.append(name)
    if "confidence" not in columns:
        columns.append("confidence")
    columns += sorted(present - set(columns))
    return columns
