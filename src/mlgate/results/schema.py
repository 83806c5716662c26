"""The results document: frozen dataclasses, versioned. Matrix jobs, the gate and reports
read and write it; `store.py` validates and upgrades it; `schemas/results.schema.json` is
generated from these classes (`make schemas`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SCHEMA_VERSION = 1

Verdict = Literal["pass", "fail", "improved", "inconclusive", "skipped"]
TargetVerdict = Literal["pass", "fail", "skipped", "error"]
OverallVerdict = Literal["pass", "fail", "error"]


@dataclass(frozen=True)
class MetricResult:
    """One gated quantity, base vs head. `change` is relative (head/base - 1; for latency the
    ratio of quantiles - 1), `delta` is head - base, `ci` bounds `change` where sampled."""

    name: str
    unit: str
    higher_is_better: bool
    base: float | None
    head: float | None
    change: float | None
    delta: float | None
    threshold: str | None
    verdict: Verdict
    method: str = "measured"  # measured | sampled | static
    ci: tuple[float, float] | None = None
    p_value: float | None = None
    min_detectable_change: float | None = None
    note: str = ""


@dataclass(frozen=True)
class TensorSpec:
    name: str
    dtype: str
    shape: list[int | str | None]


@dataclass(frozen=True)
class ModelInfo:
    path: str
    sha256: str
    size_bytes: int
    ir_version: int
    opsets: dict[str, int]
    producer: str
    params: int
    inputs: list[TensorSpec]
    outputs: list[TensorSpec]


@dataclass(frozen=True)
class EvalInfo:
    path: str
    sha256: str
    examples: int
    batches: int
    metric: str
    output: str
    labels: bool


@dataclass(frozen=True)
class LatencyInfo:
    """How the interleaved A/B latency run went."""

    pairs: int
    segments: int  # fresh base/head session pairs the run was split into
    seconds: float
    input_source: Literal["eval", "synthetic"]
    input_shapes: dict[str, list[int]]
    warmup_runs: int
    stop_reason: Literal["precise", "budget", "max_pairs"]
    aa_noise: float | None = None  # ±: 95% interval half-width of base vs base, same session
    layout_noise: float | None = None  # sd of the per-segment head/base ratio (fresh sessions)


@dataclass(frozen=True)
class TargetResult:
    name: str
    providers: list[str]
    threads: int
    verdict: TargetVerdict
    metrics: list[MetricResult] = field(default_factory=list)
    latency: LatencyInfo | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class Provenance:
    tool_version: str
    python: str
    platform: str
    machine: str
    cpu_model: str
    cpu_count: int
    onnx: str
    onnxruntime: str
    numpy: str


@dataclass(frozen=True)
class Results:
    schema_version: int
    created_at: str
    verdict: OverallVerdict
    model: str
    provenance: Provenance
    base: ModelInfo | None = None
    head: ModelInfo | None = None
    eval: EvalInfo | None = None
    targets: list[TargetResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reproduce: str = ""


# ---- one gate run over every changed model (the Action's artifact) -------------------------

RunVerdict = Literal["pass", "fail", "error", "neutral"]
ChangeStatus = Literal["modified", "added", "deleted", "renamed"]


@dataclass(frozen=True)
class ModelChange:
    """A model file the change touched, and whether (and why not) it was gated."""

    path: str  # at head; at base for deletions
    status: ChangeStatus
    base_path: str | None = None
    gated: bool = True
    reason: str = ""  # why it was not gated


@dataclass(frozen=True)
class RunContextInfo:
    """Where the run came from; publish mode checks these against GitHub before posting."""

    repository: str = ""
    event: str = ""
    pr_number: int | None = None
    base_sha: str = ""  # the merge-base the head is compared against
    head_sha: str = ""
    base_ref: str = ""
    head_ref: str = ""
    run_url: str = ""
    fork: bool = False


@dataclass(frozen=True)
class RunReport:
    schema_version: int
    kind: Literal["mlgate-run"]
    created_at: str
    verdict: RunVerdict
    context: RunContextInfo
    config_source: str
    changes: list[ModelChange] = field(default_factory=list)
    results: list[Results] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
