"""Where a quote stands in its source text: character for character, one rule aside.

A quote is the source's own characters. The one allowance: a sentence the source breaks
across lines (``"rooted in\\n\\nChina"``) is quoted with one plain space where the break is
(``"rooted in China"``). Nothing else is equal to anything else: a no-break space
(U+00A0) is not a space, curly quotes are not straight ones, two spaces are not one.

Examples
--------
>>> find_quote("Lithium came first.", "Intro. Lithium came first. Then nickel.")
(7, 26)
>>> quote_in_text("plants in\\u00a0Spain", "New plants in\\u00a0Spain opened.")
True
>>> quote_in_text("plants in Spain", "New plants in\\u00a0Spain opened.")
False
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["find_quote", "quote_in_text", "LINE_BREAK"]

#: What one space of a quote may stand for besides itself: a line break, with any
#: blank lines and plain indentation around it (spaces, tabs, CR/LF; never U+00A0).
LINE_BREAK = r"[ \t]*(?:\r\n|\r|\n)[ \t\r\n]*"


@lru_cache(maxsize=4096)
def _pattern(quote: str) -> re.Pattern[str]:
    pieces = [re.escape(piece) for piece in quote.split(" ")]
    return re.compile(f"(?: |{LINE_BREAK})".join(pieces))


def find_quote(quote: str, text: str) -> tuple[int, int] | None:
    """Return where ``quote`` occurs in ``text`` as ``(start, end)``, or None.

    The match is character-exact, except that one plain space of the quote also matches
    a line break of the text (with blank lines and indentation around it), so that a
    sentence the source breaks across lines can be quoted on one line. An empty quote,
    or one made only of whitespace, is found nowhere.

    Parameters
    ----------
    quote : str
        The sentence as a fact cites it.
    text : str
        The full text of the source.

    Returns
    -------
    tuple of (int, int) or None
        The first occurrence as slice bounds of ``text`` (``text[start:end]`` is the
        source's own characters), or None when the quote is not in the text.

    Examples
    --------
    >>> find_quote("rooted in the north", "It is rooted in\\n\\nthe north, they say.")
    (6, 26)
    >>> find_quote("rooted  in the north", "It is rooted in\\n\\nthe north.") is None
    True
    >>> find_quote("say \\u201cyes\\u201d", 'they say "yes"') is None
    True
    >>> find_quote("", "anything") is None
    True
    """
    if not quote.strip():
        return None
    match = _pattern(quote).search(text)
    return None if match is None else match.span()


def quote_in_text(quote: str, text: str) -> bool:
    """Return True when ``quote`` occurs in ``text`` by the rule of :func:`find_quote`.

    Examples
    --------
    >>> quote_in_text("the bridge opened", "In May the bridge\\nopened.")
    True
    >>> quote_in_text("the bridge opened", "In May the bridge\\u00a0opened.")
    False
    """
    return find_quote(quote, text) is not None
