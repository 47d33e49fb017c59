"""The ``evkg`` command line: parse arguments, call the library, print. Nothing imports it.

Exit codes: 0 success; 1 findings (SHACL violations); 2 usage or input errors.
"""

from __future__ import annotations

import json
import logging
import os
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
    store: str = "memory"
    update_url: str | None = None
    data_format: str | None = None
    _kb: object = field(default=None, repr=False)
    _stdin: Path | None = field(default=None, repr=False)

    def stdin_file(self) -> Path:
        """Standard input as a file evkg reads like any other: ``stdin.EXT`` in a
        temporary folder (removed at exit), EXT from --data-format or guessed from the
        first bytes (JSON-LD, RDF/XML, else Turtle). Its triples go to the graph
        https://w3id.org/evkg/graph/data/stdin.EXT."""
        if self._stdin is None:
            import atexit
            import shutil
            import tempfile

            data = sys.stdin.buffer.read()
            folder = Path(tempfile.mkdtemp(prefix="evkg-stdin-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            self._stdin = folder / f"stdin.{self.data_format or _sniff_rdf(data)}"
            self._stdin.write_bytes(data)
        return self._stdin

    def kb(self, extra: tuple[Path, ...] = ()):
        """Load the knowledge base once per process (seeds + --data + ``extra``), or open
        the persistent store --store names. A file ``-`` is standard input."""
        if self._kb is None:
            files = [*self.data, *extra]
            if sum(str(path) == "-" for path in files) > 1:
                raise click.UsageError("standard input (-) can be read once; give it as one file only.")
            stdin = self.stdin_file() if any(str(path) == "-" for path in files) else None
            files = [stdin if str(path) == "-" else path for path in files]
            try:
                self._kb = self._load(files)
            except EvkgError as exc:
                if stdin is not None:  # name standard input as the user gave it, not its temporary file
                    exc.args = (str(exc).replace(str(stdin), f"standard input (read as {stdin.suffix[1:]})"), *exc.args[1:])
                raise
        return self._kb

    def _load(self, files: list[Path]):
        from .kb import load
        from .stores import open_store

        store = open_store(self.store, update_url=self.update_url) if self.update_url else self.store
        return load(files, seeds=self.seeds, allow_network=self.allow_network, store=store)


#: The formats standard input can be read in (--data-format), by file extension.
STDIN_FORMATS = ("ttl", "trig", "nt", "nq", "rdf", "jsonld")


def _sniff_rdf(data: bytes) -> str:
    """The extension of the RDF format ``data`` looks like: JSON-LD when it starts with
    ``{`` or ``[``, RDF/XML with ``<?xml`` or ``<rdf:RDF``, else Turtle (N-Triples is Turtle too).

    >>> _sniff_rdf(b'  {"@id": "x"}'), _sniff_rdf(b"<?xml version='1.0'?>"), _sniff_rdf(b"<a> <b> <c> .")
    ('jsonld', 'rdf', 'ttl')
    """
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:16]
    if start[:1] in (b"{", b"["):
        return "jsonld"
    if start.startswith((b"<?xml", b"<rdf:RDF")):
        return "rdf"
    return "ttl"


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


def _table_width(output: Path | None) -> int | None:
    """The columns a table may take: the terminal's when standard output is one (tables
    wrap their values to fit), None for a file or a pipe (values are never cut)."""
    if output is not None or not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


def output_option(function):
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to this file (atomically) instead of standard output.",
    )(function)


