"""Find the entities an article mentions: those the knowledge base has (by label, other
name, or the adjective articles use for a country or region), and new organizations and
places that cues in the wording reveal.

The known names form a gazetteer, built once per knowledge base: a phrase matcher over
case-folded word tokens (as spaCy's ``PhraseMatcher`` with ``attr="LOWER"`` matches, but
without importing spaCy, which alone costs about a second), each match then checked for case
("US" and "CATL" only in capitals). New names come from cues kept as data in ``rules/organizations.json``: a
corporate suffix (Ltd, Motors, GmbH ...), a noun before the name ("the carmaker X",
"battery maker X"), an apposition ("X, a battery maker"), a partner in an alliance
("a venture with X"), a place word ("X province", "the city of X"). A new name close to a
known one ("SAIC Motor" where the graph has "SAIC") is linked to it with rapidfuzz.

Examples
--------
>>> import evkg
>>> from evkg.ingest.sentences import split_sentences
>>> kb = evkg.load()
>>> text = "China's CATL and the carmaker Volta Motors will build a plant in Hungary."
>>> [(m.text, m.label, m.status) for m in find_mentions(gazetteer_for(kb), text, split_sentences(text))]
[('China', 'China', 'known'), ('CATL', 'CATL', 'known'), ('Volta Motors', 'Volta Motors', 'new'), ('Hungary', 'Hungary', 'known')]
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from functools import lru_cache

from .figures import load_rules

__all__ = ["Mention", "Gazetteer", "EntityInfo", "gazetteer_for", "build_gazetteer", "find_mentions"]

_EV = "https://w3id.org/evkg/ontology#"


@dataclass(frozen=True)
class EntityInfo:
    """What the gazetteer knows of an entity: its IRI, label, class (a CURIE) and what it is."""

    iri: str
    label: str
    cls: str
    category: str  # "organization", "country", "region", "place"


@dataclass(frozen=True)
class Mention:
    """One mention of an entity in the text.

    Attributes
    ----------
    start, end : int
        Offsets into the article text.
    text : str
        The words as written (``text == article[start:end]``).
    label : str
        The entity's label, or the new name.
    iri : str or None
        The entity's IRI; None for a new entity.
    cls : str
        The ontology class, a CURIE (``ev:Automaker``).
    category : str
        ``organization``, ``country``, ``region`` or ``place``.
    status : str
        ``known`` or ``new``.
    confidence : float
    adjective : bool
        Whether the mention is an adjective ("Chinese") rather than a name.
    """

    start: int
    end: int
    text: str
    label: str
    iri: str | None
    cls: str
    category: str
    status: str
    confidence: float
    adjective: bool = False
    country: EntityInfo | None = None  # for a name that starts with a country's adjective ("Japanese automakers")


@dataclass
class Gazetteer:
    """The names of the entities of a knowledge base, ready to match."""

    entities: dict[str, EntityInfo]
    names: dict[str, list[tuple[str, bool]]]  # name as written -> [(iri, adjective)]
    classes: dict[str, set[str]] = field(default_factory=dict)  # class CURIE -> its superclasses' CURIEs
    _matcher: object = None
    _lower: dict = field(default_factory=dict)
    _fuzzy_names: list[str] = field(default_factory=list)

    def matcher(self) -> dict:
        """The phrase index over every name: first token -> token tuples, longest first
        (built on first use)."""
        if self._matcher is None:
            index: dict[str, set[tuple[str, ...]]] = {}
            for name in sorted(self.names):
                tokens = tuple(t for _, _, t in _tokens(name))
                if tokens:
                    index.setdefault(tokens[0], set()).add(tokens)
                self._lower.setdefault(_fold(name), []).append(name)
            self._matcher = {first: sorted(group, key=lambda t: (-len(t), t)) for first, group in index.items()}
            self._fuzzy_names = sorted({_fold(_strip_suffixes(n)) for n in self.names if not self.names[n][0][1]})
        return self._matcher

    def match(self, text: str) -> list[tuple[int, int]]:
        """Offsets of every run of tokens in ``text`` that is a known name (any case)."""
        index = self.matcher()
        tokens = _tokens(text)
        keys = [t for _, _, t in tokens]
        found = []
        for i, key in enumerate(keys):
            for phrase in index.get(key, ()):
                if tuple(keys[i:i + len(phrase)]) == phrase:
                    found.append((tokens[i][0], tokens[i + len(phrase) - 1][1]))
        return found

    def lookup(self, written: str) -> list[tuple[str, str, bool]]:
        """The (name, iri, adjective) entries a written form matches, case checked."""
        self.matcher()
        found = []
        for name in self._lower.get(_fold(written), []):
            if _case_fits(name, written):
                found.extend((name, iri, adjective) for iri, adjective in self.names[name])
        return found

    def is_a(self, cls: str, ancestor: str) -> bool:
        """Whether class ``cls`` is ``ancestor`` or below it."""
        return cls == ancestor or ancestor in self.classes.get(cls, ())

    def link(self, name: str) -> EntityInfo | None:
        """The known entity a new name stands for: the same name without its corporate
        suffix, or one rapidfuzz finds very close; None if none."""
        self.matcher()
        stripped = _fold(_strip_suffixes(name))
        if not stripped:
            return None
        candidates = [iri for written in self._lower.get(stripped, []) for iri, adjective in self.names[written] if not adjective]
        if not candidates and len(stripped) >= 6:
            from rapidfuzz import fuzz, process

            best = process.extractOne(stripped, self._fuzzy_names, scorer=fuzz.ratio, score_cutoff=92)
            if best is not None:
                candidates = [iri for written in self._lower.get(best[0], []) for iri, adj in self.names[written] if not adj]
        organizations = sorted({iri for iri in candidates if self.entities[iri].category == "organization"})
        return self.entities[organizations[0]] if len(organizations) == 1 else None


_TOKEN = re.compile(r"\w+|[^\w\s]")


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded) of each word or punctuation mark."""
    return [(m.start(), m.end(), _fold(m.group())) for m in _TOKEN.finditer(text)]


