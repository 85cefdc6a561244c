from __future__ import annotations

import pytest


@pytest.fixture
def awards(tmp_path):
    """An awards file giving the prevention grant £1,000,000: enough for any test ledger."""
    path = tmp_path / "awards.yaml"
    path.write_text("awards: [{grant: csc-prevention-2025-26, amount: 1000000}]\n")
    return path
