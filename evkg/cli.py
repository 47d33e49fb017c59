"""The ``evkg`` command line: parse arguments, call the library, print. Nothing imports it.

Exit codes: 0 success; 1 findings (SHACL violations); 2 usage or input errors.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from . import __version__
from .errors import EvkgError

# --------------------------------------------------------------------------- plumbing


class InputProblem(click.ClickException):
    """An EvkgError as click reports it: ``Error: ...`` and exit code 2."""

    exit_code = 2


class EvkgGroup(click.Group):
    """Translates every EvkgError into a one-paragraph message, in one place."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except EvkgError as exc:
            problem = InputProblem(str(exc))
            problem.exit_code = exc.exit_code
            raise problem from None


@dataclass
class Settings:
    data: tuple[Path, ...] = ()
    seeds: bool = True
    allow_network: bool = False
    _kb: object = field(default=None, repr=False)

    def kb(self, extra: tuple[Path, ...] = ()):
        """Load the knowledge base once per process (seeds + --data + ``extra``)."""
        if self._kb is None:
            from .kb import load

            self._kb = load([*self.data, *extra], seeds=self.seeds, allow_network=self.allow_network)
        return self._kb


pass_settings = click.make_pass_decorator(Settings)


def emit(lines, output: Path | None = None) -> None:
    """Print lines, or write them atomically to ``output``."""
    text = "".join(f"{line}\n" for line in lines)
    if output is None:
        click.echo(text, nl=False)
    else:
        from .export import write_atomically

        write_atomically(output, text)
        click.echo(f"Wrote {output}", err=True)


def output_option(function):
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to this file (atomically) instead of standard output.",
    )(function)


# --------------------------------------------------------------------------- the group


@click.group(cls=EvkgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evkg")
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Add your own RDF file (Turtle, TriG, N-Triples, N-Quads, RDF/XML, JSON-LD; "
    "format from the extension). Repeatable.",
)
@click.option("--no-seeds", is_flag=True, help="Leave out the shipped seed data.")
@click.option(
    "--allow-network",
    is_flag=True,
    help="Let SPARQL SERVICE/FROM and JSON-LD contexts fetch remote data (off by default).",
)
@click.pass_context
def cli(ctx: click.Context, data: tuple[Path, ...], no_seeds: bool, allow_network: bool) -> None:
    """evkg: a sourced knowledge graph of the global electric-vehicle industry.

    Every fact comes from a news article and carries the sentence it rests on.

    \b
    Example:
        evkg show CATL
        evkg query --example japanese-chinese-alliances
        evkg --data my-facts.ttl stats
    """
    ctx.obj = Settings(data=data, seeds=not no_seeds, allow_network=allow_network)


# --------------------------------------------------------------------------- query


def _read_query(query: str | None, file: Path | None, example: str | None) -> str:
    given = [x for x in (query, file, example) if x is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of QUERY, -f FILE or --example NAME.")
    if file is not None:
        return file.read_text(encoding="utf-8")
    if example is not None:
        from .queries import get_example

        return get_example(example).text
    if query == "-":
        return sys.stdin.read()
    return query  # type: ignore[return-value]


@cli.command()
@click.argument("query", required=False)
@click.option("-f", "--file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Read the query from a .rq file.")
@click.option("--example", metavar="NAME", help="Run a shipped example query (see --list-examples).")
@click.option("--list-examples", is_flag=True, help="List the shipped example queries and exit.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ttl", "nt", "jsonld"]),
    help="table|csv|tsv|json|xml for SELECT/ASK (default table); turtle|nt|jsonld for CONSTRUCT/DESCRIBE (default turtle).",
)
@click.option("--show-query", is_flag=True, help="Print the query text before the results.")
@output_option
@pass_settings
def query(settings: Settings, query, file, example, list_examples, fmt, show_query, output) -> None:
    """Run a SPARQL query over the knowledge base.

    The prefixes ev:, company:, country:, facility:, rdfs:, skos:, prov:, qudt:, unit:
    and more are predeclared (see `evkg query --list-examples` for their use). QUERY "-"
    reads the query from standard input. json and xml are the W3C SPARQL 1.1 results
    formats.

    \b
    Example:
        evkg query "SELECT ?plant ?label WHERE { ?plant a ev:BatteryCellPlant ; rdfs:label ?label }"
        evkg query --example catl-plants --format csv
        evkg query -f my-question.rq --format json -o answer.json
    """
    from .queries import list_examples as all_examples

    if list_examples:
        emit((f"{e.name:32} {e.title}" for e in all_examples()), output)
        return
    text = _read_query(query, file, example)
    result = settings.kb().query(text)
    from .render.results import result_lines

    lines = list(result_lines(result, fmt))
    if show_query:
        lines = [*text.rstrip().splitlines(), "", *lines]
    emit(lines, output)


# --------------------------------------------------------------------------- show / search


