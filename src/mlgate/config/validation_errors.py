"""Pydantic's validation errors as one line: the key, what is wrong and what is accepted
(with a 'did you mean' for a misspelled key)."""

from __future__ import annotations

import difflib
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from mlgate.config.document import Config


def _location(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic class that owns the last key of `loc` (for 'accepted keys' hints)."""
    current: Any = Config
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _unwrap(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is not None:
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        if not args:
            return annotation
        annotation = args[0]
    return annotation


def describe_validation_error(exc: ValidationError) -> str:
    """The first validation error as 'key: what is wrong; what is accepted'."""
    error = exc.errors(include_url=False)[0]
    loc = tuple(error["loc"])
    where = _location(loc) or "(top level)"
    if error["type"] == "extra_forbidden":
        owner = _model_at(loc[:-1])
        accepted = sorted(owner.model_fields) if owner else []
        close = difflib.get_close_matches(str(loc[-1]), accepted, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"unknown key '{where}'; {hint}accepted here: {', '.join(accepted)}"
    message = str(error["msg"]).removeprefix("Value error, ")
    given = error.get("input")
    shown = "" if isinstance(given, (dict, list)) or given is None else f" (got {given!r})"
    return f"{where}: {message}{shown}"
