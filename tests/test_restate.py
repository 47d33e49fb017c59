"""A fact stated again: the import `fact` column makes a row one more source of a fact the
graph holds, and the review folder of `evkg suggest` fills it for a known fact, so that the
folder imports unchanged and the fact then has two sources."""

from __future__ import annotations

import io

import pytest

import evkg
from evkg.errors import TableError
from evkg.ingest.article import read_article
from evkg.ingest.review import review_tables
from evkg.ingest.suggest import suggest
from evkg.ingest.tabular import import_csv, serialize_graph

HEADER = "name,type,operator,location,status,capacity,capacity_unit,fact,source,source_title,source_date,quote\n"
ROW = ('CATL Hungary battery cell plant,battery cell plant,CATL,Hungary,under construction,100,GWh,{fact},'
       'https://example.org/news/7,A second report,2026-05,"A trade paper wrote that the CATL plant in Hungary, '
       'still under construction, is to reach 100 GWh."\n')


def _import(kb, fact: str):
    return import_csv(kb, io.BytesIO((HEADER + ROW.format(fact=fact)).encode()), kind="facilities", name="restate.csv")


def test_a_restated_fact_gets_a_second_source(kb, tmp_path):
    rdf = _import(kb, "facility:catl-hungary-cell-plant")
    path = tmp_path / "restate.ttl"
    path.write_text(serialize_graph(rdf), encoding="utf-8")
    description = evkg.load([path]).describe("facility:catl-hungary-cell-plant")
    operator = next(f for f in description.facts if f.relation_label == "operator")
    assert operator.source_count == 2
    assert not any(str(s).endswith("/catl-hungary-battery-cell-plant") for s in rdf.subjects())


@pytest.mark.parametrize("fact", ["facility:no-such-plant", "company:catl"])
def test_the_fact_column_must_name_a_fact_of_the_kind(kb, fact):
    with pytest.raises(TableError) as caught:
        _import(kb, fact)
    (problem,) = caught.value.problems
    assert problem[:3] == (2, "fact", fact)
    assert "names no facility the knowledge base holds" in problem[3]


ARTICLE = """Notes from the cell industry

Analysts said the CATL plant in Hungary is under construction and will reach 100 GWh.
"""


def test_the_review_folder_names_the_known_fact_and_imports_unchanged(kb, tmp_path):
    result = suggest(kb, read_article(ARTICLE.encode(), path="notes.txt"))
    known = [f for f in result.to_dict()["facts"] if f["status"] == "known" and f["kind"] == "facilities"]
    assert known, result.to_dict()["facts"]
    table = review_tables([result])["facilities.csv"]
    assert "https://w3id.org/evkg/id/facility/catl-hungary-cell-plant" in table
    rdf = import_csv(kb, io.BytesIO(table.encode()), kind="facilities", name="facilities.csv")
    path = tmp_path / "facilities.ttl"
    path.write_text(serialize_graph(rdf), encoding="utf-8")
    description = evkg.load([path]).describe("facility:catl-hungary-cell-plant")
    assert {f.source_count for f in description.facts if f.relation_label == "located in"} == {2}
