"""The review views of suggested facts: the CSV review folder (and its round trip through
`evkg import`), the HTML review page as text, and the terminal summary."""

from __future__ import annotations

import csv
import html
import io
import json

import pytest

from evkg.cli import IMPORT_KINDS, cli
from evkg.errors import OutputError
from evkg.ingest.review import REVIEW_FILES, review_tables, write_review_folder
from evkg.ingest.tabular import LAYOUTS
from evkg.render.review import render_review, review_data, summary_lines

from .suggest_sample import OLD_QUOTE, S_ALLIANCE, S_CONFLICT, S_EXPORTS, S_PLACE, S_PLANT, S_STAKE, SHA256, TEXT, sample


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# ------------------------------------------------------------------ the review tables


def test_one_table_per_kind_with_rows_in_a_fixed_order():
    tables = review_tables([sample()], texts={SHA256: TEXT})
    assert list(tables) == ["alliances.csv", "facilities.csv", "ownership.csv", "observations.csv",
                            "based-in.csv", "located-in.csv", "entities.csv"]
    assert list(tables) == [name for name in REVIEW_FILES if name in tables]


def test_columns_follow_the_import_layout_then_confidence():
    tables = review_tables([sample()])
    for name, text in tables.items():
        kind = name[: -len(".csv")]
        header = next(csv.reader(io.StringIO(text)))
        layout = [c.name for c in LAYOUTS[kind].columns] if kind in LAYOUTS else None
        assert header[-1] == "confidence"
        if layout is not None:
            expanded = [c for c in header if c != "confidence"]
            # Numbered columns (partner_N, partner_N_type) come where the layout has them.
            assert [c for c in expanded if not c.startswith("partner_")] == [
                c for c in layout if not c.startswith("partner_") and c != "confidence"]
    assert next(csv.reader(io.StringIO(tables["alliances.csv"])))[:4] == ["partner_1", "partner_2", "partner_1_type", "type"]


def test_rows_carry_source_title_date_quote_and_confidence():
    facilities = rows_of(review_tables([sample()])["facilities.csv"])
    assert [(r["name"], r["capacity"], r["capacity_unit"], r["quote"], r["confidence"]) for r in facilities] == [
        ("Kestrel Motors Baranya battery cell plant", "12", "GWh", S_PLANT, "0.70"),
        ("CATL Hungary battery cell plant", "80", "GWh", S_CONFLICT, "0.65"),
    ]
    for row in facilities:
        assert (row["source"], row["source_title"], row["source_date"]) == (
            f"urn:sha256:{SHA256}", "Kestrel Motors and CATL form a battery venture", "2026-03")


def test_the_source_is_the_url_when_given_and_the_title_falls_back_to_the_file_name():
    result = sample(url="https://example.org/news/kestrel", date=None)
    result["source"]["title"] = None
    row = rows_of(review_tables([result])["ownership.csv"])[0]
    assert (row["source"], row["source_title"], row["source_date"]) == ("https://example.org/news/kestrel", "kestrel.md", "")
    assert (row["owner"], row["owned"], row["owned_type"], row["share_percent"], row["quote"]) == (
        "CATL", "Kestrel Motors", "automaker", "25", S_STAKE)


def test_new_entities_get_one_row_each_with_their_class_country_and_sentence():
    rows = rows_of(review_tables([sample()], texts={SHA256: TEXT})["entities.csv"])
    assert [(r["name"], r["class"], r["country"], r["quote"]) for r in rows] == [
        ("Kestrel Motors", "ev:Automaker", "Germany", S_ALLIANCE),
        ("Baranya", "ev:Subdivision", "Hungary", S_PLACE),
    ]
    assert [r["confidence"] for r in rows] == ["0.90", "0.70"]


def test_a_new_entity_no_fact_quotes_gets_the_sentence_that_names_it():
    result = sample()
    result["facts"] = []
    rows = rows_of(review_tables([result], texts={SHA256: TEXT})["entities.csv"])
    assert [(r["name"], r["country"], r["quote"]) for r in rows] == [
        ("Kestrel Motors", "", "Kestrel Motors and CATL form a battery venture"),
        ("Baranya", "", S_PLACE),
    ]
    assert "entities.csv" not in review_tables([result])  # without the text, no sentence to quote