def completes(*kinds: str):
    """A ``shell_complete`` callback offering words of ``kinds`` (evkg.completion.KINDS)
    from the knowledge base the command line names (--data, --no-seeds, --store)."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
        from .completion import complete as words

        root = ctx.find_root().params
        found: list[str] = []
        for kind in kinds:
            found += words(kind, incomplete, data=[p for p in root.get("data") or () if str(p) != "-"],
                           seeds=not root.get("no_seeds"), store=root.get("store") or "memory")
        return found

    return complete


# --------------------------------------------------------------------------- the group


@click.group(cls=EvkgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evkg")
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path),
    help="Add your own RDF file (Turtle, TriG, N-Triples, N-Quads, RDF/XML, JSON-LD; "
    "format from the extension; - reads standard input, see --data-format). Repeatable.",
)
@click.option(
    "--data-format",
    type=click.Choice(STDIN_FORMATS),
    help="The RDF format of standard input (--data -, validate -). Default: guessed from "
    "its first characters: JSON-LD when it starts with { or [, RDF/XML with <?xml or <rdf:RDF, else Turtle.",
)
@click.option("--no-seeds", is_flag=True, help="Leave out the shipped seed data.")
@click.option(
    "--allow-network",
    is_flag=True,
    help="Let SPARQL SERVICE/FROM and JSON-LD contexts fetch remote data or read local files named by URL or path (off by default).",
)
@click.option(
    "--store",
    "store",
    metavar="SPEC",
    default="memory",
    show_default=True,
    help="Where the data lives: memory (seeds and --data parsed on every run), "
    "oxigraph:PATH (an Oxigraph database in the folder PATH, filled by `evkg load` and "
    "read by every command without parsing) or sparql:URL (a SPARQL 1.1 endpoint; "
    "credentials from EVKG_SPARQL_USER and EVKG_SPARQL_PASSWORD).",
)
@click.option(
    "--update-url",
    metavar="URL",
    help="With --store sparql:URL: the SPARQL Update endpoint, when the server has one apart from URL.",
)
@click.pass_context
def cli(ctx: click.Context, data: tuple[Path, ...], data_format: str | None, no_seeds: bool, allow_network: bool,
        store: str, update_url: str | None) -> None:
    """evkg: a sourced knowledge graph of the global electric-vehicle industry.

    Every fact comes from a news article and carries the sentence it rests on.

    \b
    Example:
        evkg show CATL
        evkg query --example japanese-chinese-alliances
        evkg --data my-facts.ttl stats
        evkg --store oxigraph:./evkg-db load my-facts.ttl
    """
    # rdflib warns on stderr about terms evkg refuses anyway, with its own error message.
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    ctx.obj = Settings(data=data, seeds=not no_seeds, allow_network=allow_network, store=store, update_url=update_url,
                       data_format=data_format)


# --------------------------------------------------------------------------- load


@cli.command(name="load")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--store", "store_spec", metavar="SPEC", help="The store to fill, as the global --store gives it (e.g. oxigraph:./evkg-db).")
@pass_settings
def load_files(settings: Settings, files: tuple[Path, ...], store_spec: str | None) -> None:
    """Load RDF files into a persistent store, each file all or nothing.

    A new store gets the ontology and the seeds first (each in its own named
    graph; not the seeds with --no-seeds). Each file is parsed whole before
    anything is written, so a file with an error leaves the store as it was;
    then Oxigraph's bulk loader adds it (or, on sparql:URL, SPARQL Update
    INSERT DATA requests in batches, each triple to its graph). Triples outside a named graph go to
    the graph https://w3id.org/evkg/graph/data/FILENAME, as with --data. Every
    other command then reads the store without parsing: give it the same --store.

    \b
    Example:
        evkg load my-facts.ttl wikidata-extract.nt --store oxigraph:./evkg-db
        evkg --store oxigraph:./evkg-db show CATL
        evkg --store sparql:http://localhost:8890/sparql load my-facts.ttl
    """
    from .kb import load
    from .ontology import GRAPH
    from .stores import open_store

    store = open_store(store_spec or settings.store, update_url=settings.update_url)
    if not store.persistent:
        store.load_file(files[0], graph_iri="")  # explains that memory holds data for one run
    new = store.needs_seeds()
    kb = load(seeds=settings.seeds, allow_network=settings.allow_network, store=store)
    if new:
        click.echo(f"Created {store.spec} with the ontology{' and the seeds' if settings.seeds else ''} ({len(kb):,} triples).", err=True)
    for path in files:
        graph = str(GRAPH["data/" + path.name])
        report = store.load_file(path, graph_iri=graph, allow_network=settings.allow_network,
                                 progress=_LoadProgressLine(path))
        click.echo(f"Loaded {path}: {report.triples:,} triples in {report.seconds:.2f} s "
                   f"({report.rate:,.0f} triples/s).")


class _LoadProgressLine:
    """Shows how far `evkg load` is on standard error: one line redrawn in place on a
    terminal (triples so far, triples/s, percentage once the total is known), or a line
    per finished stage when standard error is a file or a pipe."""

    def __init__(self, path: Path):
        import time

        self.path = path
        self.clock = time.perf_counter
        self.stage_started = self.clock()
        self.stage = ""
        self.live = sys.stderr.isatty()

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage != self.stage:
            if self.stage:  # the first stage began when the load did
                self.stage_started = self.clock()
            self.stage = stage
        seconds = self.clock() - self.stage_started
        rate = f"{done / seconds:,.0f} triples/s" if seconds > 0 and done else "starting"
        count = f"{done:,} of {total:,} triples ({done / total:.0%})" if total else f"{done:,} triples"
        line = f"{self.path.name}: {stage} {count}, {rate}"
        if self.live:
            click.echo(f"\r\033[K{line}", err=True, nl=done == total and total is not None)
        elif total is not None and done == total:
            click.echo(f"{self.path.name}: {stage} done: {done:,} triples in {seconds:.2f} s.", err=True)


# --------------------------------------------------------------------------- query


def _stop_process(message: str) -> None:
    """End the process with ``message``: work stuck in native code past its time limit."""
    click.echo(f"Error: {message}", err=True)
    sys.stderr.flush()
    os._exit(2)


def _read_query(query: str | None, file: Path | None, example: str | None) -> str:
    given = [x for x in (query, file, example) if x is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of QUERY, -f FILE or --example NAME.")
    if file is not None:
        return sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    if example is not None:
        from .queries import get_example

        return get_example(example).text
    if query == "-":
        return sys.stdin.read()
    return query  # type: ignore[return-value]


@cli.command()
@click.argument("query", required=False)
@click.option("-f", "--file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path), help="Read the query from a .rq file (- for standard input).")
@click.option("--example", metavar="NAME", shell_complete=completes("examples"), help="Run a shipped example query (see --list-examples).")
@click.option("--list-examples", is_flag=True, help="List the shipped example queries and exit.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ttl", "nt", "jsonld", "rdfxml"]),
    help="table|csv|tsv|json|xml for SELECT/ASK (default table); turtle|nt|jsonld|rdfxml for CONSTRUCT/DESCRIBE "
    "(default turtle; json and xml give JSON-LD and RDF/XML there, as the server does).",
)
@click.option("--show-query", is_flag=True, help="Print the query text before the results.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Stop a query that runs longer than this (exit 2); 0: no limit.",
)
@click.option("--raw-csv", is_flag=True, help="csv/tsv: keep cells that start like a spreadsheet formula (=, +, -, @) as they are; by default they get a leading ' (plain numbers stay).")
@output_option
@pass_settings
def query(settings: Settings, query, file, example, list_examples, fmt, show_query, timeout, raw_csv, output) -> None:
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
        evkg query -f - --format csv < my-question.rq
        evkg query "CONSTRUCT WHERE { company:catl ?p ?o }" --format rdfxml
    """
    from .queries import list_examples as all_examples

    if list_examples:
        emit((f"{e.name:32} {e.title}" for e in all_examples()), output)
        return
    text = _read_query(query, file, example)
    kb = settings.kb()
    from .limits import time_limit
    from .render.results import result_lines

    with time_limit(timeout, hard_stop=_stop_process):
        lines = list(result_lines(kb.query(text), fmt, raw_csv=raw_csv, width=_table_width(output)))
    if show_query:
        lines = [*text.rstrip().splitlines(), "", *lines]
    emit(lines, output)


# --------------------------------------------------------------------------- show / search


