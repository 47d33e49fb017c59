"""A remote SPARQL 1.1 store: the knowledge base on any server that speaks the protocol.

``--store sparql:URL`` names the query endpoint; updates go to the same URL unless
``--update-url`` names another. Credentials come from the environment, never the
command line: ``EVKG_SPARQL_USER`` and ``EVKG_SPARQL_PASSWORD`` (HTTP Basic or Digest,
whichever the server asks for). ``EVKG_SPARQL_TIMEOUT`` is how many seconds to wait for
each answer (300 unless set).

How the data is laid out on the server, so that it answers as the other stores do:

- every named graph of evkg is kept as it is, and is listed in a registry graph;
- a union graph holds each triple of every listed graph once, and serves as the default
  graph of evkg's queries (a server's own default graph may hold anything);
- blank nodes are stored as well-known IRIs (SPARQL Update cannot address a blank node
  twice) and read back as blank nodes, so one blank node sent in several requests stays
  one node;
- data goes out in requests of at most ``batch_size`` triples; a request the server finds
  too large (Virtuoso's SP031 "generated SQL text has exceeded 10000 lines", HTTP 413 or
  414 ...) is cut in half and sent again, and the size that went through is kept for the
  rest of the data;
- data that needs several requests (a file ``evkg load`` sends, the seeds of a new store)
  goes into staging graphs first (``urn:evkg:staging:<run>:<n>``, at most ``stage_size``
  triples each), then into place with a request per staging graph; a failure before
  those requests leaves the store as it was (see :meth:`SparqlStore.load_file`). Staging
  graphs are never in the registry, the union or the dataset of evkg's queries.
"""

from __future__ import annotations

import itertools
import os
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreError
from ..loading import network_guard
from . import LoadProgress, LoadReport, Store

if TYPE_CHECKING:
    import httpx
    from rdflib import Dataset
    from rdflib.query import Result

__all__ = ["SparqlStore", "USER_VARIABLE", "PASSWORD_VARIABLE", "TIMEOUT_VARIABLE"]

#: The environment variables that hold the credentials for the endpoint.
USER_VARIABLE = "EVKG_SPARQL_USER"
PASSWORD_VARIABLE = "EVKG_SPARQL_PASSWORD"
#: The environment variable that sets the seconds to wait for each answer of the server.
TIMEOUT_VARIABLE = "EVKG_SPARQL_TIMEOUT"
#: Seconds to wait for each answer when ``EVKG_SPARQL_TIMEOUT`` is not set: enough for a
#: busy machine and for moving a staging graph of 100,000 triples into place.
TIMEOUT = 300.0

_SD = "http://www.w3.org/ns/sparql-service-description#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
#: Triples per SPARQL Update request when loading.
BATCH = 2000
#: Triples per staging graph; each is moved into place by a request of its own, so that
#: no request copies more than this many triples twice. (Virtuoso aborts a transaction
#: whose log outgrows its limit, error SR325: with its shipped settings, one request
#: moving a million triples of the scale benchmark's data did.)
STAGE = 100_000
#: The start of the IRIs of staging graphs: a load fills them, then moves them into place.
STAGING = "urn:evkg:staging:"
#: What a server answers to a request too large for it, whatever its content: Virtuoso's
#: compiler limits (SP031 "The length of generated SQL text has exceeded 10000 lines of
#: code", a limit built into the server that no virtuoso.ini setting raises; SQ199 "Maximum
#: size of a code vector exceeded"; SQ200 "Query too large") and Oxigraph's "SPARQL body
#: payloads are limited to" (128 MB); any server's HTTP 413 and 414 count too.
_TOO_LARGE = re.compile(r"\b(?:SP031|SQ199|SQ200)\b|payloads are limited to|entity too large|payload too large|URI too long", re.I)


def _names():
    from ..ontology import GRAPH

    return GRAPH["store/union"], GRAPH["store/graphs"], GRAPH[".well-known/genid/"], GRAPH["store/none"]


