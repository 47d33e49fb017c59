"""Hypothesis strategies that mutate valid inputs of every surface evkg reads: SPARQL text,
RDF documents, CSV tables, article text and HTTP requests.

Each strategy starts from a valid input (a shipped example query, a small document of
``corpus/``, an example table of ``examples/import``, an article written for the tests)
and applies a few mutations: deleting, duplicating and swapping tokens or spans, inserting
pieces the grammar gives meaning to (brackets, keywords, operators, escapes), unicode,
long literals and raw bytes. Starting from valid input keeps most cases deep in the parser
and past it, where random bytes would stop at the first character.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from hypothesis import strategies as st

__all__ = [
    "CORPUS",
    "RDF_DOCUMENTS",
    "EXAMPLE_QUERIES",
    "CSV_TABLES",
    "ARTICLES",
    "sparql_texts",
    "rdf_documents",
    "csv_tables",
    "article_bytes",
    "http_requests",
]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"

#: Suffix -> the valid document the RDF mutations start from.
RDF_DOCUMENTS: dict[str, bytes] = {path.suffix: path.read_bytes() for path in sorted(CORPUS.glob("doc.*"))}
EXAMPLE_QUERIES: list[str] = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "evkg" / "queries").glob("*.rq"))]
#: kind -> the example table of ``examples/import``.
CSV_TABLES: dict[str, bytes] = {path.stem: path.read_bytes() for path in sorted((ROOT / "examples" / "import").glob("*.csv"))}
ARTICLES: list[bytes] = [
    *(path.read_bytes() for path in sorted(CORPUS.glob("article-*.txt"))),
    *(path.read_bytes() for path in sorted((ROOT / "examples" / "articles").glob("*.md"))),
]

# --------------------------------------------------------------------------- shared pieces

#: Text a parser may choke on anywhere: unicode of every plane, controls, escapes.
ODD_TEXT = [
    "\x00", "\x1b", "\r", "\r\n", "\t", "\u00a0", "\u200b", "\u202e", "\ufeff", "\ufffd",
    "\ud7ff", "\U0001f50b", "\U0010ffff", "é", "ß", "Ω", "中国", "ø", "İ", "\\", "\\u0000",
    "\\uD800", "\\U0010FFFF", "\\U00110000", "%00", "%", "&amp;", "&#0;", "${x}", "{{x}}",
]


def _odd_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD_TEXT),
        st.text(max_size=12),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=4),
    )


def _long_run() -> st.SearchStrategy[str]:
    """A long run of one character or word: long literals, long names, long numbers."""
    return st.builds(
        lambda unit, count: unit * count,
        st.sampled_from(["a", "9", "é", " ", "\\", '"', "\U0001f50b", "ab", "1."]),
        st.integers(min_value=200, max_value=20_000),
    )


#: List mutations, weighted: a cut document is refused at its end, and one cut in a dozen is enough.
_OPERATIONS = ["delete"] * 2 + ["duplicate"] * 2 + ["swap"] * 2 + ["insert"] * 3 + ["replace"] * 2 + ["repeat", "truncate"]


def _mutate_list(draw, items: list, pieces: st.SearchStrategy, *, rounds: int = 4) -> list:
    """Apply 1..rounds list mutations: delete, duplicate, swap, insert, replace, repeat."""
    items = list(items)
    for _ in range(draw(st.integers(min_value=1, max_value=rounds))):
        op = draw(st.sampled_from(_OPERATIONS))
        if not items:
            items = [draw(pieces)]
            continue
        i = draw(st.integers(min_value=0, max_value=len(items) - 1))
        if op == "delete":
            del items[i : i + draw(st.integers(min_value=1, max_value=3))]
        elif op == "duplicate":
            items.insert(i, items[i])
        elif op == "swap":
            j = draw(st.integers(min_value=0, max_value=len(items) - 1))
            items[i], items[j] = items[j], items[i]
        elif op == "insert":
            items.insert(i, draw(pieces))
        elif op == "replace":
            items[i] = draw(pieces)
        elif op == "repeat":
            items[i : i + 1] = [items[i]] * draw(st.integers(min_value=2, max_value=300))
        else:
            items = items[:i]
    return items


# --------------------------------------------------------------------------- SPARQL

_SPARQL_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\s]*>|[?$]\w+|[A-Za-z_][\w-]*:[\w.-]*\w|:[\w-]+|\d+(?:\.\d+)?|\w+"
    r"|\^\^|\|\||&&|!=|<=|>=|#[^\n]*|\s+|\S"
)

_SPARQL_KEYWORDS = [
    "SELECT", "SELECT *", "DISTINCT", "REDUCED", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS",
    "GRAPH", "GRAPH ?g", "BIND", "AS", "VALUES", "VALUES ?x { 1 2 }", "GROUP BY", "ORDER BY", "HAVING",
    "LIMIT", "OFFSET", "LIMIT 0", "OFFSET 99999999999999999999", "ASK", "CONSTRUCT", "DESCRIBE", "DESCRIBE *",
    "FROM", "FROM NAMED", "FROM <https://w3id.org/evkg/graph/reference>", "FROM NAMED <https://w3id.org/evkg/graph/ontology>",
    "FROM <file:///etc/passwd>", "SERVICE <http://127.0.0.1:9/sparql>", "SERVICE SILENT <file:///etc/passwd>",
    "LOAD <file:///etc/passwd>", "INSERT DATA { <http://x/s> <http://x/p> 1 }", "DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL", "DROP GRAPH <https://w3id.org/evkg/graph/ontology>", "PREFIX x: <http://x/>", "BASE <http://x/>",
    "PREFIX ev: <file:///>", "a", "NOT EXISTS", "EXISTS", "IN", "NOT IN", "COUNT(*)", "SAMPLE", "GROUP_CONCAT",
    "SEPARATOR", "UNDEF", "true", "false",
]
_SPARQL_FUNCTIONS = [
    'REGEX(?x, "(a+)+$")', 'REGEX(STR(?x), "[")', 'REPLACE(STR(?x), "a", "aa")', 'REPLACE("a", "", "b")',
    "STRLEN(?x)", "SUBSTR(?x, -1, 99999999999)", 'xsd:integer("V")', '"V"^^xsd:integer', '"1e999"^^xsd:double',
    '"2026-02-30"^^xsd:date', '"x"^^xsd:gYear', "COALESCE()", "IF(?x, 1)", "BNODE()", "UUID()", "NOW()",
    "RAND()", "ABS(?x)", "ROUND(1/0)", "1/0", "STRDT(?x, <>)", "LANGMATCHES(LANG(?x), \"*\")", "IRI(?x)",
    'IRI("file:///etc/passwd")', 'IRI("")', "<http://example.org/fn>(?x)", "ex:custom(?x)", "str()", "ENCODE_FOR_URI(?x)",
    "CONCAT(?x, ?x, ?x)", "MD5(?x)", "SHA512(?x)", "TZ(?x)", "sameTerm(?x)", "DATATYPE(?x)",
]
_SPARQL_PUNCTUATION = list("{}()[].;,*/+-!=<>?$^|@#'\"") + [
    "||", "&&", "!=", "<=", ">=", "^^", "@en", "@", "_:b", "[]", "()", "<>", "<http://x y>", "<\n>", '"""',
    "'''", "^", "|", "/", "?", "+", "*", "!", "?x", "$x", "?1", "?é", "ex:", ":", "x:y", "rdf:type",
]


