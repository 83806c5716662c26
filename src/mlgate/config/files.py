"""Reading a config or waivers file: a regular file of at most 1 MiB, UTF-8, and YAML parsed
safely; every failure one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mlgate.errors import ConfigError

MAX_CONFIG_BYTES = 1024 * 1024  # a config or waivers file; YAML parsing is slow past this
MAX_YAML_DEPTH = 100


def is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long, a symlink loop
        return False


def read_text(path: Path, what: str) -> str:
    """A config or waivers file's text: a regular file, at most 1 MiB, UTF-8."""
    if not is_file(path):
        raise ConfigError(f"{what} file not found: {path}")
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: the {what} file is over 1 MiB; is it the right file?")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the {what} file: {exc}") from None


def safe_yaml(text: str, source: str) -> Any:
    """`yaml.safe_load`, every failure (syntax, nesting too deep) a one-line ConfigError.
    Deep `[[[…` nesting is refused before parsing: PyYAML's scanner is quadratic in it."""
    if _flow_depth(text) > MAX_YAML_DEPTH:
        raise ConfigError(f"{source}: the YAML nests too deeply; is it the right file?")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{source}: {where}invalid YAML: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{source}: the YAML nests too deeply; is it the right file?") from None


def _flow_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest
