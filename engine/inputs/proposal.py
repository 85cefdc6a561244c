"""Proposals (YAML or JSON): awards and lines in one file."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import InputError
from ..core.validation import validate
from ..core.yamlio import Document, load_file
from ..models.awards import AwardsFile, Proposal
from ..models.table import from_lines
from . import InputFile


def _check_unique_ids(doc: Document, proposal: Proposal) -> None:
    first_seen: dict[str, int] = {}
    for index, line in enumerate(proposal.lines):
        if line.line_id in first_seen:
            raise InputError(
                f"duplicate line_id '{line.line_id}' (first at line "
                f"{doc.line_of(('lines', first_seen[line.line_id]))})",
                source=doc.source, line=doc.line_of(("lines", index, "line_id")),
                field=f"lines[{index}].line_id")
        first_seen[line.line_id] = index


def read_proposal(path: Path) -> InputFile:
    doc = load_file(path)
    if not isinstance(doc.data, dict):
        raise InputError("expected a mapping with awards and lines", source=doc.source, line=1)
    if "lines" not in doc.data:
        raise InputError("no 'lines': a file with only awards goes to --awards",
                         source=doc.source, line=1, field="lines")
    proposal = validate(Proposal, doc)
    _check_unique_ids(doc, proposal)
    rows = [doc.line_of(("lines", index)) or 0 for index in range(len(proposal.lines))]
    table = from_lines(proposal.lines, doc.source, rows)
    awards = proposal.awards_file()
    positions = {line.line_id: row for line, row in zip(proposal.lines, rows)}
    return InputFile(str(path), table, awards, positions, award_lines(doc, proposal.awards))


def award_lines(doc: Document, awards) -> dict[str, dict[str, int]]:
    """grant -> {"grant": line, "plan.<purpose>": line}: where each award is written."""
    out: dict[str, dict[str, int]] = {}
    for index, award in enumerate(awards):
        lines = {"grant": doc.line_of(("awards", index, "grant")) or 0}
        for purpose in award.plan or {}:
            lines[f"plan.{purpose}"] = doc.line_of(("awards", index, "plan", purpose)) or 0
        out[award.grant] = lines
    return out


def read_awards(path: str | Path) -> tuple[AwardsFile, dict[str, dict[str, int]]]:
    """An awards file (`--awards`), with the line of each award's grant."""
    doc = load_file(path)
    if isinstance(doc.data, dict) and "lines" in doc.data:
        raise InputError("an awards file has no 'lines'", source=doc.source,
                         line=doc.line_of(("lines",)), field="lines")
    awards = validate(AwardsFile, doc)
    return awards, award_lines(doc, awards.awards)