def _sparql_pieces() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_SPARQL_KEYWORDS),
        st.sampled_from(_SPARQL_FUNCTIONS),
        st.sampled_from(_SPARQL_PUNCTUATION),
        _odd_text(),
        st.builds(lambda run: f'"{run}"', _long_run()),
        st.integers(min_value=-(10**40), max_value=10**40).map(str),
        st.sampled_from(["1e999", "-0", "0.0e-999", "1.", ".5", "+1", "99999999999999999999999"]),
        st.builds(lambda c, n: c * n, st.sampled_from(["(", "{", "[", "((", "!", "-"]), st.integers(min_value=2, max_value=400)),
        st.builds(lambda n: "{ " * n + "}" * n, st.integers(min_value=2, max_value=300)),
    )


@st.composite
def sparql_texts(draw) -> str:
    """A shipped example query with 1-4 token mutations."""
    tokens = _SPARQL_TOKEN.findall(draw(st.sampled_from(EXAMPLE_QUERIES)))
    tokens = _mutate_list(draw, tokens, _sparql_pieces())
    # Inserted pieces need spaces around them to be tokens of their own, most of the time.
    glue = draw(st.sampled_from(["", " "]))
    return glue.join(tokens) if glue else "".join(tokens)


# --------------------------------------------------------------------------- RDF

