"""Read an article to suggest facts from: a ``.txt`` or ``.md`` file, its bytes, or standard input.

An :class:`Article` is the decoded text (every offset a suggestion gives is into it), its
title, date and URL, and the SHA-256 digest of the bytes it was read from. Input that
cannot be an article (empty, binary, not UTF-8, too large, missing) is refused with an
:class:`~evkg.errors.InputError` before anything else runs.

Examples
--------
>>> a = read_article(b"# Volta Cells opens a plant\\n\\nVolta Cells said on Monday ...", date="2026-03")
>>> a.title, a.date, a.path
('Volta Cells opens a plant', '2026-03', None)
>>> a.source_iri[:10]
'urn:sha256'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import InputError

__all__ = [
    "Article",
    "read_article",
    "find_articles",
    "check_date",
    "check_url",
    "MAX_BYTES",
    "SUFFIXES",
]

#: The largest article read, in bytes. A news article is 5 to 50 kB; one megabyte is
#: a short book, which suggest would take minutes over and nobody could review.
MAX_BYTES = 1_000_000

#: The file name endings taken as articles (in a folder, the others are left alone).
SUFFIXES = (".txt", ".md")

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
# Control characters a text file may hold: tab, line feed, form feed, carriage return.
_ALLOWED_CONTROLS = frozenset("\t\n\f\r")


@dataclass(frozen=True)
class Article:
    """One article, decoded and checked.

    Attributes
    ----------
    text : str
        The whole decoded text (line ends made ``\\n``, a byte-order mark dropped); every
        offset of a suggestion is into this string.
    title : str or None
        The given title, else the first non-empty line (a markdown ``#`` heading mark stripped).
    date : str or None
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
    url : str or None
        An ``http`` or ``https`` URL.
    path : str or None
        The file as given; ``None`` for bytes or standard input.
    sha256 : str
        The hex digest of the bytes read.
    """

    text: str
    title: str | None
    date: str | None
    url: str | None
    path: str | None
    sha256: str

    @property
    def source_iri(self) -> str:
        """The source a suggested fact names: the URL if given, else ``urn:sha256:<digest>``."""
        return self.url or f"urn:sha256:{self.sha256}"

    @property
    def source_title(self) -> str:
        """The title a new source gets: the article's title, else its file name, else its digest."""
        if self.title:
            return self.title
        if self.path:
            return Path(self.path).name
        return f"article {self.sha256[:12]}"

    def source_dict(self) -> dict:
        """The ``source`` object of the JSON contract: title, date, url, path and sha256."""
        return {"title": self.title, "date": self.date, "url": self.url, "path": self.path, "sha256": self.sha256}


def read_article(
    source: str | Path | bytes,
    *,
    title: str | None = None,
    date: str | None = None,
    url: str | None = None,
    path: str | None = None,
) -> Article:
    """Read and check one article.

    Parameters
    ----------
    source : str, Path or bytes
        A file name (``-`` reads standard input), or the article's bytes.
    title : str, optional
        The title; default the first non-empty line of the text.
    date : str, optional
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
    url : str, optional
        Where the article is published (``http`` or ``https``).
    path : str, optional
        The name to record for bytes; a file source records its own name.

    Returns
    -------
    Article

    Raises
    ------
    InputError
        A missing file or a folder, an empty, binary or non-UTF-8 text, a file over
        :data:`MAX_BYTES`, a bad date or URL.

    Examples
    --------
    >>> read_article(b"Title\\n\\nBody.", title="Given").title
    'Given'
    >>> read_article(b"")
    Traceback (most recent call last):
    ...
    evkg.errors.InputError: the article is empty: there is no text to suggest facts from.
    """
    date = check_date(date)
    url = check_url(url)
    if isinstance(source, bytes):
        data, name = source, path
    elif str(source) == "-":
        data, name = _read_limited(sys.stdin.buffer, "standard input"), path
    else:
        data, name = _read_file(Path(source)), str(source)
    what = name or "the article"
    if len(data) > MAX_BYTES:
        raise _too_large(what, len(data))
    text = _decode(data, what)
    if title is not None:
        title = " ".join(title.split()) or None
    else:
        title = _first_line_title(text)
    return Article(
        text=text, title=title, date=date, url=url, path=name, sha256=hashlib.sha256(data).hexdigest()
    )


def find_articles(folder: str | Path) -> list[Path]:
    """The ``.txt`` and ``.md`` files directly in ``folder``, sorted by name.

    Hidden files (``.name``) are left out.

    Raises
    ------
    InputError
        The folder does not exist, or holds no ``.txt`` or ``.md`` file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder.")
    files = sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
    )
    if not files:
        raise InputError(
            f"{folder}: the folder holds no .txt or .md file; give an article file, "
            "or a folder of articles saved as plain text or markdown."
        )
    return files


def check_date(date: str | None) -> str | None:
    """Check an article date: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, a real calendar date.

    >>> check_date("2026-02")
    '2026-02'
    >>> check_date("2026-02-30")
    Traceback (most recent call last):
    ...
    evkg.errors.InputError: --date 2026-02-30: not a calendar date; give YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2026-03-14.
    """
    if date is None:
        return None
    date = date.strip()
    match = _DATE.match(date)
    problem = None
    if not match:
        problem = "not a date"
    else:
        year, month, day = (int(g) if g else 1 for g in match.groups())
        try:
            dt.date(year, month, day)
        except ValueError:
            problem = "not a calendar date"
    if problem:
        raise InputError(f"--date {date}: {problem}; give YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2026-03-14.")
    return date


def check_url(url: str | None) -> str | None:
    """Check an article URL: ``http`` or ``https`` with a host, no spaces.

    >>> check_url("https://example.org/news/1")
    'https://example.org/news/1'
    """
    if url is None:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise InputError(
            f"--url {url}: not an http or https address; give where the article is published, "
            "e.g. https://example.org/news/volta-plant."
        )
    return url


# --------------------------------------------------------------------------- helpers


def _read_file(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: no such file.")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give an article file (.txt or .md).")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _too_large(str(path), size)
        with path.open("rb") as handle:
            return _read_limited(handle, str(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror}.") from None


def _read_limited(handle, what: str) -> bytes:
    # Read one byte past the limit: enough to know it is too large, never the whole of it.
    data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_large(what, None)
    return data


def _too_large(what: str, size: int | None) -> InputError:
    actual = f" ({size / 1_000_000:.1f} MB)" if size else ""
    return InputError(
        f"{what}: too large{actual}; an article may be at most {MAX_BYTES // 1_000_000} MB "
        f"({MAX_BYTES:,} bytes). That is far longer than any news article, and suggestions "
        "for a text that long could not be reviewed; split it into its articles."
    )


def _decode(data: bytes, what: str) -> str:
    if not data.strip():
        raise _empty(what)
    for bom, encoding in ((b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):
        if data.startswith(bom):
            raise _not_utf8(what, (encoding, encoding))
    if b"\x00" in data:
        wide = _wide_text(data)
        if wide:
            raise _not_utf8(what, _encoding_name(wide))
        raise _binary(what)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        looks = _guess_encoding(data)
        if looks is None:
            raise _binary(what) from None
        also = _also_windows_1252(data, looks)
        raise _not_utf8(what, _encoding_name(looks), exc.start, data[exc.start], also=also) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = [c for c in text if unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS]
    if controls:
        raise _binary(what)
    if not text.strip():
        raise _empty(what)
    return text


def _empty(what: str) -> InputError:
    if what == "the article":
        return InputError("the article is empty: there is no text to suggest facts from.")
    return InputError(f"{what}: empty (nothing but white space): there is no text to suggest facts from.")


def _wide_text(data: bytes) -> str | None:
    """``utf_16_le`` or ``utf_16_be`` for text in UTF-16 without a byte-order mark, else None.

    Latin text in UTF-16 has a NUL in every other byte, all at one parity; binary data
    has NULs anywhere. charset-normalizer names the byte order."""
    sample = data[:65536]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if min(even, odd) > 0 or max(even, odd) < len(sample) // 4:
        return None
    looks = _guess_encoding(sample)
    if looks and looks.startswith("utf_16"):
        return looks
    return "utf_16_le" if odd else "utf_16_be"


def _also_windows_1252(data: bytes, looks: str) -> str | None:
    """Windows-1252, the most common legacy encoding of all, when the guess is another
    Windows code page for a Latin script and the bytes read as Windows-1252 too: short
    texts do not tell these apart."""
    if looks not in ("cp1250", "cp1254", "cp1257", "cp1258"):
        return None
    try:
        data[:65536].decode("cp1252")
    except UnicodeDecodeError:
        return None
    return "Windows-1252"


def _guess_encoding(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    return best.encoding if best is not None else None


# Python codec names (as charset-normalizer gives them) → (the common name, iconv's name).
_ENCODING_NAMES = {
    "utf_16": ("UTF-16", "UTF-16"), "utf_16_le": ("UTF-16", "UTF-16LE"), "utf_16_be": ("UTF-16", "UTF-16BE"),
    "utf_32": ("UTF-32", "UTF-32"), "latin_1": ("ISO-8859-1 (Latin-1)", "ISO-8859-1"),
    "cp932": ("Shift_JIS", "CP932"), "shift_jis": ("Shift_JIS", "SHIFT_JIS"), "euc_jp": ("EUC-JP", "EUC-JP"),
    "gb2312": ("GB2312", "GB18030"), "gbk": ("GBK", "GB18030"), "gb18030": ("GB18030", "GB18030"),
    "big5": ("Big5", "BIG5"), "euc_kr": ("EUC-KR", "EUC-KR"), "cp949": ("EUC-KR (code page 949)", "CP949"),
}


def _encoding_name(python_name: str) -> tuple[str, str]:
    if python_name in _ENCODING_NAMES:
        return _ENCODING_NAMES[python_name]
    match = re.match(r"^cp(\d+)$", python_name)
    if match and match.group(1).startswith("125"):
        return f"Windows-{match.group(1)}", f"WINDOWS-{match.group(1)}"
    if match:
        return f"code page {match.group(1)}", f"CP{match.group(1)}"
    name = python_name.replace("_", "-").upper()
    return name, name


def _not_utf8(
    what: str, encoding: tuple[str, str], offset: int | None = None, byte: int | None = None, *, also: str | None = None
) -> InputError:
    where = f" (byte 0x{byte:02x} at offset {offset} is not UTF-8)" if offset is not None else ""
    name, iconv = encoding
    if also:
        name += f" or {also}"
    file = what if what not in ("the article", "standard input") else "FILE"
    return InputError(
        f"{what}: not UTF-8 text{where}; it looks like {name}. Save it as UTF-8 and try again, "
        f"e.g. iconv -f {iconv} -t UTF-8 {file} > article.txt"
    )


def _binary(what: str) -> InputError:
    return InputError(
        f"{what}: not a text file (it holds binary data such as NUL or control bytes); "
        "give the article as plain text or markdown (.txt or .md), e.g. copied from the page "
        "or converted from PDF with pdftotext."
    )


def _first_line_title(text: str) -> str | None:
    for line in text.split("\n"):
        if line.strip():
            match = _HEADING.match(line)
            title = match.group(1) if match else line
            return " ".join(title.split()) or None
    return None
