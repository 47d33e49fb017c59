"""Write evkg's reference data from pycountry and the hand-curated facts.

    python scripts/make_reference.py          # rewrite evkg/seeds/reference.trig and gazetteer/subdivisions.trig
    python scripts/make_reference.py --check  # exit 1 if either file is not what the script writes

``evkg/seeds/reference.trig`` (the named graph graph:reference) gets every ISO 3166-1
country (``country:{alpha-2}``, its alpha-2 code as skos:notation and alpha-3 as ev:alpha3Code, its name as
label, pycountry's official and common names as other names) and every ISO 4217 currency
(the QUDT unit ``unit:CCY_{code}``, with qudt:currencyCode), plus the hand-curated facts of
``scripts/reference-curated.trig`` (short English names, region membership, home countries
of firms). ``evkg/seeds/gazetteer/subdivisions.trig`` gets every ISO 3166-2 subdivision
(``subdivision:{code}``, ev:locatedIn its country and its parent subdivision): the
subdivisions and the names evkg gives them in graph:subdivisions, their codes, ISO names and
places in graph:iso-3166-2. It is not loaded by default: its 27,000 triples would make every
command about two seconds slower (rdflib's memory store fills at about 80 µs a triple); add it with
``evkg --data evkg/seeds/gazetteer/subdivisions.trig ...``. A subdivision the articles already
name keeps the articles' IRI (:data:`KNOWN_PLACES`), and its ISO facts are loaded with the seeds.

A subdivision whose name is also the name of a country, a region or an entity of the
articles (Georgia, the US state) is labelled with its country, "Georgia (United States)",
and keeps its bare name as another name: the bare name still resolves to the country.

Both files name pycountry and its version as their source (prov:wasDerivedFrom on the
source node of each graph), with the ISO standards cited (dcterms:conformsTo). The codes and
ISO names of countries, currencies and the subdivisions the articles name are in a graph of
their own per standard (:data:`ISO_GRAPHS`), whose source is the standard itself (an
ev:Classification with the edition's page as IRI, :data:`STANDARDS`): each of those facts
cites "ISO 3166-1, as provided by pycountry X.Y.Z", and so on (the citation note of the
standard). A name pycountry adds to ISO's (a common name such as "Bolivia") stays in
graph:reference, as do the names the curated file gives. The output depends only on the
pycountry version and the curated file: the same inputs, the same bytes.

Every relation of graph:reference (ev:memberOf, ev:locatedIn, ev:basedIn) gets an
ev:ReferenceStatement that names the source it follows (:func:`cite`): the classification
of the region it puts something in, ISO 3166 for a subdivision in its country, and
background knowledge for a home country (no article states it; one that does goes into
the article's graph with its sentence). A relation with none of these stops the script.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "evkg" / "seeds"
CURATED = Path(__file__).resolve().parent / "reference-curated.trig"

BASE = "https://w3id.org/evkg/"
EV = "https://w3id.org/evkg/ontology#"
QUDT = "http://qudt.org/schema/qudt/"
UNIT = "http://qudt.org/vocab/unit/"
REFERENCE_GRAPH = URIRef(BASE + "graph/reference")
SUBDIVISION_GRAPH = URIRef(BASE + "graph/subdivisions")
REFERENCE_SOURCE = URIRef(BASE + "source/reference")
SUBDIVISION_SOURCE = URIRef(BASE + "source/subdivisions")
BACKGROUND = URIRef(BASE + "source/background-knowledge")

#: The ISO standards whose codes and names pycountry provides, by its data set: the page
#: of the edition in force (the IRI), its designation and title as ISO gives them, the
#: short name a citation uses, and ISO's overview page of the codes.
STANDARDS = {
    "3166-1": (
        URIRef("https://www.iso.org/standard/72482.html"), "ISO 3166-1:2020",
        "Codes for the representation of names of countries and their subdivisions — Part 1: Country code",
        "ISO 3166-1", URIRef("https://www.iso.org/iso-3166-country-codes.html"),
    ),
    "3166-2": (
        URIRef("https://www.iso.org/standard/72483.html"), "ISO 3166-2:2020",
        "Codes for the representation of names of countries and their subdivisions — Part 2: Country subdivision code",
        "ISO 3166-2", URIRef("https://www.iso.org/iso-3166-country-codes.html"),
    ),
    "4217": (
        URIRef("https://www.iso.org/standard/64758.html"), "ISO 4217:2015",
        "Codes for the representation of currencies",
        "ISO 4217", URIRef("https://www.iso.org/iso-4217-currency-codes.html"),
    ),
}
ISO_3166_1, ISO_3166_2, ISO_4217 = (STANDARDS[key][0] for key in ("3166-1", "3166-2", "4217"))

#: The named graph of each standard's codes and names: its source is the standard itself.
ISO_GRAPHS = {key: URIRef(f"{BASE}graph/iso-{key}") for key in STANDARDS}

#: The relations of the reference data that say where they come from (:func:`cite`).
CITED = (URIRef(EV + "memberOf"), URIRef(EV + "locatedIn"), URIRef(EV + "basedIn"))

#: ISO 3166-2 subdivisions the articles name, under the IRIs the articles use.
KNOWN_PLACES = {
    "CN-SH": BASE + "id/place/shanghai",
    "CN-XJ": BASE + "id/place/xinjiang",
    "ID-JK": BASE + "id/place/jakarta",
}

#: Generic words that end the romanized names of Chinese subdivisions (Guangdong Sheng,
#: Guangxi Zhuangzu Zizhiqu): the name without them is another name ("Guangdong").
NAME_ENDINGS = {
    "CN": ("Zhuangzu Zizhiqu", "Huizu Zizhiqu", "Uygur Zizhiqu", "Zangzu Zizhiqu", "Zizhiqu", "Tebiexingzhengqu", "Sheng", "Shi"),
}

PREFIXES = {
    "ev": EV,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "qudt": QUDT,
    "unit": UNIT,
    "src": BASE + "source/",
    "graph": BASE + "graph/",
    "country": BASE + "id/country/",
    "region": BASE + "id/region/",
    "subdivision": BASE + "id/subdivision/",
    "place": BASE + "id/place/",
    "company": BASE + "id/company/",
    "corridor": BASE + "id/corridor/",
    "organization": BASE + "id/organization/",
}


def _fold(name: str) -> str:
    """As evkg.kb.normalize_name folds a name for matching (kept here so the script
    needs only rdflib and pycountry)."""
    text = unicodedata.normalize("NFKD", name).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’`´]", "", text)
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def cite(triples) -> list[tuple]:
    """(subject, predicate, object, source) for every relation of :data:`CITED` among
    ``triples``: what each follows.

    A membership, or a region in a region, follows the classification of the region it
    names (dcterms:conformsTo), and so does a region's code (skos:notation); a subdivision
    of :data:`KNOWN_PLACES` is in its country as ISO 3166-2 lists it; a home country is
    background knowledge. Anything else is an error:
    the curated file must say what the relation follows.
    """
    follows = {s: o for s, p, o in triples if p == DCTERMS.conformsTo and str(s).startswith(PREFIXES["region"])}
    known = {URIRef(iri) for iri in KNOWN_PLACES.values()}
    located, based = CITED[1], CITED[2]
    found = []
    for s, p, o in sorted(triples):
        if p == SKOS.notation and s in follows:  # a region's code in its classification
            found.append((s, p, o, follows[s]))
        if p not in CITED:
            continue
        if o in follows:
            source = follows[o]
        elif p == located and s in known:
            source = ISO_3166_2
        elif p == based:
            source = BACKGROUND
        else:
            raise SystemExit(
                f"{s} {p} {o}: the reference data does not say what this follows; put the object "
                "in a region with dcterms:conformsTo, or state the fact in an article's graph."
            )
        found.append((s, p, o, source))
    return found


def standard(key: str, version: str) -> set[tuple]:
    """The triples of an ISO standard of :data:`STANDARDS` as the classification that the
    codes and names read from pycountry ``version`` follow."""
    iri, designation, title, short, overview = STANDARDS[key]
    return {
        (iri, RDF.type, URIRef(EV + "Classification")),
        (iri, RDFS.label, _en(f"{designation} {title}")),
        (iri, DCTERMS.title, _en(title)),
        (iri, DCTERMS.publisher, Literal("International Organization for Standardization")),
        (iri, RDFS.seeAlso, overview),
        (iri, URIRef(EV + "citationNote"), Literal(f"{short}, as provided by pycountry {version}")),
    }


def build(pycountry) -> tuple[list[tuple], dict[str, list[tuple]], list[list[tuple]]]:
    """The triples of graph:reference and of each graph of :data:`ISO_GRAPHS` (by the key
    of its standard), and those of the gazetteer: of graph:subdivisions and of the ISO
    3166-2 graph."""
    version = importlib.metadata.version("pycountry")
    package = URIRef(f"https://pypi.org/project/pycountry/{version}/")
    curated = Dataset()
    curated.parse(CURATED, format="trig")
    reference = {t for t in curated.graph(REFERENCE_GRAPH)}
    labelled = {s for s, p, _ in reference if p == RDFS.label}

    def country_iri(code: str) -> URIRef:
        return URIRef(f"{PREFIXES['country']}{code.lower()}")

    triples = set(reference)
    triples |= {
        (REFERENCE_SOURCE, RDF.type, URIRef(EV + "ReferenceData")),
        (REFERENCE_SOURCE, RDFS.label, _en("evkg reference data")),
        (REFERENCE_SOURCE, DCTERMS.title, _en(
            "Reference data: ISO 3166-1 countries and ISO 4217 currencies (from pycountry), "
            "region membership, places and home countries of firms")),
        (REFERENCE_SOURCE, URIRef(EV + "description"), Literal(
            "Plain reference data kept apart from the article facts: every ISO 3166-1 country and every "
            f"ISO 4217 currency (as its QUDT unit), from pycountry {version}, whose codes and ISO names are "
            "in the graph of their standard (graph:iso-3166-1, graph:iso-4217, graph:iso-3166-2), the "
            "standard its source; and, curated by hand, common English names, membership of world regions "
            "and blocs, the country of cities and provinces, full names of acronyms, and the home countries "
            "of firms whose country the articles do not state. Each membership, place and home country "
            "names the source it follows in an ev:ReferenceStatement: the classification of its region "
            "(the UN M49 geoscheme, ASEAN's member states, Encyclopaedia Britannica for the Middle East), "
            "ISO 3166-2, or background knowledge, stated by no source in the graph.")),
        (REFERENCE_SOURCE, PROV.wasDerivedFrom, package),
        *((REFERENCE_SOURCE, DCTERMS.conformsTo, STANDARDS[key][0]) for key in STANDARDS),
        (package, RDFS.label, _en(f"pycountry {version}")),
        (package, DCTERMS.hasVersion, Literal(version)),
    }
    iso: dict[str, set] = {key: standard(key, version) for key in STANDARDS}

    def follows(facts, key: str) -> None:
        """Put ``facts`` (triples) in the graph of the standard ``key``."""
        iso[key].update(facts)

    def named(iri, names, key: str) -> None:
        """Put the labels and other names of ``iri`` among ``names`` in the graph of ``key``."""
        follows([(iri, p, _en(n)) for n in names for p in (RDFS.label, SKOS.altLabel) if (iri, p, _en(n)) in triples], key)
    for country in pycountry.countries:
        iri = country_iri(country.alpha_2)
        names = [getattr(country, "common_name", None), country.name, getattr(country, "official_name", None)]
        names = [n for n in names if n]
        codes = [(iri, SKOS.notation, Literal(country.alpha_2)), (iri, URIRef(EV + "alpha3Code"), Literal(country.alpha_3))]
        triples |= {(iri, RDF.type, URIRef(EV + "Country")), *codes, (iri, PROV.wasDerivedFrom, REFERENCE_SOURCE)}
        if iri not in labelled:
            triples.add((iri, RDFS.label, _en(names[0])))
            names = names[1:]
        label = next(str(o) for s, p, o in triples if s == iri and p == RDFS.label)
        triples |= {(iri, SKOS.altLabel, _en(n)) for n in names if _fold(n) != _fold(label)}
        follows(codes, "3166-1")
        # The short and full names are ISO's; a common name ("Bolivia") is iso-codes' own,
        # which pycountry adds: it stays with the reference data as a whole.
        named(iri, [n for n in (country.name, getattr(country, "official_name", None)) if n], "3166-1")
    for currency in pycountry.currencies:
        iri = URIRef(f"{UNIT}CCY_{currency.alpha_3}")
        facts = [
            (iri, RDFS.label, _en(currency.name)),
            (iri, URIRef(QUDT + "currencyCode"), Literal(currency.alpha_3)),
            (iri, URIRef(QUDT + "currencyNumber"), Literal(currency.numeric)),
        ]
        triples |= {(iri, RDF.type, URIRef(QUDT + "CurrencyUnit")), *facts, (iri, PROV.wasDerivedFrom, REFERENCE_SOURCE)}
        follows(facts, "4217")

    # Names a subdivision must not take as its label: those of countries, regions and
    # the entities of the articles.
    taken: dict[str, set] = defaultdict(set)
    for s, p, o in triples:
        if p in (RDFS.label, SKOS.altLabel) and str(s).startswith(BASE + "id/"):
            taken[_fold(str(o))].add(s)
    for path in sorted(SEEDS.glob("*.trig")):
        if path.name in ("reference.trig", "subdivisions.trig"):
            continue
        for s, p, o, _ in Dataset().parse(path, format="trig").quads((None, None, None, None)):
            if p in (RDFS.label, SKOS.altLabel) and str(s).startswith(BASE + "id/"):
                taken[_fold(str(o))].add(s)

    countries = {c.alpha_2: c for c in pycountry.countries}
    labels = {s: str(o) for s, p, o in triples if p == RDFS.label}
    codes = {s.code: s for s in pycountry.subdivisions}

    def subdivision_iri(code: str) -> URIRef:
        return URIRef(KNOWN_PLACES.get(code) or f"{PREFIXES['subdivision']}{code.lower()}")

    places = {
        (SUBDIVISION_SOURCE, RDF.type, URIRef(EV + "ReferenceData")),
        (SUBDIVISION_SOURCE, RDFS.label, _en("ISO 3166-2 subdivisions")),
        (SUBDIVISION_SOURCE, DCTERMS.title, _en(f"Reference data: every ISO 3166-2 subdivision, from pycountry {version}")),
        (SUBDIVISION_SOURCE, URIRef(EV + "description"), Literal(
            "The provinces, states, regions and other subdivisions of ISO 3166-2 with their codes, "
            f"each in its country (and in its parent subdivision where it has one), from pycountry {version}.")),
        (SUBDIVISION_SOURCE, PROV.wasDerivedFrom, package),
        (SUBDIVISION_SOURCE, DCTERMS.conformsTo, ISO_3166_2),
        (package, RDFS.label, _en(f"pycountry {version}")),
        (package, DCTERMS.hasVersion, Literal(version)),
    }
    gazetteer: set = set()  # the facts of ISO 3166-2 among places
    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        iri = subdivision_iri(sub.code)
        country = country_iri(sub.country_code)
        if country_iri(sub.country_code) not in labels or sub.country_code not in countries:
            continue
        names = [sub.name]
        for ending in NAME_ENDINGS.get(sub.country_code, ()):
            if sub.name.endswith(" " + ending):
                names.append(sub.name[: -len(ending) - 1])
                break
        # The facts about this subdivision (its IRI is the subject of no other's).
        own = {
            (iri, RDF.type, URIRef(EV + "Subdivision")),
            (iri, SKOS.notation, Literal(sub.code)),
            (iri, URIRef(EV + "locatedIn"), country),
            (iri, PROV.wasDerivedFrom, SUBDIVISION_SOURCE),
        }
        if sub.parent_code and sub.parent_code in codes:
            own.add((iri, URIRef(EV + "locatedIn"), subdivision_iri(sub.parent_code)))
        if sub.code in KNOWN_PLACES:  # the articles give its label; its ISO facts are loaded
            facts = own | {(iri, SKOS.altLabel, _en(n)) for n in names if iri not in taken.get(_fold(n), ())}
            located = URIRef(EV + "locatedIn")
            triples.update(
                (s, p, REFERENCE_SOURCE if o == SUBDIVISION_SOURCE else o) for s, p, o in facts
                if not (p == located and str(o).startswith(PREFIXES["subdivision"]))
            )
            follows([(iri, SKOS.notation, Literal(sub.code))], "3166-2")
            named(iri, [sub.name], "3166-2")
            continue
        clash = any(taken.get(_fold(n), set()) - {iri} for n in names)
        label = f"{sub.name} ({labels[country]})" if clash else sub.name
        own.add((iri, RDFS.label, _en(label)))
        own |= {(iri, SKOS.altLabel, _en(n)) for n in names if n != label}
        places |= own
        # Its code, ISO name and places go to the standard's graph; the names evkg makes
        # ("Guangdong", "Georgia (United States)") stay in graph:subdivisions.
        gazetteer |= {(s, p, o) for s, p, o in own if (
            p in (SKOS.notation, URIRef(EV + "locatedIn")) or (p in (RDFS.label, SKOS.altLabel) and str(o) == sub.name))}
    # A fact of a standard's graph is there alone, unless the curated file states it too.
    moved = set().union(*iso.values()) - reference
    gazetteer |= standard("3166-2", version)
    return (sorted(triples - moved), {key: sorted(facts) for key, facts in iso.items()},
            [sorted(places - gazetteer), sorted(gazetteer)])


#: Where the subdivisions go: beside the seeds, not among them (see the module docstring).
SUBDIVISIONS_PATH = SEEDS / "gazetteer" / "subdivisions.trig"


def render(graphs: list[tuple], header: str) -> str:
    """TriG of ``graphs``, (graph name, triples, statements) each, one subject a paragraph,
    everything sorted: the same triples, the same bytes. Each of the statements (subject,
    predicate, object, source) is an ev:ReferenceStatement written as a blank node after
    its subject's paragraph; a graph's source comes first."""
    def term(node) -> str:
        if isinstance(node, Literal):
            return node.n3()
        text = str(node)
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            local = text[len(namespace):]
            if text.startswith(namespace) and re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", local) and not local.endswith("."):
                return "a" if node == RDF.type else f"{prefix}:{local}"
        return f"<{text}>"

    terms = [t for _, triples, statements in graphs for t in (*triples, *statements)]
    if any(statements for _, _, statements in graphs):
        terms.append((RDF.subject, RDF.predicate, RDF.object))
    used = sorted({k for k, ns in PREFIXES.items() if any(
        str(t).startswith(ns) for tr in terms for t in tr if not isinstance(t, Literal))} | {"graph"})
    lines = [f"@prefix {k}: <{PREFIXES[k]}> ." for k in used]
    lines += ["", *(f"# {line}" if line else "#" for line in header.strip().splitlines())]
    sources = {REFERENCE_SOURCE, SUBDIVISION_SOURCE, *(standard[0] for standard in STANDARDS.values())}
    for graph, triples, statements in graphs:
        by_subject: dict = defaultdict(lambda: defaultdict(list))
        for s, p, o in triples:
            by_subject[s][p].append(o)
        cited: dict = defaultdict(list)
        for s, p, o, source in statements:
            cited[s].append((p, o, source))
        lines += ["", f"{term(graph)} {{", ""]
        for subject in sorted(by_subject, key=lambda s: (s not in sources, str(s))):
            predicates = by_subject[subject]
            order = sorted(predicates, key=lambda p: (p != RDF.type, term(p)))
            parts = [f"{term(p)} {' , '.join(term(o) for o in sorted(predicates[p], key=term))}" for p in order]
            lines.append(f"{term(subject)} " + " ;\n    ".join(parts) + " .")
            for p, o, source in sorted(cited[subject], key=lambda c: (term(c[0]), term(c[1]))):
                lines.append(
                    f"[] a ev:ReferenceStatement ; rdf:subject {term(subject)} ; rdf:predicate {term(p)} ; "
                    f"rdf:object {term(o)} ;\n    prov:wasDerivedFrom {term(source)} ."
                )
        lines += ["", "}"]
    return "\n".join(lines) + "\n"


REFERENCE_HEADER = """
Reference data, not taken from the articles. Written by scripts/make_reference.py from
pycountry (ISO 3166-1 countries, ISO 4217 currencies) and scripts/reference-curated.trig
(names, region membership, places, home countries): edit those and run the script.
graph:reference holds the entities (each with prov:wasDerivedFrom src:reference) and the
curated facts; each relation's ev:ReferenceStatement names the source it follows (a
classification, ISO 3166-2, or background knowledge, stated by no source in the graph).
The codes and ISO names that pycountry gives are in the graph of their standard
(graph:iso-3166-1, graph:iso-3166-2, graph:iso-4217), whose source is the standard: each
of them cites it, "as provided by pycountry".
"""
SUBDIVISION_HEADER = """
Every ISO 3166-2 subdivision, from pycountry. Written by scripts/make_reference.py: do not edit.
Not loaded by default; add it with: evkg --data evkg/seeds/gazetteer/subdivisions.trig ...
graph:subdivisions holds the subdivisions and the names evkg gives them; their codes, ISO
names and places (ev:locatedIn) are in graph:iso-3166-2, whose source is ISO 3166-2.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the files differ from what the script writes")
    args = parser.parse_args(argv)
    import pycountry

    reference, iso, places = build(pycountry)
    statements = cite(reference)
    # A standard that a statement of graph:reference cites is a classification there too.
    typed = {(STANDARDS[key][0], RDF.type, URIRef(EV + "Classification")) for key in STANDARDS
             if any(source == STANDARDS[key][0] for *_, source in statements)}
    graphs = [(REFERENCE_GRAPH, sorted({*reference, *typed}), statements), *((ISO_GRAPHS[key], iso[key], ()) for key in STANDARDS)]
    outputs = {
        SEEDS / "reference.trig": render(graphs, REFERENCE_HEADER),
        SUBDIVISIONS_PATH: render([(SUBDIVISION_GRAPH, places[0], ()), (ISO_GRAPHS["3166-2"], places[1], ())], SUBDIVISION_HEADER),
    }
    stale = [path for path, text in outputs.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is not what scripts/make_reference.py writes; run it.", file=sys.stderr)
        return 1 if stale else 0
    for path, text in outputs.items():
        path.parent.mkdir(exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
        print(f"wrote {path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
