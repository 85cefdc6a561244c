"""The JSON report (`--format json`): the contract in docs/architecture.md."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..core.money import format_plain
from ..checks.result import CheckResult, LineResult
from ..models.table import ROW, SOURCE
from .advice import advice_records
from .gate_report import annotate_json


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
    for name in ("cost_type", "category", "supplier", "reference", "existing_service"):
        if values[name] is not None:
            record[name] = values[name]
    if line.extras:
        record["extra"] = line.extras
    return record


def report(result: CheckResult) -> dict[str, Any]:
    summary = {status: {"lines": bucket.lines, "amount": format_plain(bucket.amount)}
               for status, bucket in result.summary.items()}
    out: dict[str, Any] = {
        "summary": summary,
        "lines": [line_record(line) for line in result.lines()],
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
    annotate_json(out, result)
    return out


def write(result: CheckResult, stream) -> None:
    json.dump(report(result), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
