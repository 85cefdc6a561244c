from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import SHARED, run_cli
from waiverkit import FIXTURES as CI_FIXTURES


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A folder holding the CI fixtures' mixed budget and waivers, made the current one."""
    for name in ("mixed.yaml", "waivers.yaml"):
        shutil.copy(CI_FIXTURES / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path
