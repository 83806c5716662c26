"""`mlgate.yml`: one declarative schema and one `load_config`. Every key is optional.

Errors name the file, the key and what is accepted, in one line. The published JSON Schema
(`schemas/config.schema.json`) is generated from these classes (`make schemas`).

The package re-exports every public name, so `from mlgate.config import X` is the one
import path; each section lives in its own module."""

from __future__ import annotations

from mlgate.config.base import MAX_DIM, ONE_DAY, ONE_PIB_MB
from mlgate.config.document import Config, OnInconclusive, config_json_schema
from mlgate.config.files import MAX_CONFIG_BYTES, MAX_YAML_DEPTH, safe_yaml
from mlgate.config.globs import (
    MAX_GLOB_LENGTH,
    MAX_GLOB_WILDCARDS,
    check_glob,
    glob_matches,
    glob_may_match_under,
)
from mlgate.config.latency import LatencyConfig
from mlgate.config.limits import EnergyConfig, LimitsConfig
from mlgate.config.loading import DEFAULT_CONFIG_NAME, LoadedConfig, load_config, parse_config
from mlgate.config.models import EVAL_METRICS, EvalConfig, ModelConfig
from mlgate.config.optimize import OptimizeConfig
from mlgate.config.sources import HistoryConfig, PytestBenchmarkConfig
from mlgate.config.targets import TargetConfig
from mlgate.config.thresholds import check_threshold
from mlgate.config.validation_errors import describe_validation_error
from mlgate.config.waivers import (
    DEFAULT_WAIVERS_NAME,
    WaiverEntry,
    describe_waiver_error,
    load_waivers,
    parse_waivers,
)

__all__ = [
    "DEFAULT_CONFIG_NAME",
    "DEFAULT_WAIVERS_NAME",
    "EVAL_METRICS",
    "MAX_CONFIG_BYTES",
    "MAX_DIM",
    "MAX_GLOB_LENGTH",
    "MAX_GLOB_WILDCARDS",
    "MAX_YAML_DEPTH",
    "ONE_DAY",
    "ONE_PIB_MB",
    "Config",
    "EnergyConfig",
    "EvalConfig",
    "HistoryConfig",
    "LatencyConfig",
    "LimitsConfig",
    "LoadedConfig",
    "ModelConfig",
    "OnInconclusive",
    "OptimizeConfig",
    "PytestBenchmarkConfig",
    "TargetConfig",
    "WaiverEntry",
    "check_glob",
    "check_threshold",
    "config_json_schema",
    "describe_validation_error",
    "describe_waiver_error",
    "glob_matches",
    "glob_may_match_under",
    "load_config",
    "load_waivers",
    "parse_config",
    "parse_waivers",
    "safe_yaml",
]
