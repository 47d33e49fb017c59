"""Split an article into sentences with their character offsets.

Blocks come first: a blank line, a markdown heading, a list item or a line that reads as a
heading (no closing punctuation, the next line starting a new sentence) ends a block, so a
sentence never spans a blank line and a heading or list item is a unit of its own. Inside a
block, pysbd (the rule-based Golden Rules segmenter) splits the sentences; it keeps
abbreviations such as "U.S." and "Co." whole, and a sentence it starts with a corporate
suffix ("Ltd.") is joined back to the name before it. pysbd rather than spaCy's
sentencizer: they split these texts alike, and importing spaCy alone takes about a second,
half of what a whole suggest run may take. Every sentence is a slice of the text:
``text[s.start:s.end] == s.text``.

Examples
--------
>>> text = "# Volta opens a plant\\n\\nVolta Cells Co. Ltd. opened a plant. It cost $1bn.\\n- A list item\\n"
>>> [(s.kind, s.text) for s in split_sentences(text)]
[('heading', 'Volta opens a plant'), ('sentence', 'Volta Cells Co. Ltd. opened a plant.'), ('sentence', 'It cost $1bn.'), ('item', 'A list item')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Sentence", "split_sentences"]

_HEADING_MARK = re.compile(r"^[^\S\n]{0,3}#{1,6}[^\S\n]+")
_ITEM_MARK = re.compile(r"^[^\S\n]*(?:[-*+•▪◦–]|\(?\d{1,3}[.)]|\(?[a-z][.)])[^\S\n]+")
# A table row (markdown or plain pipes): a unit of its own.
_TABLE_ROW = re.compile(r"^[^\n]*\|[^\n]*\|")
# What a line ends with when its sentence is over: punctuation, closing quotes, brackets.
_CLOSED = re.compile(r"[.!?:;…”’\"')\]]\s*$")
# Opening quotation marks a segmenter may leave at the end of the sentence before.
_OPENERS = "“‘\"«(["
# A sentence that starts with one of these continues a company's name ("Co. Ltd.").
_SUFFIX_START = re.compile(r"^(?:Ltd|Inc|Co|Corp|Limited|GmbH|AG|S\.?A|plc|LLC|Bhd|Tbk)\b")
# A line this long without closing punctuation is not a heading; in a text wrapped at a
# fixed width (most lines between these lengths), it is a wrapped line.
_WRAP_WIDTH = 60
_WRAP_MAX = 100


@dataclass(frozen=True)
class Sentence:
    """One sentence, heading or list item of an article.

    Attributes
    ----------
    start, end : int
        Offsets into the article text: ``text[start:end] == self.text``.
    text : str
        The sentence, without surrounding white space or list and heading marks.
    kind : str
        ``"sentence"``, ``"heading"`` or ``"item"``.
    block : int
        The number of the block (paragraph, heading or item) it belongs to, from 0.
    """

    start: int
    end: int
    text: str
    kind: str
    block: int


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _lines(text: str):
    """(start, end) of every line, without its line break."""
    start = 0
    for match in re.finditer(r"\n", text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def _blocks(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each block: paragraphs, headings and list items."""
    blocks: list[list] = []
    open_block: list | None = None
    wrapped = _is_wrapped(text)
    for start, end in _lines(text):
        line = text[start:end]
        if not line.strip():
            open_block = None
            continue
        heading = _HEADING_MARK.match(line)
        item = _ITEM_MARK.match(line)
        if not (heading or item) and _TABLE_ROW.match(line):
            blocks.append([start, end, "item"])
            open_block = None
            continue
        if heading or item:
            mark = (heading or item).end()
            blocks.append([start + mark, end, "heading" if heading else "item"])
            open_block = None if heading else blocks[-1]
            continue
        if open_block is not None and open_block[2] == "sentence" and _continues(text[open_block[0]:open_block[1]], line, wrapped):
            open_block[1] = end
            continue
        open_block = [start, end, "sentence"]
        blocks.append(open_block)
    result = []
    for start, end, kind in blocks:
        chunk = text[start:end]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        start, end = start + lead, end - trail
        if start >= end:
            continue
        if (kind == "sentence" and "\n" not in text[start:end] and not _CLOSED.search(text[start:end])
                and end - start < _WRAP_MAX):
            kind = "heading"
        result.append((start, end, kind))
    return result