class SparqlStore(Store):
    """The knowledge base on a SPARQL 1.1 endpoint (query and update protocol).

    Parameters
    ----------
    url : str
        The query endpoint, e.g. ``http://localhost:8890/sparql``.
    update_url : str, optional
        The update endpoint, when the server has a separate one.
    timeout : float, optional
        Seconds to wait for each answer of the server; unless given, ``EVKG_SPARQL_TIMEOUT``
        or 300.
    batch_size : int
        Triples per SPARQL Update request when adding data, at most: a request the server
        refuses as too large is cut in half and sent again, and the store keeps the size
        that went through.
    stage_size : int
        Triples per staging graph when a load needs several requests; each staging graph
        is moved into place by one request (see :meth:`load_file`).

    Examples
    --------
    >>> store = SparqlStore("http://localhost:8890/sparql", batch_size=500, timeout=30)
    >>> store.spec, store.batch_size, store.timeout
    ('sparql:http://localhost:8890/sparql', 500, 30.0)
    """

    persistent = True
    native_sparql = True

    def __init__(
        self,
        url: str,
        *,
        update_url: str | None = None,
        timeout: float | None = None,
        batch_size: int = BATCH,
        stage_size: int = STAGE,
    ):
        if not re.match(r"^https?://[^/\s]+", url):
            raise StoreError(f"--store sparql:URL needs an http(s) URL of a SPARQL endpoint, e.g. sparql:http://localhost:8890/sparql; got {url!r}.")
        self.url = url
        self.update_url = update_url or url
        self.spec = f"sparql:{url}"
        self.timeout = _timeout(timeout)
        if batch_size < 1:
            raise StoreError(f"the batch size of a SPARQL store is a number of triples per request, at least 1; got {batch_size}.")
        self.batch_size = batch_size
        if stage_size < 1:
            raise StoreError(f"the stage size of a SPARQL store is a number of triples per staging graph, at least 1; got {stage_size}.")
        self.stage_size = stage_size
        self._client: httpx.Client | None = None
        self._auth = None
        self._dataset: Dataset | None = None
        self._graphs: list | None = None
        self._around: dict[tuple, list] = {}
        # ``nothing`` names a graph evkg never writes; see _protocol_dataset.
        self.union, self.registry, self.genid, self.nothing = _names()

    # ------------------------------------------------------------- HTTP

    def _http(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(timeout=self.timeout, trust_env=False)
        return self._client

    def _post(self, url: str, data: list[tuple[str, str]], accept: str):
        import httpx

        from urllib.parse import urlencode

        user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
        body = urlencode(data).encode()
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        try:
            # The store's own endpoint is the one the user named: evkg's guard against
            # fetching remote data (active while a query runs) does not apply to it.
            with network_guard(True):
                response = self._http().post(url, content=body, headers=headers, auth=self._auth)
                if response.status_code == 401 and user and self._auth is None:
                    challenge = response.headers.get("www-authenticate", "")
                    self._auth = (httpx.DigestAuth if challenge.lower().startswith("digest") else httpx.BasicAuth)(user, password or "")
                    response = self._http().post(url, content=body, headers=headers, auth=self._auth)
        except httpx.TimeoutException:
            raise StoreError(
                f"{self.spec}: the server did not answer within {self.timeout:g} s; "
                f"{TIMEOUT_VARIABLE} sets how long to wait."
            ) from None
        except httpx.HTTPError as exc:
            raise StoreError(f"{self.spec}: cannot reach the server at {url} ({type(exc).__name__}: {_first_line(exc)}). Is it running, and is the URL right?") from None
        if response.status_code in (401, 403):
            given = "the credentials in" if user else "no credentials; set"
            raise StoreError(
                f"{self.spec}: the server refused access (HTTP {response.status_code}); evkg sent {given} "
                f"{USER_VARIABLE} and {PASSWORD_VARIABLE}. Set them to a user allowed to "
                f"{'update' if 'update' in _keys(data) else 'query'} this endpoint."
            )
        if response.status_code >= 400:
            why = " ".join(response.text.split())[:300]
            error = StoreError(f"{self.spec}: the server answered HTTP {response.status_code}: {why}")
            error.too_large = response.status_code in (413, 414) or bool(_TOO_LARGE.search(why))
            raise error
        return response

    def _select(self, text: str, *, dataset: bool | list[tuple[str, str]] = True) -> tuple[list[str], list[dict]]:
        """Run a SELECT or ASK; (variables, rows of rdflib terms).

        ``dataset`` is True to read evkg's graphs (the union as the default graph, the
        registered graphs as the named ones), False for a query that names every graph it
        reads, or the protocol's ``default-graph-uri``/``named-graph-uri`` pairs to send.
        """
        import json

        data = [("query", text)]
        if dataset is True:
            data += self._protocol_dataset()
        elif dataset:
            data += dataset
        response = self._post(self.url, data, "application/sparql-results+json")
        try:
            answer = json.loads(response.text)
            variables = answer["head"].get("vars", [])
        except (ValueError, KeyError, TypeError):
            kind = response.headers.get("content-type", "no content type")
            raise StoreError(f"{self.spec}: the server's answer is not SPARQL results ({kind}); is {self.url} a SPARQL endpoint?") from None
        if "boolean" in answer:
            return ["_ask"], [{"_ask": bool(answer["boolean"])}]
        try:
            bindings = answer["results"]["bindings"]
            _refuse_a_cut_answer(self.spec, text, len(bindings), response.headers.get("x-sparql-maxrows"))
            rows = [{k: self._term(v) for k, v in row.items()} for row in bindings]
        except (KeyError, TypeError, AttributeError, ValueError):
            kind = response.headers.get("content-type", "no content type")
            raise StoreError(f"{self.spec}: the server's answer is JSON but not SPARQL results ({kind}); is {self.url} a SPARQL endpoint?") from None
        if variables == ["__ASK_RETVAL"]:  # Virtuoso answers ASK in JSON as a one-cell table
            return ["_ask"], [{"_ask": bool(rows and str(rows[0]["__ASK_RETVAL"]) not in ("0", "false"))}]
        return variables, rows

    def _update(self, text: str) -> None:
        self._post(self.update_url, [("update", text)], "*/*")

    def _protocol_dataset(self) -> list[tuple[str, str]]:
        return self._dataset_pairs([self.union], self.graphs())

    def _dataset_pairs(self, default: Iterable, named: Iterable) -> list[tuple[str, str]]:
        """The protocol parameters for a dataset, never naming a staging graph.

        Virtuoso reads a request that names no named graph as "every graph on the
        server", staging graphs and its own included (an empty registry, a query with
        FROM but no FROM NAMED): an empty half is sent as ``self.nothing``, a graph that
        never holds a triple. The default graph gets the same, for servers that read it
        so.
        """
        default = [str(g) for g in default if not str(g).startswith(STAGING)] or [str(self.nothing)]
        named = [str(g) for g in named if not str(g).startswith(STAGING)] or [str(self.nothing)]
        return [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in named]

    # ------------------------------------------------------------- terms

    def _term(self, binding: dict):
        from rdflib import BNode, Literal, URIRef

        kind, value = binding.get("type"), binding.get("value", "")
        if kind == "uri":
            if value.startswith(str(self.genid)):
                return BNode(value[len(str(self.genid)):])
            return URIRef(value)
        if kind == "bnode":
            return BNode(value)
        language = binding.get("xml:lang")
        if language:
            return Literal(value, lang=language)
        datatype = binding.get("datatype")
        if not datatype or datatype == _XSD + "string":
            return Literal(value)
        if datatype == _XSD + "decimal" and re.fullmatch(r"-?\d+", value):
            value += ".0"  # written 10 by the server, 10.0 by rdflib
        elif datatype == _XSD + "boolean" and value in ("0", "1"):
            value = "true" if value == "1" else "false"
        return Literal(value, datatype=URIRef(datatype))

    def _n3(self, term) -> str:
        from rdflib import BNode

        if isinstance(term, BNode):
            return f"<{self.genid}{term}>"
        return term.n3()

    # ------------------------------------------------------------- the Store face

    def graphs(self) -> list:
        """The named graphs evkg keeps on the server, from its registry."""
        if self._graphs is None:
            from rdflib import URIRef

            _, rows = self._select(
                f"SELECT ?g WHERE {{ GRAPH <{self.registry}> {{ ?g a <{_SD}NamedGraph> }} }} ORDER BY ?g",
                dataset=False,
            )
            if any("g" not in row for row in rows):
                raise StoreError(f"{self.spec}: the server answered a query for ?g with rows that have no ?g; is {self.url} a SPARQL endpoint?")
            self._graphs = [URIRef(row["g"]) for row in rows]
        return self._graphs

    def dataset(self) -> Dataset:
        if self._dataset is None:
            from rdflib import Dataset

            self._dataset = Dataset(store=_plugin()(self), default_union=True)
        return self._dataset

    def needs_seeds(self) -> bool:
        from ..ontology import GRAPH

        return GRAPH["ontology"] not in self.graphs()

    def add_quads(self, quads: Iterable[tuple]) -> None:
        """Add quads with SPARQL Update, all or nothing: each to its graph and to the union.

        Quads that fit in one request go in one ``INSERT DATA``; more are staged first, as
        :meth:`load_file` describes. Quads outside a named graph go to the graph
        ``data/default``.

        Raises
        ------
        StoreError
            The server refused a request or could not be reached; the message names the
            triples of the failing request and the server's answer.
        """
        self._write(quads, what=None)

    def _write(
        self,
        quads: Iterable[tuple],
        *,
        what: str | None,
        total: int | None = None,
        progress: LoadProgress | None = None,
    ) -> None:
        """Send quads in requests of ``batch_size`` triples; staged when there are several.

        ``what`` (a file) starts the messages of errors; None for no file. A request the
        server refuses as too large is cut in half and sent again (see :class:`_Batches`).
        """
        batches = _Batches(self._lines(quads), self.batch_size)
        first = batches.take()
        if first is None:
            return
        try:
            if batches.more():
                batches.give_back(first)
            else:
                size = _size(first)
                try:
                    self._insert(first)
                except StoreError as exc:
                    if not (getattr(exc, "too_large", False) and batches.cut(first)):
                        raise StoreError(
                            f"{self._sending(what)} batch 1 (triples 1..{size:,}) failed: "
                            f"{_sentence(self._server_message(exc))} Nothing was loaded."
                        ) from None
                    # Too large for one request: staged in smaller ones, all or nothing still.
                else:
                    if progress:
                        progress("writing", size, total)
                    return
            self._stage_and_move(batches, what=what, total=total, progress=progress)
        finally:
            self.batch_size = batches.size  # what went through, for the next data sent
            self._around.clear()

    def _lines(self, quads: Iterable[tuple]) -> Iterator[tuple]:
        """The quads as (graph name, N-Triples line) pairs."""
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        from ..ontology import GRAPH

        default = GRAPH["data/default"]
        for s, p, o, g in quads:
            name = getattr(g, "identifier", g)
            if name is None or name == DATASET_DEFAULT_GRAPH_ID:
                name = default
            # A blank node becomes the same well-known IRI in every request, so a node
            # whose triples land in different batches (or staging graphs) stays one node.
            yield name, f"{self._n3(s)} {self._n3(p)} {self._n3(o)} ."

    def _insert(self, batch: dict) -> None:
        """One INSERT DATA: the triples into their graphs and the union, new graphs into
        the registry."""
        lines = [line for triples in batch.values() for line in triples]
        new = [g for g in batch if g not in self.graphs()]
        body = "".join(f"GRAPH <{g}> {{\n{chr(10).join(triples)}\n}}\n" for g, triples in batch.items())
        body += f"GRAPH <{self.union}> {{\n" + "\n".join(lines) + "\n}\n"
        if new:
            body += self._registry_block(new)
        self._update(f"INSERT DATA {{\n{body}}}")
        if new:
            self._graphs = sorted({*self.graphs(), *new})

    def _registry_block(self, graphs: list) -> str:
        return f"GRAPH <{self.registry}> {{\n" + "\n".join(f"<{g}> a <{_SD}NamedGraph> ." for g in graphs) + "\n}\n"

    def _stage_and_move(
        self,
        batches: _Batches,
        *,
        what: str | None,
        total: int | None,
        progress: LoadProgress | None,
    ) -> None:
        """Send every batch into staging graphs of at most ``stage_size`` triples each, then
        move them into place, a request per staging graph. A batch the server refuses as
        too large is cut in half and sent again; the batches after it keep the smaller size."""
        from rdflib import URIRef

        run = uuid.uuid4().hex
        stages: list[tuple] = []  # (target graph, staging graph), in the order they were opened
        filling: dict = {}  # target graph -> [its staging graph now filled, triples in it]
        sent = number = 0
        first = last = 0
        try:
            while (batch := batches.take()) is not None:
                number += 1
                first, last = sent + 1, sent + _size(batch)
                into, opened = {}, []  # where each graph's triples go; staging graphs this batch opens
                for target, triples in batch.items():
                    current = filling.get(target)
                    if current is None or (current[1] and current[1] + len(triples) > self.stage_size):
                        current = [URIRef(f"{STAGING}{run}:{len(stages) + len(opened) + 1}"), 0]
                        opened.append((target, current))
                    into[target] = current
                body = "".join(
                    f"GRAPH <{into[g][0]}> {{\n{chr(10).join(triples)}\n}}\n" for g, triples in batch.items()
                )
                try:
                    self._update(f"INSERT DATA {{\n{body}}}")
                except StoreError as exc:
                    if getattr(exc, "too_large", False) and batches.cut(batch):
                        number -= 1
                        continue
                    stages.extend((target, current[0]) for target, current in opened)  # dropped below
                    raise
                for target, current in opened:
                    filling[target] = current
                    stages.append((target, current[0]))
                for target, triples in batch.items():
                    into[target][1] += len(triples)
                sent = last
                if progress:
                    progress("writing", sent, total)
        except BaseException as exc:
            kept = self._drop(stage for _, stage in stages)
            if not isinstance(exc, StoreError):
                raise  # an interruption: the staging graphs are gone, nothing was loaded
            message = (
                f"{self._sending(what)} batch {number} (triples {first:,}..{last:,}) failed: "
                f"{_sentence(self._server_message(exc))} Nothing was loaded"
            )
            if first == 1:
                message += "."
            elif not kept:
                message += f": the {first - 1:,} triples sent before were staged apart and have been dropped."
            else:
                message += (
                    f"; the {first - 1:,} triples sent before are still staged apart in {_iris(kept)}, "
                    "which evkg never reads; remove them with DROP SILENT GRAPH."
                )
            raise StoreError(message) from None
        new = sorted({target for target, _ in stages if target not in self.graphs()})
        for step, (target, stage) in enumerate(stages, start=1):
            operations = [f"ADD <{stage}> TO <{target}>", f"ADD <{stage}> TO <{self.union}>"]
            if step == 1 and new:  # listed from the first step on, so that any part moved can be found
                operations.append(f"INSERT DATA {{\n{self._registry_block(new)}}}")
            operations.append(f"DROP SILENT GRAPH <{stage}>")
            try:
                self._update(" ;\n".join(operations))
            except StoreError as exc:
                self._drop(stage for _, stage in stages[step - 1:])
                self._graphs = None  # the registry may have changed: read it again
                where = "" if len(stages) == 1 else f" (step {step} of {len(stages)}, a staging graph each)"
                raise StoreError(
                    f"{what or self.spec}: all {sent:,} triples reached {self.spec}, but moving them into place "
                    f"failed{where}: {_sentence(self._server_message(exc))} Part of them may be in the store: "
                    + ("the steps before this one moved theirs, and " if step > 1 else "")
                    + "the server may keep the operations of a request that ran before a failing one. Check "
                    "with `evkg stats`, then load the file again: triples already there are not doubled."
                ) from None
        if new:
            self._graphs = sorted({*self.graphs(), *new})

    def _drop(self, graphs: Iterable) -> list:
        """Drop graphs, best effort; the ones that could not be dropped."""
        graphs = list(graphs)
        if not graphs:
            return []
        try:
            self._update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
        except StoreError:
            return graphs
        return []

    def _sending(self, what: str | None) -> str:
        return f"{what}: sending to {self.spec}" if what else f"{self.spec}: sending"

    def _server_message(self, error: StoreError) -> str:
        """What the server said, from an error raised by _post."""
        text = str(error).removeprefix(f"{self.spec}: ")
        return re.sub(r"\s*SPARQL query:.*$", "", text)  # Virtuoso repeats the whole request

    def query(self, text: str, prefixes: dict[str, str]) -> Result | None:
        from rdflib import Variable
        from rdflib.query import Result

        from ..sparql import order_star, prefix_block, prepare

        full = prefix_block(prefixes) + text
        query = prepare(text, prefixes=prefixes)
        # A query naming its own dataset (FROM, FROM NAMED) keeps it, sent again as protocol
        # parameters so that the half it leaves out is empty, as SPARQL says, rather than
        # every graph on the server; other queries see evkg's graphs only.
        clauses = query.algebra.get("datasetClause") or []
        name = query.algebra.name
        if name in ("ConstructQuery", "DescribeQuery"):
            return None  # rdflib evaluates them over the store, with blank nodes mapped back
        if _has_repeated_path(query):
            # Virtuoso (7.2) drops rows of a query that joins a path of any length (*, +, ?)
            # with other patterns when the default graph is restricted (openlink/
            # virtuoso-opensource#127): rdflib evaluates it over the store instead.
            return None
        dataset = True
        if clauses:
            dataset = self._dataset_pairs(
                # A CompValue's get() answers the key itself when it is missing: test with in.
                [c["default"] for c in clauses if "default" in c],
                [c["named"] for c in clauses if "named" in c],
            )
        variables, rows = self._select(full, dataset=dataset)
        if variables == ["_ask"]:
            result = Result("ASK")
            result.askAnswer = rows[0]["_ask"]
            return result
        truths = _boolean_variables(query)
        result = Result("SELECT")
        result.vars = [Variable(v) for v in order_star(text, variables)]
        result.bindings = [
            {Variable(k): _as_boolean(v) if k in truths else v for k, v in row.items()} for row in rows
        ]
        return result

    def load_file(
        self,
        path: Path,
        *,
        graph_iri: str,
        format: str | None = None,
        allow_network: bool = False,
        progress: LoadProgress | None = None,
    ) -> LoadReport:
        """Add one RDF file with SPARQL Update, all or nothing.

        The file is parsed whole first, so a syntax error sends nothing. Its triples then
        go out in requests of ``batch_size`` triples, graph after graph (in the order of
        their names). A request the server refuses as too large (Virtuoso's SP031, which
        its shipped configuration answers to 2,000 triples; HTTP 413 or 414) is cut in
        half and sent again, and the size that went through is kept for the rest of the
        file and after (``batch_size`` becomes it). A file that fits in one request is
        one ``INSERT DATA``, which Virtuoso checks whole before it writes any of it. A larger file is written into
        staging graphs of at most ``stage_size`` triples (100,000 by default), named
        ``urn:evkg:staging:<run>:<n>``: they are in neither the registry nor the union, and
        never in the dataset of evkg's queries, so no reader sees them. Then each staging
        graph is moved into place by a request of its own::

            ADD <staging> TO <target> ; ADD <staging> TO <union> ;
            INSERT DATA { registry of new graphs }   (the first request only) ;
            DROP SILENT GRAPH <staging>

        ``ADD`` keeps what the target graph already holds. When a request fails before
        the moves (the server refuses a literal, the connection drops, the load is
        interrupted), the staging graphs are dropped and the store is as it was. A file of
        up to ``stage_size`` triples is moved by one request.

        The moves are not one transaction: readers may see a file of several staging
        graphs arrive in steps, and Virtuoso keeps the operations of a request that ran
        before a failing one. The moves copy triples the server has already accepted, so
        they fail only if the server stops, runs out of room or the connection breaks;
        the error then says which step failed and that the store may hold part of the
        file. One request per staging graph keeps each within Virtuoso's default
        transaction log limit, which a single request moving a million triples exceeds.

        Parameters
        ----------
        path : Path
            The RDF file, in any format evkg reads.
        graph_iri : str
            The graph of the triples that the file puts in no named graph.
        format : str, optional
            The RDF format, when the extension does not tell it.
        allow_network : bool
            Let the parser fetch remote documents (JSON-LD contexts).
        progress : callable, optional
            Called as ``progress(stage, done, total)``: once with ``("parsing", n, n)``
            when the file is parsed, then with ``("writing", sent, n)`` after each
            request. Counts are triples; a triple the file puts in two graphs counts twice.
            For 5,000 triples and the default batch size: ``("parsing", 5000, 5000)``,
            ``("writing", 2000, 5000)``, ``("writing", 4000, 5000)``,
            ``("writing", 5000, 5000)``.

        Returns
        -------
        LoadReport
            The file, its number of (distinct) triples and the seconds it took.

        Raises
        ------
        InputError, ParseError, UnsafeInputError, NetworkAccessError
            The file cannot be read or parsed; nothing was sent.
        StoreError
            A request failed: the message names the file, the batch and its triples
            (``batch 3 (triples 4,001..6,000)``) and the server's answer, and says that
            nothing was loaded (or, if the last request failed, that part may be).
        """
        from rdflib import URIRef

        from ..loading import parse_file

        started = time.perf_counter()
        parsed = parse_file(path, format=format, graph_iri=URIRef(graph_iri), allow_network=allow_network)
        graphs = sorted((g for g in parsed.graphs() if len(g)), key=lambda g: str(g.identifier))
        total = sum(len(g) for g in graphs)
        if progress:
            progress("parsing", total, total)
        quads = ((s, p, o, g.identifier) for g in graphs for s, p, o in g)
        self._write(quads, what=str(path), total=total, progress=progress)
        return LoadReport(path, len(parsed), time.perf_counter() - started)

    # ------------------------------------------------------------- triple patterns

    def match(self, pattern: tuple, graph=None) -> Iterator[tuple]:
        """Triples matching ``pattern`` in ``graph`` (None: the union), with the graphs
        holding each one when reading the union."""
        subject, predicate, obj = pattern
        # Reading an entity asks many patterns about one subject (or object): fetch all
        # its quads once, then answer the patterns here rather than one request each.
        if graph is None and (subject is not None or obj is not None) and not (subject is not None and predicate is not None and obj is not None):
            key = ("s", subject) if subject is not None else ("o", obj)
            if key not in self._around:
                if len(self._around) > 20000:
                    self._around.clear()
                around = (subject, None, None) if subject is not None else (None, None, obj)
                self._around[key] = list(self._match(around, None))
            return iter([
                (triple, graphs) for triple, graphs in self._around[key]
                if all(want is None or want == got for want, got in zip(pattern, triple))
            ])
        return self._match(pattern, graph)

    def _match(self, pattern: tuple, graph=None) -> Iterator[tuple]:
        s, p, o = (None if t is None else self._n3(t) for t in pattern)
        where = f"{s or '?s'} {p or '?p'} {o or '?o'}"
        names = [v for v, t in zip(("s", "p", "o"), (s, p, o)) if t is None]
        if graph is None:
            select = " ".join(f"?{n}" for n in ["g", *names])
            _, rows = self._select(f"SELECT {select} WHERE {{ GRAPH ?g {{ {where} }} }}")
        elif names:
            select = " ".join(f"?{n}" for n in names)
            _, rows = self._select(f"SELECT {select} WHERE {{ GRAPH <{graph}> {{ {where} }} }}", dataset=False)
        else:
            _, rows = self._select(f"ASK {{ GRAPH <{graph}> {{ {where} }} }}", dataset=False)
            rows = [{}] if rows[0]["_ask"] else []
        found: dict[tuple, list] = {}
        for row in rows:
            triple = tuple(row.get(n) if t is None else term for n, t, term in zip(("s", "p", "o"), (s, p, o), pattern))
            found.setdefault(triple, []).append(row.get("g", graph))
        return iter(found.items())

    def count(self, graph=None) -> int:
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph is not None else f"GRAPH <{self.union}> {{ ?s ?p ?o }}"
        _, rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}", dataset=False)
        return int(rows[0]["n"]) if rows else 0


