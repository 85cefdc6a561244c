"""The YAML loader keeps what people wrote: no YAML 1.1 octal, hex or base 60."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ringfence.engine.core.yamlio import load_text


@pytest.mark.parametrize("written, kept", [
    ("42", 42),
    ("-7", -7),
    ("+7", 7),
    ("0", 0),
    ("1_000", 1000),
    ("0123", "0123"),  # an id or a reference, not octal 83
    ("012", "012"),
    ("0o17", "0o17"),
    ("0x10", "0x10"),  # not 16
    ("1:30", "1:30"),  # not 90
    ("1:30.5", "1:30.5"),
    (".inf", ".inf"),
    ("-.inf", "-.inf"),
    (".nan", ".nan"),
    ("12.10", Decimal("12.10")),
    ("1_000.50", Decimal("1000.50")),
])
def test_numbers_are_decimal_or_kept_as_written(written, kept):
    value = load_text(f"v: {written}\n", "t.yaml").data["v"]
    assert value == kept and type(value) is type(kept)
