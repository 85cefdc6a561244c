"""'Did you mean ...?': the one way every stage suggests what a user probably meant."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def near_miss(key: str, choices: Iterable) -> str | None:
    """The choice `key` was probably meant to be (case-insensitive), if any."""
    by_lower = {str(choice).lower(): choice for choice in choices}
    found = difflib.get_close_matches(str(key).lower(), list(by_lower), n=1, cutoff=0.75)
    return by_lower[found[0]] if found else None


def did_you_mean(suggestion: str | None, aside: bool = False) -> str:
    """What a message says when there is a suggestion: "; did you mean 'x'?" at its end,
    or " (did you mean 'x'?)" as an `aside` within a list."""
    if not suggestion:
        return ""
    return f" (did you mean '{suggestion}'?)" if aside else f"; did you mean '{suggestion}'?"


def hint(key: str, choices: Iterable, listing: str | None = None) -> str:
    """"; did you mean 'x'?" when `key` is close to a choice; else, when `listing` names
    the choices (e.g. "purposes"), " (purposes: a, b)"; else nothing."""
    choices = list(choices)
    guess = near_miss(key, choices)
    if guess:
        return did_you_mean(guess)
    return f" ({listing}: {', '.join(map(str, choices))})" if listing else ""
