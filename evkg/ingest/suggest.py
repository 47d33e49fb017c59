"""Suggest facts from an article: sentences, entity mentions, figures and candidate facts
of the import kinds, each with the sentence it rests on, compared with the knowledge base.

Nothing here writes to the graph: :func:`suggest` returns :class:`Suggestions`, which
``evkg suggest`` prints, writes as JSON, a review folder of CSV files or a review page.

Examples
--------
>>> import evkg
>>> from evkg.ingest.article import read_article
>>> kb = evkg.load()
>>> article = read_article(b"Volta Motors, a carmaker based in Germany, said CATL holds a 20% stake in Volta Motors.\\n")
>>> result = suggest(kb, article)
>>> sorted({f["kind"] for f in result.facts})
['based-in', 'ownership']
>>> all(article.text[f["start"]:f["end"]] == f["quote"] for f in result.facts)
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Suggestions", "suggest", "KINDS"]

#: The kinds of suggested facts, as ``evkg import --kind`` names them.
KINDS = ("alliances", "facilities", "ownership", "observations", "based-in", "located-in")

_SOURCE_KEYS = ("title", "date", "url", "path", "sha256")
_ENTITY_KEYS = ("mention", "label", "iri", "class", "status", "start", "end", "confidence")
_FACT_KEYS = ("kind", "fields", "links", "quote", "start", "end", "confidence", "status", "matches")


@dataclass
class Suggestions:
    """What :func:`suggest` found in one article, in the JSON contract of ``evkg suggest``.

    Attributes
    ----------
    source : dict
        ``title``, ``date``, ``url``, ``path``, ``sha256`` of the article.
    entities : list of dict
        One per mention, sorted by offset: ``mention``, ``label``, ``iri`` (None for a new
        entity), ``class`` (a CURIE), ``status`` (``known`` or ``new``), ``start``, ``end``,
        ``confidence``.
    facts : list of dict
        ``kind``, ``fields``, ``links``, ``quote``, ``start``, ``end``, ``confidence``,
        ``status`` (``new``, ``known`` or ``conflicts``) and ``matches``.
    """

    source: dict
    entities: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON contract: keys in a fixed order, entities by (start, end), facts by
        (start, kind, fields).

        Returns
        -------
        dict
        """
        source = {key: self.source.get(key) for key in _SOURCE_KEYS}
        entities = sorted(({key: e.get(key) for key in _ENTITY_KEYS} for e in self.entities),
                          key=lambda e: (e["start"], e["end"], e["label"] or ""))
        facts = sorted(({key: f.get(key) for key in _FACT_KEYS} for f in self.facts),
                       key=lambda f: (f["start"], f["kind"], json.dumps(f["fields"], sort_keys=True, ensure_ascii=False)))
        for f in facts:
            f["fields"] = dict(f["fields"])
            f["links"] = dict(f["links"])
            f["matches"] = list(f["matches"] or [])
        return {"source": source, "entities": entities, "facts": facts}

    def to_json(self) -> str:
        """The JSON text of :meth:`to_dict` (same input, same bytes).

        Returns
        -------
        str
        """
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _indicators(kb) -> dict[str, str]:
    """The indicator scheme's labels and other names (case-folded) -> its preferred label."""
    from rdflib import SKOS

    from ..ontology import EV

    rdf = kb.dataset
    found: dict[str, str] = {}
    for concept in sorted(set(rdf.subjects(SKOS.inScheme, EV.IndicatorScheme))):
        pref = next(iter(sorted(str(x) for x in rdf.objects(concept, SKOS.prefLabel))), None)
        if pref is None:
            continue
        for name in [pref, *sorted(str(x) for x in rdf.objects(concept, SKOS.altLabel))]:
            found.setdefault(name.casefold(), pref)
    return found


def _compare(kb, kind: str, fields: dict, links: dict) -> tuple[str, list]:
    try:
        from ..corroboration import compare_fact
    except ImportError:  # corroboration not installed alongside: every fact is new
        return "new", []
    return compare_fact(kb, kind, fields, links)


def suggest(kb, article, *, progress: Callable[[int, int], None] | None = None) -> Suggestions:
    """Suggest the facts an article states, with the sentence each rests on.

    Parameters
    ----------
    kb : KnowledgeBase
        The graph the article's entities are linked to and its facts compared with.
    article : Article
        From :func:`evkg.ingest.article.read_article`.
    progress : callable, optional
        Called with (sentences done, sentences in all) as the work goes on.

    Returns
    -------
    Suggestions
        Every quote is ``article.text[start:end]``, character for character.
    """
    from .facts import extract_facts
    from .mentions import find_mentions, gazetteer_for
    from .sentences import split_sentences

    text = article.text
    sentences = split_sentences(text)
    gazetteer = gazetteer_for(kb)
    mentions = find_mentions(gazetteer, text, sentences)
    candidates = extract_facts(text, sentences, mentions, indicators=_indicators(kb), progress=progress)
    entities = [
        {"mention": m.text, "label": m.label, "iri": m.iri, "class": m.cls, "status": m.status,
         "start": m.start, "end": m.end, "confidence": round(m.confidence, 2)}
        for m in mentions
    ]
    facts = []
    for c in candidates:
        status, matches = _compare(kb, c.kind, c.fields, c.links)
        facts.append({
            "kind": c.kind, "fields": c.fields, "links": c.links, "quote": text[c.start:c.end],
            "start": c.start, "end": c.end, "confidence": round(min(max(c.confidence, 0.0), 1.0), 2),
            "status": status, "matches": matches,
        })
    source = {"title": article.title, "date": article.date, "url": article.url, "path": article.path, "sha256": article.sha256}
    return Suggestions(source, entities, facts)
