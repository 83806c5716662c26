"""`mlgate.yml`: one declarative schema and one `load_config`. Every key is optional.

Errors name the file, the key and what is accepted, in one line. The published JSON Schema
(`schemas/config.schema.json`) is generated from these classes (`make schemas`).
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mlgate.compare.metrics import (
    ERROR_METRICS,
    METRICS,
    UNLABELLED_FIDELITY,
    default_thresholds,
)
from mlgate.compare.thresholds import Threshold, ThresholdSyntaxError, parse_threshold
from mlgate.compare.waivers import Waiver
from mlgate.errors import ConfigError

DEFAULT_CONFIG_NAME = "mlgate.yml"
EVAL_METRICS = "top1, topk:K (e.g. topk:5), mse, mae, cosine, fidelity"
_EVAL_METRIC = re.compile(r"^(top1|topk:[1-9]\d*|mse|mae|cosine|fidelity)$")
_DISABLED = {"off", "none", "null", "false", "no", ""}
# Upper bounds on every number (NaN and infinities are refused by `_Strict`): a typo such as
# `1e400` or `.inf` is one line at load time, never an overflow or an endless run later.
ONE_DAY = 86_400.0  # seconds: every budget and timeout
ONE_PIB_MB = 1024**3  # MB: every size and memory limit
MAX_DIM = 2**31 - 1  # one dimension of an input shape, a batch size
MAX_GLOB_LENGTH = 256
MAX_GLOB_WILDCARDS = 16
MAX_YAML_DEPTH = 100


class _Strict(BaseModel):
    # protected_namespaces: pydantic before 2.10 warns about fields named model_* (model_size_mb)
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, protected_namespaces=()
    )


class EvalConfig(_Strict):
    data: str | None = Field(None, description="`.npz` with one array per model input + `labels`")
    metric: str = Field("top1", description=f"task metric: {EVAL_METRICS}")
    output: str | None = Field(None, description="output the metric reads (default: first)")
    labels: str = Field("labels", description="name of the labels array in the `.npz`")
    batch_size: Annotated[int, Field(gt=0, le=MAX_DIM)] | None = Field(
        None, description="split inputs along axis 0 into batches of this size"
    )

    @field_validator("metric")
    @classmethod
    def _metric(cls, value: str) -> str:
        if not _EVAL_METRIC.match(value):
            raise ValueError(f"'{value}' is not a metric; use one of {EVAL_METRICS}")
        return value


class ModelConfig(_Strict):
    path: str = Field(description="model path or glob (`models/**/*.onnx`), relative to the repo")

    eval: EvalConfig = EvalConfig()
    inputs: dict[str, list[Annotated[int, Field(gt=0, le=MAX_DIM)]]] = Field(
        default_factory=dict, description="concrete shapes for inputs with dynamic dims"
    )
    thresholds: dict[str, bool | str | float | None] = Field(
        default_factory=dict, description="per-model threshold overrides (`off` disables)"
    )

    @field_validator("thresholds", mode="before")
    @classmethod
    def _numbers_as_text(cls, value: Any) -> Any:
        return _floats_as_text(value)


def _floats_as_text(value: Any) -> Any:
    """YAML `.inf`/`.nan` thresholds reach the threshold parser (which says what is
    accepted) instead of failing every branch of the union with a misleading message."""
    if not isinstance(value, dict):
        return value
    return {
        k: (str(v) if isinstance(v, float) and not math.isfinite(v) else v)
        for k, v in value.items()
    }


class TargetConfig(_Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64)]
    runs_on: str | list[str] = "ubuntu-latest"
    providers: list[str] = Field(default_factory=lambda: ["CPUExecutionProvider"], min_length=1)
    threads: Annotated[int, Field(gt=0, le=256)] = Field(1, description="intra-op threads")
    runtimes: list[Literal["onnxruntime", "openvino"]] | None = Field(
        None,
        min_length=1,
        description="runtimes the variant search tries (default: every one installed)",
    )
    allow_missing: bool = Field(False, description="a missing provider skips instead of failing")
    price_per_hour: Annotated[float, Field(ge=0, le=1e6)] | None = Field(
        None, description="$ per runner hour, for cost per million inferences"
    )
    carbon_intensity: Annotated[float, Field(ge=0, le=1e5)] | None = Field(
        None, description="grid intensity in gCO2e/kWh, for carbon per million inferences"
    )
    watts_per_core: Annotated[float, Field(gt=0, le=1000)] | None = Field(
        None, description="busy-core power for the `estimated` energy method (no meter)"
    )
    price_per_core_hour: Annotated[float, Field(ge=0, le=1e6)] | None = Field(
        None,
        description="$ per core-hour, for right-sizing: cost per million inferences at each "
        "thread count (default: price_per_hour over the runner's cores; neither: core-seconds)",
    )


class LatencyConfig(_Strict):
    budget_seconds: Annotated[float, Field(gt=0, le=3600)] = Field(
        30.0, description="per model and target; adaptive sampling usually stops earlier"
    )
    min_seconds: Annotated[float, Field(ge=0, le=600)] = Field(
        1.0, description="always sample at least this long (after warm-up)"
    )
    warmup_seconds: Annotated[float, Field(ge=0, le=600)] = 0.5
    segment_seconds: Annotated[float, Field(gt=0, le=600)] = Field(
        0.25, description="sessions are re-created after this long (memory-layout averaging)"
    )
    min_segments: Annotated[int, Field(ge=2, le=10_000)] = Field(
        8, description="fresh session pairs to measure before sampling may stop"
    )
    max_budget_seconds: Annotated[float, Field(gt=0, le=3600)] | None = Field(
        None,
        description="the most a slow or undecided run samples for (default: 3 x "
        "budget_seconds, so 90 s); the budget is raised from the model's measured cost so "
        "that the default thresholds can be decided (an explicit --budget-seconds is a cap)",
    )
    min_blocks: Annotated[int, Field(ge=1, le=1000)] = Field(
        2, description="ABBA blocks (4 calls each) per session segment, at least"
    )
    confidence: Annotated[float, Field(gt=0.5, lt=1.0)] = 0.95
    max_pairs: Annotated[int, Field(ge=64, le=100_000_000)] = 200_000


OnInconclusive = Literal["pass", "neutral", "fail"]


class OptimizeConfig(_Strict):
    enabled: bool = Field(True, description="search for a faster variant of each head model")
    budget_seconds: Annotated[float, Field(ge=0, le=ONE_DAY)] | None = Field(
        None,
        description="time for the whole search, per model and target; null (default): what "
        "is left of `bill_seconds` after measuring, at least `min_budget_seconds`; 0: off",
    )
    bill_seconds: Annotated[float, Field(gt=0, le=ONE_DAY)] = Field(
        180.0, description="what one model on one target may cost, search included (default)"
    )
    min_budget_seconds: Annotated[float, Field(gt=0, le=ONE_DAY)] = Field(
        20.0, description="the search's floor when measuring took most of the bill"
    )
    build_timeout_seconds: Annotated[float, Field(gt=0, le=ONE_DAY)] = Field(
        120.0, description="one variant's passes; a build still running is stopped"
    )
    screen_seconds: Annotated[float, Field(gt=0, le=ONE_DAY)] = Field(
        3.0,
        description="short A/B per variant, at least (a slow model gets more); clearly slower "
        "variants stop here",
    )
    final_seconds: Annotated[float, Field(gt=0, le=ONE_DAY)] = Field(
        10.0,
        description="full A/B of each finalist against the original, at least (a slow model "
        "gets the time 4 session pairs need)",
    )
    min_speedup: Annotated[float, Field(ge=1, le=1000)] = Field(
        1.0, description="recommend only at least this speedup (and its interval above 1)"
    )
    min_cosine: Annotated[float, Field(ge=-1, le=1)] = Field(
        0.99, description="fidelity: worst output cosine against the original"
    )
    max_accuracy_drop: Annotated[float, Field(ge=0, le=1e6)] = Field(
        0.5, description="fidelity: task-metric drop in points (relative % for mse/mae)"
    )
    max_relative_diff: Annotated[float, Field(gt=0, le=1e6)] | None = Field(
        0.5, description="fidelity: max abs diff over the original's output range (null: off)"
    )
    drift: Literal["warn", "fail", "off"] = Field(
        "warn", description="a head that loses a fusion or placement the base had"
    )
    portability: Literal["warn", "fail", "off"] = Field(
        "warn",
        description="a head that breaks the base's recommended deployment (cannot run, falls "
        "back to another provider, loses fidelity or its speedup); the base's deployment comes "
        "from the search cache",
    )
    right_size_threads: Annotated[int, Field(ge=0, le=256)] = Field(
        8,
        description="right-sizing: time the recommended deployment at 1..N threads, N the "
        "cores available capped at this (0: off)",
    )
    slo_ms: Annotated[float, Field(gt=0, le=1e7)] | None = Field(
        None,
        description="latency objective per call, in ms: the cheapest target and thread count "
        "whose p90 (its whole interval) stays under it",
    )

    def search_seconds(self, spent: float = 0.0) -> float:
        """The search's budget once measuring this model on this target took `spent`
        seconds: the configured one, else what is left of the bill (at least the floor)."""
        if self.budget_seconds is not None:
            return self.budget_seconds
        return max(self.min_budget_seconds, self.bill_seconds - spent)


class EnergyConfig(_Strict):
    measure: bool = Field(True, description="measure energy where a meter (RAPL, NVML) exists")
    window_seconds: Annotated[float, Field(gt=0, le=60)] = Field(
        0.5, description="length of one measurement window"
    )
    windows: Annotated[int, Field(ge=2, le=1000)] = Field(
        8, description="windows per model (ABBA order); 4 or more are gated"
    )


class LimitsConfig(_Strict):
    model_size_mb: Annotated[float, Field(gt=0, le=ONE_PIB_MB)] = Field(
        2048.0, description="largest model file (external data included) to load"
    )
    data_size_mb: Annotated[float, Field(gt=0, le=ONE_PIB_MB)] = Field(
        1024.0, description="largest eval file"
    )
    isolate: bool = Field(
        True, description="measure each model in a child process (crash and hang isolation)"
    )
    timeout_seconds: Annotated[float, Field(gt=0, le=ONE_DAY)] = Field(
        1800.0, description="per model: a child still running after this is stopped"
    )
    memory_mb: Annotated[int, Field(ge=0, le=ONE_PIB_MB)] | None = Field(
        None,
        description="the most that weights plus inputs at their declared or configured "
        "shapes may take, and the child's address-space limit (plus 4 GiB for the runtime); "
        "unset: the machine's memory (RAM or cgroup limit) less 4 GiB, and a larger value is "
        "capped to that; 0: no limit",
    )
    allow_domains: list[str] = Field(
        default_factory=list,
        description="custom op domains to accept (default: only ai.onnx, ai.onnx.ml, "
        "com.microsoft)",
    )


class PytestBenchmarkConfig(_Strict):
    base: str = Field(
        description="`pytest --benchmark-json` output of the base, relative to this file"
    )
    head: str = Field(description="the same for the head")


class HistoryConfig(_Strict):
    branch: str = Field(
        "mlgate-history",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
        description="the orphan branch `mlgate history record` writes main's results to; "
        "pull requests show the last results stored there for the base model",
    )
    show: bool = Field(True, description="show the last results on main in the comment")


class Config(_Strict):
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
        return _floats_as_text(value)

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
                _check_accuracy_units(name, text, model.eval.metric)
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
            if not _is_disabled(text)
        }


def _is_disabled(text: Any) -> bool:
    """`off`, `none`, null or YAML's `off`/`no`/`false` (parsed as False) turn a check off."""
    return (
        text is None
        or text is False
        or (isinstance(text, str) and text.strip().lower() in _DISABLED)
    )


