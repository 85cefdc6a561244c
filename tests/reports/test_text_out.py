"""Long report parts written as columns of texts read exactly as the same text written
whole: through a file's bytes or a plain text stream, control characters and all."""

from __future__ import annotations

import io
import json

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ringfence.engine.core.errors import visible
from ringfence.engine.reports.text_out import array_pieces, joined, put, visible_column

TEXTS = st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), max_size=30)


def test_polars_control_pattern_finds_what_visible_escapes():
    everything = pl.Series([chr(code) for code in range(0x3000) if not 0xD800 <= code < 0xE000])
    assert visible_column(everything).to_list() == [visible(c) for c in everything.to_list()]


@given(TEXTS)
def test_each_text_is_shown_as_visible_shows_it(texts):
    assert visible_column(pl.Series(texts, dtype=pl.Utf8)).to_list() == \
        [visible(text) for text in texts]


@pytest.mark.parametrize("through", ["bytes", "text"])
@given(texts=TEXTS)
def test_put_writes_the_texts_one_after_another(through, texts):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="") if through == "bytes" \
        else io.StringIO(newline="")
    put(stream, "head ")  # what the text layer holds is written before the column
    put(stream, pl.Series(texts, dtype=pl.Utf8))
    put(stream, " tail")
    stream.flush()
    written = raw.getvalue().decode("utf-8") if through == "bytes" else stream.getvalue()
    assert written == "head " + "".join(texts) + " tail"


@given(st.lists(st.integers(min_value=0, max_value=10**12), max_size=20))
def test_array_pieces_make_a_json_array(items):
    pieces = array_pieces(pl.Series(items, dtype=pl.Int64).cast(pl.Utf8), '{"a": [', "]}")
    assert json.loads(joined([pieces])) == {"a": items}
