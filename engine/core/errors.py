"""Errors a user can cause, reported as one line naming file, line and field."""

from __future__ import annotations

import re


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
            where = visible(self.source)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{one_line(self.message)}"


#: An error line is read by a person: a bad value of megabytes is quoted in part.
MAX_LINE = 600
_HEAD, _TAIL = 400, 150


def one_line(text: str) -> str:
    """`text` on one line, control characters shown, and at most about MAX_LINE long
    (the middle left out: the start names the file and value, the end says what is wrong)."""
    flat = " ".join(visible(str(text)).split())
    if len(flat) <= MAX_LINE:
        return flat
    return f"{flat[:_HEAD]} … ({len(flat) - _HEAD - _TAIL:,} characters left out) … {flat[-_TAIL:]}"


#: Characters that would act on a terminal (escape sequences, carriage return, backspace,
#: bidirectional overrides) rather than show: C0 and C1 controls but tab and newline.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Input text made safe to show on a terminal: each control character as an escape
    (ESC as `\\x1b`), so that it is seen, never run."""
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
