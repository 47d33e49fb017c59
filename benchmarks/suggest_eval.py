"""Score ``evkg suggest`` leave-one-out on the seed articles.

For each seed article N (``ARTICLES_DIR/<id>.txt`` whose id names a seed graph
``https://w3id.org/evkg/graph/<id>``): the knowledge base without graph N, the
suggestions for article N, and article N's seed facts of the six kinds read with SPARQL
from graph N. The articles are held out: no rule was written from their sentences, and
the scores say how well general rules carry to text they were not made on.

Matching rules
--------------
An entity of a suggestion resolves to an IRI by its link, else (a new entity) by its name
among the full knowledge base's labels and other names (case-folded), since the held-out
graph defines it.

- alliances: the suggestion's partner set equals a seed partnership's ``ev:partner`` set.
- facilities: operator and location equal a seed facility's ``ev:operator`` and
  ``ev:locatedIn``; a capacity the suggestion gives must equal the seed's value and unit
  (when the seed has one).
- ownership: owner and owned equal a seed stake's ``ev:owner`` and ``ev:ownedEntity``;
  a share in percent, if suggested, equals the seed's.
- observations: area and indicator equal a seed observation's ``ev:area`` and
  ``ev:indicator``, and the value and unit equal the seed's (a figure counts only with
  its value and unit right; a seed figure given in words only matches a suggestion
  without a number). Investments (``ev:Investment`` with ``ev:investor``) are seed facts
  of this kind too: they match an investment observation with the investor as area.
- based-in: organization and country equal an ``ev:basedIn`` triple of graph N.
- located-in: place and country equal an ``ev:locatedIn`` triple of graph N whose
  subject is not a facility.

Per kind: precision = suggestions that match some seed fact / suggestions; recall = seed
facts matched by some suggestion / seed facts; verbatim = suggestions whose quote is
``text[start:end]`` exactly.

Entities: the gold set is every organization, group or place that graph N uses (as
subject or object) and whose label, other name or adjective the article writes (whole
words, case kept). A suggested entity (distinct per IRI, or per name when new and
unresolved) is right when it resolves to an entity of the full knowledge base that the
article names; recall is the share of the gold set suggested.

Usage: ``python -m benchmarks.suggest_eval [ARTICLES_DIR] [--json]`` from the repository
root (default ``../shared/articles``). Goals (reported, not asserted): facts P >= 0.80,
R >= 0.50; entities P >= 0.90, R >= 0.80; 100% verbatim.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from decimal import Decimal
from pathlib import Path

KINDS = ("alliances", "facilities", "ownership", "observations", "based-in", "located-in")
GRAPH = "https://w3id.org/evkg/graph/"
PREFIXES = """PREFIX ev: <https://w3id.org/evkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
"""


def _without(kb, graph: str):
    """A knowledge base of every graph of ``kb`` but ``graph``."""
    from rdflib import Dataset, URIRef

    from evkg.kb import KnowledgeBase

    ds = Dataset(default_union=True)
    for name in kb.graph_names():
        if str(name) == graph:
            continue
        target = ds.graph(URIRef(name))
        for triple in kb.dataset.graph(URIRef(name)).triples((None, None, None)):
            target.add(triple)
    for prefix, ns in kb.dataset.namespaces():
        ds.bind(prefix, ns, override=False)
    return KnowledgeBase(ds)


def _number(value) -> str | None:
    if value is None:
        return None
    try:
        text = format(Decimal(str(value)).normalize(), "f")
    except Exception:
        return None
    return text.rstrip("0").rstrip(".") if "." in text else text


def _unit(iri) -> str | None:
    if iri is None:
        return None
    from evkg.ontology.units import unit_name

    return unit_name(iri)


def seed_facts(kb, graph: str) -> dict[str, list[dict]]:
    """Graph ``graph``'s facts of the six kinds, as plain dicts of IRIs and figures."""
    g = f"<{graph}>"
    facts: dict[str, list[dict]] = {k: [] for k in KINDS}
    partners: dict[str, set] = {}
    for node, partner in kb.rows(PREFIXES + f"SELECT ?p ?x WHERE {{ GRAPH {g} {{ ?p ev:partner ?x }} }}"):
        partners.setdefault(str(node), set()).add(str(partner))
    facts["alliances"] = [{"iri": k, "partners": v} for k, v in sorted(partners.items())]
    for node, op, loc, value, unit in kb.rows(PREFIXES + f"""SELECT ?f ?op ?loc ?v ?u WHERE {{ GRAPH {g} {{
        ?f ev:operator ?op ; ev:locatedIn ?loc .
        OPTIONAL {{ ?f ev:capacity ?c . ?c qudt:numericValue ?v . OPTIONAL {{ ?c qudt:hasUnit ?u }} }} }} }}"""):
        facts["facilities"].append({"iri": str(node), "operator": str(op), "location": str(loc),
                                    "value": _number(value), "unit": _unit(unit)})
    for node, owner, owned, share in kb.rows(PREFIXES + f"""SELECT ?s ?o ?d ?p WHERE {{ GRAPH {g} {{
        ?s ev:owner ?o ; ev:ownedEntity ?d . OPTIONAL {{ ?s ev:sharePercent ?p }} }} }}"""):
        facts["ownership"].append({"iri": str(node), "owner": str(owner), "owned": str(owned), "share": _number(share)})
    for node, area, indicator, value, unit in kb.rows(PREFIXES + f"""SELECT ?o ?a ?i ?v ?u WHERE {{ GRAPH {g} {{
        ?o ev:area ?a ; ev:indicator ?i .
        OPTIONAL {{ ?o ev:value ?q . ?q qudt:numericValue ?v . OPTIONAL {{ ?q qudt:hasUnit ?u }} }} }} }}"""):
        facts["observations"].append({"iri": str(node), "area": str(area), "indicator": str(indicator),
                                      "value": _number(value), "unit": _unit(unit)})
    for node, investor in kb.rows(PREFIXES + f"SELECT ?n ?x WHERE {{ GRAPH {g} {{ ?n a ev:Investment ; ev:investor ?x }} }}"):
        facts["observations"].append({"iri": str(node), "area": str(investor), "indicator": "investment", "value": None, "unit": None})
    for org, country in kb.rows(PREFIXES + f"SELECT ?o ?c WHERE {{ GRAPH {g} {{ ?o ev:basedIn ?c }} }}"):
        facts["based-in"].append({"iri": f"{org} {country}", "organization": str(org), "country": str(country)})
    for place, country in kb.rows(PREFIXES + f"""SELECT ?p ?c WHERE {{ GRAPH {g} {{ ?p ev:locatedIn ?c }}
        FILTER NOT EXISTS {{ ?p ev:operator ?any }} }}"""):
        facts["located-in"].append({"iri": f"{place} {country}", "place": str(place), "country": str(country)})
    return facts


