"""How the graph is drawn, wherever it is drawn: the family of each class, the shape and
the shades of each family, a class's colour and a node's size. The HTML pages and the
GEXF export read the same rules, so a class has one colour everywhere.

Examples
--------
>>> colors = class_colors({"urn:A": "company", "urn:B": "company"}, ["urn:A", "urn:C"])
>>> colors["urn:A"], colors["urn:B"], colors["urn:C"]
('#1f5fa8', '#4a90d9', '#888888')
>>> node_size(4), node_size(4, family="statement")
(14.0, 12.2)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from rdflib import URIRef
from rdflib.namespace import RDFS

from ..kb import KnowledgeBase
from ..ontology import EV

__all__ = ["FAMILIES", "FAMILY_STYLES", "class_families", "class_colors", "node_size"]

#: Class families, each drawn with its own shape: the first root a class descends from
#: names its family. Classes outside every root are in the family "other".
FAMILIES: tuple[tuple[str, URIRef], ...] = (
    ("facility", EV.Facility),
    ("company", EV.Company),
    ("organization", EV.Organization),
    ("organization", EV.IndustryGroup),
    ("person", EV.Person),
    ("person", EV.Post),
    ("place", EV.Place),
    ("partnership", EV.Partnership),
    ("partnership", EV.Investment),
    ("partnership", EV.OwnershipStake),
    ("statement", EV.Fact),
    ("product", EV.VehicleModel),
)

#: Family -> (what the legend calls it, vis-network shape, shades for its classes).
FAMILY_STYLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "company": ("Companies", "dot", ("#1f5fa8", "#4a90d9", "#8bbcf0", "#163d6b", "#6aa3e0", "#2f77c4")),
    "organization": ("Organizations", "hexagon", ("#0e8a8a", "#3cc1c1", "#0a5c5c", "#86dede", "#1fa3a3", "#5fd0d0")),
    "person": ("People and posts", "triangle", ("#7b4bb7", "#b08ee0", "#55307f", "#9a6fd0")),
    "place": ("Places", "square", ("#2e8b3a", "#7cc47a", "#1b5e22", "#a9dba3", "#4fae52", "#145018")),
    "facility": ("Facilities", "diamond", ("#e0711a", "#f5a35c", "#a84f0c", "#ffc58f", "#c75f12")),
    "partnership": ("Partnerships, stakes, investments", "star", ("#c62f3a", "#ee7a82", "#8e1d26", "#f7aab0", "#de5560", "#6b1119")),
    "statement": ("Claims and statements", "triangleDown", ("#a59b24", "#cfc55a", "#6f6814", "#e3dc8f", "#8a8220", "#bdb23c", "#57510f")),
    "product": ("Products", "dot", ("#8c5a3c", "#b98462", "#5f3b25")),
    "other": ("Other", "dot", ("#888888", "#c266a8", "#5c5c5c", "#e09bcb", "#aaaaaa")),
}


def class_families(kb: KnowledgeBase, classes: Iterable[str]) -> dict[str, str]:
    """Class IRI -> family name (see :data:`FAMILIES`) for each of ``classes``.

    Examples
    --------
    >>> import evkg
    >>> class_families(evkg.load(seeds=False), [str(EV.BatteryMaker), "urn:x:Thing"])
    {'https://w3id.org/evkg/ontology#BatteryMaker': 'company', 'urn:x:Thing': 'other'}
    """
    rdf = kb.dataset
    found = {}
    for cls in sorted({c for c in classes if c}):
        ancestors = set(rdf.transitive_objects(URIRef(cls), RDFS.subClassOf))
        found[cls] = next((name for name, root in FAMILIES if root in ancestors), "other")
    return found


def class_colors(families: Mapping[str, str], classes: Iterable[str] = ()) -> dict[str, str]:
    """Class IRI -> colour (``#rrggbb``): each family's shades in turn over its classes in
    IRI order, so a class keeps its colour as long as ``families`` is the same.

    ``families`` maps class IRIs to families (from :func:`class_families`); ``classes``
    names more classes, which are in the family "other" unless ``families`` says.
    """
    family_of = {cls: families.get(cls, "other") for cls in set(families) | set(classes)}
    colors = {}
    for family, (_, _, shades) in FAMILY_STYLES.items():
        for i, cls in enumerate(sorted(c for c, f in family_of.items() if f == family)):
            colors[cls] = shades[i % len(shades)]
    return colors


def node_size(degree: int, *, family: str = "") -> float:
    """The size of a node with ``degree`` edges: 8 for none, growing with the square root of
    the degree up to 30; claims and statements a little smaller (they are many)."""
    return round(8 + min(22.0, 3.0 * math.sqrt(degree)) * (0.7 if family == "statement" else 1.0), 1)
