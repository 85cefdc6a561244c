"""JSON Schemas of the file formats, generated from their pydantic models.

The committed copies in schema/ are what editors use (the packs' and cases'
`# yaml-language-server: $schema=...` lines); schema/regenerate.py writes them
and a test checks they equal what the models produce.
"""

from __future__ import annotations

import json
from importlib import import_module
from typing import Any

#: name -> (its pydantic model, as module.Class in models/; what the file is). Named, not
#: imported: the command line lists the formats without loading pydantic.
FORMATS: dict[str, tuple[str, str]] = {
    "pack": ("pack.Pack", "A grant pack: rules/<pack-id>/pack.yaml"),
    "pack-tests": ("packtests.PackTestFile",
                   "A grant pack's test cases: rules/<pack-id>/tests/*.yaml"),
    "proposal": ("awards.Proposal", "A spending proposal: awards and the lines that spend them"),
    "awards": ("awards.AwardsFile", "A council's awards (--awards FILE)"),
    "column-map": ("column_map.ColumnMap",
                   "A column map (--map FILE): ledger columns to line fields"),
    "waivers": ("waivers.WaiversFile",
                "Waivers (--waivers FILE): approved exceptions to named findings"),
}
#: draft-07: what editors' YAML support (yaml-language-server) validates; the models use
#: nothing newer.
DRAFT = "http://json-schema.org/draft-07/schema#"


def json_schema(name: str) -> dict[str, Any]:
    where, description = FORMATS[name]
    module, model = where.rsplit(".", 1)
    schema = getattr(import_module(f"...models.{module}", __name__), model).model_json_schema()
    return {"$schema": DRAFT, "title": schema.pop("title", name), "description": description,
            **schema}


def schema_text(name: str) -> str:
    """The schema as committed: stable key order, two-space indent, final newline."""
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"
