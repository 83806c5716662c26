"""The whole `mlgate.yml`: its sections, the checks across them, and what a model gets from
them (its `models` entry, its thresholds). The published JSON Schema
(`schemas/config.schema.json`) is generated from these classes (`make schemas`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from mlgate.compare.metrics import UNLABELLED_FIDELITY, default_thresholds
from mlgate.compare.thresholds import Threshold, parse_threshold
from mlgate.config.base import Strict, floats_as_text
from mlgate.config.globs import check_glob, glob_matches
from mlgate.config.latency import LatencyConfig
from mlgate.config.limits import EnergyConfig, LimitsConfig
from mlgate.config.models import ModelConfig
from mlgate.config.optimize import OptimizeConfig
from mlgate.config.sources import HistoryConfig, PytestBenchmarkConfig
from mlgate.config.targets import TargetConfig
from mlgate.config.thresholds import check_accuracy_units, check_threshold, is_disabled
from mlgate.errors import ConfigError

OnInconclusive = Literal["pass", "neutral", "fail"]


class Config(Strict):
    version: Literal[1] = 1
    models: list[ModelConfig] = Field(default_factory=list)
    targets: list[TargetConfig] = Field(
        default_factory=lambda: [TargetConfig(name="cpu")], min_length=1
    )
    thresholds: dict[str, bool | str | float | None] = Field(
        default_factory=dict,
        description="metric -> '+5%' | '-0.5pp' | '+0.01' | '>= 0.999' | off",
    )
    latency: LatencyConfig = LatencyConfig()
    energy: EnergyConfig = EnergyConfig()
    limits: LimitsConfig = LimitsConfig()
    pytest_benchmark: PytestBenchmarkConfig | None = Field(
        None, description="extra benchmarks to gate (e.g. pre- and post-processing)"
    )
    history: HistoryConfig = HistoryConfig()
    optimize: OptimizeConfig = OptimizeConfig()
    on_inconclusive: OnInconclusive = Field(
        "neutral",
        description="what an undecided gated metric makes the check: neutral (default), "
        "pass or fail; the comment always says what was not decided",
    )

    @field_validator("thresholds", mode="before")
    @classmethod
    def _numbers_as_text(cls, value: Any) -> Any:
        return floats_as_text(value)

    @field_validator("thresholds")
    @classmethod
    def _thresholds(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name, text in value.items():
            check_threshold(name, text)
        return value

    @model_validator(mode="after")
    def _cross_field(self) -> Config:
        names = [target.name for target in self.targets]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"target names must be unique; repeated: {', '.join(duplicates)}")
        for model in self.models:
            try:
                check_glob(model.path)
            except ConfigError as exc:
                raise ValueError(f"models: {exc}") from None
            for name, text in model.thresholds.items():
                check_threshold(name, text)
            for name, text in {**self.thresholds, **model.thresholds}.items():
                check_accuracy_units(name, text, model.eval.metric)
        return self

    def model_for(self, path: str) -> ModelConfig:
        """The first `models` entry whose path or glob matches `path`, else defaults."""
        posix = Path(path).as_posix().removeprefix("./")
        for model in self.models:
            if glob_matches(model.path, posix):
                return model
        return ModelConfig(path=posix)

    def thresholds_for(
        self, model: ModelConfig, overrides: dict[str, str], labelled: bool = True
    ) -> dict[str, Threshold]:
        """Defaults (fidelity gated when there are no labels), then config, then per-model,
        then command-line overrides."""
        chosen = {**self.thresholds, **model.thresholds, **overrides}
        merged: dict[str, Any] = {**default_thresholds(model.eval.metric, labelled), **chosen}
        backstops = set(UNLABELLED_FIDELITY) - set(chosen) if labelled else set()
        return {
            name: dataclasses.replace(parse_threshold(text), backstop=name in backstops)
            for name, text in merged.items()
            if not is_disabled(text)
        }


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema of `mlgate.yml`, for editor completion (`make schemas` writes it)."""
    schema = Config.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://github.com/org/ml-efficiency-gate/schemas/config.schema.json"
    schema["title"] = "mlgate.yml"
    return schema