@cli.command()
@click.argument("entity")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@output_option
@pass_settings
def show(settings: Settings, entity: str, fmt: str, output) -> None:
    """Show everything known about ENTITY, each fact with its source and quote.

    ENTITY is a label or other name (case, accents and dashes do not matter), a
    prefixed name such as company:catl, or a full IRI.

    \b
    Example:
        evkg show CATL
        evkg show "China–Pakistan Economic Corridor"
        evkg show company:byd --format json
    """
    description = settings.kb().describe(entity)
    if fmt == "json":
        emit([json.dumps(description.to_dict(), indent=2, ensure_ascii=False)], output)
    else:
        from .render.text import describe_lines

        emit(describe_lines(description), output)


@cli.command()
@click.argument("text")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Most hits to show.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_settings
def search(settings: Settings, text: str, limit: int, fmt: str) -> None:
    """Fuzzy search over entity labels and other names, best match first.

    \b
    Example:
        evkg search contemporary
        evkg search "economic corridor" --limit 3
    """
    hits = settings.kb().search(text, limit=limit)
    if fmt == "json":
        emit([json.dumps([{"score": h.score, "matched": h.matched, **h.entity.__dict__} for h in hits], indent=2, ensure_ascii=False)])
        return
    if not hits:
        click.echo(f"No entity matches {text!r}.")
        return
    from .render.text import search_lines

    emit(search_lines(hits))


# --------------------------------------------------------------------------- stats / validate / export


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_settings
def stats(settings: Settings, fmt: str) -> None:
    """Count entities by class, and triples and facts by source graph.

    \b
    Example:
        evkg stats
        evkg --data qudt-units.ttl stats --format json
    """
    result = settings.kb().stats()
    if fmt == "json":
        emit([json.dumps({"triples": result.triples, "by_class": result.by_class, "by_source": result.by_source}, indent=2, ensure_ascii=False)])
        return
    from .render.text import stats_lines

    emit(stats_lines(result))


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_settings
def validate(settings: Settings, files: tuple[Path, ...], fmt: str) -> None:
    """Check the seeds (and FILES, and --data files) against the SHACL shapes.

    Prints each violation with its focus node, path and message. Exits 1 when there
    are violations, 0 when the data conforms.

    \b
    Example:
        evkg validate
        evkg validate my-facts.ttl
    """
    kb = settings.kb(extra=files)
    report = kb.validate()
    if fmt == "json":
        emit([json.dumps({"conforms": report.conforms, "violations": [v.__dict__ for v in report.violations]}, indent=2, ensure_ascii=False)])
    else:
        from .render.text import violation_lines

        def label_of(iri: str) -> str:
            try:
                return f"{kb.entity(iri).label} <{iri}>"
            except EvkgError:
                return iri

        emit(violation_lines(report, label_of))
    if not report.conforms:
        sys.exit(1)


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ttl", "trig", "nq", "nt", "jsonld", "graphml", "gexf", "csv"]),
    default="trig",
    show_default=True,
    help="RDF: trig, nq and jsonld keep the named graphs; ttl and nt merge them. "
    "Graph: graphml and gexf (Gephi), csv (an edge list; with -o DIR, nodes.csv and edges.csv).",
)
@click.option("--collapse", is_flag=True, help="Graph formats: replace fact nodes by direct edges between their participants.")
@output_option
@pass_settings
def export(settings: Settings, fmt: str, collapse: bool, output: Path | None) -> None:
    """Export the whole knowledge base, as RDF or as the networkx graph.

    The output is deterministic: the same data gives the same bytes. Files are
    written atomically. For csv, -o names a folder (created if missing) that gets
    nodes.csv and edges.csv; without -o the edge list goes to standard output.

    \b
    Example:
        evkg export --format nq -o evkg.nq
        evkg export --format ttl > evkg.ttl
        evkg export --format graphml --collapse -o evkg.graphml
        evkg export --format csv -o evkg-csv/
    """
    from .export import write_atomically

    kb = settings.kb()
    if fmt in ("graphml", "gexf", "csv"):
        from .graph import graph_of, graph_to_csv_tables, graph_to_text

        G = graph_of(kb, collapse=collapse)
        if fmt == "csv":
            nodes, edges = graph_to_csv_tables(G)
            if output is None:
                click.echo(edges, nl=False)
                return
            if output.exists() and not output.is_dir():
                raise click.BadParameter(f"{output} is a file; csv export writes a folder.", param_hint="-o")
            if not output.parent.is_dir():
                raise click.BadParameter(f"the folder {output.parent} does not exist.", param_hint="-o")
            output.mkdir(exist_ok=True)
            write_atomically(output / "nodes.csv", nodes)
            write_atomically(output / "edges.csv", edges)
            click.echo(f"Wrote {output / 'nodes.csv'} and {output / 'edges.csv'}", err=True)
            return
        text = graph_to_text(G, fmt)
    elif collapse:
        raise click.BadParameter("--collapse applies to graphml, gexf and csv only.", param_hint="--collapse")
    else:
        text = kb.serialize(fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, text)
        click.echo(f"Wrote {output} ({fmt})", err=True)