def _fold(text: str) -> str:
    return " ".join(text.replace("’", "'").casefold().split())


def _case_fits(name: str, written: str) -> bool:
    """A name in capitals (CATL, US) must be written so; a capitalized one capitalized."""
    letters = [c for c in name if c.isalpha()]
    if not letters:
        return False
    if name.isupper() and len(letters) <= 5:
        return written == name
    first = next(c for c in name if c.isalpha())
    first_written = next((c for c in written if c.isalpha()), "")
    return first.islower() or first_written.isupper()


def _strip_suffixes(name: str) -> str:
    suffixes = {s for group in load_rules("organizations")["suffixes"].values() for s in group}
    words = name.split()
    while len(words) > 1 and (words[-1] in suffixes or words[-1].rstrip(".,") in suffixes):
        words.pop()
    return " ".join(words)


_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()

def gazetteer_for(kb) -> Gazetteer:
    """The gazetteer of ``kb``, built on first use and kept as long as ``kb`` lives.

    Parameters
    ----------
    kb : KnowledgeBase

    Returns
    -------
    Gazetteer
    """
    try:
        return _CACHE[kb]
    except (KeyError, TypeError):
        pass
    gazetteer = build_gazetteer(kb)
    try:
        _CACHE[kb] = gazetteer
    except TypeError:
        pass
    return gazetteer


def _curie(iri: str) -> str | None:
    return "ev:" + iri[len(_EV):] if iri.startswith(_EV) else None


