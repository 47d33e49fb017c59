"""Generate supply-chain-shaped synthetic data for the benchmarks, seeded and deterministic.

The data uses the evkg ontology the way the seeds do: firms based in countries, plants
operated by firms and located in countries (with a capacity and a quote), alliances as
n-ary nodes with two partners plus the binary ``ev:partnerOf`` shortcut, and ownership
stakes. Every entity has a label and is derived from one synthetic source, so the
graph builder sees the same shapes as in the seeds, only more of them.

Usage::

    python -m benchmarks.synthetic --edges 100000 -o /tmp/synthetic-100k.nq
    python -m benchmarks.synthetic --triples 1000000 -o /tmp/synthetic-1m.nq

The output is N-Quads in the named graph ``https://w3id.org/evkg/graph/synthetic``.
"""

from __future__ import annotations

import argparse
import random
from itertools import islice
from pathlib import Path

EV = "https://w3id.org/evkg/ontology#"
ID = "https://w3id.org/evkg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
NUMERIC = "http://qudt.org/schema/qudt/numericValue"
HAS_UNIT = "http://qudt.org/schema/qudt/hasUnit"
GWH = "http://qudt.org/vocab/unit/GigaW-HR"
GRAPH = "https://w3id.org/evkg/graph/synthetic"
SOURCE = "https://w3id.org/evkg/source/synthetic"

# Entity-to-entity edges each firm brings, on average (basedIn 1, plants 1.5 x 2,
# alliances 1 x 3, stakes 0.3 x 2): used to size the data to a number of edges.
EDGES_PER_FIRM = 7.6
# Triples per entity-to-entity edge, as the generator turns out (3.66 to 3.71): used to
# size the data to a number of triples, with a margin so that it is cut, never short.
TRIPLES_PER_EDGE = 3.6


def firm_iri(i: int) -> str:
    return f"{ID}company/firm-{i}"


def country_iri(i: int) -> str:
    return f"{ID}country/c{i}"


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"@en'


def quads(edges: int, seed: int = 42):
    """Yield N-Quads lines for about ``edges`` entity-to-entity edges."""
    rng = random.Random(seed)
    g = f"<{GRAPH}>"
    firms = max(10, int(edges / EDGES_PER_FIRM))
    countries = max(5, min(250, firms // 20))

    def triple(s, p, o):
        return f"{s} <{p}> {o} {g} .\n"

    yield triple(f"<{SOURCE}>", RDF_TYPE, f"<{EV}Article>")
    yield triple(f"<{SOURCE}>", LABEL, _literal("Synthetic benchmark data"))
    for c in range(countries):
        iri = f"<{country_iri(c)}>"
        yield triple(iri, RDF_TYPE, f"<{EV}Country>")
        yield triple(iri, LABEL, _literal(f"Country {c}"))
        yield triple(iri, DERIVED, f"<{SOURCE}>")
    kinds = (f"<{EV}Automaker>", f"<{EV}BatteryMaker>", f"<{EV}TechnologyFirm>")
    for f in range(firms):
        iri = f"<{firm_iri(f)}>"
        yield triple(iri, RDF_TYPE, rng.choice(kinds))
        yield triple(iri, LABEL, _literal(f"Firm {f}"))
        yield triple(iri, DERIVED, f"<{SOURCE}>")
        yield triple(iri, f"{EV}basedIn", f"<{country_iri(rng.randrange(countries))}>")
    plant = alliance = stake = 0
    for f in range(firms):
        for _ in range(rng.choice((1, 1, 2, 2))):
            iri = f"<{ID}facility/plant-{plant}>"
            kind = rng.choice((f"{EV}VehiclePlant", f"{EV}BatteryCellPlant"))
            value = f"_:cap{plant}"
            yield triple(iri, RDF_TYPE, f"<{kind}>")
            yield triple(iri, LABEL, _literal(f"Plant {plant}"))
            yield triple(iri, f"{EV}operator", f"<{firm_iri(f)}>")
            yield triple(iri, f"{EV}locatedIn", f"<{country_iri(rng.randrange(countries))}>")
            yield triple(iri, f"{EV}capacity", value)
            yield triple(value, RDF_TYPE, f"<{EV}QuantityValue>")
            yield triple(value, NUMERIC, f'"{rng.randrange(1, 200)}.0"^^<http://www.w3.org/2001/XMLSchema#double>')
            yield triple(value, HAS_UNIT, f"<{GWH}>")
            yield triple(iri, f"{EV}quote", _literal(f"Firm {f} operates plant {plant}."))
            yield triple(iri, DERIVED, f"<{SOURCE}>")
            plant += 1
        other = rng.randrange(firms)
        if other != f:
            iri = f"<{ID}partnership/alliance-{alliance}>"
            yield triple(iri, RDF_TYPE, f"<{EV}Alliance>")
            yield triple(iri, LABEL, _literal(f"Alliance {alliance}"))
            yield triple(iri, f"{EV}partner", f"<{firm_iri(f)}>")
            yield triple(iri, f"{EV}partner", f"<{firm_iri(other)}>")
            yield triple(iri, f"{EV}quote", _literal(f"Firm {f} and firm {other} work together."))
            yield triple(iri, DERIVED, f"<{SOURCE}>")
            yield triple(f"<{firm_iri(f)}>", f"{EV}partnerOf", f"<{firm_iri(other)}>")
            alliance += 1
        if rng.random() < 0.3:
            owner = rng.randrange(firms)
            if owner != f:
                iri = f"<{ID}stake/stake-{stake}>"
                yield triple(iri, RDF_TYPE, f"<{EV}OwnershipStake>")
                yield triple(iri, LABEL, _literal(f"Stake {stake}"))
                yield triple(iri, f"{EV}owner", f"<{firm_iri(owner)}>")
                yield triple(iri, f"{EV}ownedEntity", f"<{firm_iri(f)}>")
                yield triple(iri, f"{EV}quote", _literal(f"Firm {owner} owns part of firm {f}."))
                yield triple(iri, DERIVED, f"<{SOURCE}>")
                stake += 1


def quads_by_triples(triples: int, seed: int = 42):
    """Yield exactly ``triples`` N-Quads lines: the data for a few more edges than
    needed, cut after the last line wanted (the same lines for the same seed)."""
    if triples < 1:
        raise ValueError(f"triples must be at least 1, not {triples}")
    edges = int(triples / TRIPLES_PER_EDGE) + 10
    return islice(quads(edges, seed), triples)


def write(path: Path, edges: int | None = None, seed: int = 42, *, triples: int | None = None) -> Path:
    """Write the synthetic data to ``path`` (N-Quads): for about ``edges`` edges, or for
    exactly ``triples`` triples."""
    if (edges is None) == (triples is None):
        raise ValueError("give edges or triples, not both")
    lines = quads(edges, seed) if triples is None else quads_by_triples(triples, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.writelines(lines)
    tmp.replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--edges", type=int, help="about this many entity-to-entity edges (default 10000)")
    size.add_argument("--triples", type=int, help="exactly this many triples")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    if args.triples is not None:
        write(args.output, seed=args.seed, triples=args.triples)
    else:
        write(args.output, 10_000 if args.edges is None else args.edges, args.seed)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