def test_several_articles_share_the_tables_each_row_with_its_source():
    other = sample(url="https://example.org/b", path="b.md")
    rows = rows_of(review_tables([sample(), other])["observations.csv"])
    assert [(r["source"], r["quote"]) for r in rows] == [(f"urn:sha256:{SHA256}", S_EXPORTS), ("https://example.org/b", S_EXPORTS)]


def test_the_same_suggestions_give_the_same_bytes():
    assert review_tables([sample()]) == review_tables([json.loads(json.dumps(sample()))])


def test_a_quote_with_commas_quotes_and_line_ends_survives_the_csv():
    result = sample()
    odd = 'She said "yes, at 12 GWh", then\nleft.'
    result["facts"][0]["quote"] = odd
    first = result["facts"][0]["kind"]
    assert rows_of(review_tables([result])[f"{first}.csv"])[0]["quote"] == odd


def test_write_review_folder_makes_the_folder_and_refuses_to_overwrite_reviewed_files(tmp_path):
    folder = tmp_path / "review"
    written = write_review_folder([sample()], folder)
    assert sorted(p.name for p in written) == sorted(review_tables([sample()]))
    (folder / "ownership.csv").write_text("edited by a reviewer\n", encoding="utf-8")
    with pytest.raises(OutputError, match=r"already holds review files \(alliances.csv, facilities.csv"):
        write_review_folder([sample()], folder)
    assert (folder / "ownership.csv").read_text(encoding="utf-8") == "edited by a reviewer\n"
    smaller = sample()
    smaller["facts"] = [f for f in smaller["facts"] if f["kind"] == "ownership"]
    write_review_folder([smaller], folder, replace=True)
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "ownership.csv"]


def test_write_review_folder_needs_the_parent_folder(tmp_path):
    with pytest.raises(OutputError, match="does not exist; create it first"):
        write_review_folder([sample()], tmp_path / "missing" / "review")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="is a file"):
        write_review_folder([sample()], tmp_path / "file")


# ------------------------------------------------------------------ round trip through evkg import


@pytest.mark.parametrize("kind", ["alliances", "facilities", "ownership", "observations", "based-in", "located-in", "entities"])
def test_each_review_file_imports_unchanged(kind, runner, tmp_path):
    if kind not in IMPORT_KINDS:
        pytest.fail(f"evkg import has no kind {kind} yet")
    folder = tmp_path / "review"
    result = sample()
    # The conflicting row restates a fact the seeds hold; the round trip checks new facts.
    result["facts"] = [f for f in result["facts"] if f["status"] == "new"]
    write_review_folder([result], folder, texts={SHA256: TEXT})
    out = runner.invoke(cli, ["import", str(folder / f"{kind}.csv"), "--kind", kind, "--dry-run"])
    assert out.exit_code == 0, out.output
    assert "all valid" in out.stderr


def test_the_whole_folder_imports_entities_first_then_each_table_with_them(runner, tmp_path):
    """A fact may name a new place (a plant in Baranya), which only entities.csv declares:
    entities.csv goes first, and each facts table is imported with its Turtle as --data."""
    result = sample()
    result["facts"] = [f for f in result["facts"] if f["status"] == "new"]
    plant = next(f for f in result["facts"] if f["kind"] == "facilities")
    plant["fields"]["location"], plant["links"]["location"] = "Baranya", None
    folder = tmp_path / "review"
    write_review_folder([result], folder, texts={SHA256: TEXT})
    entities = tmp_path / "entities.ttl"
    out = runner.invoke(cli, ["import", str(folder / "entities.csv"), "--kind", "entities", "-o", str(entities)])
    assert out.exit_code == 0, out.output
    data = ["--data", str(entities)]
    for kind in ("alliances", "facilities", "ownership", "observations", "based-in", "located-in"):
        target = tmp_path / f"{kind}.ttl"
        out = runner.invoke(cli, ["--data", str(entities), "import", str(folder / f"{kind}.csv"), "--kind", kind, "-o", str(target)])
        assert out.exit_code == 0, out.output
        data += ["--data", str(target)]
    out = runner.invoke(cli, [*data, "show", "Kestrel Motors"])
    assert out.exit_code == 0, out.output
    assert "  • Kestrel Motors Baranya battery cell plant\n      capacity: 12 GWh\n      located in: Baranya\n" in out.stdout
    assert f"“{S_STAKE}”" in out.stdout and f"“{S_EXPORTS}”" in out.stdout