def build_gazetteer(kb) -> Gazetteer:
    """Collect every organization, group and place of ``kb`` with its names, and the
    adjectives of its countries and regions (``rules/demonyms.json``).

    Parameters
    ----------
    kb : KnowledgeBase

    Returns
    -------
    Gazetteer
    """
    from rdflib import RDF, RDFS, SKOS

    rdf = kb.dataset
    parents: dict[str, set[str]] = {}
    for c, _, sup in rdf.triples((None, RDFS.subClassOf, None)):
        a, b = _curie(str(c)), _curie(str(sup))
        if a and b:
            parents.setdefault(a, set()).add(b)
    ancestors: dict[str, set[str]] = {}

    def up(cls: str) -> set[str]:
        if cls not in ancestors:
            ancestors[cls] = set()
            seen = set(parents.get(cls, ()))
            for p in list(seen):
                seen |= up(p)
            ancestors[cls] = seen
        return ancestors[cls]

    def category(cls: str) -> str | None:
        kinds = {cls} | up(cls)
        if "ev:Facility" in kinds or "ev:TradeCorridor" in kinds:
            return None
        if "ev:Country" in kinds:
            return "country"
        if "ev:Region" in kinds:
            return "region"
        if "ev:Place" in kinds:
            return "place"
        if "ev:Organization" in kinds or "ev:IndustryGroup" in kinds:
            return "organization"
        return None

    types: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    other: dict[str, set[str]] = {}
    codes: dict[str, set[str]] = {}
    for e, _, t in rdf.triples((None, RDF.type, None)):
        cls = _curie(str(t))
        if cls is None or category(cls) is None:
            continue
        types.setdefault(str(e), set()).add(cls)
    for e, _, label in rdf.triples((None, RDFS.label, None)):
        iri = str(e)
        if iri in types and (iri not in labels or getattr(label, "language", None) in (None, "en")):
            labels[iri] = str(label)
    for e, _, name in rdf.triples((None, SKOS.altLabel, None)):
        if str(e) in types:
            other.setdefault(str(e), set()).add(str(name))
    for e, _, code in rdf.triples((None, SKOS.notation, None)):
        if str(e) in types:
            codes.setdefault(str(e), set()).add(str(code).upper())
    types = {iri: kinds for iri, kinds in types.items() if iri in labels}
    entities: dict[str, EntityInfo] = {}
    names: dict[str, list[tuple[str, bool]]] = {}
    for iri in sorted(types):
        kinds = types[iri]
        specific = sorted(k for k in kinds if not any(k in up(o) for o in kinds if o != k))
        cls = specific[0]
        entities[iri] = EntityInfo(iri, labels[iri], cls, category(cls))
        for name in {labels[iri], *other.get(iri, ())}:
            if len(name) >= 2 and len(name) <= 80:
                names.setdefault(name, []).append((iri, False))
    demonyms = load_rules("demonyms")
    by_code = {code: iri for iri, found in codes.items() if entities.get(iri) and entities[iri].category == "country"
               for code in found}
    by_label = {info.label: iri for iri, info in entities.items() if info.category == "region"}
    for code, words in demonyms["countries"].items():
        if code in by_code:
            for word in words:
                names.setdefault(word, []).append((by_code[code], True))
    for label, words in demonyms["regions"].items():
        if label in by_label:
            for word in words:
                names.setdefault(word, []).append((by_label[label], True))
    for name in names:
        names[name] = sorted(set(names[name]))
    classes = {cls: up(cls) for cls in parents}
    return Gazetteer(entities, names, classes)


# --------------------------------------------------------------------------- new names

# The letters after an inner dot ("U.S.") belong to the dot: with two runs of letters side by
# side a word could split in as many ways as it has letters, and a long run of capitalised
# words that fails to match took minutes of backtracking.
_WORD = r"(?:[A-Z][A-Za-z0-9&\-]*(?:\.(?=[A-Za-z])[A-Za-z0-9&\-]*)?\.?|[0-9]+[A-Za-z][A-Za-z0-9]*)"
_JOIN = r"(?:[^\S\n]+(?:(?:of|de|du|der|und|and|&)[^\S\n]+)?)"


