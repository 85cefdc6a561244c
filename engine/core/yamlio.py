"""YAML loading that keeps where every value was written.

PyYAML alone would turn `12.10` into a float, turn `2025-02-30` into a
traceback and silently keep the last of two duplicate keys; this loader keeps
numbers exact (Decimal), leaves dates as text for our own parser, rejects
duplicate keys, and records the line of every key so that validation errors
can name it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import InputError

Path_ = tuple[Any, ...]


# libyaml's parser (bundled with PyYAML's wheels) reads the packs several times faster
# and gives the same nodes and marks; the pure-Python one is the fallback. Both offer the
# same methods, so the type checker is shown the one that always exists.
if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    pass


_DECIMAL_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)")


def _exact_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | str:
    # YAML 1.1 floats include base 60 (`1:30.5`) and `.inf`: keep those as written.
    raw = loader.construct_scalar(node)
    try:
        value = Decimal(raw.replace("_", ""))
    except ArithmeticError:
        return raw
    return value if value.is_finite() else raw


def _decimal_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | str:
    # YAML 1.1 reads `012` as octal 10, `0x10` as 16 and `1:30` as 90: an id
    # `0123` would become '83' and an amount `1:30` £90. Only plain decimal
    # integers are numbers; the rest stay as written, for the field to judge
    # (so do integers too long for Python to convert, over 4,300 digits).
    raw = loader.construct_scalar(node)
    if not _DECIMAL_INT.fullmatch(raw):
        return raw
    try:
        return int(raw.replace("_", ""))
    except ValueError:
        return raw


def _plain_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:float", _exact_float)
_Loader.add_constructor("tag:yaml.org,2002:int", _decimal_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _plain_text)


@dataclass
class Document:
    """Plain data from a YAML file, with the 1-based line and column of each path in it."""

    source: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    columns: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """The line of `path`, or of its nearest written ancestor."""
        return self.position_of(path)[0]

    def position_of(self, path: Path_) -> tuple[int | None, int | None]:
        """(line, column) of `path`, or of its nearest written ancestor."""
        path = tuple(path)
        while True:
            if path in self.lines:
                return self.lines[path], self.columns.get(path)
            if not path:
                return None, None
            path = path[:-1]


#: Deeper than any of our formats needs (a pack's nested conditions are a few levels), and
#: far from what would exhaust Python's stack while the document is built.
MAX_DEPTH = 100
#: Nodes that aliases may add by repeating what they name: a few kilobytes of nested
#: aliases (a "billion laughs") would otherwise expand to billions of values.
MAX_ALIASED_NODES = 100_000


def load_text(text: str, source: str) -> Document:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        doc = Document(source, None)
        if node is not None:
            _check_shape(node, source)
            doc.data = _build(loader, node, (), doc)
        return doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"invalid YAML: {problem}", source=source, line=line,
                         column=mark.column + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", source=source) from None
    finally:
        loader.dispose()


def load_file(path: str | Path) -> Document:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", source=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", source=str(path)) from None
    return load_text(text, str(path))


_COLLECTIONS = (yaml.MappingNode, yaml.SequenceNode)


def _check_shape(root: yaml.Node, source: str) -> None:
    """Refuses, before anything is built, a document nested deeper than MAX_DEPTH, an
    alias that contains itself, or aliases that would expand beyond MAX_ALIASED_NODES.

    Each collection (an alias is the node it names, shared) is visited once, so this
    takes time in the document's size, not in its expanded size."""
    sizes: dict[int, tuple[int, int]] = {}  # id(collection) -> (values expanded, height)
    open_: set[int] = set()  # the collections on the path being walked
    written = 0  # values as written: each collection once, with its own scalars
    stack = [root] if isinstance(root, _COLLECTIONS) else []
    while stack:
        node = stack[-1]
        key = id(node)
        if key in sizes:
            stack.pop()
            continue
        children = ([part for pair in node.value for part in pair]
                    if isinstance(node, yaml.MappingNode) else node.value)
        if key not in open_:
            open_.add(key)
            pending = [child for child in children
                       if isinstance(child, _COLLECTIONS) and id(child) not in sizes]
            if any(id(child) in open_ for child in pending):
                raise InputError("an alias refers to a value that contains it", source=source,
                                 line=node.start_mark.line + 1)
            if pending:
                stack.extend(pending)
                continue
        open_.discard(key)
        stack.pop()
        expanded, height, scalars = 1, 1, 0
        for child in children:
            if isinstance(child, _COLLECTIONS):
                child_expanded, child_height = sizes[id(child)]
                expanded += child_expanded
                height = max(height, child_height + 1)
            else:
                expanded += 1
                scalars += 1
                height = max(height, 2)
        if height > MAX_DEPTH:
            raise InputError(f"nested more than {MAX_DEPTH} levels deep", source=source,
                             line=node.start_mark.line + 1)
        sizes[key] = expanded, height
        written += 1 + scalars
    repeated = sizes[id(root)][0] - written if id(root) in sizes else 0
    if repeated > MAX_ALIASED_NODES:
        raise InputError(f"aliases would repeat {repeated:,} values (at most "
                         f"{MAX_ALIASED_NODES:,}): refusing to expand them", source=source)


def _build(loader: _Loader, node: yaml.Node, path: Path_, doc: Document) -> Any:
    if path not in doc.lines:
        doc.lines[path] = node.start_mark.line + 1
        doc.columns[path] = node.start_mark.column + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _build(loader, key_node, path + ("<key>",), doc)
            if isinstance(key, (list, dict)):
                raise InputError("a mapping key must be a plain value", source=doc.source,
                                 line=key_node.start_mark.line + 1)
            key = key if isinstance(key, str) else str(key)
            if key in result:
                raise InputError(f"duplicate key '{key}'", source=doc.source,
                                 line=key_node.start_mark.line + 1, field=_dotted(path + (key,)),
                                 column=key_node.start_mark.column + 1)
            doc.lines[path + (key,)] = key_node.start_mark.line + 1
            doc.columns[path + (key,)] = key_node.start_mark.column + 1
            result[key] = _build(loader, value_node, path + (key,), doc)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, path + (index,), doc) for index, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


dotted = _dotted