#: Expressions whose value is a boolean, which some servers (Virtuoso) return as 1 or 0.
_BOOLEAN_EXPRESSIONS = {
    "RelationalExpression", "ConditionalAndExpression", "ConditionalOrExpression", "UnaryNot",
    "Builtin_CONTAINS", "Builtin_STRSTARTS", "Builtin_STRENDS", "Builtin_REGEX", "Builtin_BOUND",
    "Builtin_sameTerm", "Builtin_LANGMATCHES", "Builtin_isIRI", "Builtin_isBLANK", "Builtin_isLITERAL",
    "Builtin_isNUMERIC", "Builtin_EXISTS", "Builtin_NOTEXISTS",
}


#: The query's own LIMIT, at its end (after the last closing brace, perhaps with an OFFSET).
_OWN_LIMIT = re.compile(r"\}[^{}]*\bLIMIT\s+(\d+)[^{}]*$", re.IGNORECASE)


def _refuse_a_cut_answer(spec: str, text: str, rows: int, cap: str | None) -> None:
    """Raise when the server says it cut the answer at its row cap: a partial answer
    would be a wrong one. Virtuoso sends ``X-SPARQL-MaxRows`` when an answer reaches its
    ``ResultSetMaxRows``; an answer the query's own LIMIT keeps within the cap is whole.

    >>> _refuse_a_cut_answer("sparql:x", "SELECT * WHERE { ?s ?p ?o } LIMIT 5", 5, "5")
    >>> _refuse_a_cut_answer("sparql:x", "SELECT * WHERE { ?s ?p ?o }", 5, "5")
    Traceback (most recent call last):
    ...
    evkg.errors.StoreError: sparql:x: the server cut the answer at 5 rows (its row limit, sent as X-SPARQL-MaxRows), so it may be incomplete, and evkg does not give partial answers. Raise the limit on the server (Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini), or add a LIMIT to the query.
    """
    if cap is None or not cap.strip().isdigit() or rows < int(cap):
        return
    own = _OWN_LIMIT.search(text)
    if own and int(own.group(1)) <= int(cap):
        return
    raise StoreError(
        f"{spec}: the server cut the answer at {int(cap):,} rows (its row limit, sent as X-SPARQL-MaxRows), "
        "so it may be incomplete, and evkg does not give partial answers. Raise the limit on the server "
        "(Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini), or add a LIMIT to the query."
    )


