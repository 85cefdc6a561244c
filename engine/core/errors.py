"""Errors a user can cause, each a Diagnostic: the file, line, column and field at
fault, a message, and what the user probably meant."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .suggest import did_you_mean


@dataclass(frozen=True)
class Diagnostic:
    """One problem a user can fix, where it is written. Input errors, `rules lint`
    problems and rows that cannot be lines are all Diagnostics, so they read alike."""

    message: str
    source: str | None = None
    line: int | None = None
    #: for tools that point into the file (`rules lint`); not part of the one-line form
    column: int | None = None
    field: str | None = None
    #: what the user probably meant (a key, a field, a pack id): "did you mean" is
    #: written once, here, from it
    suggestion: str | None = None

    @property
    def text(self) -> str:
        """The message with its suggestion."""
        return f"{self.message}{did_you_mean(self.suggestion)}"

    def render(self) -> str:
        """`source:line: field: message`, on one line."""
        where = ""
        if self.source:
            where = visible(self.source)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{one_line(self.text)}"

    def located(self) -> str:
        """`source:line:column: message`: the form editors and `rules lint` read."""
        # One line, control characters shown, a huge value quoted in part (see one_line).
        return one_line(f"{self.source}:{self.line or 1}:{self.column or 1}: {self.text}")


class InputError(Exception):
    """Bad input: the CLI prints `str(error)` on one line and exits 2 (ExitCode.BAD_INPUT)."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None,
                 field: str | None = None, column: int | None = None,
                 suggestion: str | None = None):
        self.diagnostic = Diagnostic(message, source, line, column, field, suggestion)
        super().__init__(self.diagnostic.render())

    @property
    def message(self) -> str:
        return self.diagnostic.text

    @property
    def source(self) -> str | None:
        return self.diagnostic.source

    @property
    def line(self) -> int | None:
        return self.diagnostic.line

    @property
    def field(self) -> str | None:
        return self.diagnostic.field

    @property
    def column(self) -> int | None:
        return self.diagnostic.column

    def render(self) -> str:
        return self.diagnostic.render()


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
