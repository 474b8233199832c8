"""Reference data shipped with zhifa: the enforcement domains of the seed catalog."""

import json
from pathlib import Path

CATALOG_PATH = Path(__file__).parent / "data" / "catalog.json"

# Domain codes are the middle part of the seed catalog's item codes (WH-NET-001 → NET).
DOMAIN_ORDER = ["NET", "ENT", "PER", "TRV", "PUB", "AV", "PRT", "REL", "ART", "NCL", "FLM", "CPR", "MIN"]


def seed_items() -> list[dict]:
    return json.loads(CATALOG_PATH.read_text(encoding="utf-8"))


def seed_domains() -> list[tuple[str, str]]:
    """(code, name) of every domain in the seed catalog, in a stable order."""
    found: dict[str, str] = {}
    for item in seed_items():
        code = item["code"].split("-")[1]
        found.setdefault(code, item["domain"])
    order = {c: i for i, c in enumerate(DOMAIN_ORDER)}
    return sorted(found.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
