"""How commands report progress without printing: front ends pass a `Progress`."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class Progress(Protocol):
    def step(self, text: str) -> AbstractContextManager[object]:
        """Context for one step that may take more than a moment."""


class NoProgress:
    def step(self, text: str) -> AbstractContextManager[object]:
        return nullcontext()