def _name_re() -> str:
    return _WORD + r"(?:" + r"[^\S\n]+" + r"(?:&[^\S\n]+)?" + _WORD + r"){0,5}"


@dataclass
class _NewName:
    name: str
    cls: str
    confidence: float
    linked: object = None  # EntityInfo when the name is a known entity's


def _trim_name(name: str, not_names: set[str], demonyms: set[str]) -> str:
    words = name.split()
    while words and (words[0] in not_names or words[0].rstrip(".") in not_names):
        words.pop(0)
    while words and words[-1].rstrip(".") in not_names:
        words.pop()
    text = " ".join(words)
    suffix_dots = {"Co.", "Inc.", "Ltd.", "Corp.", "S.A.", "N.V.", "S.p.A."}
    if text.endswith(".") and not any(text.endswith(s) for s in suffix_dots):
        text = text[:-1]
    return text


@dataclass(frozen=True)
class _Rules:
    suffix_class: dict
    suffixes: set
    cue_re: re.Pattern
    cue_class: dict
    apposition_re: re.Pattern
    partner_re: re.Pattern
    pair_re: re.Pattern
    place_before_re: re.Pattern
    place_after_re: re.Pattern
    place_before_class: dict
    place_after_class: dict
    name_re: re.Pattern
    place_is_re: re.Pattern
    place_comma_re: re.Pattern
    not_names: set
    plural_cues: set


_RULES: list = []


def _rules() -> _Rules:
    if _RULES:
        return _RULES[0]
    rules = load_rules("organizations")
    name = _name_re()
    suffix_class = {}
    for cls, words in rules["suffixes"].items():
        for w in words:
            suffix_class.setdefault(w, cls)
    cue_class = {}
    for cls, words in rules["cues"].items():
        for w in words:
            cue_class.setdefault(w.casefold(), cls)
    cues = sorted(cue_class, key=len, reverse=True)
    cue_alt = "|".join(re.escape(c).replace("\\ ", r"\s+") for c in cues)
    plural = {c for c in cue_class if c.endswith("s") and c[:-1] in cue_class}
    name_list = name + r"(?:,[^\S\n]+" + name + r")*(?:,?[^\S\n]+and[^\S\n]+" + name + r")?"
    cue_re = re.compile(r"(?i:\b(?P<cue>" + cue_alt + r"))[^\S\n]+(?P<names>" + name_list + ")")
    apposition_re = re.compile(r"(?P<name>" + name + r"),[^\S\n]+(?:a|an|the)[^\S\n]+(?:[\w.’'-]+[^\S\n]+){0,3}?(?i:(?P<cue>" + cue_alt + r"))\b")
    partner_re = re.compile(r"(?i:\b(?:joint[^\S\n]+venture|venture|partnership|alliance|deal|agreement|teamed[^\S\n]+up|partnered|tie-up|collaboration|cooperation|partners)"
                            r"[^\S\n]+with)[^\S\n]+(?:the[^\S\n]+)?(?P<name>" + name + ")")
    pair_re = re.compile(r"(?P<a>" + name + r")[^\S\n]+(?:and|&)[^\S\n]+(?P<b>" + name + r")(?:[^\S\n]*:|[^\S\n]+(?i:formed|signed|agreed|set[^\S\n]+up|established|created|launched|teamed|will[^\S\n]+jointly|jointly|have[^\S\n]+agreed|are[^\S\n]+partnering))")
    before_class, after_class = {}, {}
    for cls, words in rules["place_cues_before"].items():
        for w in words:
            before_class[w.casefold()] = cls
    for cls, words in rules["place_cues_after"].items():
        for w in words:
            after_class[w] = cls
    place_before_re = re.compile(r"(?i:\b(?P<cue>" + "|".join(re.escape(w).replace("\\ ", r"\s+") for w in sorted(before_class, key=len, reverse=True))
                                 + r"))[^\S\n]+(?P<name>" + name + ")")
    place_after_re = re.compile(r"(?P<name>" + name + r")[^\S\n]+(?P<cue>" + "|".join(re.escape(w) for w in sorted(after_class, key=len, reverse=True)) + r")\b")
    types = "|".join(sorted(rules["place_type_words"], key=len, reverse=True))
    place_is_re = re.compile(r"(?P<name>" + name + r")(?:,[^\S\n]+|[^\S\n]+(?:is|was|lies)[^\S\n]+)(?:a|an|the)[^\S\n]+(?:[\w-]+[^\S\n]+){0,2}?"
                             r"(?P<type>" + types + r")[^\S\n]+(?:in|of)\b")
    place_comma_re = re.compile(r"\b(?:in|at|near)[^\S\n]+(?P<name>" + name + r"),[^\S\n]+(?P<country>" + name + r")")
    built = _Rules(suffix_class, set(suffix_class), cue_re, cue_class, apposition_re, partner_re, pair_re, place_before_re,
                   place_after_re, before_class, after_class, re.compile(name), place_is_re, place_comma_re,
                   set(rules["not_names"]), plural)
    _RULES.append(built)
    return built


