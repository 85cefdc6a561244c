"""The JSON report (`--format json`): the contract in docs/architecture.md.

The bytes are those of `json.dump(report(result), indent=2, ensure_ascii=False)`,
but the lines, nearly all of a large report, are encoded by orjson (the
standard library indents in pure Python, at a few hundred thousand values a
second; orjson escapes every character as it does: tests/reports/test_report_batches.py)
and written a slice at a time (CheckResult.batches), so a million lines are
never a million dicts in memory at once.
"""

from __future__ import annotations

import datetime as dt
import json
from bisect import bisect_left
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cached_property
from typing import Any

import orjson
import polars as pl

from ..checks.awards import OVER_RULE
from ..checks.message_columns import over_message, per_line, rule_messages
from ..checks.result import CheckResult, LineBatch, LineResult
from ..core.builtin_rules import CROSS_LINE_CLAUSES
from ..core.money import format_plain
from ..core.status import STATUSES
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
from .advice import advice_records, advice_texts
from .gate_report import active_gate, annotate_json, annotate_lines
from .text_out import put

#: A line's keys before its optional ones, in the contract's order.
LEADING = ("line_id", "status", "amount", "findings", "grant", "pack_version", "purpose", "date",
           "description", "source", "row")
#: Shown only when the line has a value.
OPTIONAL = ("cost_type", "category", "supplier", "reference", "existing_service")


def line_record(line: LineResult) -> dict[str, Any]:
    values = line.values
    record: dict[str, Any] = {
        "line_id": line.line_id,
        "status": line.status,
        "amount": format_plain(values["amount"]),
        "findings": [{"rule": f.rule, "status": f.status, "clause": f.clause,
                      "message": f.message, **({"case": f.case} if f.case else {})}
                     for f in line.findings],
        "grant": values["grant"],
        "pack_version": line.pack_version,
        "purpose": values["purpose"],
        "date": values["date"].isoformat() if isinstance(values["date"], dt.date) else None,
        "description": values["description"],
        "source": line.source,
        "row": line.row,
    }
    if line.advice is not None:
        record["advice"] = advice_records(line.advice)
    if len(line.amounts) > 1:
        record["amounts"] = {status: format_plain(p) for status, p in line.amounts.items()}
    for name in OPTIONAL:
        if values[name] is not None:
            record[name] = values[name]
    if line.extras:
        record["extra"] = line.extras
    return record