_RDF_PIECES: dict[str, list[str]] = {
    "text": [
        "<", ">", '"', "'", '"""', "@prefix", "@base", "PREFIX", "BASE", "[", "]", "(", ")", "{", "}", ";", ",", ".",
        "^^", "@en", "@en-x-", "@", "_:b0", "_:", "a", "true", "<http://x y>", "<file:///etc/passwd>", "<>", "<#>",
        "ex:", ":", "ex:a", "GRAPH", "<http://example.org/fuzz/g>", "=>", "{|", "|}", "<<", ">>", "\\u0000", "\\uD800",
        "\\U00110000", "\\", "\\n", '"x"^^<>', '"1"^^xsd:integer', '"V"^^<http://www.w3.org/2001/XMLSchema#integer>',
        "1e999", "-0", "0x10",
    ],
    "xml": [
        "<", ">", "/>", "</", "<!--", "-->", "<![CDATA[", "]]>", "&", "&amp;", "&lt;", "&#0;", "&#x110000;", "&foo;",
        '<!DOCTYPE r [<!ENTITY e "eeeeeeeeee">]>', '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "&e;",
        'rdf:about=""', 'rdf:about="http://x y"', 'rdf:resource="file:///etc/passwd"', 'rdf:nodeID="b0"',
        'rdf:nodeID="1 2"', 'rdf:parseType="Literal"', 'rdf:parseType="Resource"', 'rdf:parseType="Collection"',
        'rdf:parseType="Other"', 'xml:lang=""', 'xml:lang="en-"', 'xml:base="file:///"', 'rdf:datatype=""',
        'rdf:datatype="http://www.w3.org/2001/XMLSchema#integer"', "<rdf:li>", "<rdf:Description>", "<rdf:RDF>",
        '<?xml version="1.0" encoding="x-unknown"?>', '<?xml version="1.0" encoding="utf-16"?>', "xmlns:=\"\"",
        'xmlns:ex="http://x y"', "<ex:p>", "</ex:p>", '"', "'", "=",
    ],
    "json": [
        "{", "}", "[", "]", ":", ",", '"', "null", "true", "1e999", "-0", '"@context"', '"@id"', '"@type"', '"@value"',
        '"@language"', '"@graph"', '"@list"', '"@set"', '"@reverse"', '"@index"', '"@base"', '"@vocab"', '"@import"',
        '"@context": "file:///etc/passwd"', '"@context": ["http://127.0.0.1:9/c.jsonld"]', '"@context": "/etc/passwd"',
        '"@context": {"@import": "file:///etc/passwd"}', '"@id": "http://x y"', '"@id": "_:b0"', '"@id": ""',
        '"http://x/p> \\"v\\" <http://x/g> .\\n<http://x/s> <http://x/q": 1', '"@type": "@json"', '"@direction": "rtl"',
        '"@version": 1.1', '"@protected": true', '{"@value": 1, "@type": "x:y"}', '"\\u0000"', '"\\ud800"',
    ],
}
_PIECE_FAMILY = {".rdf": "xml", ".trix": "xml", ".jsonld": "json"}