def _boolean_variables(query) -> set[str]:
    """The variables a query binds (BIND, SELECT expressions) to a boolean expression."""
    from ..sparql import _walk

    return {
        str(node["var"])
        for node in _walk(query.algebra)
        if getattr(node, "name", None) == "Extend" and getattr(node.get("expr"), "name", None) in _BOOLEAN_EXPRESSIONS
    }


def _has_repeated_path(query) -> bool:
    """Whether a query holds a property path of any length (``p*``, ``p+``, ``p?``).

    >>> from evkg.sparql import prepare
    >>> _has_repeated_path(prepare("SELECT * WHERE { ?f a/rdfs:subClassOf* ev:Facility }"))
    True
    >>> _has_repeated_path(prepare("SELECT * WHERE { ?f ev:operator/rdfs:label ?name }"))
    False
    """
    from rdflib.paths import AlternativePath, InvPath, MulPath, Path, SequencePath

    from ..sparql import _walk

    def repeated(path) -> bool:
        if isinstance(path, MulPath):
            return True
        if isinstance(path, (SequencePath, AlternativePath)):
            return any(repeated(part) for part in path.args)
        if isinstance(path, InvPath):
            return repeated(path.arg)
        return False

    return any(isinstance(node, Path) and repeated(node) for node in _walk(query.algebra))


