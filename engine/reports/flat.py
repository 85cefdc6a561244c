"""One flat row per line, for the tabular reports (CSV, Excel).

Lines without findings are written straight from the table's columns;
messages are rendered only for the lines that have findings (as polars
expressions: message_columns.py), in a thread beside the rest of each row, so
a large, mostly clean ledger stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import polars as pl

from ..checks.awards import RECONCILIATION
from ..checks.message_columns import per_line
from ..checks.result import CheckResult
from ..core.money import to_decimal
from ..models.table import (
    CROSS_RANK,
    OVER,
    PACK_VERSION,
    ROW,
    RULE_RANK,
    SEQ,
    SOURCE,
    STATUS,
    extra_columns,
)
from ..pipeline import threads
from .advice import advice_text, advice_texts

FINDINGS, ADVICE = "findings", "advice"
#: After the findings, when the run has cross-line cases: the ids of each line's cases,
#: at risk or for review (the JSON report lists the cases themselves).
CASES = "cases"
FIRST = ["source", "row", "line_id", "status", "amount", "compliant_amount", "at_risk_amount",
         "non_compliant_amount", FINDINGS]
CANONICAL_REST = ["date", "grant", "purpose", "cost_type", "category", "supplier", "reference",
                  "description", "existing_service"]
#: After the findings, when some pack of the run was amended: the version each line was
#: checked against (the terminal report shows it on the same condition).
VERSION = "pack_version"


MONEY = pl.Decimal(38, 2)
_PENNY = pl.lit(Decimal("0.01"), dtype=MONEY)


def pounds(expr: pl.Expr) -> pl.Expr:
    """Int64 pence -> pounds as an exact decimal, which CSV writes as `-1234.50` and
    Excel keeps as a number. Whole pence times 0.01 has exactly two places, and
    multiplying costs half what dividing by 100 does."""
    return (expr.cast(pl.Decimal(38, 0)) * _PENNY).cast(MONEY)


def findings_column(result: CheckResult) -> pl.Series:
    """Per line of the table, in its order: 'rule [status]: message | ...', null for none.

    Rule and award findings come from the result (message_columns.own_findings);
    cross-line findings are already text. Lines are found by position, since the table
    is in `_seq` order, so nothing is joined.
    """
    table = result.table
    text = result.own_findings().clone()  # cross-line findings are added in place
    if result.cross is not None and result.cross.height:
        cross = per_line(result.cross.with_columns(
            pl.format("{} [at_risk]: {}", pl.col("rule"), pl.col("message")).alias("cross")),
            SEQ, "rule", "cross")
        positions = table[SEQ].search_sorted(cross[SEQ])
        both = pl.DataFrame({"own": text.gather(positions), "cross": cross["cross"]}).select(
            pl.concat_str(["own", "cross"], separator=" | ", ignore_nulls=True))[:, 0]
        text = text.scatter(positions, both)
    return text


def flat_frame(result: CheckResult,
               inert: Callable[[pl.DataFrame], pl.DataFrame] | None = None) -> pl.DataFrame:
    """One row per line, then one per rejected row (status `rejected`, its reasons and raw
    values under `findings`), so the rows add up to every data row of the inputs.

    `inert`, when given, is applied to every row without its findings (ours, not the
    input's): on a large input it runs while the findings are rendered beside it.
    """
    table = result.table
    inert = inert or (lambda frame: frame)
    over = pl.col(OVER).fill_null(0)
    amount = pl.col("amount")
    rank = pl.max_horizontal(pl.col(RULE_RANK).fill_null(0), pl.col(CROSS_RANK).fill_null(0))
    within = pl.when(rank == 2).then(0).otherwise(amount - over)
    parts = {
        "compliant_amount": pl.when(rank == 0).then(within).otherwise(0),
        "at_risk_amount": pl.when(rank == 1).then(within).otherwise(0),
        "non_compliant_amount": pl.when(rank == 2).then(amount).otherwise(over),
    }
    # polars releases the GIL: the findings text is built in a thread, the rest here.
    versioned = result.versioned
    extras = _extra_names(table, versioned)
    with threads.pool(1) as pool:
        findings = pool.submit(findings_column, result)
        lines = inert(table.select(
            pl.col(SOURCE).alias("source"), pl.col(ROW).alias("row"), "line_id",
            pl.col(STATUS).alias("status"), pounds(amount).alias("amount"),
            *[pounds(expr).alias(name) for name, expr in parts.items()],
            *([pl.col(PACK_VERSION).alias(VERSION)] if versioned else []), *CANONICAL_REST,
            *[pl.col(name).alias(alias) for name, alias in extras]))
        lines = lines.insert_column(FIRST.index(FINDINGS),
                                    findings.result().fill_null("").alias(FINDINGS))
        cases = result.case_column()
        if cases is not None:
            lines = lines.insert_column(FIRST.index(FINDINGS) + 1,
                                        cases.fill_null("").alias(CASES))
        # Funding advice follows the findings (and the cases and pack version, when shown).
        lines = lines.insert_column(len(FIRST) + (cases is not None) + versioned,
                                    advice_column(result))
    if result.outside is not None:
        lines = pl.concat([lines, inert(_out_of_scope_rows(result, lines, dict(extras)))])
    unreconciled = _unreconciled_rows(result, lines)
    if unreconciled is not None:
        lines = pl.concat([lines, unreconciled])
    if not result.rejected:
        return lines
    # A rejected row's raw values go under the columns the lines show them in.
    shown = {**{name: name for name in CANONICAL_REST}, **dict(extras)}
    return pl.concat([lines, inert(_rejected_rows(result, lines, shown))])


OUT_OF_SCOPE = "out_of_scope"


def _unreconciled_rows(result: CheckResult, lines: pl.DataFrame) -> pl.DataFrame | None:
    """A stated total the rows do not add up to, as a row of its own at the total's row
    (a spreadsheet's filter on status finds it): no amount, as it is not spend."""
    zero = to_decimal(0)
    records = []
    for check in result.ringfences:
        if check.check == RECONCILIATION and check.status != "compliant":
            source, row = result.reconciled.get(check.grant, (check.grant, None))
            records.append({"source": source, "row": row, "status": check.status,
                            "compliant_amount": zero, "at_risk_amount": zero,
                            "non_compliant_amount": zero,
                            FINDINGS: f"{check.rule} [{check.status}]: {check.message} "
                                      f"({check.clause})"})
    return pl.DataFrame(records, schema=lines.schema) if records else None


def _out_of_scope_rows(result: CheckResult, lines: pl.DataFrame,
                       extras: dict[str, str]) -> pl.DataFrame:
    """Lines the map gives no grant (status `out_of_scope`): their amount, and none of it
    under any status, as they are not grant spend."""
    outside = result.out_of_scope
    assert outside is not None  # called only when the map left some lines out of scope
    zero = pl.lit(to_decimal(0), dtype=MONEY)
    given = {"source": pl.col(SOURCE), "row": pl.col(ROW), "line_id": pl.col("line_id"),
             "status": pl.lit(OUT_OF_SCOPE), "amount": pounds(pl.col("amount")),
             "compliant_amount": zero, "at_risk_amount": zero, "non_compliant_amount": zero,
             FINDINGS: pl.lit("out of scope: the column map gives this line no grant, so it "
                              "is not grant spend and is checked against no award"),
             **{name: pl.col(name) for name in CANONICAL_REST},
             **{alias: pl.col(name) for name, alias in extras.items()
                if name in outside.columns}}
    return outside.select(
        given.get(name, pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in lines.schema.items())


def advice_column(result: CheckResult) -> pl.Series:
    """Per line of the table: its funding advice as one sentence, empty for none (the
    table is in `_seq` order, so advised lines are found by position)."""
    return advice_texts(result.advice, result.table[SEQ], advice_text).fill_null("") \
        .alias(ADVICE)


def _rejected_rows(result: CheckResult, lines: pl.DataFrame,
                   shown: dict[str, str]) -> pl.DataFrame:
    """Rejected rows: no money counted under any status; raw values under the column
    that shows that input column (`shown`), where it holds text."""
    zero = to_decimal(0)
    # (polars builds a DataFrame's schema anew each time it is asked: once, not per cell)
    schema = lines.schema
    texts = {name: column for name, column in shown.items() if schema.get(column) == pl.Utf8}
    records = []
    for row in result.rejected:
        record = {texts[name]: value for name, value in row.raw.items() if name in texts}
        records.append({**record, "source": row.source, "row": row.row,
                        "line_id": row.raw.get("line_id"), "status": "rejected",
                        "amount": None if row.amount is None else to_decimal(row.amount),
                        "compliant_amount": zero, "at_risk_amount": zero,
                        "non_compliant_amount": zero,
                        FINDINGS: row.explain(), ADVICE: ""})
    return pl.DataFrame(records, schema=schema)


def _extra_names(table: pl.DataFrame, versioned: bool) -> list[tuple[str, str]]:
    """Extra columns under names that never clash with the report's own (a ledger may
    have its own `status` or `source` column)."""
    taken = (set(FIRST) | {CASES, ADVICE} | set(CANONICAL_REST)
             | ({VERSION} if versioned else set()))
    out = []
    for name in extra_columns(table):
        alias = name
        while alias in taken:
            alias = f"{alias} (input)"
        taken.add(alias)
        out.append((name, alias))
    return out


def text_columns(frame: pl.DataFrame) -> list[str]:
    return [name for name, dtype in frame.schema.items() if dtype == pl.Utf8]


__all__ = ["flat_frame", "findings_column", "text_columns"]
