"""JSON Schemas of the file formats: generated from the models, committed, used by editors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from helpers import FIXTURE_PACKS, REPO

from ringfence.engine.authoring.schemas import FORMATS, schema_text
from ringfence.engine.core.yamlio import load_file
from ringfence.engine.packs.loading import bundled_rules

SCHEMA_DIR = REPO / "schema"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)

#: Files of each format the repository ships (editors validate them with the modeline).
EXAMPLES = {
    "pack": sorted(bundled_rules().glob("*/pack.yaml")) + sorted(FIXTURE_PACKS.glob("*/pack.yaml")),
    "pack-tests": sorted(bundled_rules().glob("*/tests/*.yaml"))
    + sorted(FIXTURE_PACKS.glob("*/tests/*.yaml")),
    "proposal": sorted(REPO.glob("cases/*/proposal.yaml")),
    "awards": sorted(REPO.glob("cases/*/awards.yaml")),
    "column-map": sorted(REPO.glob("cases/maps/*.yaml")) + sorted(REPO.glob("cases/*/*map*.yaml")),
    "waivers": sorted(REPO.glob("cases/*/waivers*.yaml")),
}


def validator(name: str) -> jsonschema.Draft7Validator:
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_committed_schemas_are_what_the_models_produce(name):
    committed = (SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(name), "run: python schema/regenerate.py"


def test_there_is_a_committed_schema_for_each_format_and_no_other():
    assert {p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json")} == \
        set(FORMATS)


def test_rules_schema_prints_the_pack_schema(cli):
    run = cli("rules", "schema")
    assert run.code == 0
    assert run.stdout == (SCHEMA_DIR / "pack.schema.json").read_text(encoding="utf-8")
    assert json.loads(cli("rules", "schema", "proposal").stdout)["title"] == "Proposal"


@pytest.mark.parametrize("name,path", [(name, path) for name, paths in EXAMPLES.items()
                                       for path in paths],
                         ids=lambda v: str(v.relative_to(REPO)) if isinstance(v, Path) else v)
def test_the_repository_files_are_valid_against_their_schema(name, path):
    errors = [error.message for error in validator(name).iter_errors(load_file(path).data)]
    assert errors == []


def test_the_schema_lets_an_editor_flag_a_misspelt_field():
    pack = load_file(bundled_rules() / "csc-prevention-2025-26" / "pack.yaml").data
    pack["rules"][0]["when"] = {"field": "dtae", "op": "lt", "ref": "period.start"}
    assert list(validator("pack").iter_errors(pack))


@pytest.mark.parametrize("path", [p for name in ("pack", "pack-tests") for p in EXAMPLES[name]
                                  if p.is_relative_to(bundled_rules())],
                         ids=lambda p: str(p.relative_to(REPO)))
def test_bundled_pack_files_point_editors_at_their_schema(path):
    """Every pack.yaml and test-case file starts with the modeline naming its schema."""
    found = MODELINE.match(path.read_text(encoding="utf-8"))
    expected = "pack" if path.name == "pack.yaml" else "pack-tests"
    assert found, f"start the file with: # yaml-language-server: $schema=<path to schema/" \
                  f"{expected}.schema.json>"
    assert (path.parent / found.group(1)).resolve() == SCHEMA_DIR / f"{expected}.schema.json"


def test_the_split_thresholds_default_reads_as_a_file_value_would():
    """The schema tells editors the default an awards file gets; written in the file, that
    value must mean the same (pounds), in a file and in code."""
    from ringfence.engine.models.awards import CrossLineChecks

    schema = json.loads((SCHEMA_DIR / "awards.schema.json").read_text(encoding="utf-8"))
    shown = schema["$defs"]["CrossLineChecks"]["properties"]["split_thresholds"]["default"]
    assert shown == [5000, 25000, 100000]
    assert CrossLineChecks(split_thresholds=shown).split_thresholds == \
        CrossLineChecks().split_thresholds
    # £5,000, £25,000 and £100,000, as the README says
    assert CrossLineChecks().split_thresholds == [500000, 2500000, 10000000]
    # The single threshold of files written before bands means the same, in pounds.
    assert CrossLineChecks(split_threshold=5000).split_thresholds == [500000]
