"""What the exit code of every command means: a CI gate reads these, so each has one meaning."""

from enum import IntEnum


class ExitCode(IntEnum):
    #: nothing at or above --fail-on (for `rules lint` / `rules test`: no problems)
    OK = 0
    #: something is at or above --fail-on (lint: problems; rules test: a case fails)
    FINDINGS = 1
    #: bad input or usage: one line on stderr names the file, the line and the field
    BAD_INPUT = 2
    #: a bug in ringfence, not in the input: one line, or the traceback with RINGFENCE_DEBUG=1
    INTERNAL_ERROR = 3
    #: the check ran out of memory (a CI gate must tell this from findings, exit 1)
    OUT_OF_MEMORY = 4
