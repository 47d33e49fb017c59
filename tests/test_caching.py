"""Work kept on disk between runs (evkg.caching), and the parsed knowledge base kept by
the bytes of the files it was parsed from."""

from __future__ import annotations

import json
import logging
import os
import pathlib
import pickle
import stat

import pytest

import evkg
from evkg import caching, kb as kb_module
from evkg.errors import InputError
from evkg.graph import graph_of
from evkg.stores.memory import MemoryStore

from .conftest import record_calls

FACTS = """\
@prefix ev: <https://w3id.org/evkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix mine: <https://example.org/mine/> .
<https://w3id.org/evkg/id/company/example-cells> a ev:BatteryMaker ; rdfs:label "Example Cells" .
"""


# Tests about the folder and its files load the ontology alone (seeds=False) where the seeds'
# facts are beside their point: it is filed and read as the seeds are, and parses in a seventh
# of the time.


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


def files_in(folder):
    """The cache files under ``folder``, by name."""
    return sorted(path.name for path in folder.glob("*.cache"))


def filed(folder, kind, key, data):
    """File ``data`` under ``key``: the path of the file written."""
    before = set((folder / kind).glob("*.cache"))
    caching.write_cached(kind, key, data)
    (path,) = set((folder / kind).glob("*.cache")) - before
    return path


def test_bytes_round_trip_and_a_damaged_or_cut_file_counts_as_missing(folder):
    path = filed(folder, "graphs", "k", b'{"a": [1, 2]}')
    assert caching.read_cached("graphs", "k") == b'{"a": [1, 2]}'
    whole = path.read_bytes()
    path.write_bytes(whole[:-1])  # cut short
    assert caching.read_cached("graphs", "k") is None
    path.write_bytes(whole.replace(b"[1, 2]", b"[1, 3]"))  # changed
    assert caching.read_cached("graphs", "k") is None
    path.write_bytes(b"not a cache file")
    assert caching.read_cached("graphs", "k") is None
    assert caching.read_cached("graphs", "never filed") is None


def test_only_the_most_recently_used_files_are_kept(folder):
    paths = {}
    for n in range(caching.KEPT):
        paths[n] = filed(folder, "graphs", f"k{n}", str(n).encode())
        os.utime(paths[n], (1_000_000 + n, 1_000_000 + n))
    assert caching.read_cached("graphs", "k0") == b"0"  # used: now the most recent
    new = filed(folder, "graphs", "new", b"new")
    kept = files_in(folder / "graphs")
    assert len(kept) == caching.KEPT
    assert paths[0].name in kept and new.name in kept and paths[1].name not in kept


