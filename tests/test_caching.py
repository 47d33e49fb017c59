"""Work kept on disk between runs (evkg.caching), and the parsed knowledge base kept by
the bytes of the files it was parsed from."""

from __future__ import annotations

import os

import pytest

import evkg
from evkg import caching, kb as kb_module
from evkg.errors import InputError
from evkg.store import MemoryStore

from .conftest import record_calls

FACTS = """\
@prefix ev: <https://w3id.org/evkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix mine: <https://example.org/mine/> .
<https://w3id.org/evkg/id/company/example-cells> a ev:BatteryMaker ; rdfs:label "Example Cells" .
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("EVKG_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def parses(monkeypatch):
    """The files actually parsed (not read from the cache)."""
    return record_calls(monkeypatch, kb_module, "parse_file")


# --------------------------------------------------------------------------- the folder


def test_the_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EVKG_CACHE_DIR", str(tmp_path / "mine"))
    assert caching.cache_folder() == tmp_path / "mine"
    assert caching.cache_folder("graphs") == tmp_path / "mine" / "graphs"
    monkeypatch.delenv("EVKG_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert caching.cache_folder("datasets") == tmp_path / "xdg" / "evkg" / "datasets"
    for off in ("off", "OFF", "", "0", "no"):
        monkeypatch.setenv("EVKG_CACHE_DIR", off)
        assert caching.cache_folder("graphs") is None


def test_a_value_round_trips_and_a_damaged_file_counts_as_missing(folder):
    caching.write_cached("graphs", "k", {"a": [1, 2]})
    assert caching.read_cached("graphs", "k") == {"a": [1, 2]}
    (folder / "graphs" / "k.pickle").write_bytes(b"not a pickle")
    assert caching.read_cached("graphs", "k") is None
    assert caching.read_cached("graphs", "never filed") is None


def test_only_the_most_recently_used_files_are_kept(folder):
    for n in range(caching.KEPT):
        caching.write_cached("graphs", f"k{n}", n)
        os.utime(folder / "graphs" / f"k{n}.pickle", (1_000_000 + n, 1_000_000 + n))
    assert caching.read_cached("graphs", "k0") == 0  # used: now the most recent
    caching.write_cached("graphs", "new", "new")
    kept = sorted(p.stem for p in (folder / "graphs").glob("*.pickle"))
    assert len(kept) == caching.KEPT
    assert "k0" in kept and "new" in kept and "k1" not in kept


def test_a_folder_that_cannot_be_written_is_skipped(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("EVKG_CACHE_DIR", str(blocker))  # a file where the folder should be
    caching.write_cached("graphs", "k", 1)
    assert caching.read_cached("graphs", "k") is None


def test_a_value_that_cannot_be_pickled_is_skipped(folder):
    caching.write_cached("graphs", "k", lambda: None)
    assert caching.read_cached("graphs", "k") is None


# --------------------------------------------------------------------------- the parsed knowledge base


def test_a_second_load_reads_the_parsed_files_from_disk(folder, parses):
    first = evkg.load()
    assert len(parses) > 1 and len(list((folder / "datasets").glob("*.pickle"))) == 1
    parses.clear()
    again = evkg.load()
    assert parses == []
    assert isinstance(again.store, MemoryStore) and again.store.dataset() is again.dataset
    assert again.content_id == first.content_id
    assert again.serialize("trig") == first.serialize("trig")
    assert sorted(again.dataset.namespaces()) == sorted(first.dataset.namespaces())
    assert again.entity("CATL").iri == first.entity("CATL").iri


def test_data_files_are_part_of_the_key(folder, parses, tmp_path):
    facts = tmp_path / "facts.ttl"
    facts.write_text(FACTS)
    kb = evkg.load([facts])
    assert kb.sources == [facts] and "mine" in dict(kb.dataset.namespaces())
    parses.clear()
    again = evkg.load([facts])
    assert parses == [] and again.sources == [facts]
    assert again.entity("Example Cells").label == "Example Cells"
    assert "mine" in dict(again.dataset.namespaces())
    facts.write_text(FACTS.replace("Example Cells", "Example Cells Two"))
    changed = evkg.load([facts])
    assert facts in parses
    assert changed.entity("Example Cells Two").label == "Example Cells Two"
    parses.clear()
    assert len(evkg.load([facts], allow_network=True)) == len(changed) and parses  # another key
    parses.clear()
    assert len(evkg.load(seeds=False)) < len(changed) and parses


def test_data_added_after_loading_stays_out_of_the_cache(folder, tmp_path):
    facts = tmp_path / "facts.ttl"
    facts.write_text(FACTS)
    kb = evkg.load()
    kb.add_file(facts)
    assert "company/example-cells" in kb.serialize("nquads")
    assert "company/example-cells" not in evkg.load().serialize("nquads")


def test_a_store_passed_in_is_filled_and_never_replaced(folder, parses):
    evkg.load()
    parses.clear()
    mine = MemoryStore()
    kb = evkg.load(store=mine)
    assert kb.store is mine and kb.dataset is mine.dataset() and parses


def test_a_damaged_dataset_file_is_parsed_again_and_replaced(folder, parses):
    first = evkg.load()
    (path,) = (folder / "datasets").glob("*.pickle")
    path.write_bytes(b"damaged")
    parses.clear()
    again = evkg.load()
    assert parses and len(again) == len(first)
    assert path.read_bytes() != b"damaged"


def test_a_missing_data_file_is_still_a_clear_error(folder, tmp_path):
    with pytest.raises(InputError, match="missing.ttl"):
        evkg.load([tmp_path / "missing.ttl"])


def test_with_the_cache_off_every_load_parses(monkeypatch, parses):
    monkeypatch.setenv("EVKG_CACHE_DIR", "off")
    evkg.load()
    parses.clear()
    evkg.load()
    assert parses
