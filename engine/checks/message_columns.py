"""Finding messages rendered on whole columns, for reports of large ledgers.

The same templates as messages.render, turned into polars expressions, so a
million-line CSV report does not render its messages one line at a time.
tests/checks/test_message_columns.py checks that both give the same text.
"""

from __future__ import annotations

import string

import polars as pl

from ..core.builtin_rules import OVER_AWARD
from ..core.money import format_gbp
from ..models.lines import LINE_FIELDS
from ..models.table import OVER, PACK_VERSION, RULES, RUNNING
from ..packs.compiled import CompiledPack
from ..packs.messages import pack_values

_formatter = string.Formatter()
NONE = "(none)"


def gbp(expr: pl.Expr) -> pl.Expr:
    """Int64 pence -> '-£1,234.50', as money.format_gbp."""
    magnitude = expr.abs()
    grouped = ((magnitude // 100).cast(pl.Utf8).str.reverse().str.replace_all(r"(\d{3})", "$1,")
               .str.reverse().str.strip_chars_start(","))
    return pl.concat_str([pl.when(expr < 0).then(pl.lit("-")).otherwise(pl.lit("")),
                          pl.lit("£"), grouped, pl.lit("."),
                          (magnitude % 100).cast(pl.Utf8).str.pad_start(2, "0")])


def _shown(name: str) -> pl.Expr:
    """A line field as messages.show writes it."""
    column = pl.col(name)
    kind = LINE_FIELDS[name]
    if kind == "money":
        text = gbp(column)
    elif kind == "date":
        text = column.dt.to_string("%Y-%m-%d")
    elif kind == "boolean":
        text = pl.when(column).then(pl.lit("yes")).when(~column).then(pl.lit("no"))
    else:
        text = column
    return text.fill_null(NONE)


def _shape(template: str, packvals: dict[str, str]) -> tuple[tuple[str, ...], list[str]]:
    """(the line fields a template shows, in order; the text around them, one piece more
    than the fields), with the pack's values written into that text."""
    fields: list[str] = []
    around = [""]
    for literal, name, _, _ in _formatter.parse(template):
        around[-1] += literal
        if name in packvals:
            around[-1] += packvals[name]
        elif name is not None:
            fields.append(name)
            around.append("")
    return tuple(fields), around


def own_findings(table: pl.DataFrame, packs: dict[str, CompiledPack],
                 award_amounts: dict[str, int]) -> pl.Series:
    """Per line of the classified `table`, in its order: its rule and award findings as
    'rule [status]: message | ...', null for none; rendered only for the lines that have
    some, pack by pack."""
    text = pl.repeat(None, table.height, dtype=pl.Utf8, eager=True)
    own = (pl.col(RULES).list.len() > 0) | (pl.col(OVER).fill_null(0) > 0)
    # A line's rules are those of the version of its pack in force on its date (the
    # latest when none is named), and so are their statuses and messages.
    named = (pl.col(PACK_VERSION).replace("", None) if PACK_VERSION in table.columns
             else pl.lit(None, dtype=pl.Utf8))
    for grant, pack in sorted(packs.items()):
        for label, version in pack.versions.items():
            in_force = named.fill_null(pl.lit(pack.version)) == label
            positions = table.select(pl.arg_where(
                own & (pl.col("grant") == grant) & in_force))[:, 0]
            if positions.len():
                text = text.scatter(positions, findings_text(table, positions, version,
                                                             award_amounts[grant]))
    return text


def findings_text(table: pl.DataFrame, positions: pl.Series, pack: CompiledPack,
                  award_amount: int) -> pl.Series:
    """Per line of `table` at `positions`: 'rule [status]: message | ...' (rules in pack
    order, then the award), or null. Messages are rendered only for the lines their
    rule matched, so the work and memory follow the findings, not lines times rules."""
    packvals = pack_values(pack.pack)
    shapes = [_shape(rule.message, packvals) for rule in pack.rules]
    shown = {name for fields, _ in shapes for name in fields}
    framed = table.select(RULES, OVER, RUNNING, "amount", *sorted(shown - {"amount"})
                          )[positions].with_row_index("_line")
    pieces = _rule_pieces(framed, pack, shapes)
    over = pl.col(OVER).fill_null(0)
    beyond = framed.filter(over > 0)
    if beyond.height:
        pieces.append(beyond.select("_line", pl.lit(len(pack.rules), pl.Int64).alias("_order"),
                                    (pl.lit(f"{OVER_AWARD.id} [{OVER_AWARD.status}]: ")
                                     + over_message(award_amount)).alias("_text")))
    text = pl.repeat(None, positions.len(), dtype=pl.Utf8, eager=True)
    if not pieces:
        return text
    joined = per_line(pl.concat(pieces), "_line", "_order", "_text")
    return text.scatter(joined["_line"], joined["_text"])


def over_message(award_amount: int) -> pl.Expr:
    """The award limit's finding on a line with spend beyond the award (OVER > 0): the
    catalogue's sentence, its values as columns (the award's is the same for all)."""
    assert OVER_AWARD.message is not None
    fields, around = _shape(OVER_AWARD.message, {"award": format_gbp(award_amount)})
    values = {"over": gbp(pl.col(OVER).fill_null(0)), "amount": gbp(pl.col("amount")),
              "running": gbp(pl.col(RUNNING))}
    parts = [pl.lit(around[0])]
    for name, between in zip(fields, around[1:]):
        parts += [values[name], pl.lit(between)]
    return pl.concat_str(parts)


def rule_messages(framed: pl.DataFrame, pack: CompiledPack) -> list[pl.DataFrame]:
    """(_line, _order, _rule, _text) for every rule finding of the `framed` lines (which
    have a `_line` column): the message alone, as findings_text renders it."""
    return _rule_pieces(framed, pack, [_shape(rule.message, pack_values(pack.pack))
                                       for rule in pack.rules], headed=False)


def _rule_pieces(framed: pl.DataFrame, pack: CompiledPack,
                 shapes: list[tuple[tuple[str, ...], list[str]]],
                 headed: bool = True) -> list[pl.DataFrame]:
    """(_line, _order, _text) for every rule finding of the `framed` lines; `headed`:
    the text starts 'rule [status]: ', else it is the message alone and _rule is kept.

    Rules whose messages show the same fields in the same order are rendered together,
    their own text around the fields coming from a column: a pack of a thousand rules
    renders in a few expressions, not a thousand.
    """
    found = framed.select("_line", pl.col(RULES).alias("_rule")).explode("_rule").drop_nulls()
    kinds = list(dict.fromkeys(fields for fields, _ in shapes))
    rules = pl.DataFrame({
        "_rule": [rule.id for rule in pack.rules],
        "_order": list(range(len(pack.rules))),
        "_kind": [kinds.index(fields) for fields, _ in shapes],
        "_around": [[(f"{rule.id} [{rule.status}]: " if headed else "") + around[0],
                     *around[1:]] for rule, (_, around) in zip(pack.rules, shapes)]},
        schema={"_rule": pl.Utf8, "_order": pl.Int64, "_kind": pl.Int64,
                "_around": pl.List(pl.Utf8)})
    found = found.join(rules, on="_rule", how="inner")
    pieces = []
    for (kind,), lines in found.partition_by("_kind", as_dict=True).items():
        fields = kinds[kind]
        if fields:
            lines = pl.concat([lines, framed.select(*dict.fromkeys(fields)).gather(lines["_line"])],
                              how="horizontal")
        parts = [pl.col("_around").list.get(0)]
        for index, name in enumerate(fields, start=1):
            parts += [_shown(name), pl.col("_around").list.get(index)]
        pieces.append(lines.select("_line", "_order", *([] if headed else ["_rule"]),
                                   pl.concat_str(parts).alias("_text")))
    return pieces


def per_line(pieces: pl.DataFrame, line: str, order: str, text: str,
             separator: str = " | ") -> pl.DataFrame:
    """(line, text): each line's pieces of text joined with `separator`, in `order`.

    Most lines with findings have one: only lines with several are sorted and grouped.
    """
    several = pieces[line].is_duplicated()
    if not several.any():
        return pieces.select(line, text)
    joined = (pieces.filter(several).sort(line, order)
              .group_by(line, maintain_order=True).agg(pl.col(text).str.join(separator)))
    return pl.concat([pieces.filter(~several).select(line, text), joined])