def _rdf_pieces(suffix: str) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.sampled_from(_RDF_PIECES[_PIECE_FAMILY.get(suffix, "text")]).map(str.encode),
        _odd_text().map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.builds(lambda run: f'"{run}"'.encode(), _long_run()),
        st.binary(min_size=1, max_size=4),
        st.sampled_from([b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc3", b"\xed\xa0\x80", b"\x00\x00", b"\x80"]),
    )


_SPAN = re.compile(rb"\s+|[\w:#/.-]+|\S", re.ASCII)


@st.composite
def rdf_documents(draw) -> tuple[str, bytes]:
    """(suffix, bytes): a small valid document of ``corpus/`` with 1-3 span mutations."""
    suffix = draw(st.sampled_from(sorted(RDF_DOCUMENTS)))
    spans = _SPAN.findall(RDF_DOCUMENTS[suffix])
    spans = _mutate_list(draw, spans, _rdf_pieces(suffix), rounds=3)
    data = b"".join(spans)
    if draw(st.integers(min_value=0, max_value=9)) == 0:  # a byte flipped anywhere
        if data:
            at = draw(st.integers(min_value=0, max_value=len(data) - 1))
            data = data[:at] + bytes([draw(st.integers(min_value=0, max_value=255))]) + data[at + 1 :]
    return suffix, data


# --------------------------------------------------------------------------- CSV

_CELLS = [
    "", " ", "CATL", "catl", "BYD", "company:catl", "company:", "https://w3id.org/evkg/id/company/catl",
    "<https://w3id.org/evkg/id/company/catl>", "http://x y", "file:///etc/passwd", "Hungary", "Europe", "Asia",
    "China", "Example Cells Ltd", "battery maker", "automaker", "company", "city", "country", "planet", "GWh",
    "EUR", "XXX", "per year", "count", "vehicles", "%", "0", "-1", "1e999", "NaN", "inf", "-0", "1,5", "150,000",
    "1.000.000", "12 000", "０１２", "٣", "2026", "0000", "99999", "2026-13-45", "2026-02", "late 2026", "yes",
    "=1+1", "+1", "-1+1", "@SUM(A1)", '=HYPERLINK("http://x/?"&A1,"click")', "\t=1", "a;b", "a,b", 'a"b', "a\nb",
    "a\r\nb", "\x00", "\u202e", "\ufeff", "None", "null", "planned", "operating", "joint venture", "battery cell",
    "EV battery production capacity", "vehicle exports", "year-on-year", "majority stake",
]


def _cells() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(_CELLS), _odd_text(), _long_run())


def _table_rows(data: bytes) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))]


@st.composite
def csv_tables(draw) -> tuple[str, bytes]:
    """(kind, bytes): an example table of ``examples/import`` with cell, column, row and byte
    mutations, written with a chosen delimiter. Now and then the kind is another one's."""
    table = draw(st.sampled_from(sorted(CSV_TABLES)))
    kind = table if draw(st.integers(min_value=0, max_value=5)) else draw(st.sampled_from(sorted(CSV_TABLES)))
    rows = _table_rows(CSV_TABLES[table])
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        op = draw(st.sampled_from(["cell", "cell", "cell", "header", "drop-column", "copy-column", "rows", "widen"]))
        width = max(len(row) for row in rows) if rows else 0
        column = draw(st.integers(min_value=0, max_value=max(width - 1, 0)))
        if op == "cell" and len(rows) > 1:
            r = draw(st.integers(min_value=1, max_value=len(rows) - 1))
            if column < len(rows[r]):
                rows[r][column] = draw(_cells())
        elif op == "header" and rows and column < len(rows[0]):
            rows[0][column] = draw(st.one_of(
                st.sampled_from([rows[0][column].upper(), rows[0][column].replace("_", "-"), " " + rows[0][column],
                                 rows[0][(column + 1) % len(rows[0])], "partner_99", "confidence", ""]),
                _odd_text(),
            ))
        elif op == "drop-column":
            rows = [row[:column] + row[column + 1 :] for row in rows]
        elif op == "copy-column":
            rows = [row[: column + 1] + row[column:] for row in rows]
        elif op == "rows" and rows:
            rows = rows[:1] + _mutate_list(draw, rows[1:], st.lists(_cells(), max_size=width + 2), rounds=2)
        elif op == "widen" and rows:
            r = draw(st.integers(min_value=0, max_value=len(rows) - 1))
            rows[r] = rows[r] + draw(st.lists(_cells(), min_size=1, max_size=3))
    delimiter = draw(st.sampled_from([",", ",", ";", "\t", "|"]))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"]))).writerows(rows)
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    data = text.encode(encoding, "replace") if encoding != "utf-8" else text.encode("utf-8", "surrogatepass")
    if draw(st.integers(min_value=0, max_value=7)) == 0:
        spans = _mutate_list(draw, re.findall(rb"[^,;\t\n]+|.", data, re.S), st.binary(min_size=1, max_size=3), rounds=2)
        data = b"".join(spans)
    return kind, data


