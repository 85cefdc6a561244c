"""Errors a user can cause, reported as one line naming file, line and field."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: the CLI prints `str(error)` on one line and exits 2."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None,
                 field: str | None = None, column: int | None = None):
        self.message = message
        self.source = source
        self.line = line
        self.field = field
        self.column = column  # for tools that point into the file (rules lint); not rendered
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.source:
            where = self.source
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{one_line(self.message)}"


def one_line(text: str) -> str:
    return " ".join(str(text).split())
