"""Reading a feed file: YAML that remembers the line of every key, and checks of its shapes.

Every problem is raised as a `Problem` at the line to fix; `catalog` turns it into a
FeedFileError naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from service.domain import SLUG_PATTERN, Due

Model = TypeVar("Model", bound=BaseModel)


class Problem(Exception):
    """Something wrong at a line of the file being read; becomes a FeedFileError."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


# ---------------------------------------------------------------------------- YAML with lines


class YamlMap(dict[str, Any]):
    """A YAML mapping that remembers the line of each key, so errors can point at it."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class YamlList(list[Any]):
    """A YAML list that remembers the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int] = []


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader: YamlMap and YamlList, no repeated keys, no unreal dates."""


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _refuse(reason: str, node: yaml.Node) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, reason, node.start_mark)


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[YamlMap]:
    data = YamlMap(_line(node))
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise _refuse(f"key {key!r} is not text", key_node)
        if key in data:
            raise _refuse(f"key {key!r} appears twice (first at line {data.lines[key]})", key_node)
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = _line(key_node)


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Iterator[YamlList]:
    data = YamlList(_line(node))
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.lines.append(_line(item))


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> date:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError as exc:
        raise _refuse(f"{node.value!r} is not a real date ({exc})", node) from exc


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise Problem(None, f"is not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise Problem(None, f"cannot be read ({exc.strerror or exc})") from exc
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        raise Problem(_mark_line(exc), _yaml_reason(exc)) from exc
    except yaml.YAMLError as exc:
        raise Problem(None, f"is not valid YAML ({exc})") from exc
    finally:
        loader.dispose()


def _mark_line(exc: yaml.MarkedYAMLError) -> int | None:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark else None


def _yaml_reason(exc: yaml.MarkedYAMLError) -> str:
    if isinstance(exc, yaml.constructor.ConstructorError):
        return exc.problem or str(exc)
    started = exc.context_mark.line + 1 if exc.context_mark else None
    if exc.context and started not in (None, _mark_line(exc)):
        return f"YAML syntax error: {exc.problem} ({exc.context} started at line {started})"
    return f"YAML syntax error: {exc.problem}"


# ---------------------------------------------------------------------------- shapes


def mapping(value: Any, line: int | None, what: str) -> YamlMap:
    if not isinstance(value, YamlMap):
        raise Problem(line, f"{what} must be a mapping of keys to values")
    return value


def sequence(value: Any, line: int, what: str) -> YamlList:
    if not isinstance(value, YamlList):
        raise Problem(line, f"{what} must be a list")
    return value


def known_keys(data: YamlMap, allowed: frozenset[str], what: str) -> None:
    for key in data:
        if key not in allowed:
            expected = ", ".join(sorted(allowed))
            raise Problem(data.line_of(key), f"unknown key {key!r} in {what}; use {expected}")


def required(data: YamlMap, key: str, what: str) -> Any:
    if key not in data:
        raise Problem(data.line, f"{what} needs {key!r}")
    return data[key]


def slug(value: Any, line: int, what: str) -> str:
    if not isinstance(value, str) or not re.match(SLUG_PATTERN, value):
        raise Problem(
            line, f"{what} {value!r} is not a slug: use lower-case letters, digits and hyphens"
        )
    return value


def a_date(value: Any, line: int, what: str) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError as exc:
            raise Problem(line, f"{what} {value!r} is not a date such as 2021-02-03") from exc
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise Problem(line, f"{what} must be a date such as 2021-02-03, not {value!r}")


# ---------------------------------------------------------------------------- validation


def validated(model: type[Model], data: Mapping[str, Any], where: YamlMap) -> Model:
    """The model, or a Problem at the line of the first field pydantic refused."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise Problem(_line_at(where, errors[0]["loc"]), _describe(errors)) from exc


def _line_at(root: YamlMap, loc: Sequence[int | str]) -> int:
    line: int = root.line
    node: Any = root
    for part in loc:
        if isinstance(node, YamlMap) and isinstance(part, str) and part in node:
            line, node = node.line_of(part), node[part]
        elif isinstance(node, YamlList) and isinstance(part, int) and part < len(node):
            line, node = node.lines[part], node[part]
        else:
            break
    return line


def _describe(errors: Sequence[Any]) -> str:
    return "; ".join(_one_error(error) for error in errors)


def _one_error(error: Any) -> str:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"]).lstrip(".")
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] != "value_error" and isinstance(error["input"], str | int | date):
        message = f"{message} (got {error['input']!r})"
    return f"{path}: {message}" if path else message


def shown(value: Any) -> str:
    """A field value as a reviewer wrote it: 2021-02-05, null, [US, RU]."""
    if value is None:
        return "null"
    if isinstance(value, Due):
        return f"{value.value} {value.tz}" if value.tz else value.value
    if isinstance(value, Mapping) and "value" in value:
        return str(value["value"])
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(shown, value)) + "]"
    return str(value)