class _Resolver:
    """Suggested entity columns -> IRIs: the link, else the name among the full KB's names."""

    def __init__(self, full_kb):
        from evkg.ingest.mentions import build_gazetteer

        self.gazetteer = build_gazetteer(full_kb)
        self.indicators = {}
        from evkg.ingest.suggest import _indicators

        from rdflib import SKOS

        from evkg.ontology import EV

        for concept in full_kb.dataset.subjects(SKOS.inScheme, EV.IndicatorScheme):
            for label in full_kb.dataset.objects(concept, SKOS.prefLabel):
                self.indicators[str(label).casefold()] = str(concept)
        self._labels = _indicators(full_kb)

    def entity(self, fact: dict, column: str) -> str | None:
        iri = fact["links"].get(column)
        if iri:
            return iri
        name = fact["fields"].get(column)
        if not name:
            return None
        entries = [iri for _, iri, adjective in self.gazetteer.lookup(name) if not adjective]
        return sorted(entries)[0] if entries else f"new:{name.casefold()}"

    def indicator(self, label: str | None) -> str | None:
        if not label:
            return None
        return self.indicators.get(label.casefold(), label.casefold())


def _matches(kind: str, fact: dict, seed: dict, r: _Resolver) -> bool:
    f = fact["fields"]
    if kind == "alliances":
        names = sorted(k for k in f if re.fullmatch(r"partner_\d+", k))
        return {r.entity(fact, k) for k in names} == seed["partners"]
    if kind == "facilities":
        if r.entity(fact, "operator") != seed["operator"] or r.entity(fact, "location") != seed["location"]:
            return False
        if f.get("capacity") and seed["value"] is not None:
            return _number(f["capacity"]) == seed["value"] and f.get("capacity_unit") == seed["unit"]
        return True
    if kind == "ownership":
        if r.entity(fact, "owner") != seed["owner"] or r.entity(fact, "owned") != seed["owned"]:
            return False
        return not (f.get("share_percent") and seed["share"] is not None and _number(f["share_percent"]) != seed["share"])
    if kind == "observations":
        if r.entity(fact, "area") != seed["area"]:
            return False
        indicator = r.indicator(f.get("indicator"))
        wanted = seed["indicator"] if seed["indicator"] != "investment" else r.indicator("investment")
        if indicator != wanted:
            return False
        if seed["value"] is None:
            return not f.get("value")
        return _number(f.get("value")) == seed["value"] and f.get("unit") == seed["unit"]
    if kind == "based-in":
        return r.entity(fact, "organization") == seed["organization"] and r.entity(fact, "country") == seed["country"]
    if kind == "located-in":
        return r.entity(fact, "place") == seed["place"] and r.entity(fact, "country") == seed["country"]
    return False


