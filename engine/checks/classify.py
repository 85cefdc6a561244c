"""Per-line classification: which rules of its pack each line matches.

Lines are grouped so that durable-rules sees one representative of each
group of indistinguishable lines (see partition.py); its decision is then
given to every line of the group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from ..core.errors import InputError
from ..core.status import RANK
from ..models.table import PACK_VERSION, ROW, RULE_RANK, RULES, SOURCE
from ..packs.compiled import CompiledPack
from ..packs.facts import TextTooLong
from .partition import representatives

if TYPE_CHECKING:
    from polars.expr.whenthen import ChainedThen, Then


def classify(table: pl.DataFrame, packs: dict[str, CompiledPack]) -> pl.DataFrame:
    """`table` with `_rules` (matched rule ids, pack order), `_rule_rank` (worst status) and
    `_pack_version` (the version of the pack in force on the line's date).

    Every line gets the number of its decision in one list of decisions (one per
    distinct case durable-rules decided); the columns are gathered from that list,
    so the table keeps its order and is never joined to itself.
    """
    rules: list[list[str]] = []
    ranks: list[int] = []
    versions: list[str] = []
    number = pl.repeat(None, table.height, dtype=pl.Int64, eager=True)
    try:
        for positions, lines, version in _subsets(table, packs):
            local = _decide(lines, version, rules, ranks)
            versions += [version.version] * (len(rules) - len(versions))
            number = local if positions is None else number.scatter(positions, local)
    except TextTooLong as exc:
        assert exc.field is not None  # TextTooLong always names the field
        line = table.filter(pl.col(exc.field) == exc.text).row(0, named=True)
        raise InputError(exc.message, source=line[SOURCE], line=line[ROW],
                         field=exc.field) from None
    return table.with_columns(
        pl.Series(RULES, rules, dtype=pl.List(pl.Utf8)).gather(number),
        pl.Series(RULE_RANK, ranks, dtype=pl.Int64).gather(number),
        pl.Series(PACK_VERSION, versions, dtype=pl.Utf8).gather(number))


def _subsets(table: pl.DataFrame, packs: dict[str, CompiledPack]):
    """(positions in the table or None for all of it, the lines, the pack version)."""
    grants = sorted(set(table["grant"].drop_nulls().unique().to_list()))
    for pack_id in grants:
        whole = len(grants) == 1 and table["grant"].null_count() == 0
        mask = None if whole else table["grant"] == pack_id
        # Only the fields some version of the pack tests (and the date that picks it);
        # lines are taken by mask, as filtering text columns costs far less than gathering.
        read = {"date"} | {test.field for version in packs[pack_id].versions.values()
                           for test in version.tests}
        subset = table.select(name for name in table.columns if name in read)
        subset = subset if whole else subset.filter(mask)
        positions = None if mask is None else mask.arg_true()
        for version, selected in _by_version(subset, packs[pack_id]):
            if selected is None:
                yield positions, subset, version
            else:
                yield (selected.arg_true() if positions is None else positions.filter(selected),
                       subset.filter(selected), version)


def _by_version(subset: pl.DataFrame, pack: CompiledPack):
    """(version, a mask of its lines in `subset`, or None for all of them): each line
    goes to the version in force on its date."""
    versions = pack.loaded.versions
    if len(versions) == 1:
        yield pack.versions[versions[0].label], None
        return
    label: Then | ChainedThen = pl.when(pl.col("date").is_null()).then(pl.lit(versions[-1].label))
    for version in reversed(versions[1:]):
        label = label.when(pl.col("date") >= version.in_force_from).then(pl.lit(version.label))
    labels = subset.select(label.otherwise(pl.lit(versions[0].label)))[:, 0]
    for version in versions:
        selected = labels == version.label
        if selected.any():
            yield pack.versions[version.label], selected


def _decide(lines: pl.DataFrame, pack: CompiledPack, rules: list, ranks: list) -> pl.Series:
    """Per line, the number of its decision; the new decisions (rule ids in pack order,
    worst status) are appended to `rules` and `ranks`."""
    decided, numbers = [], {}  # per shard: its decisions, and each line's decision number
    texts: dict = {}  # the lines' distinct texts, shared by the shards (see representatives)
    for index, shard in enumerate(pack.shards):
        first = representatives(lines, shard.tests, texts)
        distinct = first.unique().sort()
        # (The line id, which facts carry only as a guard, is not needed to decide.)
        rows = lines.select(name for name in shard.fields if name in lines.columns)
        decided.append([shard.decide(rows.row(row, named=True)) for row in distinct.to_list()])
        numbers[f"s{index}"] = _numbered(first, distinct)
    # A line's rules are the union of its shards' decisions: one union per distinct
    # combination (with one shard, the combinations are its decisions).
    if len(numbers) == 1:
        picks, number = [(n,) for n in range(len(decided[0]))], numbers["s0"]
    else:
        combos = pl.DataFrame(numbers).with_row_index("row").select(
            pl.col("row").first().over(list(numbers)).cast(pl.Int64).alias("first"), *numbers)
        distinct = combos["first"].unique().sort()
        picks = combos[distinct].select(list(numbers)).rows()
        number = _numbered(combos["first"], distinct)
    rank = [RANK[rule.status] for rule in pack.rules]
    offset = len(rules)
    for pick in picks:
        matched = sorted(i for shard, n in enumerate(pick) for i in decided[shard][n])
        rules.append([pack.rules[i].id for i in matched])
        ranks.append(max((rank[i] for i in matched), default=0))
    return number + offset


def _numbered(first: pl.Series, distinct: pl.Series) -> pl.Series:
    """Each value of `first` as its place in `distinct`."""
    return first.replace_strict(distinct, pl.int_range(distinct.len(), dtype=pl.Int64,
                                                       eager=True), return_dtype=pl.Int64)