_GROUP_RE: dict = {}


def _group_re(gazetteer: Gazetteer) -> re.Pattern:
    """A country's or region's adjective and a plural noun of firms ("Japanese carmakers")."""
    key = id(gazetteer)
    if key not in _GROUP_RE:
        rules = load_rules("organizations")
        adjectives = sorted({n for n, entries in gazetteer.names.items() if any(adj for _, adj in entries) and n[:1].isupper()
                             and not n.isupper()}, key=len, reverse=True)
        alt = lambda words: "|".join(re.escape(w).replace("\\ ", r"[^\S\n]+") for w in sorted(words, key=len, reverse=True))
        _GROUP_RE.clear()
        _GROUP_RE[key] = re.compile(r"(?<![\w-])(?:" + alt(adjectives) + r")[^\S\n]+(?:(?i:" + alt(rules["group_noun_modifiers"])
                                    + r")[^\S\n]+)?(?:" + alt(rules["group_nouns"]) + r")\b")
    return _GROUP_RE[key]


@lru_cache(maxsize=1)
def _possessive_re() -> re.Pattern:
    name = _name_re()
    return re.compile(r"(?P<country>" + name + r")[’'][s][^\S\n]+(?P<name>" + name + ")")


def _suffix_class(name: str, rules: _Rules) -> str | None:
    words = name.split()
    if len(words) < 2:
        return None
    tail = words[-1]
    if tail not in rules.suffixes and tail.rstrip(".") not in rules.suffixes:
        return None
    found = "ev:Company"
    for word in words[1:]:
        cls = rules.suffix_class.get(word) or rules.suffix_class.get(word.rstrip("."))
        if cls in ("ev:Automaker", "ev:BatteryMaker"):
            found = cls
    if all(w in rules.suffixes or w in rules.not_names for w in words):
        return None
    return found


