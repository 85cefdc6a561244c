"""Regenerate the JSON Schemas of the file formats: `python schema/regenerate.py`.

They are generated from the pydantic models (engine/schemas.py), never edited
by hand; tests/test_schema.py fails when a model changes and they were not
regenerated.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ringfence.engine.authoring.schemas import FORMATS, schema_text  # noqa: E402


def main() -> None:
    for name in FORMATS:
        (HERE / f"{name}.schema.json").write_text(schema_text(name), encoding="utf-8")


if __name__ == "__main__":
    main()
