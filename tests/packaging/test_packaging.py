"""The distribution: one import name, the bundled packs inside it, every stage listed.

.ci/run installs the built wheel in a fresh virtual environment and runs it from a
folder outside the checkout; these tests check what the wheel holds.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile

import pytest
from helpers import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_folder_of_the_engine_is_a_listed_package():
    """setuptools installs only the packages pyproject.toml lists: a stage folder left
    out would be missing from every installed copy, and only there."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    folders = {"ringfence.engine" + "".join(f".{part}" for part in init.parent.relative_to(
        REPO / "engine").parts) for init in (REPO / "engine").rglob("__init__.py")}
    assert folders <= listed, sorted(folders - listed)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(out), str(REPO)],
                   check=True, capture_output=True)
    (built,) = out.glob("ringfence-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_installs_one_import_name(wheel):
    names = wheel.namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top == {"ringfence"}
    top_level = next(n for n in names if n.endswith(".dist-info/top_level.txt"))
    assert wheel.read(top_level).decode().split() == ["ringfence"]


def test_the_wheel_carries_the_bundled_packs_and_their_cases(wheel):
    names = set(wheel.namelist())
    for pack in (REPO / "rules").glob("*/pack.yaml"):
        folder = pack.parent.name
        assert f"ringfence/rules/{folder}/pack.yaml" in names
        for case in (pack.parent / "tests").glob("*.yaml"):
            assert f"ringfence/rules/{folder}/tests/{case.name}" in names
    assert "ringfence/cli.py" in names
    assert not any(name.startswith(("ringfence/tests/", "ringfence/cases/", "ringfence/bench/"))
                   for name in names)


def test_the_console_script_is_the_packaged_cli(wheel):
    entry_points = next(n for n in wheel.namelist() if n.endswith("entry_points.txt"))
    assert "ringfence = ringfence.cli:run" in wheel.read(entry_points).decode()