def _new_names(sentence, gazetteer: Gazetteer, known_spans) -> list[tuple[int, int, _NewName]]:
    """New organizations and places the cues of one sentence reveal: (start, end, name)."""
    rules = _rules()
    demonyms = {n for n, entries in gazetteer.names.items() if any(adj for _, adj in entries)}
    text, offset = sentence.text, sentence.start
    found: list[tuple[int, int, _NewName]] = []

    def consider(start: int, raw: str, cls: str, confidence: float, category: str = "organization") -> None:
        name = _trim_name(raw, rules.not_names, demonyms)
        if len(name) < 2 or not any(c.isalpha() for c in name):
            return
        shift = raw.find(name)
        if shift < 0:
            return
        begin = offset + start + shift
        end = begin + len(name)
        known = gazetteer.lookup(name)
        if known:
            return  # the gazetteer finds it
        if name in demonyms or name.split()[0] in demonyms and len(name.split()) == 1:
            return
        new = _NewName(name, cls, confidence)
        if category == "organization":
            new.linked = gazetteer.link(name)
        found.append((begin, end, new))

    for match in _group_re(gazetteer).finditer(text):
        # "Chinese automakers", "Korean battery makers": a group the ontology has a class for.
        name = match.group()
        begin = offset + match.start()
        if not gazetteer.lookup(name):
            found.append((begin, begin + len(name), _NewName(name[0].upper() + name[1:], "ev:IndustryGroup", 0.6)))
    if sentence.kind != "heading":
        for match in _possessive_re().finditer(text):
            entries = gazetteer.lookup(match["country"])
            if any(not adj and gazetteer.entities[iri].category == "country" for _, iri, adj in entries):
                consider(match.start("name"), match["name"], "ev:Company", 0.6)
        for match in rules.name_re.finditer(text):
            cls = _suffix_class(_trim_name(match.group(), rules.not_names, demonyms), rules)
            if cls:
                consider(match.start(), match.group(), cls, 0.75)
    for match in (rules.cue_re.finditer(text) if sentence.kind != "heading" else ()):
        cue = " ".join(match["cue"].casefold().split())
        cls = rules.cue_class.get(cue, "ev:Company")
        names = match["names"]
        pieces = [names] if cue not in rules.plural_cues else re.split(r",?[^\S\n]+and[^\S\n]+|,[^\S\n]+", names)
        position = match.start("names")
        for piece in pieces:
            at = text.find(piece, position)
            consider(at, piece, cls, 0.7 if cls != "ev:Company" else 0.6)
            position = at + len(piece)
    for match in rules.apposition_re.finditer(text):
        cue = " ".join(match["cue"].casefold().split())
        consider(match.start("name"), match["name"], rules.cue_class.get(cue, "ev:Company"), 0.75)
    for match in rules.partner_re.finditer(text):
        consider(match.start("name"), match["name"], "ev:Company", 0.6)
    for match in rules.pair_re.finditer(text):
        consider(match.start("a"), match["a"], "ev:Company", 0.6)
        consider(match.start("b"), match["b"], "ev:Company", 0.6)
    for match in rules.place_before_re.finditer(text):
        cue = " ".join(match["cue"].casefold().split())
        consider(match.start("name"), match["name"], rules.place_before_class[cue], 0.7, "place")
    for match in rules.place_is_re.finditer(text):
        kind = match["type"].lower()
        consider(match.start("name"), match["name"], "ev:Port" if kind == "port" else "ev:Subdivision", 0.75, "place")
    for match in rules.place_comma_re.finditer(text):
        entries = gazetteer.lookup(match["country"].rstrip("."))
        if any(not adj and gazetteer.entities[iri].category == "country" for _, iri, adj in entries):
            consider(match.start("name"), match["name"], "ev:Subdivision", 0.65, "place")
    for match in rules.place_after_re.finditer(text):
        consider(match.start("name"), match["name"], rules.place_after_class[match["cue"]], 0.7, "place")
    return found


# --------------------------------------------------------------------------- matching