def check_threshold(name: str, text: Any) -> None:
    """Validate one `metric: threshold` pair; raises ValueError with what is accepted."""
    if name not in METRICS:
        close = difflib.get_close_matches(name, METRICS, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ValueError(f"unknown metric '{name}'; {hint}accepted: {', '.join(METRICS)}")
    if _is_disabled(text):
        return
    try:
        threshold = parse_threshold(text)
        threshold.check_direction(METRICS[name].higher_is_better)
    except ThresholdSyntaxError as exc:
        raise ValueError(f"threshold for '{name}': {exc}") from None


def _check_accuracy_units(name: str, text: Any, metric: str) -> None:
    if name != "accuracy" or _is_disabled(text) or metric not in ERROR_METRICS:
        return
    if parse_threshold(text).kind == "points":
        raise ValueError(
            f"accuracy threshold '{text}' is in points, but metric '{metric}' is an error "
            "(lower is better); use a relative threshold such as '+5%'"
        )


def glob_matches(pattern: str, path: str) -> bool:
    """Match a repo-relative path against a glob where `**` spans directories.

    A set-of-states simulation (no regex backtracking): time grows with pattern length times
    path length, whatever the pattern (`**/**/**/…a` or `*a*a*a…b` cannot stall the gate)."""
    check_glob(pattern)
    tokens = _glob_tokens(pattern)
    states = _closure({0}, tokens)
    for char in path.removeprefix("./"):
        states = _closure(_step(states, tokens, char), tokens)
        if not states:
            return False
    return 2 * len(tokens) in states


def check_glob(pattern: str) -> None:
    """Refuse globs long or wild enough to make matching slow (raises ConfigError)."""
    wildcards = len(
        [t for t in _glob_tokens(pattern) if t in (_STAR, _ANY, _GLOBSTAR, _GLOBSTAR_DIR)]
    )
    if len(pattern) > MAX_GLOB_LENGTH or wildcards > MAX_GLOB_WILDCARDS:
        raise ConfigError(
            f"glob '{pattern[:60]}…' is too complex ({len(pattern)} characters, {wildcards} "
            f"wildcards; at most {MAX_GLOB_LENGTH} and {MAX_GLOB_WILDCARDS}): simplify it"
        )


# Tokens: a literal character, or one of these. State 2*i is "before token i"; 2*i + 1 is
# "inside token i" (only `**/`, which must end with a slash once it consumed anything).
_STAR, _ANY, _GLOBSTAR, _GLOBSTAR_DIR = "*", "?", "**", "**/"


@functools.lru_cache(maxsize=256)
def _glob_tokens(pattern: str) -> tuple[str, ...]:
    tokens: list[str] = []
    i = 0
    while i < len(pattern):
        for token in (_GLOBSTAR_DIR, _GLOBSTAR, _STAR, _ANY):
            if pattern.startswith(token, i):
                break
        else:
            token = pattern[i]
        tokens.append(token)
        i += len(token)
    return tuple(tokens)


def _closure(states: set[int], tokens: tuple[str, ...]) -> set[int]:
    """Add every state reachable without consuming a character."""
    todo, seen = list(states), set(states)
    while todo:
        state = todo.pop()
        if state % 2 or state // 2 >= len(tokens):
            continue
        index = state // 2
        reachable = [2 * index + 2]  # every wildcard matches the empty string
        if tokens[index] == _GLOBSTAR_DIR:
            reachable.append(2 * index + 1)
        elif tokens[index] not in (_STAR, _GLOBSTAR):
            reachable = []
        for nxt in reachable:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _step(states: set[int], tokens: tuple[str, ...], char: str) -> set[int]:
    nxt: set[int] = set()
    for state in states:
        index = state // 2
        if index >= len(tokens):
            continue
        token = tokens[index]
        if state % 2:  # inside `**/`: anything, then a slash ends it
            nxt.add(state)
            if char == "/":
                nxt.add(2 * index + 2)
        elif token == _GLOBSTAR or (token == _STAR and char != "/"):
            nxt.add(state)
        elif (token == _ANY and char != "/") or token == char:
            nxt.add(2 * index + 2)
    return nxt


# ---- loading and error translation ---------------------------------------------------------


def load_config(path: Path | None) -> tuple[Config, Path | None]:
    """Load and validate `path`; without one, `./mlgate.yml` if present, else defaults.

    Returns the config and the file it came from (None for defaults).
    """
    if path is None:
        default = Path(DEFAULT_CONFIG_NAME)
        if not _is_file(default):
            return Config(), None
        path = default
    return parse_config(_read_text(path, "config"), str(path)), path


MAX_CONFIG_BYTES = 1024 * 1024  # a config or waivers file; YAML parsing is slow past this


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long, a symlink loop
        return False


def _read_text(path: Path, what: str) -> str:
    """A config or waivers file's text: a regular file, at most 1 MiB, UTF-8."""
    if not _is_file(path):
        raise ConfigError(f"{what} file not found: {path}")
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: the {what} file is over 1 MiB; is it the right file?")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the {what} file: {exc}") from None


