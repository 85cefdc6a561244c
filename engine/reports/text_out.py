"""Large text reports written a column at a time, never held as one Python string.

A report of a million lines as one string is held two or three times over
(the pieces, the joined string, its UTF-8 encoding): reports made on columns
give their long parts as a polars Series of texts, each written as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import polars as pl

from ..core.errors import visible

#: core.errors' control characters, as polars' regular expressions write them
#: (tests/reports/test_text_out.py checks the two agree on every character).
CONTROL = r"[\x00-\x08\x0B-\x1F\x7F-\x9F\x{202A}-\x{202E}\x{2066}-\x{2069}]"


def put(stream, texts: pl.Series | str) -> None:
    """`texts` (a text, or a column of them, written one after another with nothing
    between) to the text stream `stream`."""
    if isinstance(texts, str):
        stream.write(texts)
        return
    binary = getattr(stream, "buffer", None)
    if binary is None:
        stream.write("".join(texts.to_list()))
        return
    # polars writes each text as it is (never quoted, no line ends of its own) straight
    # to the file's bytes: behind the text layer, so what it holds goes first.
    stream.flush()
    texts.to_frame().write_csv(binary, include_header=False, quote_style="never",
                               line_terminator="")


def joined(pieces: Iterable[pl.Series | str]) -> str:
    """What put() writes of each of `pieces`, as one string (for tests and small reports)."""
    return "".join(piece if isinstance(piece, str) else "".join(piece.to_list())
                   for piece in pieces)


def array_pieces(items: pl.Series, before: str = "[", after: str = "]",
                 around: tuple[str, str] = ("", "")) -> pl.Series:
    """The texts of `items` as one JSON array (`before`, the items with a comma between
    each, `after`; each item inside `around`), as a column of texts put() writes."""
    if not items.len():
        return pl.Series([before + after], dtype=pl.Utf8)
    place = pl.int_range(pl.len())
    return items.to_frame("t").select(pl.concat_str([
        pl.when(place == 0).then(pl.lit(before + around[0])).otherwise(pl.lit(around[0])),
        pl.col("t"),
        pl.when(place == items.len() - 1).then(pl.lit(around[1] + after))
        .otherwise(pl.lit(around[1] + ","))]))[:, 0]


#: Texts per slice where a column of them is copied on its way out (text_out.slices).
SLICE = 50_000


def slices(piece: pl.Series | str) -> Iterator[pl.Series | str]:
    """A column of texts a slice at a time (a text as it is): what is made of each slice
    on its way out is never made of the whole column at once."""
    if isinstance(piece, str):
        yield piece
        return
    for start in range(0, piece.len(), SLICE):
        yield piece.slice(start, SLICE)


def visible_column(texts: pl.Series) -> pl.Series:
    """visible() on every text of a column: only the (rare) texts with a control
    character go through it."""
    hit = texts.str.contains(CONTROL).fill_null(False).arg_true()
    if not hit.len():
        return texts
    return texts.scatter(hit, [visible(text) for text in texts.gather(hit).to_list()])
