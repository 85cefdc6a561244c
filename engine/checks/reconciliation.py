"""An input against its own stated totals: the total row at its foot, and the subtotal
rows of its blocks (a month's), each against the rows it totals (inputs/layout.py
finds and adds them). A mismatch is a finding on the input, so that it is in every
report and fails the run like any non-compliant spend."""

from __future__ import annotations

from ..core import builtin_rules
from ..core.money import format_gbp
from ..core.paths import shown_path
from ..inputs import InputFile
from .awards import RECONCILIATION, RingfenceCheck


def reconciliation(f: InputFile) -> RingfenceCheck | None:
    """The file's own stated totals against its rows: a finding on the input, so that a
    mismatch is in every report and fails the run like any non-compliant spend."""
    if not f.totals:
        return None
    wrong = [t for t in f.totals if not t.reconciles]
    shown = shown_total(f)
    where = shown_path(f.path)
    if wrong:
        message = "; ".join(
            f"row {t.row} states a total of {format_gbp(t.stated)}, but the rows above it add "
            f"up to {format_gbp(t.computed)} ({format_gbp(abs(t.stated - t.computed))} apart)"
            for t in wrong)
        status = "non_compliant"
    else:
        subtotals = len(f.totals) - 1
        message = (f"the rows add up to the stated total of {format_gbp(shown.stated)} at row "
                   f"{shown.row}" + (f", and to each of {subtotals} totals above it"
                                     if subtotals else ""))
        status = "compliant"
    return RingfenceCheck(RECONCILIATION, where, None, shown.stated, shown.computed, status,
                          builtin_rules.RECONCILIATION.clause_for(), message)


def shown_total(f: InputFile):
    """The total a reconciliation check shows: the first that is wrong, else the last."""
    return next((t for t in f.totals if not t.reconciles), f.totals[-1])
