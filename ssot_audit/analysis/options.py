"""Typed, validated options: turns a config mapping into a rule's Options dataclass."""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Mapping


class ConfigError(Exception):
    """A configuration problem, reported as one line and exit code 2."""


def closest(word: str, choices: typing.Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def config_key(field_name: str) -> str:
    return field_name.replace("_", "-")


def _describe(tp: object) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def check_type(value: object, tp: object, where: str) -> object:
    """Check value against a simple annotation; returns the value converted where lossless."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    # `object` as `Any`: an unconstrained value, such as one rule option inside the `rules`
    # table, which the rule's own Options dataclass checks afterwards.
    if tp is typing.Any or tp is object:
        return value
    if origin in (typing.Union, types.UnionType):
        first_error: ConfigError | None = None
        for arg in args:
            try:
                return check_type(value, arg, where)
            except ConfigError as exc:
                # "expected a number" reads better than "expected float | None".
                first_error = first_error or (exc if arg is not type(None) else None)
        raise first_error or ConfigError(f"{where}: expected {_describe(tp)}, got {type(value).__name__}")
    if tp is type(None):
        if value is None:
            return None
        raise ConfigError(f"{where}: expected null, got {type(value).__name__}")
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise ConfigError(f"{where}: expected a number, got {type(value).__name__}")
    if tp in (int, str, bool):
        assert isinstance(tp, type)
        if isinstance(value, tp) and not (tp is int and isinstance(value, bool)):
            return value
        raise ConfigError(f"{where}: expected {tp.__name__}, got {type(value).__name__}")
    if origin in (list, tuple) or tp in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {type(value).__name__}")
        item_type = args[0] if args else typing.Any
        items = [check_type(v, item_type, f"{where}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if (origin is tuple or tp is tuple) else items
    if origin in (dict, Mapping) or tp in (dict,):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a table, got {type(value).__name__}")
        key_type, value_type = args if args else (typing.Any, typing.Any)
        return {check_type(k, key_type, where): check_type(v, value_type, f"{where}.{k}") for k, v in value.items()}
    raise ConfigError(f"{where}: unsupported option type {_describe(tp)}")


T = typing.TypeVar("T")


def parse_options(
    options_class: type[T], raw: Mapping[str, object], where: str, noun: str = "option", prefix: str = ""
) -> T:
    """Build options_class from kebab-case keys, naming the closest key on a typo."""
    if not dataclasses.is_dataclass(options_class):
        raise TypeError(f"{options_class!r} is not a dataclass")
    hints = typing.get_type_hints(options_class)
    fields = {config_key(f.name): f for f in dataclasses.fields(options_class)}
    values: dict[str, object] = {}
    for key, value in raw.items():
        option = fields.get(key) or fields.get(config_key(key))
        if option is None:
            raise ConfigError(f"{where}: unknown {noun} '{prefix}{key}'{closest(key, fields)}")
        values[option.name] = check_type(value, hints[option.name], f"{where}: {prefix}{key}")
    return options_class(**values)


@dataclasses.dataclass(frozen=True)
class NoOptions:
    """The options of a rule that takes none."""
