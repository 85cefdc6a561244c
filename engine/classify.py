"""Per-line classification: which rules of its pack each line matches.

Lines are grouped so that durable-rules sees one representative of each
group of indistinguishable lines (see partition.py); its decision is then
given to every line of the group.
"""

from __future__ import annotations

import polars as pl

from .compiled import CompiledPack
from .partition import group_ids
from .status import RANK
from .table import SEQ

RULES, RULE_RANK, PACK_VERSION = "_rules", "_rule_rank", "_pack_version"


def classify(table: pl.DataFrame, packs: dict[str, CompiledPack]) -> pl.DataFrame:
    """`table` with `_rules` (matched rule ids, pack order), `_rule_rank` (worst status) and
    `_pack_version` (the version of the pack in force on the line's date)."""
    parts = []
    for pack_id in sorted(set(table["grant"].drop_nulls().to_list())):
        subset = table.filter(pl.col("grant") == pack_id)
        for version, lines in _by_version(subset, packs[pack_id]):
            parts.append(_classify_pack(lines, version).with_columns(
                pl.lit(version.version, dtype=pl.Utf8).alias(PACK_VERSION)))
    decided = pl.concat(parts) if parts else pl.DataFrame(
        schema={SEQ: pl.Int64, RULES: pl.List(pl.Utf8), RULE_RANK: pl.Int64,
                PACK_VERSION: pl.Utf8})
    return table.join(decided, on=SEQ, how="left", maintain_order="left")


def _by_version(subset: pl.DataFrame, pack: CompiledPack):
    """(version, its lines): each line goes to the version in force on its date."""
    versions = pack.loaded.versions
    if len(versions) == 1:
        yield pack.versions[versions[0].label], subset
        return
    label = pl.when(pl.col("date").is_null()).then(pl.lit(versions[-1].label))
    for version in reversed(versions[1:]):
        label = label.when(pl.col("date") >= version.in_force_from).then(pl.lit(version.label))
    labelled = subset.with_columns(label.otherwise(pl.lit(versions[0].label)).alias(PACK_VERSION))
    for version in versions:
        lines = labelled.filter(pl.col(PACK_VERSION) == version.label).drop(PACK_VERSION)
        if lines.height:
            yield pack.versions[version.label], lines


def _classify_pack(subset: pl.DataFrame, pack: CompiledPack) -> pl.DataFrame:
    groups, representatives = group_ids(subset, pack.tests)
    status_rank = {rule.id: RANK[rule.status] for rule in pack.rules}
    decisions = []
    needed = list(pack.fields)
    for row_index in representatives:
        line = subset.row(row_index, named=True)
        rules = pack.decide({name: line[name] for name in needed})
        decisions.append((list(rules), max((status_rank[r] for r in rules), default=0)))
    by_group = pl.DataFrame(
        {"group": pl.Series(range(len(decisions)), dtype=groups.dtype),
         RULES: pl.Series([d[0] for d in decisions], dtype=pl.List(pl.Utf8)),
         RULE_RANK: pl.Series([d[1] for d in decisions], dtype=pl.Int64)})
    return (pl.DataFrame({SEQ: subset[SEQ], "group": groups})
            .join(by_group, on="group", how="left", maintain_order="left")
            .select(SEQ, RULES, RULE_RANK))
