"""A quick test of whether nodes conform to the SHACL shapes, for the Core subset they use.

pyshacl evaluates every property shape once per value node, which costs about a
millisecond a row on an import; :class:`ShapeCheck` compiles the shapes once into plain
Python checks and answers only *whether* a node conforms. It is a filter in front of
pyshacl, not a replacement: when any node fails, the import validates the whole data graph
with pyshacl as before, so every message a user sees is pyshacl's. For that, a failure
here may be too eager (pyshacl then finds nothing and the import goes on) but never too
lax, and a shapes graph with any SHACL term this module does not evaluate is refused at
compile time (:class:`Unsupported`), so that the caller validates with pyshacl alone.

Examples
--------
>>> from rdflib import Graph
>>> shapes = Graph().parse(format="turtle", data='''
... @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix x: <http://x/> .
... x:S a sh:NodeShape ; sh:targetClass x:C ; sh:property [ sh:path x:p ; sh:minCount 1 ] .''')
>>> check = ShapeCheck(shapes)
>>> data = Graph().parse(format="turtle", data="@prefix x: <http://x/> . x:a a x:C ; x:p 1 . x:b a x:C .")
>>> view = GraphView(data)
>>> [str(n) for n in sorted(data.subjects()) if not check.conforms(view, n)]
['http://x/b']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

__all__ = ["GraphView", "ShapeCheck", "Unsupported"]


class Unsupported(ValueError):
    """The shapes use a SHACL term that :class:`ShapeCheck` does not evaluate."""


# Terms of a shape that change nothing about conformance.
_IGNORED = frozenset({RDF.type, RDFS.label, RDFS.comment, SH.message, SH.name, SH.description, SH.order, SH.group})
_NODE_TERMS = frozenset({SH.targetClass, SH.targetSubjectsOf, SH.property, SH["or"]})
_PROPERTY_TERMS = frozenset({
    SH.path, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.minLength, SH.pattern,
    SH.languageIn, SH.hasValue, SH.node, SH.minInclusive, SH.maxInclusive,
})


_TYPE, _SUBCLASS = RDF.type, RDFS.subClassOf


class GraphView:
    """What :class:`ShapeCheck` reads of a data graph: the objects of a node and predicate,
    and the subclass closure. Subclass it to answer from several graphs at once."""

    def __init__(self, rdf: Graph):
        self.rdf = rdf
        self._supers: dict = {}
        self._targeted: dict = {}  # the shapes that target a node of these types, by class

    def objects(self, node, predicate) -> list:
        return list(self.rdf.objects(node, predicate))

    def superclasses(self, kind) -> set:
        """``kind`` and every class it is an rdfs:subClassOf of, at any depth."""
        found = self._supers.get(kind)
        if found is None:
            found, pending = {kind}, [kind]
            while pending:
                for parent in self.objects(pending.pop(), _SUBCLASS):
                    if parent not in found:
                        found.add(parent)
                        pending.append(parent)
            self._supers[kind] = found
        return found

    def is_instance(self, node, kind) -> bool:
        """SHACL instance: ``node`` rdf:type/rdfs:subClassOf* ``kind``."""
        return not isinstance(node, Literal) and any(kind in self.superclasses(t) for t in self.objects(node, _TYPE))


Test = Callable[[GraphView, object], bool]


@dataclass(frozen=True, eq=False)
class _Shape:
    tests: tuple[Test, ...]
    target_classes: tuple = ()
    target_subjects_of: tuple = ()


class ShapeCheck:
    """The shapes of ``shapes`` compiled into tests of conformance; see the module."""

    def __init__(self, shapes: Graph):
        self.shapes = shapes
        self._compiled: dict = {}
        roots = set(shapes.subjects(SH.targetClass, None)) | set(shapes.subjects(SH.targetSubjectsOf, None))
        for term in (SH.targetNode, SH.targetObjectsOf, SH.target, SH.deactivated, SH.severity, SH.sparql, SH.rule):
            if (None, term, None) in shapes:
                raise Unsupported(f"the shapes use {term.n3()}")
        for kind in (RDFS.Class, URIRef("http://www.w3.org/2002/07/owl#Class")):
            if any((shape, RDF.type, kind) in shapes for shape in set(shapes.subjects(RDF.type, SH.NodeShape))):
                raise Unsupported("a shape that is a class (an implicit target)")
        self.targeted = [self._shape(root) for root in sorted(roots)]

    def conforms(self, view: GraphView, node) -> bool:
        """Whether ``node`` passes every shape that targets it (False may be too eager)."""
        kinds = tuple(view.objects(node, _TYPE))
        by_class = view._targeted.get(kinds)
        if by_class is None:
            supers = set().union(*(view.superclasses(kind) for kind in kinds))
            by_class = view._targeted[kinds] = [s for s in self.targeted if not supers.isdisjoint(s.target_classes)]
        for shape in by_class:
            for test in shape.tests:
                if not test(view, node):
                    return False
        for shape in self.targeted:
            if (
                shape.target_subjects_of
                and shape not in by_class
                and any(view.objects(node, p) for p in shape.target_subjects_of)
                and not all(test(view, node) for test in shape.tests)
            ):
                return False
        return True

    # ----------------------------------------------------------------- compiling

    def _shape(self, node) -> _Shape:
        found = self._compiled.get(node)
        if found is None:
            self._compiled[node] = _Shape((self._recursive(node),))  # a shape that names itself
            found = self._compiled[node] = self._compile(node)
        return found

    def _recursive(self, node) -> Test:
        def test(view, focus):
            raise Unsupported(f"the shape {node.n3()} refers to itself")

        return test

    def _compile(self, node) -> _Shape:
        sg = self.shapes
        terms = set(sg.predicates(node, None))
        if SH.path in terms:
            return _Shape((self._property(node, terms),))
        unknown = terms - _IGNORED - _NODE_TERMS
        if unknown:
            raise Unsupported(f"{node.n3()} has {', '.join(sorted(t.n3() for t in unknown))}")
        tests: list[Test] = []
        for prop in sorted(sg.objects(node, SH.property)):
            tests.extend(self._shape(prop).tests)
        for members in sg.objects(node, SH["or"]):
            alternatives = [self._shape(m).tests for m in sg.items(members)]
            tests.append(lambda view, focus, alternatives=alternatives: any(
                all(t(view, focus) for t in member) for member in alternatives))
        return _Shape(tuple(tests), tuple(sg.objects(node, SH.targetClass)), tuple(sg.objects(node, SH.targetSubjectsOf)))

    def _property(self, node, terms: set) -> Test:
        sg = self.shapes
        unknown = terms - _IGNORED - _PROPERTY_TERMS
        if unknown:
            raise Unsupported(f"{node.n3()} has {', '.join(sorted(t.n3() for t in unknown))}")
        paths = list(sg.objects(node, SH.path))
        if len(paths) != 1 or not isinstance(paths[0], URIRef):
            raise Unsupported(f"{node.n3()} has a path that is not one IRI")
        path = paths[0]
        counts: list[Callable[[int], bool]] = []
        for bound in sg.objects(node, SH.minCount):
            counts.append(lambda n, bound=int(bound): n >= bound)
        for bound in sg.objects(node, SH.maxCount):
            counts.append(lambda n, bound=int(bound): n <= bound)
        each: list[Callable[[GraphView, object], bool]] = []
        for kind in sg.objects(node, SH["class"]):
            each.append(lambda view, v, kind=kind: view.is_instance(v, kind))
        for datatype in sg.objects(node, SH.datatype):
            each.append(lambda view, v, datatype=datatype: _has_datatype(v, datatype))
        for bound in sg.objects(node, SH.minLength):
            each.append(lambda view, v, bound=int(bound): not isinstance(v, BNode) and len(str(v)) >= bound)
        for pattern in sg.objects(node, SH.pattern):
            each.append(lambda view, v, rx=re.compile(str(pattern)): not isinstance(v, BNode) and rx.search(str(v)) is not None)
        for languages in sg.objects(node, SH.languageIn):
            tags = tuple(str(tag).lower() for tag in sg.items(languages))
            each.append(lambda view, v, tags=tags: _language_in(v, tags))
        for bound in sg.objects(node, SH.minInclusive):
            each.append(lambda view, v, bound=_number(bound): _compare(v, bound, lambda a, b: a >= b))
        for bound in sg.objects(node, SH.maxInclusive):
            each.append(lambda view, v, bound=_number(bound): _compare(v, bound, lambda a, b: a <= b))
        for shape in sg.objects(node, SH.node):
            nested = self._shape(shape)
            each.append(lambda view, v, nested=nested: all(t(view, v) for t in nested.tests))
        required = tuple(sg.objects(node, SH.hasValue))

        def test(view: GraphView, focus) -> bool:
            # Loops rather than all() over generators: this runs for every property of
            # every node of a table, and a generator costs more than the test it makes.
            values = view.objects(focus, path)
            count = len(values)
            for ok in counts:
                if not ok(count):
                    return False
            for value in required:
                if value not in values:
                    return False
            for v in values:
                for ok in each:
                    if not ok(view, v):
                        return False
            return True

        return test


# --------------------------------------------------------------------------- values

_NATIVE: dict = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
}


def _has_datatype(value, datatype) -> bool:
    """pyshacl's sh:datatype: the datatype, well-formed, and its Python value of that type."""
    if not isinstance(value, Literal):
        return False
    if datatype in (RDFS.Literal,) or (datatype == RDFS.Datatype and value.datatype):
        return True
    if value.datatype == datatype:
        if getattr(value, "ill_typed", None) is True:
            return False
    elif not (
        (value.datatype is None and value.language is None and datatype == XSD.string)
        or (datatype == RDF.langString and value.language)
    ):
        return False
    native = _NATIVE.get(datatype)
    return native is None or isinstance(value.value, native)


def _language_in(value, tags: Iterable[str]) -> bool:
    if not isinstance(value, Literal) or not value.language:
        return False
    language = value.language.lower()
    return any(language == tag or language.startswith(tag + "-") for tag in tags)


def _number(bound):
    value = bound.value if isinstance(bound, Literal) else None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, float)):
        raise Unsupported(f"a bound that is not a number: {bound.n3()}")
    return value


def _compare(value, bound, ok) -> bool:
    number = value.value if isinstance(value, Literal) else None
    if isinstance(number, bool) or not isinstance(number, (int, Decimal, float)):
        return False  # pyshacl may or may not compare it: let it decide
    try:
        return ok(Decimal(str(number)), Decimal(str(bound)))
    except ArithmeticError:
        return False
