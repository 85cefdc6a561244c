"""Validate a YAML document against a model; errors name file, line and key."""

from __future__ import annotations

import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .errors import InputError
from .suggest import near_miss
from .yamlio import Document, dotted

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], doc: Document, data: Any = None, base: tuple = ()) -> M:
    payload = doc.data if data is None else data
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise to_input_error(exc, model, doc, payload, base) from None


def to_input_error(exc: ValidationError, model: type[BaseModel], doc: Document, payload: Any,
                   base: tuple = ()) -> InputError:
    error = _most_specific(exc.errors(include_url=False))
    path, message, suggestion = describe(error, model, payload)
    full = tuple(base) + tuple(path)
    return InputError(message, source=doc.source, line=doc.line_of(full),
                      field=dotted(full) or None, suggestion=suggestion)


def describe(error: ErrorDetails, model: type[BaseModel], payload: Any
             ) -> tuple[list, str, str | None]:
    """One pydantic error as (its path in the data, a message for a person, the key that
    was probably meant)."""
    path, tags = _data_path(payload, error["loc"])
    message = error["msg"]
    suggestion = None
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    if error["type"] == "extra_forbidden":
        key = str(path[-1])
        allowed = _allowed_keys(model, path[:-1], tags)
        suggestion = near_miss(key, allowed) if allowed else None
        message = f"unknown key '{key}'"
        if allowed and not suggestion:
            message += f" (expected one of: {', '.join(sorted(allowed))})"
    elif error["type"] == "missing":
        message = f"missing required key '{path[-1]}'"
    elif "input" in error and error["type"] not in ("value_error",) and not isinstance(
            error["input"], (dict, list)):
        message = f"{message} (got {error['input']!r})"
    return path, message, suggestion


def _most_specific(errors: list[ErrorDetails]) -> ErrorDetails:
    # Union failures list one error per member; the one that got furthest is the useful one.
    # A misspelt key is both unknown and missing: "did you mean" says more than "missing".
    return max(errors, key=lambda e: (len(e["loc"]), e["type"] != "union_tag_invalid",
                                      e["type"] == "extra_forbidden"))


def _data_path(payload: Any, loc: tuple) -> tuple[list, list]:
    """Keep the parts of a pydantic location that exist in the data (drop union tags)."""
    path: list = []
    tags: list = []
    node = payload
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif last and isinstance(node, dict):
            path.append(part)
        else:
            tags.append((len(path), part))
    return path, tags


def _allowed_keys(model: Any, path: list, tags: list) -> set[str]:
    node_type: Any = model
    tag_at = dict(tags)
    for depth in range(len(path) + 1):
        node_type = _resolve(node_type, tag_at.get(depth))
        if depth == len(path):
            break
        part = path[depth]
        if isinstance(part, int):
            args = typing.get_args(node_type)
            node_type = args[0] if args else Any
        elif isinstance(node_type, type) and issubclass(node_type, BaseModel):
            field = next((f for n, f in node_type.model_fields.items()
                          if n == part or f.alias == part), None)
            node_type = field.annotation if field else Any
        else:
            args = typing.get_args(node_type)
            node_type = args[-1] if args else Any
    if isinstance(node_type, type) and issubclass(node_type, BaseModel):
        return {f.alias or n for n, f in node_type.model_fields.items()}
    return set()


def _resolve(node_type: Any, tag: Any) -> Any:
    """Strip Annotated/Optional; pick a union member by its tag."""
    for _ in range(10):
        origin = typing.get_origin(node_type)
        if origin is typing.Annotated:
            node_type = typing.get_args(node_type)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            members = [m for m in typing.get_args(node_type) if m is not type(None)]
            chosen = None
            for member in members:
                for meta in getattr(member, "__metadata__", ()):
                    if getattr(meta, "tag", None) == tag:
                        chosen = member
            node_type = chosen or members[0]
        else:
            return node_type
    return node_type