def parse_config(text: str, source: str) -> Config:
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{source}: the config is over 1 MiB; is it the right file?")
    data = safe_yaml(text, source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of keys (version, models, …)")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {describe_validation_error(exc)}") from None


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


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema of `mlgate.yml`, for editor completion (`make schemas` writes it)."""
    schema = Config.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://github.com/org/ml-efficiency-gate/schemas/config.schema.json"
    schema["title"] = "mlgate.yml"
    return schema


# ---- waivers (`mlgate-waivers.yml`) ------------------------------------------------------

DEFAULT_WAIVERS_NAME = "mlgate-waivers.yml"


class WaiverEntry(_Strict):
    model: str = Field(description="model path or glob")
    target: str = Field("*", description="target name or glob")
    metric: str = Field(description="metric name or glob, e.g. latency.p50")
    reason: Annotated[str, Field(min_length=3)] = Field(description="why it is accepted")
    expires: datetime.date = Field(description="last day the waiver applies (YYYY-MM-DD)")


def parse_waivers(text: str, source: str) -> list[Waiver]:
    """A YAML list of waivers (or `{waivers: [...]}`); errors are one line naming the entry."""
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{source}: the waivers file is over 1 MiB; is it the right file?")
    data = safe_yaml(text, source)
    if isinstance(data, dict) and set(data) == {"waivers"}:
        data = data["waivers"]
    if data is None:
        return []
    if not isinstance(data, list):
        raise ConfigError(f"{source}: expected a list of waivers (model, target, metric, ...)")
    waivers = []
    for index, item in enumerate(data):
        try:
            entry = WaiverEntry.model_validate(item)
        except ValidationError as exc:
            raise ConfigError(f"{source}[{index}]: {describe_waiver_error(exc)}") from None
        waivers.append(Waiver(entry.model, entry.target, entry.metric, entry.reason, entry.expires))
    return waivers


def describe_waiver_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"]) or "(entry)"
    if error["type"] == "extra_forbidden":
        return f"unknown key '{where}'; accepted: {', '.join(WaiverEntry.model_fields)}"
    return f"{where}: {str(error['msg']).removeprefix('Value error, ')}"


def load_waivers(path: Path | None) -> list[Waiver]:
    """Waivers from `path`; without one, ./mlgate-waivers.yml when present, else none."""
    if path is None:
        path = Path(DEFAULT_WAIVERS_NAME)
        if not _is_file(path):
            return []
    return parse_waivers(_read_text(path, "waivers"), str(path))


@dataclass(frozen=True)
class LoadedConfig:
    """A config already read (the Action reads the base commit's), and where it came from."""

    config: Config
    data_root: Path  # relative eval-data paths start here (with `rev`: the repository)
    path: str | None = None  # the config file, for the rerun command
    rev: str | None = None  # set: eval data and baselines are read from this commit's objects
