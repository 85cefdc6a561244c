"""The one module that calls durable-rules.

Everything that decides which rules match a line goes through `RulesetRunner.
decide`. Traps handled here (see docs/architecture.md, durable-rules): a quiet host
without timer threads, one fact alive at a time (assert, collect, retract),
"no rule matched" as an exception, actions that only record a rule index.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from durable import engine as durable_engine

from .durable_compiler import compile_ruleset

_names = itertools.count()


class _QuietHost(durable_engine.Host):
    """A host driven only from the calling thread: no background timers."""

    def _run(self):  # noqa: D401 - overriding durable-rules' timer loop
        pass


_host: _QuietHost | None = None


def _shared_host() -> _QuietHost:
    global _host
    if _host is None:
        _host = _QuietHost()
    return _host


class RulesetRunner:
    """One compiled pack registered with durable-rules."""

    def __init__(self, conditions: list, label: str):
        self._hits: list[int] = []
        actions = [self._recorder(index) for index in range(len(conditions))]
        definition = compile_ruleset(conditions, actions)
        safe_label = "".join(ch if ch.isalnum() else "_" for ch in label)
        self.name = f"{safe_label}_{next(_names)}"
        self._host = _shared_host()
        try:
            self._host.register_rulesets({self.name: definition})
        except MemoryError:
            raise
        except Exception as exc:  # durable_rules_engine.error carries only a code
            raise RulesetError(f"durable-rules rejected the ruleset: {exc}") from None

    def _recorder(self, index: int):
        hits = self._hits

        def record(_context):
            hits.append(index)

        return record

    def decide(self, fact: Mapping[str, Any]) -> tuple[int, ...]:
        """Indexes of the rules that match `fact`, in rule order."""
        self._hits.clear()
        fact = dict(fact)
        try:
            self._host.assert_fact(self.name, fact)
        except durable_engine.MessageNotHandledException:
            return ()
        self._host.retract_fact(self.name, fact)
        return tuple(sorted(set(self._hits)))


class RulesetError(Exception):
    pass