@cli.command()
@click.argument("entity", shell_complete=completes("entities"))
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
@output_option
@pass_settings
def search(settings: Settings, text: str, limit: int, fmt: str, output) -> None:
    """Fuzzy search over entity labels and other names, best match first.

    \b
    Example:
        evkg search contemporary
        evkg search "economic corridor" --limit 3
    """
    hits = settings.kb().search(text, limit=limit)
    if fmt == "json":
        emit([json.dumps([{"score": h.score, "matched": h.matched, **h.entity.__dict__} for h in hits], indent=2, ensure_ascii=False)], output)
        return
    if not hits:
        emit([f"No entity matches {text!r}."], output)
        return
    from .render.text import search_lines

    emit(search_lines(hits, width=_table_width(output)), output)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@output_option
@pass_settings
def conflicts(settings: Settings, fmt: str, output) -> None:
    """List the facts on which sources disagree, newest first.

    The same fact (a plant by operator and country, an alliance by its partners, a
    stake by owner and owned, a figure by area, indicator and year, a home country, a
    place's country) with another figure, status, year or country in another source.
    Each side comes with its source, the source's date and the sentence it rests on.

    \b
    Example:
        evkg conflicts
        evkg --data new-facts.ttl conflicts --format json -o conflicts.json
    """
    from .corroboration import find_conflicts

    found = find_conflicts(settings.kb())
    if fmt == "json":
        emit([json.dumps({"count": len(found), "conflicts": [c.to_dict() for c in found]}, indent=2, ensure_ascii=False)], output)
        return
    from .render.text import conflict_lines

    emit(conflict_lines(found), output)


# --------------------------------------------------------------------------- stats / validate / export


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@output_option
@pass_settings
def stats(settings: Settings, fmt: str, output) -> None:
    """Count entities by class, and triples and facts by source graph.

    \b
    Example:
        evkg stats
        evkg --data qudt-units.ttl stats --format json
    """
    result = settings.kb().stats()
    if fmt == "json":
        emit([json.dumps({"triples": result.triples, "by_class": result.by_class, "by_source": result.by_source}, indent=2, ensure_ascii=False)], output)
        return
    from .render.text import stats_lines

    emit(stats_lines(result, width=_table_width(output)), output)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@output_option
@pass_settings
def validate(settings: Settings, files: tuple[Path, ...], fmt: str, output) -> None:
    """Check the seeds (and FILES, and --data files) against the SHACL shapes.

    Prints each result of the SHACL report with its focus node, path and message,
    and the results nested under it (why an sh:node constraint failed) indented
    below it; counts the report's results as pyshacl and other SHACL processors
    do. A blank node is named by the fact it belongs to ("the capacity of ...
    (a blank node)"). FILE "-" reads standard input (see --data-format). Exits 1
    when there are violations, 0 when the data conforms.

    \b
    Example:
        evkg validate
        evkg validate my-facts.ttl
        evkg import stakes.csv --kind ownership | evkg validate -
        evkg validate my-facts.ttl --format json -o report.json
    """
    kb = settings.kb(extra=files)
    report = kb.validate()
    if fmt == "json":
        emit([json.dumps({"conforms": report.conforms, "results": len(report.violations),
                          "violations": [v.to_dict() for v in report.violations]}, indent=2, ensure_ascii=False)], output)
    else:
        from .render.text import violation_lines

        emit(violation_lines(report), output)
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
@click.option("--raw-csv", is_flag=True, help="csv: keep cells that start like a spreadsheet formula (=, +, -, @) as they are; by default they get a leading ' (plain numbers stay).")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write to this file (atomically) instead of standard output; for csv, a folder (new or existing).",
)
@pass_settings
def export(settings: Settings, fmt: str, collapse: bool, raw_csv: bool, output: Path | None) -> None:
    """Export the whole knowledge base, as RDF or as the networkx graph.

    The output is deterministic: the same data gives the same bytes. Files are
    written atomically. For csv, -o names a folder (created if missing) that gets
    nodes.csv and edges.csv; without -o the edge list goes to standard output.
    A csv cell that a spreadsheet would run as a formula (it starts with =, +, -
    or @) gets a leading ' unless --raw-csv.

    \b
    Example:
        evkg export --format nq -o evkg.nq
        evkg export --format ttl > evkg.ttl
        evkg export --format graphml --collapse -o evkg.graphml
        evkg export --format csv -o evkg-csv/
    """
    from .export import write_atomically

    if raw_csv and fmt != "csv":
        raise click.BadParameter("--raw-csv applies to --format csv only.", param_hint="--raw-csv")
    kb = settings.kb()
    if fmt in ("graphml", "gexf", "csv"):
        from .graph import graph_of, graph_to_csv_tables, graph_to_text

        G = graph_of(kb, collapse=collapse)
        if fmt == "csv":
            nodes, edges = graph_to_csv_tables(G, raw=raw_csv)
            if output is None:
                click.echo(edges, nl=False)
                return
            if output.exists() and not output.is_dir():
                raise click.BadParameter(f"{output} is a file; csv export writes a folder.", param_hint="-o")
            if not output.parent.is_dir():
                raise click.BadParameter(f"the folder {output.parent} does not exist.", param_hint="-o")
            output.mkdir(exist_ok=True)
            from .export import write_files_atomically

            # Both files are written before either replaces an old one: never a new
            # nodes.csv beside an old edges.csv.
            write_files_atomically({output / "nodes.csv": nodes, output / "edges.csv": edges})
            click.echo(f"Wrote {output / 'nodes.csv'} and {output / 'edges.csv'}", err=True)
            return
        from .graph.style import class_families

        # The classes' colours in GEXF are those of the HTML pages of the same graph.
        text = graph_to_text(G, fmt, families=class_families(kb, (d["type"] for _, d in G.nodes(data=True))))
    elif collapse:
        raise click.BadParameter("--collapse applies to graphml, gexf and csv only.", param_hint="--collapse")
    else:
        text = kb.serialize(fmt)
    if output is None:
        click.echo(text, nl=False)
    elif output.is_dir():
        raise click.BadParameter(f"{output} is a folder; --format {fmt} writes one file.", param_hint="-o")
    else:
        write_atomically(output, text)
        click.echo(f"Wrote {output} ({fmt})", err=True)


# --------------------------------------------------------------------------- graph


