"""The shipped library of example SPARQL queries, one ``.rq`` file each.

Each file starts with ``# title:`` and ``# description:`` comment lines.

Examples
--------
>>> example = get_example("catl-plants")
>>> example.title
'Where does CATL build battery cells, how much, and when?'
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import InputError

__all__ = ["Example", "list_examples", "get_example"]


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    description: str
    text: str


def _parse(path: Path) -> Example:
    text = path.read_text(encoding="utf-8")
    meta = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        meta[key.strip().lower()] = value.strip()
    return Example(path.stem, meta.get("title", path.stem), meta.get("description", ""), text)


def list_examples() -> list[Example]:
    """All shipped example queries, sorted by name."""
    folder = Path(str(resources.files(__package__)))
    return [_parse(p) for p in sorted(folder.glob("*.rq"))]


def get_example(name: str) -> Example:
    """The example query called ``name``.

    Raises
    ------
    InputError
        No such example; the message lists the names.
    """
    for example in list_examples():
        if example.name == name:
            return example
    names = ", ".join(e.name for e in list_examples())
    raise InputError(f"no example query is called {name!r}. Examples: {names}.")
