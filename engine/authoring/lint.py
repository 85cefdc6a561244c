"""`rules lint`: every problem in a folder of grant packs, each at its file, line and column.

Schema errors come from the pydantic models (all of them, not only the first);
then each rule that is valid on its own is checked for what the schema cannot
see: a condition that can never match (impossible.py), a value its field never
takes, a condition durable-rules cannot run as written (compiled into a scratch
ruleset, one rule at a time), duplicate ids, a pack id that is not its folder's
name. The pack's test cases are checked too: their schema, their lines, and the
rule ids they expect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError, model_validator
from pydantic_core import ErrorDetails

from ..core.errors import Diagnostic, InputError
from ..core.suggest import did_you_mean, near_miss
from ..core.suggest import hint as suggest_hint
from ..core.validation import describe
from ..core.yamlio import Document, load_file
from ..models.conditions import MAX_LIST, All, AnyOf, Condition, Leaf, alternatives
from ..models.lines import Line
from ..models.pack import Pack, Period, amendment_problems
from ..models.packtests import PackTestFile
from ..packs.conditions import resolve
from ..packs.durable_runner import RulesetError, RulesetRunner
from ..packs.loading import PACK_FILE, bundled_rules, pack_versions
from .impossible import Context, leaf_problems, never_matches
from .packtests import TESTS_DIR

#: What durable-rules' error codes mean for a pack author (rules.h of durable-rules 2.0.28).
DURABLE_ERRORS = {
    113: "too many tests in one sequence",
    303: "too many alternatives",
    501: "a regular expression it cannot parse",
    502: "a regular expression too large for it",
    503: "a regular expression too large for it",
    504: "a regular expression too large for it",
    505: "a regular expression too large for it",
    506: "a regular expression too large for it",
    507: "a regular expression it cannot build (a '.*' followed by a large character class "
         "such as [^ ])",
    508: "an invalid regular expression",
}


def _problem(source: str, line: int | None, column: int | None, message: str) -> Diagnostic:
    return Diagnostic(message, source, line or 1, column or 1)


def _in_order(problems) -> list[Diagnostic]:
    """Once each (a rule kept by several versions is checked in each), in file order."""
    return sorted(set(problems), key=lambda d: (d.source, d.line, d.column, d.text))


_CONDITION = TypeAdapter(Condition)


@dataclass(frozen=True)
class _Checked:
    """What the condition checks need of a rule: its id and its (valid) condition."""

    id: str
    when: Any


class _Unchecked(Pack):
    """The pack schema without its whole-pack checks, which lint makes itself, with places."""

    @model_validator(mode="after")
    def _unique_rule_ids(self):
        return self

    @model_validator(mode="after")
    def _amendments_apply(self):
        return self


def lint_rules(rules_dir: str | Path | None = None) -> list[Diagnostic]:
    """Every problem in every pack of `rules_dir` (default: the bundled rules/), sorted."""
    rules_dir = Path(rules_dir) if rules_dir else bundled_rules()
    if not rules_dir.is_dir():
        raise InputError("no such rules folder", source=str(rules_dir))
    if (rules_dir / PACK_FILE).is_file():  # one pack's own folder
        return lint_pack(rules_dir / PACK_FILE)
    folders = sorted(p for p in rules_dir.iterdir()
                     if p.is_dir() and not p.name.startswith((".", "_")))
    problems: list[Diagnostic] = []
    found = False
    for folder in folders:
        file = folder / PACK_FILE
        if file.is_file():
            found = True
            problems.extend(lint_pack(file))
        elif any(folder.glob("*.yaml")):
            problems.append(_problem(str(folder), 1, 1, f"no {PACK_FILE} in this pack folder"))
    if not found:
        raise InputError(f"no grant packs (*/{PACK_FILE}) found", source=str(rules_dir))
    return _in_order(problems)


def lint_pack(file: Path) -> list[Diagnostic]:
    file = Path(file)
    try:
        doc = load_file(file)
    except InputError as exc:
        return [_problem(str(file), exc.line, exc.column, exc.message)]
    linter = _PackLinter(doc, file)
    linter.run()
    return _in_order(linter.problems)


class _Linter:
    def __init__(self, doc: Document):
        self.doc = doc
        self.problems: list[Diagnostic] = []

    def at(self, path: tuple, message: str) -> None:
        line, column = self.doc.position_of(path)
        self.problems.append(_problem(self.doc.source, line, column, message))

    def schema_errors(self, model: type[BaseModel], data: Any, base: tuple = ()) -> bool:
        """Report every schema error of `data`; True when it is valid."""
        try:
            model.model_validate(data)
            return True
        except ValidationError as exc:
            self.report_errors(exc.errors(include_url=False), model, data, base)
            return False

    def report_errors(self, errors: list[ErrorDetails], model, data, base: tuple = ()) -> None:
        described = [(error, *describe(error, model, data)) for error in errors]
        misspelt = set()  # (parent, key meant): a missing key explained by a misspelt one
        for index, (error, path, _message, suggestion) in enumerate(described):
            if error["type"] == "extra_forbidden":
                keys = _keys_of(error["loc"])
                guess = near_miss(path[-1], keys) if keys else suggestion
                if guess:
                    misspelt.add((tuple(path[:-1]), guess))
                    described[index] = (error, path, f"unknown key '{path[-1]}'", guess)
        for error, path, message, suggestion in described:
            if error["type"] == "missing" and (tuple(path[:-1]), path[-1]) in misspelt:
                continue
            self.schema_error(error, tuple(base) + tuple(path),
                              message + did_you_mean(suggestion))

    def schema_error(self, error: ErrorDetails, path: tuple, message: str) -> None:
        cause: Any = (error.get("ctx") or {}).get("error")  # the exception a validator raised
        if getattr(cause, "key", None):
            while path and path not in self.doc.lines and path[:-1] in self.doc.lines:
                path = path[:-1]  # a union member's tag (leaf, all, any), not a key in the file
            path += (cause.key,)
        if error["type"] == "literal_error" and path and path[-1] == "field":
            message = _unknown_field(error["input"])
        elif path and path[-1] == "clause" and error["type"] in (
                "missing", "string_too_short", "value_error"):
            message = (f"rule '{_rule_id(self.doc, path)}' has no clause: cite the paragraph of "
                       "the determination (or the standard condition) it comes from")
        self.at(path, message)


class _PackLinter(_Linter):
    def __init__(self, doc: Document, file: Path):
        super().__init__(doc)
        self.file = file
        self.data = doc.data if isinstance(doc.data, dict) else None

    def run(self) -> None:
        if self.data is None:
            self.at((), "a pack is a mapping of id, title, period, purposes, ringfence and rules")
            return
        pack = self._schema()
        self._folder()
        self._duplicate_ids()
        self._rules(pack)
        self._cases(pack)

    def _schema(self) -> Pack | None:
        try:
            unchecked = _Unchecked.model_validate(self.data)
        except ValidationError as exc:
            self.report_errors(exc.errors(include_url=False), Pack, self.data)
            return None
        assert self.data is not None  # run() checks only a mapping
        for path, message in amendment_problems(unchecked):
            self.at(path, message)
        if self.problems or _duplicated(self.data.get("rules")):
            return None
        try:
            return Pack.model_validate(self.data)
        except ValidationError as exc:  # a whole-pack check lint does not know yet
            self.report_errors(exc.errors(include_url=False), Pack, self.data)
            return None

    def _folder(self) -> None:
        assert self.data is not None  # run() checks only a mapping
        pack_id = self.data.get("id")
        folder = self.file.parent.name
        if isinstance(pack_id, str) and self.file.name == PACK_FILE and pack_id != folder:
            self.at(("id",), f"pack id '{pack_id}' differs from its folder '{folder}'")

    def _duplicate_ids(self) -> None:
        assert self.data is not None  # run() checks only a mapping
        rules = self.data.get("rules")
        first: dict[str, int] = {}
        for index, rule in enumerate(rules if isinstance(rules, list) else []):
            rule_id = rule.get("id") if isinstance(rule, dict) else None
            if not isinstance(rule_id, str):
                continue
            if rule_id in first:
                line = self.doc.line_of(("rules", first[rule_id], "id"))
                self.at(("rules", index, "id"), f"duplicate rule id '{rule_id}' (first at "
                                                f"line {line})")
            else:
                first[rule_id] = index

    # --- rules ------------------------------------------------------------------------------

    def _rules(self, pack: Pack | None) -> None:
        """Check each valid rule in each version of the pack it is in force in."""
        if pack is not None:
            sites = _rule_sites(pack)
            all_purposes = tuple(code for v in pack_versions(pack) for code in v.pack.purposes)
            for version in pack_versions(pack):
                context = _context(version.pack, all_purposes)
                for rule in version.pack.rules:
                    self._rule(rule, sites[id(rule)], context)
            return
        assert self.data is not None  # run() checks only a mapping
        context = _raw_context(self.data)
        for path, raw in _raw_rule_sites(self.data):
            try:  # a rule with other schema errors still has its condition checked
                when = _CONDITION.validate_python(raw.get("when"))
            except ValidationError:
                continue  # its schema errors are reported already
            self._rule(_Checked(str(raw.get("id", "?")), when), path, context)

    def _rule(self, rule, path: tuple, context: Context) -> None:
        before = len(self.problems)
        for leaf, leaf_path in _leaves(rule.when, path + ("when",)):
            for key, message in leaf_problems(leaf, context):
                self.at(leaf_path + (key,), f"rule '{rule.id}': {message}")
        if len(self.problems) == before:
            reason = never_matches(rule.when, context)
            if reason:
                self.at(path + ("when",), f"rule '{rule.id}' can never match: {reason}")
        self._durable(rule, path, context)

    def _durable(self, rule, path: tuple, context: Context) -> None:
        if alternatives(rule.when) > MAX_LIST:
            return  # refused by the schema: compiling it would hang durable-rules
        scope = _resolution_scope(context)
        error = _durable_error(resolve(rule.when, scope))
        if error is None:
            return
        culprit = path + ("when",)
        for leaf, leaf_path in _leaves(rule.when, path + ("when",)):
            if _durable_error(resolve(leaf, scope)) is not None:
                culprit = leaf_path + ("value",) if leaf.op == "matches" else leaf_path
                break
        self.at(culprit, f"rule '{rule.id}': durable-rules cannot run this condition as "
                         f"written: {error}")

    # --- the pack's test cases --------------------------------------------------------------

    def _cases(self, pack: Pack | None) -> None:
        rule_ids: set[str] = set()
        if pack is not None:
            rule_ids = {rule.id for v in pack_versions(pack) for rule in v.pack.rules}
        for file in sorted((self.file.parent / TESTS_DIR).glob("*.yaml")):
            try:
                doc = load_file(file)
            except InputError as exc:
                self.problems.append(_problem(str(file), exc.line, exc.column, exc.message))
                continue
            cases = _CasesLinter(doc)
            cases.run(rule_ids)
            self.problems.extend(cases.problems)


class _CasesLinter(_Linter):
    def run(self, rule_ids: set[str]) -> None:
        if not self.schema_errors(PackTestFile, self.doc.data):
            return
        suite = PackTestFile.model_validate(self.doc.data)
        for index, case in enumerate(suite.cases):
            values = {"line_id": f"case-{index + 1}", "amount": 100, **suite.defaults,
                      **case.line}
            self.schema_errors(Line, values, ("cases", index, "line"))
            for position, rule_id in enumerate(case.findings):
                if rule_ids and rule_id not in rule_ids:
                    hint = suggest_hint(rule_id, rule_ids)
                    self.at(("cases", index, "findings", position),
                            f"case '{case.name}' expects rule '{rule_id}', which the pack does "
                            f"not have{hint}")


# --- helpers --------------------------------------------------------------------------------

def _unknown_field(name: Any) -> str:
    from ..models.lines import LINE_FIELDS

    return f"'{name}' is not a line field{suggest_hint(str(name), LINE_FIELDS, 'fields')}"


def _keys_of(loc: tuple) -> tuple[str, ...] | None:
    """The keys allowed where a condition has an unknown one (describe cannot see past tags)."""
    members: dict[str, type[BaseModel]] = {"leaf": Leaf, "all": All, "any": AnyOf}
    member = members.get(loc[-2]) if len(loc) > 1 else None
    return tuple(member.model_fields) if member else None


def _rule_id(doc: Document, path: tuple) -> str:
    node = doc.data
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return "?"
    return str(node.get("id", "?")) if isinstance(node, dict) else "?"


def _duplicated(rules: Any) -> bool:
    ids = [r.get("id") for r in rules or [] if isinstance(r, dict)]
    return len(ids) != len(set(ids))


def _rule_sites(pack: Pack) -> dict[int, tuple]:
    """id(rule object) -> where it is written, for every rule of every version."""
    sites: dict[int, tuple] = {id(rule): ("rules", index) for index, rule in enumerate(pack.rules)}
    for number, amendment in enumerate(pack.amendments):
        for kind in ("add", "replace"):
            for index, rule in enumerate(getattr(amendment.rules, kind)):
                sites[id(rule)] = ("amendments", number, "rules", kind, index)
    return sites


def _raw_rule_sites(data: dict):
    """(path, rule mapping) of every rule written in an invalid pack, amendments included."""
    def listed(node, *keys):
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        return node if isinstance(node, list) else []

    for index, raw in enumerate(listed(data, "rules")):
        if isinstance(raw, dict):
            yield ("rules", index), raw
    for number, amendment in enumerate(listed(data, "amendments")):
        for kind in ("add", "replace"):
            for index, raw in enumerate(listed(amendment, "rules", kind)):
                if isinstance(raw, dict):
                    yield ("amendments", number, "rules", kind, index), raw


def _leaves(condition, path: tuple):
    """(leaf, its path in the file), depth first."""
    if isinstance(condition, Leaf):
        yield condition, path
        return
    key = "all" if isinstance(condition, All) else "any"
    children = condition.all if isinstance(condition, All) else condition.any
    for index, child in enumerate(children):
        yield from _leaves(child, path + (key, index))


def _context(pack: Pack, all_purposes: tuple = ()) -> Context:
    return Context(pack.id, pack.period.start, pack.period.end, tuple(pack.purposes),
                   all_purposes or tuple(pack.purposes))


def _raw_context(data: dict) -> Context:
    """What can be trusted of an invalid pack's head, for checking its valid rules."""
    pack_id = data.get("id") if isinstance(data.get("id"), str) else None
    start: date | None
    end: date | None
    try:
        period = Period.model_validate(data.get("period"))
        start, end = period.start, period.end
    except ValidationError:
        start = end = None
    purposes = data.get("purposes")
    codes = tuple(str(code) for code in purposes) if isinstance(purposes, dict) else None
    return Context(pack_id, start, end, codes, codes or ())


def _resolution_scope(context: Context) -> SimpleNamespace:
    """Enough of a pack for conditions.resolve; unknown values only need the right type."""
    import datetime as dt

    day = dt.date(2000, 1, 1)
    return SimpleNamespace(period=SimpleNamespace(start=context.start or day,
                                                  end=context.end or day),
                           purposes=context.purposes or ("x",))


@lru_cache(maxsize=1024)
def _durable_error(node) -> str | None:
    """Compile one condition into a scratch durable-rules ruleset; what went wrong, if anything."""
    try:
        RulesetRunner([node], "lint")
    except RulesetError as exc:
        match = re.search(r"error code: (\d+)", str(exc))
        if match is None:
            return "it rejected the ruleset"
        code = int(match.group(1))
        meaning = DURABLE_ERRORS.get(code, "it rejected the ruleset")
        return f"{meaning} (error {code})" if code else meaning
    return None