# --------------------------------------------------------------------------- graph


@cli.command()
@click.argument("source")
@click.argument("target")
@click.option("--all-shortest", is_flag=True, help="Every path of the shortest length.")
@click.option("--k", "k", type=click.IntRange(min=1), default=1, show_default=True, help="The k shortest simple paths.")
@click.option("--max-hops", type=click.IntRange(min=1), help="Ignore paths with more hops.")
@click.option("--via", multiple=True, metavar="RELATION", help="Follow only this relation (repeatable).")
@click.option("--avoid", multiple=True, metavar="RELATION|ENTITY", help="Do not use this relation or entity (repeatable).")
@click.option("--dependency", is_flag=True, help="Follow only dependency edges, in their direction.")
@click.option("--collapse", is_flag=True, help="Walk direct edges instead of partnership, plant and stake nodes.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@output_option
@pass_settings
def path(settings: Settings, source, target, all_shortest, k, max_hops, via, avoid, dependency, collapse, fmt, output) -> None:
    """How is SOURCE connected to TARGET? Shortest paths, each hop with its quote.

    Hops walked against a relation read with its inverse ("China —home of→ CATL").
    When there is no path, says why and what each end is connected to.

    \b
    Example:
        evkg path Pakistan CATL
        evkg path Toyota BYD --k 3
        evkg path Indonesia CATL --dependency
        evkg path Pakistan CATL --avoid China --format json
    """
    from .graph import shortest_paths

    result = shortest_paths(
        settings.kb(), source, target, k=k, all_shortest=all_shortest, max_hops=max_hops,
        via=via, avoid=avoid, dependency=dependency, collapse=collapse,
    )
    if fmt == "json":
        emit([json.dumps(result.to_dict(), indent=2, ensure_ascii=False)], output)
    else:
        from .render.text import path_lines

        emit(path_lines(result), output)


@cli.command()
@click.argument("entity")
@click.option("--depth", type=click.IntRange(min=1), default=1, show_default=True, help="How many hops out.")
@click.option("--relation", multiple=True, metavar="RELATION", help="Follow only this relation (repeatable).")
@click.option("--collapse", is_flag=True, help="Direct edges instead of fact nodes.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_settings
def neighbors(settings: Settings, entity, depth, relation, collapse, fmt) -> None:
    """The neighbourhood of ENTITY, grouped by relation.

    \b
    Example:
        evkg neighbors CATL
        evkg neighbors Pakistan --depth 2
        evkg neighbors BYD --relation operator
    """
    from .graph import neighbourhood

    hood = neighbourhood(settings.kb(), entity, depth=depth, relations=relation, collapse=collapse)
    if fmt == "json":
        emit([json.dumps(hood.to_dict(), indent=2, ensure_ascii=False)])
    else:
        from .render.text import neighbourhood_lines

        emit(neighbourhood_lines(hood))


@cli.command()
@click.argument("entity")
@click.option("--reverse", is_flag=True, help="Who depends on ENTITY instead.")
@click.option("--max-depth", type=click.IntRange(min=1), help="Follow at most this many dependency edges.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_settings
def depends(settings: Settings, entity, reverse, max_depth, fmt) -> None:
    """What ENTITY depends on, transitively, grouped by the home country of each firm.

    Dependency edges and their direction come from the ontology (ev:dependency on
    each relation). Shares are of the organizations reached and sum to 100%.

    \b
    Example:
        evkg depends Indonesia
        evkg depends CATL --reverse
        evkg depends Proton --max-depth 2 --format json
    """
    from .graph import dependencies

    report = dependencies(settings.kb(), entity, reverse=reverse, max_depth=max_depth)
    if fmt == "json":
        emit([json.dumps(report.to_dict(), indent=2, ensure_ascii=False)])
    else:
        from .render.text import dependency_lines

        emit(dependency_lines(report))


@cli.command()
@click.option("--by", type=click.Choice(["degree", "betweenness", "pagerank"]), default="degree", show_default=True)
@click.option("--type", "types", multiple=True, metavar="CLASS", help="Keep only entities of this class, e.g. Company or Country (repeatable).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--no-collapse", is_flag=True, help="Rank on the graph with fact nodes kept.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_settings
def rank(settings: Settings, by, types, top, no_collapse, fmt) -> None:
    """Rank entities by centrality: hubs (degree, pagerank) and brokers (betweenness).

    \b
    Example:
        evkg rank --by betweenness --type Country
        evkg rank --by pagerank --type Company --top 5
    """
    from .graph import rank as rank_entities

    ranked = rank_entities(settings.kb(), by=by, types=types, top=top, collapse=not no_collapse)
    if fmt == "json":
        emit([json.dumps([{"id": r.node, "label": r.label, "type": r.type, by: r.score} for r in ranked], indent=2, ensure_ascii=False)])
    else:
        from .render.text import ranking_lines

        emit(ranking_lines(ranked, by))


def main() -> None:
    cli(prog_name="evkg")


if __name__ == "__main__":
    main()
