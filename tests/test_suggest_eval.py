"""The leave-one-out benchmark runs on a small folder (its scores are measured, not asserted)."""

import json

from benchmarks import suggest_eval


def test_benchmark_runs_on_a_tiny_folder(tmp_path, capsys):
    # A text of our own under a seed article's id: scored against that article's seed graph.
    (tmp_path / "000_2f9e7fe2686975ec.txt").write_text(
        "Orvant Motors and CATL formed a joint venture.\nCATL runs a 30 GWh plant in Germany.\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("Not a seed article.\n", encoding="utf-8")
    assert suggest_eval.main([str(tmp_path), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert [row["article"] for row in scores["articles"]] == ["000_2f9e7fe2686975ec"]
    assert set(scores["kinds"]) == set(suggest_eval.KINDS)
    assert scores["overall"]["verbatim"] == scores["overall"]["suggested"]
    assert suggest_eval.main([str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[0].split()[:3] == ["kind", "suggested", "right"]


def test_benchmark_refuses_a_missing_folder(tmp_path, capsys):
    assert suggest_eval.main([str(tmp_path / "missing")]) == 2