def plain(pence: pl.Expr) -> pl.Expr:
    """Int64 pence -> '-1234.50', as money.format_plain."""
    magnitude = pence.abs()
    return pl.concat_str([pl.when(pence < 0).then(pl.lit("-")).otherwise(pl.lit("")),
                          (magnitude // 100).cast(pl.Utf8), pl.lit("."),
                          (magnitude % 100).cast(pl.Utf8).str.pad_start(2, "0")])


def literal(text: pl.Expr) -> pl.Expr:
    """Text as a JSON literal (`"..."` or `null`), escaped as json.dumps(ensure_ascii=False)
    escapes it: polars' own encoder, on a one-field struct, with the struct cut away."""
    return pl.struct(text.alias("v")).struct.json_encode().str.slice(5).str.head(-1)


def _key(name: str) -> str:
    return json.dumps(name, ensure_ascii=False) + ": "


#: Inside "lines": [...], a line's keys are six spaces in, its extra's keys eight.
_KEYS, _EXTRA_KEYS = ",\n      ", ",\n        "


def line_texts(frame: pl.DataFrame, extras: list[str], findings: pl.Expr | None = None,
               amounts: pl.Expr | None = None, advice: pl.Expr | None = None) -> pl.Series:
    """The lines of `frame` as line_record would write them inside the report's lines,
    every text column escaped at once, not a dict a line: `findings`, the text of their
    findings' list (none by default); `amounts`, the text of their split amounts, or
    null; `advice`, the text of their funding advice, or null. Each member is made in
    one select, in parallel (polars runs one expression on one core), then they are
    joined."""
    findings = pl.lit("[]") if findings is None else findings
    leading = {
        "line_id": literal(pl.col("line_id")), "status": literal(pl.col(STATUS)),
        "amount": literal(plain(pl.col("amount"))), "findings": findings,
        "grant": literal(pl.col("grant")), "pack_version": literal(pl.col(PACK_VERSION)),
        "purpose": literal(pl.col("purpose")),
        "date": literal(pl.col("date").dt.to_string("%Y-%m-%d")),
        "description": literal(pl.col("description")), "source": literal(pl.col(SOURCE)),
        "row": pl.col(ROW).cast(pl.Utf8)}
    assert tuple(leading) == LEADING
    optional = {name: literal(pl.col(name)) for name in OPTIONAL if name != "existing_service"}
    optional["existing_service"] = pl.when(pl.col("existing_service")).then(pl.lit("true")) \
        .otherwise(pl.lit("false"))
    members = [pl.lit(_key(name)) + value for name, value in leading.items()]
    if advice is not None:
        members.append(pl.lit(_key("advice")) + advice)
    if amounts is not None:
        members.append(pl.lit(_key("amounts")) + amounts)
    members += [pl.when(pl.col(name).is_not_null()).then(pl.lit(_key(name)) + value)
                for name, value in optional.items()]
    if extras:
        present = [pl.when(pl.col(name).is_not_null()).then(
            pl.lit(_key(name)) + literal(pl.col(name))) for name in extras]
        members.append(pl.when(pl.any_horizontal(pl.col(extras).is_not_null())).then(
            pl.lit(_key("extra") + "{\n        ")
            + pl.concat_str(present, separator=_EXTRA_KEYS, ignore_nulls=True)
            + pl.lit("\n      }")))
    names = [f"_member{index}" for index in range(len(members))]
    return frame.select(member.alias(name) for member, name in zip(members, names)).select(
        pl.concat_str([pl.lit("    {\n      "),
                       pl.concat_str(names, separator=_KEYS, ignore_nulls=True),
                       pl.lit("\n    }")]))[:, 0]


def _finding_head(rule: str, status: str, clause: str) -> tuple[str, str]:
    """A finding's text around its message (inside a line, a finding is eight spaces in
    and its keys ten)."""
    return "        {\n          " + ",\n          ".join(
        [_key("rule") + json.dumps(rule, ensure_ascii=False),
         _key("status") + json.dumps(status, ensure_ascii=False),
         _key("clause") + json.dumps(clause, ensure_ascii=False), _key("message")]), \
        "\n        }"


def findings_joined(frame: pl.DataFrame, result: CheckResult,
                    around: Callable[[str, str, str], tuple[str, str]],
                    separator: str, case: Callable[[pl.Expr], pl.Expr] | None = None
                    ) -> pl.Series:
    """Per line of `frame` (lines of the result's table): its findings (finding_pieces,
    the messages as JSON literals) joined with `separator`; null for a line with none."""
    findings = pl.repeat(None, frame.height, dtype=pl.Utf8, eager=True)
    pieces = finding_pieces(frame, result, around, literal, case)
    if pieces.height:
        joined = per_line(pieces, "_line", "_order", "_text", separator=separator)
        findings = findings.scatter(joined["_line"], joined["_text"])
    return findings


def finding_pieces(frame: pl.DataFrame, result: CheckResult,
                   around: Callable[[str, str, str], tuple[str, str]],
                   shown: Callable[[pl.Expr], pl.Expr],
                   case: Callable[[pl.Expr], pl.Expr] | None = None) -> pl.DataFrame:
    """(_line: position in `frame`, _order, _text) for each finding of the lines of
    `frame` (finding_rows): the message as `shown` writes it, with the text
    around(rule, status, clause) gives before and after it; `case`: what a cross-line
    finding naming its case writes after its message."""
    rows, heads = finding_rows(frame, result)
    texts = [around(*head) for head in heads]
    parts = pl.DataFrame({"_head": range(len(heads)), "_before": [b for b, _ in texts],
                          "_after": [a for _, a in texts]},
                         schema={"_head": pl.Int64, "_before": pl.Utf8, "_after": pl.Utf8})
    named = pl.lit("") if case is None else pl.when(
        pl.col("_case").fill_null("") != "").then(case(pl.col("_case"))).otherwise(pl.lit(""))
    return rows.join(parts, on="_head", maintain_order="left").select(
        "_line", "_order",
        (pl.col("_before") + shown(pl.col("_message")) + named + pl.col("_after"))
        .alias("_text"))


def finding_rows(frame: pl.DataFrame, result: CheckResult
                 ) -> tuple[pl.DataFrame, list[tuple[str, str, str]]]:
    """(_line: position in `frame`, _order, _head, _message, _case) for each finding of the
    lines of `frame` (lines of the result's table), and each finding's (rule, status,
    clause) by its _head number. No LineResult: each message is rendered on whole columns
    (message_columns, as the CSV report renders them) for the lines its rule matched, with
    its own version's rules; _order sorts a line's findings as LineResult has them (rules
    in pack order, then the award limit, then the cross-line checks); _case is the case a
    cross-line finding names, else null."""
    framed = frame.with_row_index("_line").with_columns(pl.col("_line").cast(pl.Int64))
    heads: dict[tuple[str, str, str], int] = {}
    pieces = []

    def headed(found: pl.DataFrame, by_key: dict[str, tuple[str, str, str]], key: str,
               message: str) -> pl.DataFrame:
        numbers = [heads.setdefault(head, len(heads)) for head in by_key.values()]
        parts = pl.DataFrame({key: list(by_key), "_head": numbers},
                             schema={key: pl.Utf8, "_head": pl.Int64})
        case = pl.col("case") if "case" in found.columns else pl.lit(None, dtype=pl.Utf8)
        return found.join(parts, on=key, maintain_order="left").select(
            "_line", pl.col("_order").cast(pl.Int64), "_head",
            pl.col(message).alias("_message"), case.alias("_case"))

    for (grant, label), lines in framed.partition_by(["grant", PACK_VERSION],
                                                     as_dict=True).items():
        compiled = result.packs[grant]
        version = compiled.versions[label]
        rules: dict[str, tuple[str, str, str]] = {
            rule.id: (rule.id, rule.status, rule.clause) for rule in version.rules}
        # message_columns finds a line's fields by its _line, as a position in the frame.
        at = lines["_line"]
        for found in rule_messages(lines.with_columns(pl.int_range(pl.len(), dtype=pl.Int64)
                                                      .alias("_line")), version):
            pieces.append(headed(found.with_columns(at.gather(found["_line"])), rules,
                                 "_rule", "_text"))
        beyond = lines.filter(pl.col(OVER).fill_null(0) > 0)
        if beyond.height:
            pieces.append(headed(beyond.select(
                "_line", pl.lit(len(version.rules), pl.Int64).alias("_order"),
                pl.lit(OVER_RULE).alias("_rule"),
                over_message(result.award_amount(grant)).alias("_text")),
                {OVER_RULE: (OVER_RULE, "non_compliant", compiled.loaded.pack.ringfence.clause)},
                "_rule", "_text"))
    if result.cross is not None and result.cross.height:
        cross = result.cross.with_row_index("_order").join(
            framed.select(SEQ, "_line"), on=SEQ, how="inner")
        if cross.height:
            # after every rule's and the award's: cross-line findings keep their own order
            pieces.append(headed(
                cross.with_columns(pl.col("_order").cast(pl.Int64) + 1_000_000_000),
                {rule: (rule, "at_risk", clause) for rule, clause in CROSS_LINE_CLAUSES.items()},
                "rule", "message"))
    found = pl.concat(pieces) if pieces else pl.DataFrame(schema={
        "_line": pl.Int64, "_order": pl.Int64, "_head": pl.Int64, "_message": pl.Utf8,
        "_case": pl.Utf8})
    return found, list(heads)


def flagged_texts(frame: pl.DataFrame, result: CheckResult, extras: list[str]) -> pl.Series:
    """Lines with findings (`frame`, a slice's), as line_record would write them, with no
    LineResult."""
    findings = findings_joined(frame, result, _finding_head, ",\n",
                               lambda case: pl.lit(",\n          " + _key("case")) + literal(case))
    advice = advice_texts(result.advice, frame[SEQ], _advice_json)
    over = pl.col(OVER).fill_null(0)
    rank = pl.max_horizontal(pl.col(RULE_RANK).fill_null(0), pl.col(CROSS_RANK).fill_null(0))
    split = (over > 0) & (rank < 2) & (over != pl.col("amount"))
    amounts = pl.when(split).then(pl.concat_str([
        pl.lit("{\n        "), literal(rank.replace_strict(list(range(3)), list(STATUSES),
                                                       return_dtype=pl.Utf8)),
        pl.lit(": "), literal(plain(pl.col("amount") - over)),
        pl.lit(',\n        "non_compliant": '), literal(plain(over)), pl.lit("\n      }")]))
    return line_texts(frame.with_columns(findings.alias("_findings"), advice.alias("_advice")),
                      extras,
                      pl.when(pl.col("_findings").is_null()).then(pl.lit("[]")).otherwise(
                          pl.lit("[\n") + pl.col("_findings") + pl.lit("\n      ]")), amounts,
                      pl.col("_advice") if advice.null_count() < advice.len() else None)


def _advice_json(advice) -> str:
    """A line's advice as line_record writes it: inside a line, its keys are six spaces in."""
    return orjson.dumps(advice_records(advice), option=orjson.OPT_INDENT_2).decode().replace(
        "\n", "\n      ")


def _line_text(record: dict[str, Any]) -> str:
    """A record as it stands inside the report's lines (orjson indents it at the top)."""
    return "    " + orjson.dumps(record, option=orjson.OPT_INDENT_2).decode().replace(
        "\n", "\n    ")


class _Flagged:
    """Without a gate, the lines with findings as text: made for many slices at once
    (per slice, polars' work per call costs twice as much), as many slices as hold
    AT_ONCE lines with findings, so that a ledger whose lines nearly all have findings
    never holds all their text at once (at 100,000 lines nine in ten of them refused,
    the JSON report's peak memory is 1.3 times the CSV report's; 1.6 with all of them at
    once, and with 25,000 at a time)."""

    AT_ONCE = 10_000

    def __init__(self, result: CheckResult):
        self.result = result
        self.window = (0, 0)  # the lines (start, end) whose texts are made
        self.made: tuple[int, pl.Series] | None = None  # (at: first of them in positions, texts)

    @cached_property
    def _lines(self) -> tuple[list[int], pl.DataFrame, list[str]]:
        # The positions as a list, searched with bisect: polars' search_sorted costs
        # milliseconds a call on half a million positions, a few times a slice.
        return (self.result.flagged().to_list(), self.result.versioned_table(),
                extra_columns(self.result.table))

    def of(self, batch: LineBatch) -> pl.Series:
        start, size = batch.start, batch.frame.height
        positions, table, extras = self._lines
        if self.made is None or not self.window[0] <= start < start + size <= self.window[1]:
            first = bisect_left(positions, start)
            # Whole slices, up to the one holding the AT_ONCE-th line with findings.
            last = positions[min(first + self.AT_ONCE, len(positions)) - 1]
            self.window = (start, start + max(1, -(-(last + 1 - start) // size)) * size)
            end = bisect_left(positions, self.window[1], first)
            self.made = None  # (let the window before go first)
            self.made = first, flagged_texts(table[positions[first:end]], self.result, extras)
        at, texts = self.made
        first = bisect_left(positions, start)
        return texts.slice(first - at, bisect_left(positions, start + size, first) - first)


def batch_texts(batch: LineBatch, result: CheckResult, clean: Future,
                flagged: _Flagged) -> tuple[pl.Series, int, int]:
    """A slice's lines, each as it stands inside the report's "lines": [...], and how many
    of their findings the gate waived and baselined. `clean`: line_texts of the slice,
    under way in another thread while this one makes the lines with findings."""
    if not batch.positions:
        return clean.result(), 0, 0
    if active_gate(result) is None:
        # Everything in polars: the lines with findings are never Python objects either.
        return clean.result().scatter(batch.positions, flagged.of(batch)), 0, 0
    # A gate notes waivers and baselines on each finding: from the LineResults.
    records = [line_record(line) for line in batch.found.values()]
    waived, baselined = annotate_lines(records, result)
    texts = clean.result().scatter(list(batch.found), [_line_text(r) for r in records])
    return texts, waived, baselined


def _skeleton(result: CheckResult) -> dict[str, Any]:
    """The report with no lines yet and no gate annotations."""
    summary = {status: {"lines": bucket.lines, "amount": format_plain(bucket.amount)}
               for status, bucket in result.summary.items()}
    out: dict[str, Any] = {
        "summary": summary,
        "lines": [],
        "ringfences": [{
            "grant": check.grant, "purpose": check.purpose,
            "allocated": format_plain(check.allocated), "spent": format_plain(check.spent),
            "status": check.status, "message": check.message, "check": check.check,
            "rule": check.rule, "clause": check.clause,
        } for check in result.ringfences],
        "status": result.status,
    }
    outside = result.outside
    if outside is not None:
        out["summary"]["out_of_scope"] = {"lines": outside.lines,
                                          "amount": format_plain(outside.amount)}
        assert result.out_of_scope is not None  # `outside` counts its lines
        out["out_of_scope"] = [
            {"line_id": line_id, "source": source, "row": row, "amount": format_plain(amount)}
            for line_id, source, row, amount in result.out_of_scope.select(
                "line_id", SOURCE, ROW, "amount").iter_rows()]
    cases = result.case_list()
    if cases:
        out["cases"] = [{**case, "amount": format_plain(case["amount"])} for case in cases]
    if result.rejected:
        out["summary"]["rejected"] = {
            "rows": len(result.rejected),
            "amount": format_plain(sum(r.amount or 0 for r in result.rejected)),
            "unreadable_amounts": sum(1 for r in result.rejected if r.amount is None)}
        out["rejected"] = [{"source": r.source, "row": r.row, "reasons": list(r.reasons),
                            "raw": r.raw} for r in result.rejected]
    if result.council:
        out["council"] = result.council
    if result.evidence:
        out["evidence"] = result.evidence
    return out


def report(result: CheckResult) -> dict[str, Any]:
    """The report as a dict: what write() writes, read back."""
    import io

    stream = io.StringIO()
    write(result, stream)
    return json.loads(stream.getvalue())


#: The empty lines of a skeleton as json.dumps indents it: only the top level has two spaces.
_NO_LINES = '\n  "lines": [],'
#: The skeleton's lists that grow with the ledger: a ledger full of duplicates has tens of
#: thousands of cases, which json's own indenting (pure Python) takes a second to write.
_GROWING = ("out_of_scope", "cases", "rejected")


def _dumps(skeleton: dict[str, Any]) -> str:
    """json.dumps(skeleton, indent=2, ensure_ascii=False), its growing lists by orjson
    (which writes them byte for byte as json does, as it writes the lines). Indenting
    nests: a member's own text, every line two spaces further in, is its text inside."""
    members = [f"  {_key(name)}" + (
        orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() if name in _GROWING
        else json.dumps(value, indent=2, ensure_ascii=False)).replace("\n", "\n  ")
        for name, value in skeleton.items()]
    return "{\n" + ",\n".join(members) + "\n}" if members else "{}"


def write(result: CheckResult, stream) -> None:
    skeleton = _skeleton(result)
    # The summary, before the lines, is known now; what follows them (the gate's counts
    # among it) once they are written. The small rest is json's own, floats and all.
    head = _dumps(skeleton).split(_NO_LINES, 1)[0]
    count = result.table.height
    put(stream, head + ('\n  "lines": [\n' if count else _NO_LINES))
    waived = baselined = 0
    flagged = _Flagged(result)
    with threads.pool(1) as pool:
        for batch, clean in _ahead(result.batches(), pool):
            texts, more_waived, more_baselined = batch_texts(batch, result, clean, flagged)
            waived += more_waived
            baselined += more_baselined
            texts = texts + ",\n"
            if batch.start + batch.frame.height == count:  # no comma after the last line
                texts = texts.scatter(len(texts) - 1, texts[-1][:-2])
            put(stream, texts)  # the slice is never one Python string
    annotate_json(skeleton, result, (waived, baselined))
    tail = _dumps(skeleton).split(_NO_LINES, 1)[1]
    put(stream, ("\n  ]," if count else "") + tail + "\n")


def _ahead(batches, pool: ThreadPoolExecutor) -> Iterator[tuple[LineBatch, Future]]:
    """Each slice with its clean lines' text under way in `pool`, the next slice's
    started before this one is given: polars (which lets go of the GIL, and runs an
    expression on one core) builds it while this thread writes the one before."""
    previous = None
    for batch in batches:
        current = batch, pool.submit(line_texts, batch.frame, batch.extras)
        if previous is not None:
            yield previous
        previous = current
    if previous is not None:
        yield previous