# ------------------------------------------------------------------ the page, as text


def test_page_pieces_put_the_article_back_together_and_mark_each_sentence():
    data = review_data(sample(), TEXT)
    assert "".join(p["text"] for p in data["pieces"]) == TEXT
    opened = {p["id"]: p for p in data["pieces"] if p["id"]}
    for sentence in (S_ALLIANCE, S_PLANT, S_PLACE, S_STAKE, S_EXPORTS, S_CONFLICT):
        start = TEXT.index(sentence)
        anchor = f"q{start}-{start + len(sentence)}"
        assert anchor in opened
        assert "".join(p["text"] for p in data["pieces"] if anchor in p["sentences"]) == sentence


def test_a_fact_whose_quote_is_not_at_its_offsets_is_listed_but_not_highlighted():
    result = sample()
    result["facts"][0]["start"] += 1
    data = review_data(result, TEXT)
    listed = [f for _, _, facts in data["kinds"] for f in facts]
    assert [f["placed"] for f in listed].count(False) == 1


def test_page_escapes_the_article_and_every_field():
    evil = "<script>alert(1)</script> <img src=x onerror=alert(2)>"
    text = TEXT + evil
    result = sample()
    result["source"]["title"] = "</title><script>alert(3)</script>"
    result["facts"][0]["fields"]["partner_1"] = '"><img src=x onerror=alert(4)>'
    page = render_review(result, text)
    assert "<script>alert" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;" in page
    assert page.count("<script>") == 1  # the page's own


def test_page_has_a_strict_policy_and_no_outside_reference():
    page = render_review(sample(), TEXT)
    policy = html.unescape(page.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0])
    assert policy.startswith("default-src 'none'; script-src 'sha256-")
    assert "unsafe" not in policy
    assert policy == "; ".join([
        "default-src 'none'", policy.split("; ")[1], policy.split("; ")[2], "base-uri 'none'", "form-action 'none'"])
    assert policy.split("; ")[2].startswith("style-src 'sha256-")
    assert " src=" not in page and " href=\"http" not in page and "<link" not in page


def test_page_shows_the_conflict_with_both_values_and_the_graph_source():
    page = render_review(sample(), TEXT)
    assert "The graph has <b>capacity</b> 100 GWh; this article: 80 GWh." in page
    assert f"<cite>An older article</cite>, 2025-07: <q>{OLD_QUOTE}</q>" in page


def test_the_same_input_gives_the_same_page():
    assert render_review(sample(), TEXT) == render_review(json.loads(json.dumps(sample())), TEXT)


# ------------------------------------------------------------------ the terminal summary


def test_summary_counts_kinds_and_marks_conflicts():
    lines = summary_lines(sample(), width=100)
    assert lines[:2] == [
        "Kestrel Motors and CATL form a battery venture  (2026-03, kestrel.md)",
        "7 facts (1 alliances, 2 facilities, 1 ownership, 1 observations, 1 based-in, 1 located-in); "
        "1 conflict, 2 new entities.",
    ]
    conflict = lines.index("Facilities") + 4
    assert lines[conflict:conflict + 5] == [
        "  CONFLICT 0.65  name CATL Hungary battery cell plant, type battery cell plant, operator CATL,",
        "        location Hungary, capacity 80 GWh",
        f"        “{S_CONFLICT}”",
        "        the graph has capacity 100 GWh (this article: 80 GWh), from An older article, 2025-07",
        "",
    ]
    assert "  new 0.90  owner CATL, owned Kestrel Motors, share 25%" in lines
    assert lines[-3:] == ["New entities", "  Kestrel Motors  (ev:Automaker, 2 mentions)", "  Baranya  (ev:Subdivision, 1 mention)"]
