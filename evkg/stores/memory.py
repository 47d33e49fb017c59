"""rdflib's in-memory store: the seeds and ``--data`` files are parsed on every run.

Examples
--------
>>> store = MemoryStore()
>>> store.spec, store.persistent, len(store.dataset())
('memory', False, 0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import Store

if TYPE_CHECKING:
    from rdflib import Dataset

__all__ = ["MemoryStore"]


class MemoryStore(Store):
    """rdflib's in-memory store: the seeds and --data files are parsed on every run."""

    spec = "memory"

    def __init__(self, dataset: Dataset | None = None) -> None:
        from rdflib import Dataset

        self._dataset = Dataset(default_union=True) if dataset is None else dataset

    def dataset(self) -> Dataset:
        return self._dataset