@cli.command()
@click.argument("source", shell_complete=completes("entities"))
@click.argument("target", shell_complete=completes("entities"))
@click.option("--all-shortest", is_flag=True, help="Every path of the shortest length.")
@click.option("--k", "k", type=click.IntRange(min=1), default=1, show_default=True, help="The k shortest simple paths.")
@click.option("--max-hops", type=click.IntRange(min=1), help="Ignore paths with more hops.")
@click.option("--via", multiple=True, metavar="RELATION", shell_complete=completes("relations"), help="Follow only this relation (repeatable).")
@click.option("--avoid", multiple=True, metavar="RELATION|ENTITY", shell_complete=completes("relations", "entities"), help="Do not use this relation or entity (repeatable).")
@click.option("--dependency", is_flag=True, help="Follow only dependency edges, in their direction.")
@click.option("--collapse", is_flag=True, help="Walk direct edges instead of partnership, plant and stake nodes.")
@click.option("--cited-only", is_flag=True, help="Only paths whose every hop a source quotes (no reference data or background knowledge).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@output_option
@click.option(
    "--html",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write an interactive page with the paths highlighted in their context (see `evkg render`).",
)
@pass_settings
def path(settings: Settings, source, target, all_shortest, k, max_hops, via, avoid, dependency, collapse, cited_only, fmt, output, html) -> None:
    """How is SOURCE connected to TARGET? Shortest paths, each hop with its quote.

    Hops walked against a relation read with its inverse ("China —home of→ CATL").
    When there is no path, says why and what each end is connected to.

    \b
    Example:
        evkg path Pakistan CATL
        evkg path Toyota BYD --k 3
        evkg path Indonesia CATL --dependency
        evkg path Pakistan CATL --avoid China --format json
        evkg path Pakistan CATL --cited-only
        evkg path Pakistan CATL --html pakistan-catl.html
    """
    from .graph import shortest_paths

    result = shortest_paths(
        settings.kb(), source, target, k=k, all_shortest=all_shortest, max_hops=max_hops,
        via=via, avoid=avoid, dependency=dependency, collapse=collapse, cited_only=cited_only,
    )
    if fmt == "json":
        emit([json.dumps(result.to_dict(), indent=2, ensure_ascii=False)], output)
    else:
        from .render.text import path_lines

        emit(path_lines(result), output)
    if html is not None:
        from .graph.view import graph_view

        _write_page(graph_view(settings.kb(), path=result, collapse=collapse), html)


@cli.command()
@click.argument("entity", shell_complete=completes("entities"))
@click.option("--depth", type=click.IntRange(min=1), default=1, show_default=True, help="How many hops out.")
@click.option("--relation", multiple=True, metavar="RELATION", shell_complete=completes("relations"), help="Follow only this relation (repeatable).")
@click.option("--collapse", is_flag=True, help="Direct edges instead of fact nodes.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@output_option
@pass_settings
def neighbors(settings: Settings, entity, depth, relation, collapse, fmt, output) -> None:
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
        emit([json.dumps(hood.to_dict(), indent=2, ensure_ascii=False)], output)
    else:
        from .render.text import neighbourhood_lines

        emit(neighbourhood_lines(hood), output)


@cli.command()
@click.argument("entity", shell_complete=completes("entities"))
@click.option("--reverse", is_flag=True, help="Who depends on ENTITY instead.")
@click.option("--max-depth", type=click.IntRange(min=1), help="Follow at most this many dependency edges.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@output_option
@pass_settings
def depends(settings: Settings, entity, reverse, max_depth, fmt, output) -> None:
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
        emit([json.dumps(report.to_dict(), indent=2, ensure_ascii=False)], output)
    else:
        from .render.text import dependency_lines

        emit(dependency_lines(report, width=_table_width(output)), output)


@cli.command()
@click.option("--by", type=click.Choice(["degree", "betweenness", "pagerank"]), default="degree", show_default=True)
@click.option("--type", "types", multiple=True, metavar="CLASS", shell_complete=completes("classes"), help="Keep only entities of this class, e.g. Company or Country (repeatable).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--no-collapse", is_flag=True, help="Rank on the graph with fact nodes kept.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@output_option
@pass_settings
def rank(settings: Settings, by, types, top, no_collapse, fmt, output) -> None:
    """Rank entities by centrality: hubs (degree, pagerank) and brokers (betweenness).

    \b
    Example:
        evkg rank --by betweenness --type Country
        evkg rank --by pagerank --type Company --top 5
    """
    from .graph import rank as rank_entities

    ranked = rank_entities(settings.kb(), by=by, types=types, top=top, collapse=not no_collapse)
    if fmt == "json":
        emit([json.dumps([{"id": r.node, "label": r.label, "type": r.type, by: r.score} for r in ranked], indent=2, ensure_ascii=False)], output)
    else:
        from .render.text import ranking_lines

        emit(ranking_lines(ranked, by, width=_table_width(output)), output)


# --------------------------------------------------------------------------- render: interactive HTML


def path_options(function):
    """The options of `evkg render --path` that choose the paths (as `evkg path` has them)."""
    options = [
        click.option("--k", "k", type=click.IntRange(min=1), help="With --path: the k shortest simple paths (default 1)."),
        click.option("--all-shortest", is_flag=True, help="With --path: every path of the shortest length."),
        click.option("--max-hops", type=click.IntRange(min=1), help="With --path: ignore paths with more hops."),
        click.option("--via", multiple=True, metavar="RELATION", shell_complete=completes("relations"), help="With --path: follow only this relation (repeatable)."),
        click.option("--avoid", multiple=True, metavar="RELATION|ENTITY", shell_complete=completes("relations", "entities"), help="With --path: do not use this relation or entity (repeatable)."),
        click.option("--dependency", is_flag=True, help="With --path: follow only dependency edges, in their direction."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _slug(text: str) -> str:
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-") or "entity"


def _page_name(view) -> Path:
    """The default file name of a page: what it shows, in the current folder."""
    if view.kind == "around":
        return Path(f"evkg-around-{_slug(view.G.nodes[view.center]['label'])}.html")
    if view.kind == "path":
        return Path(f"evkg-path-{_slug(view.path.source.label)}-to-{_slug(view.path.target.label)}.html")
    return Path("evkg-graph.html")


def _write_page(view, output: Path | None, *, title: str | None = None, open_browser: bool = False) -> None:
    """Render ``view``, write it atomically (``-``: standard output) and say where."""
    from .export import write_atomically
    from .render.html import render_html

    page = render_html(view, title=title)
    if view.note:
        click.echo(
            f"Note: {view.note} Raise --max-nodes, or narrow the view with --around, --type, "
            "--source or --relation.",
            err=True,
        )
    if output is not None and str(output) == "-":
        if open_browser:
            raise click.BadParameter("--open needs a file; leave out -o - or give a file name.", param_hint="--open")
        click.echo(page, nl=False)
        return
    output = output or _page_name(view)
    write_atomically(output, page)
    nodes, edges = view.G.number_of_nodes(), view.G.number_of_edges()
    click.echo(f"Wrote {output} ({nodes:,} nodes, {edges:,} edges)", err=True)
    if open_browser:
        import webbrowser

        if not webbrowser.open(output.resolve().as_uri()):
            click.echo(f"Could not start a browser; open {output} yourself.", err=True)


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write the page to this file (default: a name from the view, such as "
    "evkg-around-catl.html, in the current folder; - for standard output).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@click.option("--around", metavar="ENTITY", shell_complete=completes("entities"), help="Show ENTITY and its neighbourhood.")
@click.option("--path", "ends", nargs=2, metavar="FROM TO", shell_complete=completes("entities"), help="Highlight the shortest path from FROM to TO in its context.")
@path_options
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    help="Hops out from --around ENTITY or from the path's nodes (default 1; 0 shows them alone).",
)
@click.option("--type", "types", multiple=True, metavar="CLASS", shell_complete=completes("classes"), help="Keep entities of this class, e.g. Company or Country; subclasses count (repeatable).")
@click.option("--source", "sources", multiple=True, metavar="ARTICLE", help="Keep what this source states: its id (a unique prefix such as 000 will do), IRI or title (repeatable).")
@click.option("--relation", "relations", multiple=True, metavar="RELATION", shell_complete=completes("relations"), help="Keep edges of this relation, e.g. 'based in' (repeatable).")
@click.option("--collapse", is_flag=True, help="Draw direct edges instead of partnership, plant, stake and claim nodes.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=5000, show_default=True, help="Cut larger views to this many nodes (nearest or best-connected first), with a note.")
@click.option("--title", help="The page's heading (default: what the view shows).")
@pass_settings
def render(settings: Settings, output, open_browser, around, ends, k, all_shortest, max_hops, via, avoid,
           dependency, depth, types, sources, relations, collapse, max_nodes, title) -> None:
    """Draw the graph as one interactive HTML page that works offline.

    The page has a legend that filters by class, a source filter, a search box
    (label or other name; Enter focuses the match), tooltips with each fact's
    figures and verbatim quotes, and a footer naming the sources and a hash of
    the data. Everything is inside the file: it makes no network requests, so it
    can be emailed or published as it is. The same data gives the same bytes.

    Without --around or --path the page shows the whole graph. Filters apply
    first; --around and --path then take what lies within --depth hops. Views
    larger than --max-nodes are cut, and the page and this command say so.

    \b
    Example:
        evkg render
        evkg render --around CATL --depth 2 --open
        evkg render --path Pakistan CATL --k 3 -o pakistan-catl.html
        evkg render --type Company --type Country --relation "based in"
        evkg render --source 000 --collapse
    """
    chosen = [name for name, given in (("--k", k is not None), ("--all-shortest", all_shortest),
              ("--max-hops", max_hops is not None), ("--via", via), ("--avoid", avoid),
              ("--dependency", dependency)) if given]
    if around is not None and ends:
        raise click.UsageError("give --around or --path, not both.")
    if chosen and not ends:
        verb = "applies" if len(chosen) == 1 else "apply"
        raise click.UsageError(f"{', '.join(chosen)} {verb} to --path FROM TO only; give --path too.")
    if depth is not None and around is None and not ends:
        raise click.UsageError("--depth applies to --around and --path; give one of them.")
    from .graph.view import graph_view

    kb = settings.kb()
    path = None
    if ends:
        from .graph import shortest_paths

        path = shortest_paths(
            kb, ends[0], ends[1], k=k or 1, all_shortest=all_shortest, max_hops=max_hops,
            via=via, avoid=avoid, dependency=dependency, collapse=collapse,
        )
        if not path.paths:
            click.echo(f"No path from {path.source.label} to {path.target.label}: {path.reason}", err=True)
    view = graph_view(
        kb, around=around, depth=1 if depth is None else depth, path=path, types=types, sources=sources,
        relations=relations, max_nodes=max_nodes, collapse=collapse,
    )
    _write_page(view, output, title=title, open_browser=open_browser)

# --------------------------------------------------------------------------- serve


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on. Any other than loopback makes the server reachable from the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on (0 picks a free one).")
@click.option(
    "--data",
    "more_data",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Add your own RDF file, as the global --data does. Repeatable.",
)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="Seconds a query may run; a slower one is stopped and answered with 503.")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True, help="Most rows (or triples) in one answer; the answer says when it was cut.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Query worker processes: how many queries are evaluated at once.  [default: the number of cores, at least 2]")
@click.option("--client-queries", type=click.IntRange(min=1), default=None, metavar="N", help="Most queries of one client (one address) evaluated at once; its further ones wait their turn, and past 32 waiting get 503 with Retry-After.  [default: --workers minus 1, at least 1, so one client never holds every worker]")
@click.option("--worker-memory", type=click.IntRange(min=0), default=2048, show_default=True, metavar="MB", help="Memory a query worker may take beyond its copy of the data; a query that needs more gets 503 and the worker is replaced (0: no cap).")
@click.option("--request-timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True, metavar="SECONDS", help="Seconds a client has to send a request's headers and body; a slower one gets 408 and its connection is closed.")
@click.option("--max-connections", type=click.IntRange(min=2), default=1000, show_default=True, help="Most connections open at once (fewer if the process may open fewer files); past it, the one idle or sending its request the longest is closed.")
@click.option("--allow-update", is_flag=True, help="Accept SPARQL Update, for local use. Changes live in memory until the server stops; LOAD and SERVICE stay refused. Memory store only: the server never writes to oxigraph: or sparql: stores.")
@click.option("--public", is_flag=True, help="Answer requests for any Host name (no DNS-rebinding check); needed to listen on 0.0.0.0.")
@click.option("--allow-host", "allowed_hosts", multiple=True, metavar="NAME", help="Also answer requests addressed to this host name (repeatable).")
@click.option("--cors", "cors_origins", multiple=True, metavar="ORIGIN", help="Let pages from this web origin (https://yasgui.example) read query answers in a browser; * for any site (repeatable). Off by default: no other site's page can read the data.")
@click.option("--raw-csv", is_flag=True, help="Write CSV/TSV answers as they are; by default a cell that starts like a spreadsheet formula (=, +, -, @) gets a leading ' (plain numbers stay).")
@click.option("--quiet", is_flag=True, help="Do not log each request.")
@pass_settings
def serve(settings: Settings, host, port, more_data, timeout, max_rows, workers, client_queries, worker_memory,
          request_timeout, max_connections, allow_update, public, allowed_hosts, cors_origins, raw_csv, quiet) -> None:
    """Serve a SPARQL 1.1 endpoint and a browsable explorer over HTTP.

    /sparql speaks the SPARQL 1.1 Protocol (GET, form POST, direct POST;
    JSON, XML, CSV, TSV, Turtle, N-Triples, JSON-LD by Accept or format=), for
    SPARQLWrapper, YASGUI, Gephi or curl. Queries run in worker processes: one
    that runs longer than --timeout is stopped and answered with 503 while other
    clients go on. The endpoint is read-only unless --allow-update, and SERVICE,
    LOAD and FROM never reach the network.

    The explorer has entity pages with their sources and quotes (at each
    entity's IRI path, /id/TYPE/SLUG; Turtle or JSON-LD by content negotiation),
    explained paths between two entities, and a query page.

    On --store oxigraph:PATH each worker opens the database read-only while the
    server holds its lock (`evkg load` on it is refused until the server stops); on
    --store sparql:URL each worker queries the endpoint itself.

    Limits against clients that hog the server: one client (one address) has at
    most --client-queries queries in the workers at once, one fewer than
    --workers unless set, so another client always finds a worker free; a
    worker may take --worker-memory MB beyond the data; a client has
    --request-timeout seconds to send a request; at most --max-connections
    connections stay open, the one that has waited on its client the longest
    being closed for a newcomer.

    The server listens on 127.0.0.1 and answers only requests addressed to it
    (a guard against DNS rebinding) unless --public. Pages from other web sites
    cannot read its answers in a browser unless --cors names their origin.
    Stop it with Ctrl+C.

    \b
    Example:
        evkg serve
        evkg serve --port 8080 --data my-facts.ttl --timeout 30
        evkg --store oxigraph:./evkg-db serve
        evkg serve --cors http://localhost:3000
        curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s a ev:Country }' http://127.0.0.1:8000/sparql
    """
    if settings.allow_network:
        raise click.UsageError("evkg serve never lets queries reach the network; leave out --allow-network.")
    from dataclasses import replace

    from .server import ServerSettings, make_app
    from .server.runner import bind, serve as run_server, url_of
    from .server.stores import open_served_kb, update_refusal

    persistent = settings.store.partition(":")[0] in ("oxigraph", "sparql")
    if allow_update and persistent:
        raise click.UsageError(update_refusal(settings.store))
    server_settings = ServerSettings(
        host=host, port=port, timeout=timeout, max_rows=max_rows, workers=workers,
        client_queries=client_queries, worker_memory=worker_memory, request_timeout=request_timeout,
        max_connections=max_connections,
        allow_update=allow_update, public=public, allowed_hosts=allowed_hosts,
        cors_origins=cors_origins, raw_csv=raw_csv,
    )
    if settings.store == "memory":
        kb = settings.kb(extra=more_data)
    else:
        # Each query worker opens the store itself (an Oxigraph database read-only, while
        # this process holds its write lock); nothing is copied.
        kb = open_served_kb(settings.store, update_url=settings.update_url, data=(*settings.data, *more_data), seeds=settings.seeds)
    sock = bind(host, port)
    app = make_app(kb, replace(server_settings, port=sock.getsockname()[1]))
    base = url_of(sock)
    graphs = len(kb.graph_names())
    workers = server_settings.workers
    click.echo(f"evkg serve: {len(kb):,} triples in {graphs} graphs; {workers} query worker{'s' if workers != 1 else ''}, "
               f"{timeout:g} s per query, at most {max_rows:,} rows per answer.")
    if settings.store.startswith("oxigraph:"):
        click.echo(f"  Store            {kb.store.spec}, opened read-only by each query worker, locked against `evkg load` until the server stops")
    elif persistent:
        click.echo(f"  Store            {kb.store.spec}, queried by each query worker directly")
    click.echo(f"  Explorer         {base}/")
    click.echo(f"  SPARQL endpoint  {base}/sparql")
    # One example entity, CATL when there is one, found without listing every entity of a large store.
    if kb.query("ASK { company:catl a ?class }").askAnswer:
        example = "company/catl"
    else:
        first = list(kb.query("SELECT ?entity WHERE { ?entity a ?class FILTER(STRSTARTS(STR(?entity), STR(id:))) } ORDER BY ?entity LIMIT 1"))
        example = str(first[0][0]).split("/id/", 1)[1] if first else None
    if example:
        click.echo(f"  Entity pages     {base}/id/{example} (Turtle or JSON-LD by Accept)")
    if server_settings.cors_origins:
        click.echo(f"  CORS             pages from {', '.join(server_settings.cors_origins)} may read query answers")
    mode = "Updates allowed (--allow-update)" if allow_update else "Read-only"
    reach = "any host name (--public)" if public else "this machine only" if server_settings.loopback else f"requests for {host}"
    click.echo(f"{mode}; answering {reach}. Press Ctrl+C to stop.")
    run_server(app, sock, access_log=not quiet)
    click.echo("Stopped.")


# --------------------------------------------------------------------------- import

#: The kinds of table `evkg import` reads (evkg.ingest.tabular.KINDS, kept here so --help stays fast).
IMPORT_KINDS = ("alliances", "facilities", "ownership", "observations", "based-in", "located-in", "entities")


@cli.command(name="import")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--kind", required=True, type=click.Choice(IMPORT_KINDS), help="What each row is: one fact of this kind.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the Turtle to this file (atomically) instead of standard output.")
@click.option("--dry-run", is_flag=True, help="Check every row and print the triples; write no file.")
@click.option("--columns", "show_columns", is_flag=True, help="Describe the CSV layout of --kind and the units it accepts, and exit.")
@pass_settings
def import_table(settings: Settings, file: Path | None, kind: str, output: Path | None, dry_run: bool, show_columns: bool) -> None:
    """Turn a spreadsheet (CSV) of facts into Turtle.

    Each row is one fact of --kind, with its source and the sentence it rests
    on (the source and quote columns). Names resolve against the knowledge base
    (seeds and --data files) as in `evkg show`; a new organization needs its
    class in the name's _type column. Every row is checked, against the SHACL
    shapes too, before anything is written: problems stop the import and are
    listed with their row, column and value. The same file gives the same bytes.
    FILE "-" reads standard input.

    Load the result with --data, e.g. `evkg --data plants.ttl show NAME`.

    \b
    Example:
        evkg import --kind facilities --columns
        evkg import examples/import/facilities.csv --kind facilities -o plants.ttl
        evkg import stakes.csv --kind ownership --dry-run
        evkg import examples/import/entities.csv --kind entities -o entities.ttl
        evkg import examples/import/based-in.csv --kind based-in -o homes.ttl
        evkg import examples/import/located-in.csv --kind located-in -o places.ttl
        evkg --data plants.ttl show "Example Cells Hungary plant"
    """
    from .ingest.tabular import CURRENCY_NOTE, LAYOUTS, collection_paused, import_csv, known_units, serialize_graph

    if show_columns:
        layout = LAYOUTS[kind]
        width = max(len(c.name) for c in layout.columns) + 2
        lines = [f"{kind}: {layout.help}", ""]
        lines += [f"  {c.name + (' *' if c.required else ''):{width}}  {c.help}" for c in layout.columns]
        units = ", ".join(f"{name} ({iri})" for name, iri in known_units(settings.kb()).items())
        lines += ["", "  * required on every row.", "", f"Units: {units}, {CURRENCY_NOTE}"]
        emit(lines)
        return
    if file is None:
        raise click.UsageError("give the CSV FILE to import (or --columns to see its layout).")
    from .ontology import EV

    # One pause of the cycle collector for the rows and their Turtle: between the two it
    # would walk every triple the table made, none of which is garbage yet.
    with collection_paused():
        if str(file) == "-":
            rdf = import_csv(settings.kb(), sys.stdin.buffer, kind=kind, name="<stdin>")
        else:
            rdf = import_csv(settings.kb(), file, kind=kind)
        rows = len(set(rdf.subjects(EV.quote, None)))
        name = "standard input" if str(file) == "-" else file.name
        text = serialize_graph(rdf, comment=f"Imported by `evkg import --kind {kind}` from {name}: {rows} row{'s' if rows != 1 else ''}.")
    summary = f"{rows} row{'s' if rows != 1 else ''}, {len(rdf):,} triples"
    if dry_run:
        click.echo(text, nl=False)
        where = f"; {output} was not written" if output is not None else ""
        click.echo(f"Dry run: {summary}, all valid{where}.", err=True)
    elif output is not None:
        from .export import write_atomically

        write_atomically(output, text)
        click.echo(f"Wrote {output} ({summary})", err=True)
    else:
        click.echo(text, nl=False)


# --------------------------------------------------------------------------- suggest

SUGGEST_FORMATS = ("text", "json", "csv", "html")


@cli.command()
@click.argument("article", type=click.Path(allow_dash=True, path_type=Path))
@click.option("--title", help="The article's title. Default: its first non-empty line (a markdown # stripped).")
@click.option("--date", metavar="DATE", help="When it was published: YYYY, YYYY-MM or YYYY-MM-DD (for a folder: every article).")
@click.option("--url", metavar="URL", help="Where it is published (http or https): the source every suggested fact names. Default: urn:sha256:DIGEST of the file.")
@click.option("--format", "fmt", type=click.Choice(SUGGEST_FORMATS), default="text", show_default=True,
              help="text: a summary for reading; json: every suggestion with its offsets; csv: a review folder for "
              "`evkg import` (needs -o DIR); html: a review page with the article highlighted.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="A file (text, json, html), or a folder: the csv review folder, or for a folder of articles one json or html file each.")
@click.option("--force", is_flag=True, help="With --format csv: replace the review files already in the -o folder.")
@click.option("--raw-csv", is_flag=True, help="With --format csv: write cells that start like a spreadsheet formula (=, +, -, @) as they are; by default they get a leading ' that `evkg import` takes off again.")
@pass_settings
def suggest(settings: Settings, article: Path, title, date, url, fmt: str, output: Path | None, force: bool, raw_csv: bool) -> None:
    """Suggest facts from a news article, each with the sentence it rests on.

    ARTICLE is a .txt or .md file, "-" for standard input, or a folder of .txt
    and .md files (one result per file). Names are linked to the entities the
    knowledge base has; a suggested fact is marked known when the graph already
    holds it (corroborated) and conflicts when the graph holds another figure,
    status or year. Nothing enters the graph: review the suggestions, then
    import them. --format csv -o DIR writes one CSV per kind (alliances.csv,
    facilities.csv, ownership.csv, observations.csv, based-in.csv,
    located-in.csv, and entities.csv for new entities) that
    `evkg import DIR/KIND.csv --kind KIND` takes unchanged (a cell that
    starts like a spreadsheet formula gets a leading ' there, which the import
    takes off again; --raw-csv writes it as it is). An article is
    UTF-8 text of at most 1 MB.

    \b
    Example:
        evkg suggest examples/articles/volta-cells-sines.md --date 2026-03
        evkg suggest news.txt --format csv -o review/
        evkg import review/facilities.csv --kind facilities -o plants.ttl
        evkg suggest news.txt --format html -o review.html
        evkg suggest articles/ --format json -o suggestions/
        curl -s https://example.org/news.txt | evkg suggest - --url https://example.org/news.txt
    """
    from .ingest.article import check_date, check_url, find_articles, read_article

    check_date(date)
    check_url(url)
    if raw_csv and fmt != "csv":
        raise click.BadParameter("--raw-csv applies to --format csv only.", param_hint="--raw-csv")
    folder_input = str(article) != "-" and article.is_dir()
    if folder_input and (title or url):
        raise click.UsageError("--title and --url name one article; give them with a file, not a folder.")
    files = find_articles(article) if folder_input else [article]
    targets = _suggest_targets(files, fmt, output, folder_input, force)
    articles = []
    for file in files:
        if str(file) == "-":
            articles.append(read_article("-", title=title, date=date, url=url))
        else:
            articles.append(read_article(file, title=title, date=date, url=url))
    kb = settings.kb()
    from .ingest.suggest import suggest as suggest_facts

    progress = _SuggestProgress(len(articles))
    results = []
    for number, item in enumerate(articles, 1):
        progress.article(number, item.path or "standard input")
        results.append(suggest_facts(kb, item, progress=progress))
    progress.done()
    _write_suggestions(fmt, articles, results, output, targets, force, raw_csv)


def _suggest_targets(files: list[Path], fmt: str, output: Path | None, folder_input: bool, force: bool) -> list[Path] | None:
    """Check where `evkg suggest` will write before any work: the file per article for
    json and html into a folder, else None."""
    from .errors import OutputError

    if fmt == "csv":
        if output is None:
            raise click.UsageError("--format csv writes a review folder: give it with -o DIR.")
        from .ingest.review import check_review_folder

        check_review_folder(output, replace=force)
        return None
    if output is None and not (folder_input and fmt in ("json", "html")):
        return None
    if not folder_input or fmt == "text":  # one file
        if output.is_dir():
            raise OutputError(f"{output}: is a folder; give a file name for the {fmt}.")
        parent = output.parent if str(output.parent) else Path(".")
        if not parent.is_dir():
            raise OutputError(f"{output}: the folder {parent} does not exist; create it first.")
        return None
    # json or html for a folder of articles: one file each, in a folder.
    if output is None:
        raise click.UsageError(f"--format {fmt} for a folder of articles writes one file each: give the folder with -o DIR.")
    if output.exists() and not output.is_dir():
        raise OutputError(f"{output}: is a file; for a folder of articles give a folder (-o DIR).")
    parent = output.parent if str(output.parent) else Path(".")
    if not output.exists() and not parent.is_dir():
        raise OutputError(f"{output}: the folder {parent} does not exist; create it first.")
    names = [f"{file.stem}.{fmt}" for file in files]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise click.UsageError(f"several articles would write {', '.join(clashes)}; rename one of them.")
    return [output / name for name in names]


def _write_suggestions(fmt: str, articles, results, output: Path | None, targets: list[Path] | None, force: bool,
                       raw_csv: bool = False) -> None:
    from .export import write_atomically

    if fmt == "csv":
        from .ingest.review import write_review_folder

        written = write_review_folder(results, output, texts={a.sha256: a.text for a in articles}, replace=force, raw=raw_csv)
        rows = sum(text.count("\n") - 1 for text in (path.read_text(encoding="utf-8") for path in written))
        names = ", ".join(path.name for path in written) or "no file: nothing was suggested"
        click.echo(f"Wrote {output}: {names} ({rows} row{'s' if rows != 1 else ''}).", err=True)
        return
    if fmt == "text":
        from .render.review import summary_lines

        lines = []
        for number, result in enumerate(results):
            lines += ([""] if number else []) + summary_lines(result)
        emit(lines, output)
        return
    if fmt == "json":
        texts = [result.to_json() for result in results]
    else:
        from .render.review import render_review

        texts = [render_review(result, item.text) for item, result in zip(articles, results)]
    if targets is None:
        if output is None:
            click.echo(texts[0], nl=False)
            return
        targets = [output]
    elif not output.is_dir():
        from .errors import OutputError

        try:
            output.mkdir()
        except OSError as exc:
            raise OutputError(f"{output}: cannot be made: {exc.strerror}.") from None
    for path, text in zip(targets, texts):
        write_atomically(path, text)
    click.echo(f"Wrote {output}" + (f" ({len(targets)} files)" if len(targets) > 1 else ""), err=True)


class _SuggestProgress:
    """Shows how far `evkg suggest` is on standard error when it is a terminal: one line
    redrawn in place (article n of N, sentences done); nothing when it is a file or a pipe."""

    #: Seconds between two redraws of the sentence count (a long article has thousands).
    INTERVAL = 0.1

    def __init__(self, total: int):
        import time

        self.total = total
        self.live = sys.stderr.isatty()
        self.name = ""
        self.number = 0
        self.shown = False
        self.clock = time.monotonic
        self.drawn = 0.0

    def article(self, number: int, name: str) -> None:
        self.number, self.name = number, name
        self._show("")

    def __call__(self, done: int, total: int) -> None:
        if done == total or self.clock() - self.drawn >= self.INTERVAL:
            self._show(f", sentence {done:,} of {total:,}")

    def _show(self, detail: str) -> None:
        if not self.live:
            return
        which = f"article {self.number} of {self.total}: " if self.total > 1 else ""
        click.echo(f"\r\033[Ksuggest: {which}{self.name}{detail}", err=True, nl=False)
        self.shown = True
        self.drawn = self.clock()

    def done(self) -> None:
        if self.shown:
            click.echo("\r\033[K", err=True, nl=False)


def main() -> None:
    """The ``evkg`` command, as a process: it ends when the command does."""
    import gc

    try:
        cli(prog_name="evkg")
    finally:
        # The process is about to end: the cycle collector's last pass over every object
        # the command made (a second and more after a large import or graph) frees nothing
        # the exit would not. Frozen objects are left out of that pass.
        gc.freeze()


if __name__ == "__main__":
    main()