def _as_boolean(term):
    from rdflib import Literal
    from rdflib.namespace import XSD

    if isinstance(term, Literal) and term.datatype != XSD.boolean and str(term) in ("0", "1"):
        return Literal(str(term) == "1")
    return term


class _Batches:
    """(graph, line) pairs, taken as batches of at most ``size`` lines by graph name; a
    batch the server refused as too large is given back and taken again in smaller ones.

    >>> batches = _Batches(iter([("g", "a"), ("g", "b"), ("h", "c")]), 2)
    >>> first = batches.take(); first
    {'g': ['a', 'b']}
    >>> batches.cut(first), batches.size
    (True, 1)
    >>> batches.take(), batches.take(), batches.take(), batches.take()
    ({'g': ['a']}, {'g': ['b']}, {'h': ['c']}, None)
    """

    def __init__(self, lines: Iterator[tuple], size: int):
        self.lines = lines
        self.size = size
        self.back: list[tuple] = []  # lines given back, sent before the rest

    def take(self) -> dict | None:
        """The next batch, or None when every line has been taken."""
        count = min(self.size, len(self.back))
        chosen, self.back = self.back[:count], self.back[count:]
        chosen += itertools.islice(self.lines, self.size - count)
        batch: dict = {}
        for graph, line in chosen:
            batch.setdefault(graph, []).append(line)
        return batch or None

    def more(self) -> bool:
        """Whether a line is left to take."""
        if not self.back:
            self.back = list(itertools.islice(self.lines, 1))
        return bool(self.back)

    def give_back(self, batch: dict) -> None:
        """Take ``batch`` again, first."""
        self.back = [(graph, line) for graph, lines in batch.items() for line in lines] + self.back

    def cut(self, batch: dict) -> bool:
        """Give back ``batch``, refused as too large, to be sent in halves; False when it is
        a single triple, which cannot be cut."""
        size = _size(batch)
        if size < 2:
            return False
        self.size = min(self.size, size // 2)
        self.give_back(batch)
        return True


def _timeout(given: float | None) -> float:
    """The seconds to wait for each answer: ``given``, else ``EVKG_SPARQL_TIMEOUT``, else 300.

    >>> _timeout(12), _timeout(None) > 0
    (12.0, True)
    """
    if given is None:
        text = os.environ.get(TIMEOUT_VARIABLE, "").strip()
        if not text:
            return TIMEOUT
        try:
            given = float(text)
        except ValueError:
            given = -1.0
        if not given > 0:
            raise StoreError(f"{TIMEOUT_VARIABLE} is the seconds to wait for each answer of a SPARQL server, a number above 0; got {text!r}.")
    if not given > 0:
        raise StoreError(f"the timeout of a SPARQL store is the seconds to wait for each answer, above 0; got {given}.")
    return float(given)


def _size(batch: dict) -> int:
    """The number of triples in a batch (lines by graph)."""
    return sum(len(lines) for lines in batch.values())


def _sentence(text: str) -> str:
    """``text`` ending as a sentence does."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _iris(graphs: Iterable) -> str:
    return ", ".join(f"<{g}>" for g in graphs)


def _keys(data: list[tuple[str, str]]) -> set[str]:
    return {key for key, _ in data}


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [""])[0]


def _plugin():
    """An rdflib Store that reads the remote store by triple patterns."""
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, Graph
    from rdflib.store import Store as RdflibStore

    class RemotePlugin(RdflibStore):
        context_aware = True
        graph_aware = True
        formula_aware = False
        transaction_aware = False

        def __init__(self, remote: SparqlStore):
            super().__init__()
            self.remote = remote

        def _name(self, context):
            name = getattr(context, "identifier", context)
            return None if name is None else name

        def triples(self, triple_pattern, context=None):
            name = self._name(context)
            if name == DATASET_DEFAULT_GRAPH_ID:
                return iter(())
            for term in triple_pattern:
                if term is not None and not hasattr(term, "n3"):
                    return iter(())
            if name is not None and name not in self.remote.graphs():
                return iter(())
            found = self.remote.match(triple_pattern, name)
            return ((triple, iter(Graph(store=self, identifier=g) for g in graphs)) for triple, graphs in found)

        def __len__(self, context=None):
            name = self._name(context)
            if name == DATASET_DEFAULT_GRAPH_ID:
                return 0
            if name is not None and name not in self.remote.graphs():
                return 0
            return self.remote.count(name)

        def contexts(self, triple=None):
            if triple is None:
                return (Graph(store=self, identifier=g) for g in self.remote.graphs())
            found = dict(self.remote.match(triple))
            return (Graph(store=self, identifier=g) for g in sorted(set(found.get(tuple(triple), []))))

        def add_graph(self, graph):
            pass  # a graph exists on the server once it holds a triple

        def addN(self, quads):  # noqa: N802 (rdflib's naming)
            self.remote.add_quads(quads)

        def add(self, triple, context, quoted=False):
            self.remote.add_quads([(*triple, context)])

    return RemotePlugin
