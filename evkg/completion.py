"""Words for shell completion: entity names, example queries, classes and relations.

A Tab press starts a new ``evkg`` process, so the names of a knowledge base are kept in
the cache (:mod:`evkg.caching`) under a digest of its files: a press after the first reads
one small file and imports no rdflib. Nothing here prints; errors give no words.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

__all__ = ["KINDS", "complete", "names"]

#: What can be completed: the keys of :func:`names` (examples need no knowledge base).
KINDS = ("entities", "classes", "relations", "examples")

#: Changes whenever the cached names could differ for the same files.
NAMES_FORMAT = "evkg-completion-1"

#: At most this many words are offered (a shell lists them all).
MOST = 200

_PACKAGE = Path(__file__).resolve().parent


def _files(data: Iterable[str | Path], seeds: bool) -> list[Path]:
    """The files a memory knowledge base is parsed from, as :func:`evkg.kb.load` reads them."""
    shipped = [_PACKAGE / "ontology" / "evkg.ttl"]
    if seeds:
        shipped += sorted((_PACKAGE / "seeds").glob("*.trig"))
    return [*shipped, *(Path(p) for p in data)]


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _names_of(kb) -> dict[str, list[str]]:
    """The words of a loaded knowledge base: every label and other name of a node of an ev: class,
    the ev: classes by local name, and the labels of the ev: relations its data uses."""
    entities = {str(row[0]) for row in kb.rows(
        "SELECT DISTINCT ?name WHERE { ?s a ?class . { ?s rdfs:label ?name } UNION { ?s skos:altLabel ?name } "
        "FILTER(isIRI(?s) && STRSTARTS(STR(?class), STR(ev:)) && (LANG(?name) = '' || LANGMATCHES(LANG(?name), 'en'))) }"
    )}
    classes = {str(row[0]).rsplit("#", 1)[-1] for row in kb.rows(
        "SELECT DISTINCT ?class WHERE { ?class a owl:Class FILTER(STRSTARTS(STR(?class), STR(ev:))) }"
    )}
    relations = {str(row[0]) for row in kb.rows(
        "SELECT DISTINCT ?label WHERE { ?p a owl:ObjectProperty ; rdfs:label ?label "
        "FILTER(STRSTARTS(STR(?p), STR(ev:)) && (LANG(?label) = '' || LANGMATCHES(LANG(?label), 'en'))) "
        "FILTER EXISTS { ?s ?p ?o } }"
    )}
    return {"entities": sorted(entities), "classes": sorted(classes), "relations": sorted(relations)}


def names(data: Iterable[str | Path] = (), *, seeds: bool = True, store: str = "memory") -> dict[str, list[str]]:
    """The completion words of a knowledge base: ``entities``, ``classes``, ``relations``.

    For the memory store they are cached under a digest of the files (the shipped
    ontology and seeds, and ``data``); a persistent store is asked each time.
    """
    from .caching import cache_key, read_cached, write_cached

    key = None
    if store == "memory":
        key = cache_key(NAMES_FORMAT, _digest(_files(data, seeds)))
        cached = read_cached("completion", key)
        if cached is not None:
            try:
                return json.loads(cached)
            except ValueError:
                pass  # damaged: read the data again
    from .kb import load

    kb = load([Path(p) for p in data] if store == "memory" else (), seeds=seeds, store=store)
    words = _names_of(kb)
    if key is not None:
        write_cached("completion", key, json.dumps(words).encode("utf-8"))
    return words


#: What bash would read as more than a character of a word.
_SHELL_SPECIAL = re.compile(r"""([\s'"`$&;|<>()*?\[\]{}!#~\\^])""")


def _quoted_for_bash(word: str) -> str:
    # bash puts a completion on the command line as it is: a name with spaces needs its
    # spaces escaped (escapes, not quotes, keep the common start of names completing).
    # click's bash script reads each line with `read`, which takes one backslash away.
    # zsh and fish quote it themselves.
    return _SHELL_SPECIAL.sub(r"\\\\\1", word) if os.environ.get("_EVKG_COMPLETE", "").startswith("bash") else word


def complete(kind: str, incomplete: str, *, data: Iterable[str | Path] = (), seeds: bool = True,
             store: str = "memory") -> list[str]:
    """The words of ``kind`` (one of :data:`KINDS`) that begin with ``incomplete``
    (case and a leading quote do not matter), or that contain it when none begins with it.

    >>> complete("examples", "catl")
    ['catl-plants']
    """
    if kind == "examples":
        from .queries import list_examples

        words = [example.name for example in list_examples()]
    else:
        try:
            words = names(data, seeds=seeds, store=store)[kind]
        except Exception:  # a file that does not parse, a store that cannot open: no words
            return []
    typed = incomplete.lstrip("'\"").casefold()
    chosen = [w for w in words if w.casefold().startswith(typed)] or [w for w in words if typed in w.casefold()]
    return [_quoted_for_bash(word) for word in chosen[:MOST]]
