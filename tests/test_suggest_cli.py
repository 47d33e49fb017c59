"""`evkg suggest`: reading an article (file, bytes, standard input, folder), refusing bad
input with one paragraph and exit 2 while writing nothing, and the four output formats."""

from __future__ import annotations

import hashlib
import json
import sys
import types
from pathlib import Path

import pytest

from evkg.cli import cli
from evkg.errors import InputError
from evkg.ingest import article as article_module
from evkg.ingest.article import MAX_BYTES, check_date, check_url, find_articles, read_article

from .suggest_sample import S_CONFLICT, SHA256, TEXT, sample

BODY = "Volta Cells will build a plant in Sines.\n"


def refused(out, *fragments: str) -> str:
    """The output of a refused run: exit 2, one paragraph, no traceback, each fragment in it."""
    assert out.exit_code == 2, out.output
    assert isinstance(out.exception, SystemExit)
    message = out.stderr.strip()
    if message.startswith("Usage: "):  # click's usage errors put the usage line first
        message = message.split("\n\n", 1)[1]
    assert message.startswith("Error: ")
    assert "\n\n" not in message and "Traceback" not in out.output
    for fragment in fragments:
        assert fragment in message
    return message


# ------------------------------------------------------------------ read_article


def test_the_first_non_empty_line_is_the_title_without_its_markdown_mark(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(b"\n\n## Volta Cells  picks Sines ##\n\n" + BODY.encode())
    article = read_article(path, date="2026-03-10", url="https://example.org/volta")
    assert (article.title, article.date, article.url, article.path) == (
        "Volta Cells picks Sines", "2026-03-10", "https://example.org/volta", str(path))
    assert article.text == "\n\n## Volta Cells  picks Sines ##\n\n" + BODY
    assert article.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert article.source_iri == "https://example.org/volta"


def test_a_given_title_wins_and_a_plain_first_line_is_the_title():
    assert read_article(b"Volta news\n\n" + BODY.encode()).title == "Volta news"
    assert read_article(b"Volta news\n\n" + BODY.encode(), title="  Given  title ").title == "Given title"


def test_line_ends_become_newlines_and_a_byte_order_mark_is_dropped():
    data = "\ufeffTitle\r\n\r\nOne.\rTwo.\r\n".encode("utf-8")
    article = read_article(data)
    assert article.text == "Title\n\nOne.\nTwo.\n"
    assert article.sha256 == hashlib.sha256(data).hexdigest()
    assert article.source_iri == f"urn:sha256:{article.sha256}"


def test_source_title_falls_back_to_the_file_name(tmp_path):
    path = tmp_path / "volta.txt"
    path.write_text("   \n" + BODY, encoding="utf-8")
    assert read_article(path).title == BODY.strip()
    assert read_article(b"x" * 20, path="news/v.txt").path == "news/v.txt"


@pytest.mark.parametrize("date", ["2026", "2026-03", "2026-03-10", "2024-02-29"])
def test_good_dates(date):
    assert check_date(date) == date


@pytest.mark.parametrize("date, problem", [
    ("2026-13", "not a calendar date"), ("2025-02-29", "not a calendar date"), ("March 2026", "not a date"),
    ("2026/03/10", "not a date"), ("26-03", "not a date"),
])
def test_bad_dates(date, problem):
    with pytest.raises(InputError, match=f"--date {date}: {problem}; give YYYY, YYYY-MM or YYYY-MM-DD"):
        check_date(date)


@pytest.mark.parametrize("url", ["ftp://example.org/a", "example.org/news", "https://", "javascript:alert(1)", "https://exa mple.org/"])
def test_bad_urls(url):
    with pytest.raises(InputError, match="not an http or https address"):
        check_url(url)


@pytest.mark.parametrize("data, message", [
    (b"", "the article is empty: there is no text to suggest facts from."),
    (b" \n\t\n ", "the article is empty: there is no text to suggest facts from."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "the article: not a text file (it holds binary data such as NUL or control bytes)"),
    (b"Volta\x00Cells\x00", "the article: not a text file"),
    ("Volta Cells builds in Sines.".encode("utf-16-le"), "the article: not UTF-8 text; it looks like UTF-16."),
    ("Volta Cells builds in Sines.".encode("utf-16-be"), "the article: not UTF-8 text; it looks like UTF-16."),
    (b"Volta \x1b[31mCells\x07 said", "the article: not a text file"),
    ("Volta Cells builds a plant in Sines.".encode("utf-16"), "the article: not UTF-8 text; it looks like UTF-16."),
    ("Volta Cells says: the Zürich café’s résumé costs 5 €, naïve.".encode("cp1252") * 4,
     "the article: not UTF-8 text (byte 0xfc at offset 23 is not UTF-8); it looks like Windows-125"),
])
def test_bad_bytes(data, message):
    with pytest.raises(InputError) as caught:
        read_article(data)
    assert str(caught.value).startswith(message)


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_bytes(b"Volta Cells builds a plant. " * (10_000_000 // 28))
    reads = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: reads.append(self) or real_open(self, *a, **k))
    with pytest.raises(InputError) as caught:
        read_article(path)
    assert str(caught.value) == (
        f"{path}: too large (10.0 MB); an article may be at most 1 MB (1,000,000 bytes). That is far longer "
        "than any news article, and suggestions for a text that long could not be reviewed; split it into its articles.")
    assert reads == []


def test_bytes_over_the_limit_are_refused():
    with pytest.raises(InputError, match=r"^the article: too large \(1.0 MB\); an article may be at most 1 MB"):
        read_article(b"a" * (MAX_BYTES + 1))
    assert len(read_article(b"a" * MAX_BYTES).text) == MAX_BYTES


def test_find_articles_takes_txt_and_md_files_in_name_order(tmp_path):
    for name in ("b.md", "a.txt", "c.pdf", ".hidden.txt", "D.TXT"):
        (tmp_path / name).write_text(BODY, encoding="utf-8")
    (tmp_path / "sub.txt").mkdir()
    assert [p.name for p in find_articles(tmp_path)] == ["D.TXT", "a.txt", "b.md"]


# ------------------------------------------------------------------ bad input on the command line


@pytest.fixture
def fake_suggest(monkeypatch):
    """`evkg suggest` with the suggestions of the hand-written sample, whatever the article:
    these tests are about the command, not about extraction. Records the articles it got."""
    seen = []

    class Suggestions:
        def __init__(self, data):
            self.data = data
            self.source, self.entities, self.facts = data["source"], data["entities"], data["facts"]

        def to_dict(self):
            return self.data

        def to_json(self):
            return json.dumps(self.data, ensure_ascii=False, indent=2) + "\n"

    def suggest(kb, article, *, progress=None):
        seen.append(article)
        if progress is not None:
            progress(1, 1)
        data = sample(url=article.url, date=article.date, path=article.path)
        data["source"].update(title=article.title, sha256=article.sha256)
        return Suggestions(data)

    module = types.ModuleType("evkg.ingest.suggest")
    module.suggest = suggest
    monkeypatch.setitem(sys.modules, "evkg.ingest.suggest", module)
    return seen


def test_cli_refuses_every_bad_article_and_writes_nothing(runner, tmp_path, fake_suggest):
    cases = {
        "empty.txt": (b"", "empty.txt: empty (nothing but white space)"),
        "blank.md": (b"\n \n", "blank.md: empty (nothing but white space)"),
        "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.txt: not a text file"),
        "latin.txt": ("Volta Cells: über die Fabrik in Sines, sagt François.".encode("latin-1") * 3,
                      "latin.txt: not UTF-8 text (byte 0xfc at offset 13 is not UTF-8); it looks like"),
        "wide.txt": ("Volta Cells builds in Sines.".encode("utf-16"), "wide.txt: not UTF-8 text; it looks like UTF-16."),
        "big.txt": (b"Sines. " * 200_000, "big.txt: too large (1.4 MB); an article may be at most 1 MB"),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        for fmt, target in (("json", tmp_path / "out.json"), ("csv", tmp_path / "review")):
            out = runner.invoke(cli, ["suggest", str(tmp_path / name), "--format", fmt, "-o", str(target)])
            refused(out, message)
            assert not target.exists()
    assert fake_suggest == []


def test_cli_refuses_a_missing_file_and_a_folder_without_articles(runner, tmp_path, fake_suggest):
    refused(runner.invoke(cli, ["suggest", str(tmp_path / "nope.txt")]), "nope.txt: no such file.")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    refused(runner.invoke(cli, ["suggest", str(tmp_path)]), "the folder holds no .txt or .md file")


def test_cli_refuses_bad_options_before_reading(runner, tmp_path, fake_suggest):
    path = tmp_path / "a.txt"
    path.write_text(BODY, encoding="utf-8")
    refused(runner.invoke(cli, ["suggest", str(path), "--date", "2026-02-30"]), "--date 2026-02-30: not a calendar date")
    refused(runner.invoke(cli, ["suggest", str(path), "--url", "www.example.org"]), "--url www.example.org: not an http or https address")
    refused(runner.invoke(cli, ["suggest", str(path), "--format", "csv"]), "--format csv writes a review folder: give it with -o DIR.")
    refused(runner.invoke(cli, ["suggest", str(tmp_path), "--title", "One"]), "--title and --url name one article")
    refused(runner.invoke(cli, ["suggest", str(tmp_path), "--format", "html"]), "give the folder with -o DIR")
    refused(runner.invoke(cli, ["suggest", str(path), "-o", str(tmp_path / "no" / "such.json"), "--format", "json"]),
            "does not exist; create it first")
    assert fake_suggest == []


def test_a_review_folder_with_files_is_not_overwritten_without_force(runner, tmp_path, fake_suggest):
    path = tmp_path / "a.md"
    path.write_text(TEXT, encoding="utf-8")
    review = tmp_path / "review"
    assert runner.invoke(cli, ["suggest", str(path), "--format", "csv", "-o", str(review)]).exit_code == 0
    (review / "ownership.csv").write_text("reviewed\n", encoding="utf-8")
    refused(runner.invoke(cli, ["suggest", str(path), "--format", "csv", "-o", str(review)]), "already holds review files")
    assert (review / "ownership.csv").read_text(encoding="utf-8") == "reviewed\n"
    assert runner.invoke(cli, ["suggest", str(path), "--format", "csv", "-o", str(review), "--force"]).exit_code == 0
    assert (review / "ownership.csv").read_text(encoding="utf-8").startswith("owner,")


def test_empty_standard_input_is_refused(runner, fake_suggest):
    refused(runner.invoke(cli, ["suggest", "-"], input=b""), "the article is empty")


# ------------------------------------------------------------------ the formats


@pytest.fixture
def kestrel(tmp_path) -> Path:
    path = tmp_path / "kestrel.md"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_text_is_the_summary(runner, kestrel, fake_suggest):
    out = runner.invoke(cli, ["suggest", str(kestrel), "--date", "2026-03"])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0] == f"Kestrel Motors and CATL form a battery venture  (2026-03, {kestrel})"
    assert lines[1].startswith("7 facts (1 alliances, 2 facilities,")
    assert f"        “{S_CONFLICT}”" in lines
    assert out.stderr == ""  # no progress when standard error is not a terminal
    assert [a.date for a in fake_suggest] == ["2026-03"]


def test_json_is_the_contract_and_the_same_bytes_each_run(runner, kestrel, fake_suggest, tmp_path):
    first = runner.invoke(cli, ["suggest", str(kestrel), "--format", "json", "--url", "https://example.org/k"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert list(data) == ["source", "entities", "facts"]
    assert data["source"] == {"title": "Kestrel Motors and CATL form a battery venture", "date": None,
                              "url": "https://example.org/k", "path": str(kestrel), "sha256": SHA256}
    for fact in data["facts"]:
        assert TEXT[fact["start"]:fact["end"]] == fact["quote"]
    out = tmp_path / "k.json"
    assert runner.invoke(cli, ["suggest", str(kestrel), "--format", "json", "--url", "https://example.org/k", "-o", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == first.stdout


def test_standard_input_has_no_path(runner, fake_suggest):
    out = runner.invoke(cli, ["suggest", "-", "--format", "json", "--title", "Piped"], input=TEXT.encode())
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["source"]["path"] is None
    assert fake_suggest[0].title == "Piped" and fake_suggest[0].text == TEXT


def test_csv_writes_the_review_folder(runner, kestrel, fake_suggest, tmp_path):
    review = tmp_path / "review"
    out = runner.invoke(cli, ["suggest", str(kestrel), "--format", "csv", "-o", str(review)])
    assert out.exit_code == 0, out.output
    assert out.stderr == (f"Wrote {review}: alliances.csv, facilities.csv, ownership.csv, observations.csv, based-in.csv, "
                          "located-in.csv, entities.csv (9 rows).\n")
    assert sorted(p.name for p in review.iterdir()) == sorted(
        ["alliances.csv", "facilities.csv", "ownership.csv", "observations.csv", "based-in.csv", "located-in.csv", "entities.csv",
         "manifest.json"])


def test_csv_cells_are_formula_safe_unless_raw_csv(runner, kestrel, fake_suggest, tmp_path):
    for args, cells in (([], "formula-safe"), (["--raw-csv"], "raw")):
        review = tmp_path / cells
        out = runner.invoke(cli, ["suggest", str(kestrel), "--format", "csv", "-o", str(review), *args])
        assert out.exit_code == 0, out.output
        assert json.loads((review / "manifest.json").read_text(encoding="utf-8"))["cells"] == cells
    out = runner.invoke(cli, ["suggest", str(kestrel), "--raw-csv"])
    assert out.exit_code == 2 and "--raw-csv applies to --format csv only." in out.output


def test_html_writes_one_page(runner, kestrel, fake_suggest, tmp_path):
    page = tmp_path / "review.html"
    out = runner.invoke(cli, ["suggest", str(kestrel), "--format", "html", "-o", str(page)])
    assert out.exit_code == 0, out.output
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<mark class="s" id="q' in text


def test_a_folder_gives_one_result_per_article(runner, tmp_path, fake_suggest):
    folder = tmp_path / "news"
    folder.mkdir()
    for name in ("one.md", "two.txt", "skip.pdf"):
        (folder / name).write_text(TEXT, encoding="utf-8")
    out = runner.invoke(cli, ["suggest", str(folder), "--format", "json", "-o", str(tmp_path / "json")])
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in (tmp_path / "json").iterdir()) == ["one.json", "two.json"]
    assert [Path(a.path).name for a in fake_suggest] == ["one.md", "two.txt"]
    out = runner.invoke(cli, ["suggest", str(folder), "--format", "html", "-o", str(tmp_path / "pages")])
    assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == ["one.html", "two.html"]
    out = runner.invoke(cli, ["suggest", str(folder)])
    assert out.stdout.count("Kestrel Motors and CATL form a battery venture  (") == 2


def test_a_folder_with_one_bad_article_writes_nothing(runner, tmp_path, fake_suggest):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "good.md").write_text(TEXT, encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"")
    refused(runner.invoke(cli, ["suggest", str(folder), "--format", "csv", "-o", str(tmp_path / "review")]), "bad.txt: empty")
    assert not (tmp_path / "review").exists() and fake_suggest == []


def test_progress_is_one_line_redrawn_on_a_terminal(monkeypatch, capsys):
    from evkg import cli as cli_module

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    progress = cli_module._SuggestProgress(2)
    now = iter([0.0, 0.05, 0.2, 0.2, 0.21, 0.22, 0.3]).__next__
    progress.clock = now
    progress.article(1, "one.md")  # drawn at 0.0
    progress(3, 10)  # 0.05: too soon, not drawn
    progress(4, 10)  # 0.2: drawn
    progress(5, 10)  # 0.21: too soon
    progress(10, 10)  # the last is always drawn
    progress.article(2, "two.md")
    progress.done()
    assert capsys.readouterr().err == (
        "\r\033[Ksuggest: article 1 of 2: one.md\r\033[Ksuggest: article 1 of 2: one.md, sentence 4 of 10"
        "\r\033[Ksuggest: article 1 of 2: one.md, sentence 10 of 10"
        "\r\033[Ksuggest: article 2 of 2: two.md\r\033[K")


def test_suggest_help_has_an_example(runner):
    out = runner.invoke(cli, ["suggest", "--help"])
    assert out.exit_code == 0 and "Example:" in out.output and "--format [text|json|csv|html]" in out.output


def test_article_module_is_documented():
    assert article_module.__all__ == ["Article", "read_article", "find_articles", "check_date", "check_url", "MAX_BYTES", "SUFFIXES"]


# ------------------------------------------------------------------ with the real extraction

HARBOUR = """# Kestrel Motors expands in Hungary

Kestrel Motors, a carmaker based in Germany, will build a 12 GWh battery cell plant in Hungary.
CATL holds a 25% stake in Kestrel Motors.
The CATL plant in Germany has a capacity of 30 GWh.
"""


def test_the_real_suggestions_keep_the_contract_and_each_review_file_imports(runner, tmp_path):
    article = tmp_path / "harbour.md"
    article.write_text(HARBOUR, encoding="utf-8")
    out = runner.invoke(cli, ["suggest", str(article), "--format", "json", "--date", "2026-04"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert list(data) == ["source", "entities", "facts"] and data["facts"]
    from evkg.ingest.tabular import LAYOUTS

    for fact in data["facts"]:
        assert HARBOUR[fact["start"]:fact["end"]] == fact["quote"]
        assert fact["status"] in ("new", "known", "conflicts") and 0 <= fact["confidence"] <= 1
        assert all(LAYOUTS[fact["kind"]].accepts(column) for column in fact["fields"])
    for entity in data["entities"]:
        assert HARBOUR[entity["start"]:entity["end"]] == entity["mention"]
    review = tmp_path / "review"
    assert runner.invoke(cli, ["suggest", str(article), "--format", "csv", "-o", str(review), "--date", "2026-04"]).exit_code == 0
    entities = tmp_path / "entities.ttl"
    data_options = []
    if (review / "entities.csv").exists():
        out = runner.invoke(cli, ["import", str(review / "entities.csv"), "--kind", "entities", "-o", str(entities)])
        assert out.exit_code == 0, out.output
        data_options = ["--data", str(entities)]
    for table in sorted(review.glob("*.csv")):
        if table.name != "entities.csv":
            out = runner.invoke(cli, [*data_options, "import", str(table), "--kind", table.stem, "--dry-run"])
            assert out.exit_code == 0, (table.name, out.output)
