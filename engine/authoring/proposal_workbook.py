"""`ringfence new proposal FILE.xlsx`: a proposal workbook to fill in.

Sheets `Awards` and `Lines` in the layout inputs/workbook.py reads, with
drop-down lists (grant, purpose, cost type, existing service) taken from the
packs, and a `Guide` sheet saying each pack's purposes and rules in plain
words with their clauses. Given a proposal, it writes its awards and lines in
(the tests build workbooks from the YAML cases this way).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import xlsxwriter

from ..core.errors import InputError
from ..core.money import to_decimal
from ..core.suggest import hint
from ..inputs.workbook import AWARD_COLUMNS, AWARDS_SHEET, LINE_COLUMNS, LINES_SHEET, column_letter
from ..models.awards import Proposal
from ..packs.loading import LoadedPack

#: Rows given drop-down lists (and formats) for lines to be typed in.
FILL_ROWS = 1000
YES_NO = ("yes", "no")
GUIDE_WIDTH = 66  # characters a line of the Guide's wrapped columns holds
COST_TYPES = ("revenue", "capital")
_WIDTHS = {"line_id": 10, "date": 12, "amount": 14, "description": 48, "purpose": 22,
           "cost_type": 11, "category": 22, "supplier": 26, "reference": 14, "grant": 28,
           "existing_service": 16, "council": 40}


def write_proposal_workbook(path: str, packs: dict[str, LoadedPack], *, council: str | None = None,
                            grants: list[str] | tuple[str, ...] = (),
                            proposal: Proposal | None = None) -> None:
    for grant in grants:
        if grant not in packs:
            raise InputError(f"no grant pack '{grant}'{hint(grant, sorted(packs), 'packs')}",
                             field="--grant")
    chosen = list(grants) or (sorted({a.grant for a in proposal.awards}) if proposal else [])
    shown = [packs[g] for g in chosen if g in packs] or [packs[g] for g in sorted(packs)]
    purposes = list(dict.fromkeys(code for p in shown for code in p.purposes))
    try:
        book = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False,
                                          "strings_to_numbers": False})
    except OSError as exc:
        raise InputError(f"cannot write the workbook: {exc.strerror}", source=path) from None
    styles = _Styles(book)
    choices = {"grant": sorted(packs),
               "purpose": list(dict.fromkeys(c for g in sorted(packs) for c in packs[g].purposes)),
               "cost_type": list(COST_TYPES), "existing_service": list(YES_NO)}
    lists = {name: f"=Lists!${column_letter(i)}$2:${column_letter(i)}${len(values) + 1}"
             for i, (name, values) in enumerate(choices.items())}
    _awards_sheet(book, styles, lists, purposes, council, chosen, proposal)
    _lines_sheet(book, styles, lists, proposal)
    _guide_sheet(book, styles, [packs[g] for g in sorted(packs)])
    _lists_sheet(book, choices)
    try:
        book.close()
    except OSError as exc:
        raise InputError(f"cannot write the workbook: {exc.strerror}", source=path) from None


class _Styles:
    def __init__(self, book):
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.money = book.add_format({"num_format": "£#,##0.00"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.text = book.add_format({"num_format": "@"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.top = book.add_format({"valign": "top"})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.bold = book.add_format({"bold": True})


def _lists_sheet(book, choices: dict[str, list[str]]) -> None:
    """A hidden sheet of the drop-down choices: a list typed into a validation is limited
    to 255 characters, a range is not."""
    sheet = book.add_worksheet("Lists")
    for index, (name, values) in enumerate(choices.items()):
        sheet.write_string(0, index, name)
        for row, value in enumerate(values, start=1):
            sheet.write_string(row, index, value)
    sheet.hide()


def _header(sheet, styles: _Styles, names: list[str]) -> None:
    for index, name in enumerate(names):
        sheet.write_string(0, index, name, styles.header)
        sheet.set_column(index, index, _WIDTHS.get(name, 16))
    sheet.freeze_panes(1, 0)


def _choose(sheet, column: int, source: str, title: str) -> None:
    sheet.data_validation(1, column, FILL_ROWS, column, {
        "validate": "list", "source": source, "ignore_blank": True,
        "input_title": title[:32], "error_title": "Not in the list",
        "error_message": "Choose a value from the drop-down list.", "error_type": "warning"})


def _awards_sheet(book, styles, lists, purposes, council, chosen, proposal) -> None:
    sheet = book.add_worksheet(AWARDS_SHEET)
    names = [*AWARD_COLUMNS, *purposes]
    _header(sheet, styles, names)
    for index in range(AWARD_COLUMNS.index("amount"), len(names)):
        sheet.set_column(index, index, max(14, len(names[index]) + 2), styles.money)
    _choose(sheet, names.index("grant"), lists["grant"], "The grant's pack")
    council = council or (proposal.council if proposal else None)
    rows = [(a.grant, a.amount, a.plan or {}) for a in proposal.awards] if proposal else \
        [(grant, None, {}) for grant in chosen]
    for row, (grant, amount, plan) in enumerate(rows, start=1):
        if council:
            sheet.write_string(row, 0, council)
        sheet.write_string(row, 1, grant)
        if amount is not None:
            sheet.write_number(row, 2, float(to_decimal(amount)), styles.money)
        for purpose, pence in plan.items():
            if purpose not in names:  # a plan naming a purpose of no shown pack: keep it
                names.append(purpose)
                sheet.write_string(0, len(names) - 1, purpose, styles.header)
            sheet.write_number(row, names.index(purpose), float(to_decimal(pence)), styles.money)
    if not rows and council:
        sheet.write_string(1, 0, council)


def _lines_sheet(book, styles, lists, proposal) -> None:
    sheet = book.add_worksheet(LINES_SHEET)
    extras = list(dict.fromkeys(k for line in proposal.lines for k in line.extras())) \
        if proposal else []
    names = [*LINE_COLUMNS, *extras]
    _header(sheet, styles, names)
    sheet.set_column(names.index("amount"), names.index("amount"), 14, styles.money)
    sheet.set_column(names.index("date"), names.index("date"), 12, styles.date)
    for name in ("line_id", "reference"):  # an id typed as 007 stays 007
        sheet.set_column(names.index(name), names.index(name), _WIDTHS[name], styles.text)
    for name in ("grant", "purpose", "cost_type", "existing_service"):
        _choose(sheet, names.index(name), lists[name], name)
    sheet.autofilter(0, 0, FILL_ROWS, len(names) - 1)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    for row, line in enumerate(proposal.lines if proposal else [], start=1):
        values = {**{name: getattr(line, name) for name in LINE_COLUMNS}, **line.extras()}
        for name, value in values.items():
            column = names.index(name)
            if value is None:
                continue
            if name == "amount":
                sheet.write_number(row, column, float(to_decimal(value)), styles.money)
            elif isinstance(value, bool):
                sheet.write_string(row, column, YES_NO[0] if value else YES_NO[1])
            elif isinstance(value, dt.date):
                sheet.write_datetime(row, column, dt.datetime.combine(value, dt.time()),
                                     styles.date)
            elif isinstance(value, (int, Decimal)) and name not in ("line_id", "reference"):
                sheet.write_number(row, column, float(value))
            else:
                sheet.write_string(row, column, str(value))


def _guide_sheet(book, styles, packs: list[LoadedPack]) -> None:
    sheet = book.add_worksheet("Guide")
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_column(0, 0, 34, styles.top)
    sheet.set_column(1, 1, 16, styles.top)
    sheet.set_column(2, 2, GUIDE_WIDTH + 4, styles.wrap)
    sheet.set_column(3, 3, GUIDE_WIDTH + 4, styles.wrap)
    row = 0
    sheet.write_string(row, 0, "How to fill in this workbook", styles.title)
    for text in (
        "Awards: one row per grant the council was awarded: the grant, the amount, and "
        "under each purpose code the amount planned for it (leave empty for no plan).",
        "Lines: one row per proposed spend. Choose grant, purpose, cost type and existing "
        "service from the drop-down lists. Dates as 2025-09-15; amounts in pounds.",
        "Check it with: ringfence check THIS-FILE.xlsx --format xlsx -o report.xlsx",
    ):
        row += 1
        sheet.merge_range(row, 0, row, 3, text, styles.wrap)
        sheet.set_row(row, 30)
    for loaded in packs:
        pack = loaded.versions[-1].pack
        row += 2
        sheet.write_string(row, 0, f"{pack.title} ({pack.determination})", styles.title)
        row += 1
        sheet.write_string(row, 0, f"grant: {pack.id}")
        sheet.write_string(row, 2, f"period {pack.period.start.isoformat()} to "
                                   f"{pack.period.end.isoformat()}; {pack.legal_basis}")
        if pack.summary:
            row += 1
            sheet.merge_range(row, 0, row, 3, pack.summary, styles.wrap)
            sheet.set_row(row, 15 * (len(pack.summary) // 150 + 1))
        row += 1
        sheet.write_string(row, 0, "plan tolerance")
        tolerance = (f"spend on a purpose may differ from its planned amount by "
                     f"{pack.ringfence.tolerance * 100:.0f}% before it is at risk "
                     f"({pack.ringfence.plan_clause})")
        sheet.write_string(row, 2, tolerance)
        _tall(sheet, row, tolerance)
        row += 1
        sheet.write_string(row, 0, "purpose", styles.header)
        sheet.write_string(row, 1, "", styles.header)
        sheet.write_string(row, 2, "what it covers", styles.header)
        for code, words in pack.purposes.items():
            row += 1
            sheet.write_string(row, 0, code)
            sheet.write_string(row, 2, words)
            _tall(sheet, row, words)
        row += 2
        for index, name in enumerate(("rule", "status", "what it catches", "clause")):
            sheet.write_string(row, index, name, styles.header)
        for rule in pack.rules:
            row += 1
            sheet.write_string(row, 0, rule.id)
            sheet.write_string(row, 1, rule.status.replace("_", " "))
            sheet.write_string(row, 2, rule.title)
            sheet.write_string(row, 3, rule.clause)
            _tall(sheet, row, rule.title, rule.clause)


def _tall(sheet, row: int, *texts: str) -> None:
    """A row as tall as its longest wrapped text: no spreadsheet grows it on opening."""
    lines = max(len(text) // GUIDE_WIDTH + 1 for text in texts)
    if lines > 1:
        sheet.set_row(row, 15 * lines)
