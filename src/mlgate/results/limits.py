"""Size limits for a results document that came from elsewhere (publish mode's artifact,
written by pull-request code): checked on the parsed JSON before schema validation, so a
document that is huge, deep or long-winded is refused with one line instead of rendered.

The limits are far above what a gate run writes (a few models, a few targets, one-line
notes) and far below what would strain rendering or GitHub's limits. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlgate.errors import DataError


@dataclass(frozen=True)
class Limits:
    max_depth: int = 24
    max_string: int = 8_192  # characters, any string
    max_short_string: int = 1_024  # identifiers: paths, names, refs, URLs
    max_items: int = 4_096  # any list or object
    max_strings: int = 200_000  # strings in the whole document
    short_keys: frozenset[str] = frozenset(
        {
            "model",
            "path",
            "base_path",
            "name",
            "repository",
            "event",
            "base_sha",
            "head_sha",
            "base_ref",
            "head_ref",
            "run_url",
            "sha256",
            "unit",
            "threshold",
            "verdict",
            "status",
            "created_at",
        }
    )
    per_key: dict[str, int] = field(
        default_factory=lambda: {
            "results": 512,  # models in one run
            "changes": 1_024,
            "targets": 32,
            "metrics": 128,
            "variants": 128,
            "notes": 128,
            "errors": 128,
            "lost": 128,
            "not_tried": 128,
            "passes": 64,
        }
    )


ARTIFACT_LIMITS = Limits()


def _label(key: str) -> str:
    """A key for an error message: short, on one line."""
    return key if key.isidentifier() and len(key) <= 40 else repr(key[:40])


class _Walk:
    def __init__(self, limits: Limits, source: str) -> None:
        self.limits, self.source, self.strings = limits, source, 0

    def refuse(self, where: str, what: str) -> DataError:
        return DataError(
            f"{self.source}: {where or 'the document'} {what}: this is not a results file "
            "mlgate wrote; refusing it"
        )

    def visit(self, value: Any, where: str, key: str, depth: int) -> None:
        if depth > self.limits.max_depth:
            raise self.refuse(where, f"is nested over {self.limits.max_depth} levels deep")
        if isinstance(value, str):
            self.string(value, where, key)
        elif isinstance(value, dict):
            self.items(len(value), where, key)
            for name, item in value.items():
                label = _label(name)
                self.string(name, f"{where}.{label} (a key)", "name")
                self.visit(item, f"{where}.{label}" if where else label, name, depth + 1)
        elif isinstance(value, list):
            self.items(len(value), where, key)
            for index, item in enumerate(value):
                self.visit(item, f"{where}.{index}", key, depth + 1)

    def items(self, count: int, where: str, key: str) -> None:
        cap = min(self.limits.per_key.get(key, self.limits.max_items), self.limits.max_items)
        if count > cap:
            raise self.refuse(where, f"has {count} entries, over the limit of {cap}")

    def string(self, value: str, where: str, key: str) -> None:
        self.strings += 1
        if self.strings > self.limits.max_strings:
            raise self.refuse("", f"has over {self.limits.max_strings} strings")
        short = key in self.limits.short_keys
        cap = self.limits.max_short_string if short else self.limits.max_string
        if len(value) > cap:
            raise self.refuse(where, f"is {len(value)} characters long, over the limit of {cap}")


def check_limits(document: dict[str, Any], source: str, limits: Limits = ARTIFACT_LIMITS) -> None:
    """Raise `DataError` (one line, naming the field) when `document` exceeds `limits`."""
    _Walk(limits, source).visit(document, "", "", 0)