def test_a_folder_that_cannot_be_written_is_skipped(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("EVKG_CACHE_DIR", str(blocker))  # a file where the folder should be
    caching.write_cached("graphs", "k", b"1")
    assert caching.read_cached("graphs", "k") is None


def test_folders_are_private_and_files_too_whatever_the_umask(folder, tmp_path):
    mine = tmp_path / "private.ttl"
    mine.write_text(FACTS)
    os.chmod(mine, 0o600)
    mask = os.umask(0)
    try:
        evkg.load([mine])
        graph_of(evkg.load([mine]))
    finally:
        os.umask(mask)
    assert [mode_of(path) for path in (folder, folder / "datasets", folder / "graphs")] == [0o700] * 3
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert sorted(path.name for path in files if path.suffix == ".cache") == sorted(
        files_in(folder / "datasets") + files_in(folder / "graphs")
    )
    assert len(files) == 3  # the key, one dataset, one graph
    assert {mode_of(path) for path in files} == {0o600}


def mode_of(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_older_world_readable_cache_is_tightened(folder):
    for kind in ("datasets", "graphs"):
        (folder / kind).mkdir(parents=True, mode=0o755)
        os.chmod(folder / kind, 0o755)
        (folder / kind / "0123.pickle").write_bytes(b"left by an older version")
    evkg.load()
    caching.write_cached("graphs", "k", b"1")
    for kind in ("datasets", "graphs"):
        assert not list((folder / kind).glob("*.pickle"))
        assert mode_of(folder / kind) == 0o700


class Marker:
    """Unpickling it writes the marker file: proof that a pickle was run."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (pathlib.Path.write_text, (pathlib.Path(self.path), "ran"))


def test_a_planted_pickle_is_never_run(folder, parses, tmp_path):
    marker = tmp_path / "marker"
    payload = pickle.dumps(Marker(marker))
    first = evkg.load()
    graph_of(first)
    planted = [path for path in folder.rglob("*") if path.is_file() and path.parent != folder]
    assert len(planted) == 2  # the dataset and the graph, under the names they are read by
    for path in planted:
        path.write_bytes(payload)
    # where an older version looked for the dataset, too
    (folder / "datasets" / f"{kb_module._dataset_key(first.content_id, False)}.pickle").write_bytes(payload)
    parses.clear()
    again = evkg.load()
    G = graph_of(again)
    assert not marker.exists()
    assert parses and again.serialize("nquads") == first.serialize("nquads")
    assert "https://w3id.org/evkg/id/company/catl" in G


def test_a_folder_of_another_user_is_not_used(folder, parses, caplog):
    folder.mkdir(mode=0o700)
    os.chown(folder, 4242, 4242)
    with caplog.at_level(logging.WARNING, logger="evkg"):
        evkg.load(seeds=False)
        parses.clear()
        assert len(evkg.load(seeds=False)) > 0 and parses  # parsed again: nothing was read or filed
    assert list(folder.iterdir()) == []
    (record,) = [record for record in caplog.records if record.name == "evkg"]
    assert record.getMessage() == (
        f"evkg: not using the cache folder {folder}: it belongs to another user; the cache is off "
        "(set EVKG_CACHE_DIR to a folder of your own, or to off)."
    )


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702])
def test_a_folder_others_may_write_is_not_used(folder, parses, mode):
    folder.mkdir()
    os.chmod(folder, mode)
    evkg.load(seeds=False)
    parses.clear()
    evkg.load(seeds=False)
    assert parses and list(folder.iterdir()) == []
    assert mode_of(folder) == mode


def test_a_sub_folder_of_another_user_is_not_used(folder, parses):
    (folder / "datasets").mkdir(parents=True, mode=0o700)
    os.chown(folder / "datasets", 4242, 4242)
    evkg.load(seeds=False)
    parses.clear()
    evkg.load(seeds=False)
    assert parses and list((folder / "datasets").iterdir()) == []


def test_two_cache_folders_give_other_names(monkeypatch, tmp_path, parses):
    names = {}
    for root in ("one", "two"):
        monkeypatch.setenv("EVKG_CACHE_DIR", str(tmp_path / root))
        graph_of(evkg.load())
        names[root] = files_in(tmp_path / root / "datasets") + files_in(tmp_path / root / "graphs")
        assert len(names[root]) == 2
    assert set(names["one"]).isdisjoint(names["two"])
    assert (tmp_path / "one" / "key").read_bytes() != (tmp_path / "two" / "key").read_bytes()


def test_a_file_from_another_cache_folder_is_a_miss(monkeypatch, tmp_path, parses):
    for root in ("one", "two"):
        monkeypatch.setenv("EVKG_CACHE_DIR", str(tmp_path / root))
        evkg.load(seeds=False)
    (theirs,) = (tmp_path / "one" / "datasets").glob("*.cache")
    (mine,) = (tmp_path / "two" / "datasets").glob("*.cache")
    mine.write_bytes(theirs.read_bytes())
    parses.clear()
    evkg.load(seeds=False)
    assert parses


# --------------------------------------------------------------------------- the parsed knowledge base


def test_a_second_load_reads_the_parsed_files_from_disk(folder, parses):
    first = evkg.load()
    assert len(parses) > 1 and len(files_in(folder / "datasets")) == 1
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
    first = evkg.load(seeds=False)
    (path,) = (folder / "datasets").glob("*.cache")
    path.write_bytes(b"damaged")
    parses.clear()
    again = evkg.load(seeds=False)
    assert parses and len(again) == len(first)
    assert path.read_bytes() != b"damaged"


def test_a_valid_file_of_the_wrong_shape_is_a_miss(folder, parses):
    # the ontology alone is filed as the seeds are, and is a seventh of their size: each
    # wrong file below costs a parse and a comparison
    first = evkg.load(seeds=False)
    key = kb_module._dataset_key(first.content_id, False)
    (path,) = (folder / "datasets").glob("*.cache")
    good = json.loads(caching.read_cached("datasets", key))
    wrong = [
        b"not json",
        b"[1, 2, 3]",
        json.dumps({**good, "layout": "evkg-dataset-1"}).encode(),  # another version
        json.dumps({**good, "quads": good["quads"][:-1]}).encode(),  # not whole quads
        json.dumps({**good, "quads": good["quads"][:-4] + [0, 0, 0, len(good["terms"])]}).encode(),
        json.dumps({**good, "terms": [["a literal", None, None]] + good["terms"][1:]}).encode(),
        json.dumps({**good, "terms": good["terms"] + [{"x": 1}]}).encode(),
        json.dumps({**good, "namespaces": [["ex", 1]]}).encode(),
        json.dumps({**good, "graphs": "all"}).encode(),
        pickle.dumps(first.dataset),
    ]
    for data in wrong:
        caching.write_cached("datasets", key, data)
        parses.clear()
        again = evkg.load(seeds=False)
        assert parses, data[:40]
        assert again.serialize("nquads") == first.serialize("nquads")
        assert caching.read_cached("datasets", key) != data  # filed anew
    assert [path] == list((folder / "datasets").glob("*.cache"))


def test_literals_blank_nodes_and_empty_graphs_round_trip():
    from rdflib import BNode, Dataset, Literal, Namespace, URIRef
    from rdflib.namespace import XSD

    ex = Namespace("https://example.org/")
    rdf = Dataset(default_union=True)
    rdf.bind("ex", ex)
    g = rdf.graph(ex.g)
    rdf.graph(ex.empty)
    node = BNode("b0")
    for triple in [
        (ex.s, ex.p, Literal("plain")),
        (ex.s, ex.p, Literal("chat", lang="fr")),
        (ex.s, ex.p, Literal("12", datatype=XSD.integer)),
        (ex.s, ex.p, Literal("not a number", datatype=XSD.integer)),
        (ex.s, ex.p, Literal('a "quoted" line\n> <x> .')),
        (ex.s, ex.p, node),
        (node, ex.p, URIRef("https://example.org/with space>")),
    ]:
        g.add(triple)
    rdf.add((ex.s, ex.p, ex.o))  # the default graph
    again = Dataset(default_union=True)
    caching.dataset_from_bytes(caching.dataset_to_bytes(rdf), into=again)
    assert sorted(again.quads()) == sorted(rdf.quads())
    assert {type(term) for quad in again.quads() for term in quad[:3]} == {URIRef, Literal, BNode}
    assert sorted(c.identifier for c in again.store.contexts()) == sorted(c.identifier for c in rdf.store.contexts())
    assert ("ex", URIRef(ex)) in set(again.namespaces())


def test_a_missing_data_file_is_still_a_clear_error(folder, tmp_path):
    with pytest.raises(InputError, match="missing.ttl"):
        evkg.load([tmp_path / "missing.ttl"])


def test_with_the_cache_off_every_load_parses(monkeypatch, parses):
    monkeypatch.setenv("EVKG_CACHE_DIR", "off")
    evkg.load()
    parses.clear()
    evkg.load()
    assert parses