def _named_in(text: str, names) -> bool:
    return any(re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", text) for n in names)


def _entity_scores(full_kb, graph: str, text: str, suggestions: dict, r: _Resolver) -> dict:
    used = {str(x) for row in full_kb.rows(f"SELECT ?s ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}") for x in row}
    gaz = r.gazetteer
    names_of: dict[str, set[str]] = {}
    for name, entries in gaz.names.items():
        for iri, _ in entries:
            names_of.setdefault(iri, set()).add(name)
    named = {iri for iri, names in names_of.items() if _named_in(text, names)}
    gold = {iri for iri in named if iri in used}
    predicted = set()
    for e in suggestions["entities"]:
        if e["iri"]:
            predicted.add(e["iri"])
        else:
            entries = [iri for _, iri, adj in gaz.lookup(e["label"]) if not adj]
            predicted.add(sorted(entries)[0] if entries else f"new:{e['label'].casefold()}")
    right = {p for p in predicted if p in named}
    return {"suggested": len(predicted), "right": len(right), "gold": len(gold), "found": len(gold & predicted)}


def evaluate(articles: Path) -> dict:
    """Leave-one-out scores for every seed article in ``articles``."""
    import evkg
    from evkg.ingest.article import read_article
    from evkg.ingest.suggest import suggest

    full = evkg.load()
    resolver = _Resolver(full)
    graphs = {str(g)[len(GRAPH):]: str(g) for g in full.graph_names() if str(g).startswith(GRAPH)}
    totals = {k: {"suggested": 0, "right": 0, "seed": 0, "found": 0, "verbatim": 0} for k in KINDS}
    entities = {"suggested": 0, "right": 0, "gold": 0, "found": 0}
    per_article = []
    seconds = 0.0
    for path in sorted(articles.glob("*.txt")):
        graph = graphs.get(path.stem)
        if graph is None:
            continue
        kb = _without(full, graph)
        article = read_article(path)
        started = time.perf_counter()
        result = suggest(kb, article).to_dict()
        seconds += time.perf_counter() - started
        seeds = seed_facts(full, graph)
        row = {"article": path.stem}
        for kind in KINDS:
            mine = [f for f in result["facts"] if f["kind"] == kind]
            t = totals[kind]
            t["suggested"] += len(mine)
            t["right"] += sum(any(_matches(kind, f, s, resolver) for s in seeds[kind]) for f in mine)
            t["seed"] += len(seeds[kind])
            t["found"] += sum(any(_matches(kind, f, s, resolver) for f in mine) for s in seeds[kind])
            t["verbatim"] += sum(article.text[f["start"]:f["end"]] == f["quote"] for f in mine)
        scores = _entity_scores(full, graph, article.text, result, resolver)
        for key in entities:
            entities[key] += scores[key]
        row["entities"] = scores
        row["facts"] = len(result["facts"])
        per_article.append(row)
    overall = {key: sum(t[key] for t in totals.values()) for key in ("suggested", "right", "seed", "found", "verbatim")}
    return {"kinds": totals, "overall": overall, "entities": entities, "articles": per_article, "seconds": round(seconds, 2)}


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "-"


def format_table(scores: dict) -> str:
    """The scores as a text table."""
    lines = [f"{'kind':<14}{'suggested':>10}{'right':>7}{'seed':>6}{'found':>7}{'P':>7}{'R':>7}{'verbatim':>10}"]
    rows = list(scores["kinds"].items()) + [("overall", scores["overall"])]
    for kind, t in rows:
        lines.append(f"{kind:<14}{t['suggested']:>10}{t['right']:>7}{t['seed']:>6}{t['found']:>7}"
                     f"{_ratio(t['right'], t['suggested']):>7}{_ratio(t['found'], t['seed']):>7}{_ratio(t['verbatim'], t['suggested']):>10}")
    e = scores["entities"]
    lines.append(f"{'entities':<14}{e['suggested']:>10}{e['right']:>7}{e['gold']:>6}{e['found']:>7}"
                 f"{_ratio(e['right'], e['suggested']):>7}{_ratio(e['found'], e['gold']):>7}{'':>10}")
    lines.append(f"suggest time over {len(scores['articles'])} articles: {scores['seconds']} s (in process)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", nargs="?", default="../shared/articles", type=Path)
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args(argv)
    if not args.articles.is_dir():
        print(f"suggest_eval: {args.articles} is not a folder of articles", file=sys.stderr)
        return 2
    scores = evaluate(args.articles)
    print(json.dumps(scores, indent=2) if args.json else format_table(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