def _is_wrapped(text: str) -> bool:
    """Whether the text is wrapped at a fixed width (most lines of similar, modest length)
    rather than written one paragraph to a line."""
    lengths = [len(line.rstrip()) for line in text.split("\n") if line.strip()]
    if len(lengths) < 3 or max(lengths) > _WRAP_MAX + 20:
        return False
    return sum(_WRAP_WIDTH <= n <= _WRAP_MAX for n in lengths) * 2 >= len(lengths)


def _continues(previous: str, line: str, wrapped: bool) -> bool:
    """Whether ``line`` carries on the block ``previous`` (a wrapped paragraph): it starts
    in lower case, or the text is wrapped and the line before is left open."""
    first = line.lstrip()[:1]
    if first.islower():
        return True
    if not wrapped:
        return False
    last_line = previous.rsplit("\n", 1)[-1]
    return not _CLOSED.search(last_line) and len(last_line.rstrip()) >= _WRAP_WIDTH


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences, headings and list items with their offsets.

    Parameters
    ----------
    text : str
        The article text.

    Returns
    -------
    list of Sentence
        In text order; none is empty, none spans a blank line, and for each
        ``text[s.start:s.end] == s.text``.

    Examples
    --------
    >>> [s.text for s in split_sentences("The U.S. firm grew. Sales rose 5%.\\n\\nNew paragraph here.")]
    ['The U.S. firm grew.', 'Sales rose 5%.', 'New paragraph here.']
    """
    segmenter = _segmenter()
    sentences: list[Sentence] = []
    for number, (start, end, kind) in enumerate(_blocks(text)):
        if kind != "sentence":
            sentences.append(Sentence(start, end, text[start:end], kind, number))
            continue
        # A line break inside a block is a wrapped line: the segmenter sees a space there
        # (the same length, so every offset holds).
        flat = text[start:end].replace("\n", " ")
        spans = [[start + at + a, start + at + b] for at, piece in _pieces(flat)
                 for a, b in _locate(piece, 0, len(piece), segmenter.segment(piece))]
        for span in _tidy(text, spans):
            sentences.append(Sentence(span[0], span[1], text[span[0]:span[1]], kind, number))
    return sentences


#: Most characters handed to the segmenter at once. It scans its whole text again for each
#: abbreviation it meets, so a block costs the square of its length: 4,000 "Ltd" in one
#: paragraph took 10 s, a megabyte would take hours. Paragraphs are shorter than this (a
#: longer one is cut after a sentence end, a sentence longer than this at a space).
_SEGMENT_MAX = 3000
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def _pieces(flat: str):
    """(offset, text) of the parts of a long block, each at most :data:`_SEGMENT_MAX`
    characters: cut after the last sentence end in reach, else at the last space."""
    start = 0
    while len(flat) - start > _SEGMENT_MAX:
        window = flat[start : start + _SEGMENT_MAX]
        cut = max((m.end() for m in _SENTENCE_END.finditer(window)), default=0)
        if not cut:
            cut = window.rfind(" ") + 1 or _SEGMENT_MAX
        yield start, flat[start : start + cut]
        start += cut
    yield start, flat[start:]


def _locate(text: str, start: int, end: int, pieces: list[str]) -> list[list[int]]:
    """The spans of the segmenter's pieces in ``text[start:end]``, found in order (the
    pieces are the text cut, so each is found where the last one ended)."""
    spans: list[list[int]] = []
    cursor = start
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        at = text.find(piece, cursor, end)
        if at < 0:  # the segmenter changed the text: keep the rest as one sentence
            break
        if spans:
            spans[-1][1] = at
        spans.append([at, at + len(piece)])
        cursor = at + len(piece)
    if not spans:
        return [[start, end]]
    spans[-1][1] = end
    return spans


def _tidy(text: str, spans: list[list[int]]) -> list[list[int]]:
    """Give opening quotes left at a sentence's end to the next one; trim white space;
    join a sentence of punctuation alone to its neighbour."""
    for this, following in zip(spans, spans[1:]):
        cut = this[1]
        while cut > this[0] and (text[cut - 1] in _OPENERS or text[cut - 1].isspace()):
            cut -= 1
        if cut < this[1] and any(text[i] in _OPENERS for i in range(cut, this[1])):
            following[0] = cut
            this[1] = cut
    tidy: list[list[int]] = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        if not any(ch.isalnum() for ch in text[start:end]) and tidy:
            tidy[-1][1] = end
            continue
        if tidy and (not any(ch.isalnum() for ch in text[tidy[-1][0]:tidy[-1][1]])
                     or _SUFFIX_START.match(text[start:end])):
            tidy[-1][1] = end
            continue
        tidy.append([start, end])
    return tidy