# --------------------------------------------------------------------------- articles

_ARTICLE_PIECES = [
    "CATL", "BYD", "Tesla", "Hungary", "China", "Pakistan", "Volta Cells Ltd", "Example Motors Co", "the company",
    "It", "which owns", "a joint venture with", "formed an alliance with", "holds a 40% stake in", "owns 51% of",
    "is building a", "plant in", "based in", "headquartered in", "exported", "vehicles", "cars", "€2.1 billion",
    "$3bn", "¥100 billion", "Rs 5 trillion", "15 GWh", "100 GWh", "1e308 GWh", "0.0000001 GWh", "1,000,000,000,000,000 GWh",
    "40%", "250%", "-5%", "up 20% year-on-year", "in 2027", "by 2099", "in 0001", "late 2026", "Q3 2025",
    "said on Tuesday", "\n\n", "\n", "\r\n", "\t", "| a | b |\n| 1 | 2 |\n", "| Year | GWh |\n|---|---|\n| 2025 | x |\n",
    "# Heading\n", "> quote\n", "Ltd Ltd Ltd", "Co.", "Inc.", "GmbH", "U.S.", "e.g.", "Mr.", "No.", "...", ";", ":",
    "“", "”", "’s", "—", "–", "(", ")", "[", "]",
]


def _article_pieces() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_ARTICLE_PIECES),
        _odd_text(),
        st.builds(lambda word, n: " ".join([word] * n), st.sampled_from(["Capital", "CATL", "Ltd", "of", "9", "GWh", "A."]),
                  st.integers(min_value=10, max_value=2_000)),
        st.builds(lambda n: "x" * n, st.integers(min_value=1_000, max_value=50_000)),
    )


_WORDS = re.compile(r"\s+|[^\s]+")