def find_mentions(gazetteer: Gazetteer, text: str, sentences) -> list[Mention]:
    """Every mention of a known or new entity in ``text``, sorted by offset, none overlapping.

    Parameters
    ----------
    gazetteer : Gazetteer
        From :func:`gazetteer_for`.
    text : str
        The article text.
    sentences : list of Sentence
        From :func:`evkg.ingest.sentences.split_sentences`; no mention crosses one.

    Returns
    -------
    list of Mention
    """
    candidates: list[tuple[int, int, int, object]] = []  # (start, end, priority, payload)
    for sentence in sentences:
        for i, j in gazetteer.match(sentence.text):
            start, end = sentence.start + i, sentence.start + j
            entries = gazetteer.lookup(text[start:end])
            if entries:
                candidates.append((start, end, 2, entries))
    new_found: dict[str, _NewName] = {}
    for sentence in sentences:
        for start, end, new in _new_names(sentence, gazetteer, None):
            key = new.name
            if key not in new_found or new.confidence > new_found[key].confidence:
                new_found[key] = new
            candidates.append((start, end, 1, new))
    # "Volta Cells Ltd" and "Volta Cells": one new firm, named as the shorter form.
    by_stem: dict[str, list[str]] = {}
    for name, new in new_found.items():
        if gazetteer.is_a(new.cls, "ev:Organization") or new.cls in ("ev:Company", "ev:Automaker", "ev:BatteryMaker"):
            by_stem.setdefault(_fold(_strip_suffixes(name)), []).append(name)
    for names in by_stem.values():
        if len(names) > 1:
            canonical = min(names, key=lambda n: (len(n.split()), len(n), n))
            best = max((new_found[n] for n in names), key=lambda n: (n.cls != "ev:Company", n.confidence))
            for n in names:
                new_found[n].name, new_found[n].cls = canonical, best.cls
    # A new name, once found, is a mention wherever the article repeats it.
    if new_found:
        pattern = re.compile(r"(?<![\w&])(?:" + "|".join(re.escape(n) for n in sorted(new_found, key=len, reverse=True)) + r")(?![\w&])")
        for sentence in sentences:
            for match in pattern.finditer(sentence.text):
                start = sentence.start + match.start()
                candidates.append((start, start + len(match.group()), 1, new_found[match.group()]))
    chosen = _choose(candidates)
    mentions = [_with_country(gazetteer, m) for m in (_mention(gazetteer, text, *c) for c in chosen) if m is not None]
    return sorted(set(mentions), key=lambda m: (m.start, m.end))


def _with_country(gazetteer: Gazetteer, mention: Mention) -> Mention:
    """An organization's name that opens with a country's adjective names its country."""
    words = mention.text.split()
    if mention.category != "organization" or len(words) < 2:
        return mention
    iris = {iri for _, iri, adjective in gazetteer.lookup(words[0]) if adjective}
    countries = [gazetteer.entities[iri] for iri in sorted(iris) if gazetteer.entities[iri].category == "country"]
    if len(countries) != 1:
        return mention
    from dataclasses import replace

    return replace(mention, country=countries[0])


def _choose(candidates):
    """Longest first, then the known name; no two overlap."""
    ordered = sorted(candidates, key=lambda c: (-(c[1] - c[0]), -c[2], c[0]))
    taken: list[tuple[int, int]] = []
    chosen = []
    for c in ordered:
        if all(c[1] <= a or c[0] >= b for a, b in taken):
            taken.append((c[0], c[1]))
            chosen.append(c)
    return sorted(chosen, key=lambda c: c[0])


def _mention(gazetteer: Gazetteer, text: str, start: int, end: int, priority: int, payload) -> Mention | None:
    written = text[start:end]
    if isinstance(payload, _NewName):
        if payload.linked is not None:
            info = payload.linked
            return Mention(start, end, written, info.label, info.iri, info.cls, info.category, "known", 0.8)
        category = "organization"
        if gazetteer.is_a(payload.cls, "ev:Place") or payload.cls in ("ev:Subdivision", "ev:Port", "ev:Region", "ev:Place"):
            category = "region" if payload.cls == "ev:Region" else "place"
        return Mention(start, end, written, payload.name, None, payload.cls, category, "new", payload.confidence)
    entries = payload
    iris = sorted({iri for _, iri, _ in entries})
    names = [e for e in entries if not e[2]]
    if len(iris) > 1:
        # The same name for several entities: prefer a name over an adjective, else give up.
        iris = sorted({iri for _, iri, _ in names}) or iris
        if len(iris) > 1:
            return None
    info = gazetteer.entities[iris[0]]
    adjective = not names
    confidence = 0.8 if adjective else 0.95
    return Mention(start, end, written, info.label, info.iri, info.cls, info.category, "known", confidence, adjective)
