"""The sections that name other sources: extra `pytest-benchmark` results to gate, and the
history branch that keeps main's results."""

from __future__ import annotations

from pydantic import Field

from mlgate.config.base import Strict


class PytestBenchmarkConfig(Strict):
    base: str = Field(
        description="`pytest --benchmark-json` output of the base, relative to this file"
    )
    head: str = Field(description="the same for the head")


class HistoryConfig(Strict):
    branch: str = Field(
        "mlgate-history",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
        description="the orphan branch `mlgate history record` writes main's results to; "
        "pull requests show the last results stored there for the base model",
    )
    show: bool = Field(True, description="show the last results on main in the comment")