@st.composite
def article_bytes(draw) -> bytes:
    """An article's bytes: one written for the tests, with word and line mutations, then
    encoded (mostly UTF-8) and now and then byte mutations."""
    text = draw(st.sampled_from(ARTICLES)).decode("utf-8")
    if draw(st.booleans()):
        parts = _mutate_list(draw, text.splitlines(keepends=True), _article_pieces(), rounds=3)
    else:
        parts = _mutate_list(draw, _WORDS.findall(text), _article_pieces(), rounds=5)
    text = "".join(parts)
    encoding = draw(st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1", "shift_jis"]))
    data = text.encode(encoding, "replace") if encoding != "utf-8" else text.encode("utf-8", "surrogatepass")
    if draw(st.integers(min_value=0, max_value=7)) == 0:
        data = b"".join(_mutate_list(draw, re.findall(rb".{1,16}", data, re.S), st.binary(min_size=1, max_size=4), rounds=2))
    return data


# --------------------------------------------------------------------------- HTTP

_PATHS = [
    "/", "/search", "/api/search", "/api/vocabulary", "/path", "/query", "/sparql", "/id/company/catl",
    "/id/country/hungary", "/id/", "/id/%00", "/id/company/catl/../../etc/passwd", "/entity/company/catl",
    "/entity/x", "/source/", "/source/article/x", "/resource", "/graph/entity/company/catl", "/graph/entity/",
    "/graph/path", "/static/style.css", "/static/../../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd",
    "/static/", "/static/yasgui/", "/favicon.ico", "/sparql/", "//sparql", "/SPARQL", "/query/../sparql", "/nope",
]
_PARAMS = ["query", "update", "default-graph-uri", "named-graph-uri", "q", "limit", "format", "iri", "from", "to",
           "k", "depth", "example", "using-graph-uri", "x"]
_VALUES = [
    "", "CATL", "catl", "Hungary", "company:catl", "https://w3id.org/evkg/id/company/catl", "http://x y", "file:///etc/passwd",
    "0", "-1", "10", "99999999999999999999", "1e9", "NaN", "json", "csv", "tsv", "xml", "turtle", "jsonld", "html",
    "ASK {}", "ASK { ?s ?p ?o }", "SELECT * WHERE { ?s ?p ?o } LIMIT 3", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3",
    "DESCRIBE company:catl", "SELECT * FROM NAMED <https://w3id.org/evkg/graph/reference> WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1",
    "INSERT DATA { <http://x/s> <http://x/p> 1 }", "LOAD <file:///etc/passwd>", "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "https://w3id.org/evkg/graph/reference", "https://w3id.org/evkg/graph/ontology", "catl-plants", "ownership", "../x",
]
_ACCEPT = [
    "*/*", "text/html", "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
    "text/tab-separated-values", "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
    "application/json", "text/plain", "image/png", "text/html;q=0", "*/*;q=x", "text/*;q=0.5, */*;q=0.1", ";;;", "",
    "application/sparql-results+json;q=1.5", "a/b/c",
]
_CONTENT_TYPES = [
    "application/sparql-query", "application/sparql-update", "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1", "application/sparql-query; charset=utf-16",
    "application/sparql-query; charset=x-unknown", "multipart/form-data; boundary=x", "multipart/form-data",
    "text/plain", "application/json", "", ";", "application/sparql-query;charset",
]
_HEADER_NAMES = ["accept", "content-type", "origin", "user-agent", "accept-language", "accept-encoding", "referer",
                 "cookie", "x-forwarded-for", "x-forwarded-host", "range", "if-none-match", "authorization",
                 "access-control-request-method", "x-evkg"]


def _header_value() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_ACCEPT + _CONTENT_TYPES + ["http://evil.example", "null", "bytes=0-1", "bytes=9-1", "gzip, br"]),
        st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
    )


def _query_value() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(_VALUES), sparql_texts(), _odd_text(), st.text(max_size=30))


def _path() -> st.SearchStrategy[str]:
    segment = st.text(alphabet="abcxyz019-._~%2e/", min_size=0, max_size=12)
    return st.one_of(
        st.sampled_from(_PATHS),
        st.builds(lambda base, tail: base.rstrip("/") + "/" + tail, st.sampled_from(_PATHS), segment),
    )


@st.composite
def http_requests(draw) -> dict:
    """A request as a dict: method, path, params (list of pairs), headers (list of pairs), body (bytes)."""
    method = draw(st.sampled_from(["GET"] * 5 + ["POST"] * 4 + ["HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE"]))
    params = draw(st.lists(st.tuples(st.sampled_from(_PARAMS), _query_value()), max_size=4))
    headers = draw(st.lists(st.tuples(st.sampled_from(_HEADER_NAMES), _header_value()), max_size=4))
    body_kind = draw(st.sampled_from(["none", "form", "sparql", "bytes"]))
    if body_kind == "form":
        pairs = draw(st.lists(st.tuples(st.sampled_from(_PARAMS), _query_value()), min_size=1, max_size=3))
        from urllib.parse import urlencode

        body = urlencode(pairs).encode()
        headers.append(("content-type", "application/x-www-form-urlencoded"))
    elif body_kind == "sparql":
        body = draw(_query_value()).encode("utf-8", "surrogatepass")
        headers.append(("content-type", draw(st.sampled_from(_CONTENT_TYPES))))
    elif body_kind == "bytes":
        body = draw(st.binary(max_size=64))
    else:
        body = b""
    return {"method": method, "path": draw(_path()), "params": params, "headers": headers, "body": body}
