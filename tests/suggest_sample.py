"""A hand-written article and the suggestions a reader would make from it, in the JSON
contract of ``evkg suggest --format json``: for the review folder, page and CLI tests,
independent of the extraction rules."""

from __future__ import annotations

import hashlib

ID = "https://w3id.org/evkg/id/"
CATL = ID + "company/catl"
HUNGARY = ID + "country/hu"
GERMANY = ID + "country/de"

TEXT = """# Kestrel Motors and CATL form a battery venture

Kestrel Motors, a carmaker based in Germany, and CATL formed a joint venture to make battery packs.
The partners will build a 12 GWh battery cell plant in Baranya, which is due to open in 2027.
Baranya is a county in Hungary.
CATL holds a 25% stake in Kestrel Motors.
Kestrel Motors exported 48,000 vehicles in 2025.
CATL's Hungarian plant will have a capacity of 80 GWh.
"""

SHA256 = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()


def _at(sentence: str) -> tuple[int, int]:
    start = TEXT.index(sentence)
    return start, start + len(sentence)


def _fact(kind, sentence, fields, links, confidence=0.8, status="new", matches=()):
    start, end = _at(sentence)
    return {"kind": kind, "fields": fields, "links": links, "quote": TEXT[start:end], "start": start, "end": end,
            "confidence": confidence, "status": status, "matches": list(matches)}


def _entity(mention, nth, label, iri, cls, status, confidence=0.9):
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(mention, start + 1)
    return {"mention": mention, "label": label, "iri": iri, "class": cls, "status": status,
            "start": start, "end": start + len(mention), "confidence": confidence}


S_ALLIANCE = "Kestrel Motors, a carmaker based in Germany, and CATL formed a joint venture to make battery packs."
S_PLANT = "The partners will build a 12 GWh battery cell plant in Baranya, which is due to open in 2027."
S_PLACE = "Baranya is a county in Hungary."
S_STAKE = "CATL holds a 25% stake in Kestrel Motors."
S_EXPORTS = "Kestrel Motors exported 48,000 vehicles in 2025."
S_CONFLICT = "CATL's Hungarian plant will have a capacity of 80 GWh."

OLD_QUOTE = "An older sentence says the Hungarian plant has 100 GWh."


def sample(*, url: str | None = None, date: str | None = "2026-03", path: str | None = "kestrel.md") -> dict:
    """The suggestions for :data:`TEXT`, one fact of each kind, one of them in conflict."""
    facts = [
        _fact("alliances", S_ALLIANCE,
              {"partner_1": "Kestrel Motors", "partner_1_type": "automaker", "partner_2": "CATL",
               "type": "joint venture", "product_type": "battery pack"},
              {"partner_1": None, "partner_2": CATL}, 0.85),
        _fact("based-in", S_ALLIANCE,
              {"organization": "Kestrel Motors", "organization_type": "automaker", "country": "Germany"},
              {"organization": None, "country": GERMANY}, 0.9),
        _fact("facilities", S_PLANT,
              {"name": "Kestrel Motors Baranya battery cell plant", "type": "battery cell plant",
               "operator": "Kestrel Motors", "operator_type": "automaker", "location": "Hungary",
               "capacity": "12", "capacity_unit": "GWh", "status": "planned", "target_year": "2027"},
              {"operator": None, "location": HUNGARY}, 0.7),
        _fact("located-in", S_PLACE, {"place": "Baranya", "place_type": "subdivision", "country": "Hungary"},
              {"place": None, "country": HUNGARY}, 0.9),
        _fact("ownership", S_STAKE,
              {"owner": "CATL", "owned": "Kestrel Motors", "owned_type": "automaker", "share_percent": "25"},
              {"owner": CATL, "owned": None}, 0.9),
        _fact("observations", S_EXPORTS,
              {"area": "Kestrel Motors", "area_type": "automaker", "indicator": "vehicle exports",
               "value": "48000", "unit": "count", "counted_item": "vehicles", "period": "2025", "year": "2025"},
              {"area": None}, 0.75),
        _fact("facilities", S_CONFLICT,
              {"name": "CATL Hungary battery cell plant", "type": "battery cell plant", "operator": "CATL",
               "location": "Hungary", "capacity": "80", "capacity_unit": "GWh"},
              {"operator": CATL, "location": HUNGARY}, 0.65, "conflicts",
              [{"iri": ID + "facility/catl-hungary-battery-cell-plant", "field": "capacity", "value": "100 GWh",
                "suggested": "80 GWh",
                "sources": [{"source": "https://w3id.org/evkg/source/older", "title": "An older article",
                             "date": "2025-07", "quote": OLD_QUOTE}]}]),
    ]
    facts.sort(key=lambda f: (f["start"], f["kind"]))
    entities = [
        _entity("Kestrel Motors", 0, "Kestrel Motors", None, "ev:Automaker", "new"),
        _entity("CATL", 0, "CATL", CATL, "ev:BatteryMaker", "known"),
        _entity("Kestrel Motors", 1, "Kestrel Motors", None, "ev:Automaker", "new"),
        _entity("Germany", 0, "Germany", GERMANY, "ev:Country", "known"),
        _entity("CATL", 1, "CATL", CATL, "ev:BatteryMaker", "known"),
        _entity("Baranya", 1, "Baranya", None, "ev:Subdivision", "new", 0.7),
        _entity("Hungary", 0, "Hungary", HUNGARY, "ev:Country", "known"),
    ]
    entities.sort(key=lambda e: (e["start"], e["end"]))
    return {"source": {"title": "Kestrel Motors and CATL form a battery venture", "date": date, "url": url,
                       "path": path, "sha256": SHA256},
            "entities": entities, "facts": facts}
