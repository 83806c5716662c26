"""The results document: frozen dataclasses, versioned. Matrix jobs, the gate and reports
read and write it; `store.py` validates and upgrades it; `schemas/results.schema.json` is
generated from these classes (`make schemas`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mlgate.results.deployment import Deployment

SCHEMA_VERSION = 3

Verdict = Literal["pass", "fail", "improved", "inconclusive", "skipped", "waived"]
TargetVerdict = Literal["pass", "fail", "inconclusive", "skipped", "error"]
OverallVerdict = Literal["pass", "fail", "inconclusive", "error"]


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
    notes: tuple[str, ...] = ()  # each a sentence of its own (why undecided, waived, ...)
    source: str = ""  # how the number was obtained where it matters (energy: rapl, proxy, ...)
    eval_metric: str = ""  # accuracy: the eval metric it is (top1, mse, ...)


@dataclass(frozen=True)
class TensorSpec:
    name: str
    dtype: str
    shape: list[int | str | None]


@dataclass(frozen=True)
class UncountedOp:
    node: str
    op_type: str
    reason: str


@dataclass(frozen=True)
class EnergyProxyInfo:
    """Joules per inference on the reference chip of `version` (see model/energy_proxy.py)."""

    version: str
    joules: float
    compute_joules: float
    weight_joules: float
    activation_joules: float


@dataclass(frozen=True)
class ComputeInfo:
    """One inference at `input_shapes`, counted from the graph: deterministic."""

    input_shapes: dict[str, list[int]]
    macs: int
    macs_by_dtype: dict[str, int]
    macs_by_op: dict[str, dict[str, int]]  # op type -> dtype -> MACs
    weight_bytes: int
    activation_bytes: int
    unsized_tensors: int
    energy_proxy: EnergyProxyInfo
    uncounted: list[UncountedOp] = field(default_factory=list)  # the first 100
    uncounted_total: int = 0
    note: str = ""


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
    bytes_by_dtype: dict[str, int] = field(default_factory=dict)
    op_counts: dict[str, int] = field(default_factory=dict)
    compute: ComputeInfo | None = None


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
    plan: str = ""  # what the first segment showed it would take, and the budget chosen
    seconds_per_segment: float | None = None  # one later segment: open, warm up, measure


EnergyMethod = Literal["rapl", "nvml", "estimated"]


@dataclass(frozen=True)
class EnergyInfo:
    """How measured energy was obtained on this target. Joules per inference with the
    half-width of their 95% interval over measurement windows."""

    method: EnergyMethod
    detail: str  # domains read, GPU, or the CPU-time formula
    windows: int  # per model
    window_seconds: float
    base_joules: float | None
    head_joules: float | None
    base_half_width: float | None = None
    head_half_width: float | None = None
    note: str = ""


VariantStatus = Literal[
    "recommended", "faster", "screened", "not faster", "slower", "rejected", "failed", "skipped"
]


@dataclass(frozen=True)
class VariantResult:
    """One re-optimized variant of the head model, against the original on this target.
    `speedup` is original median latency / variant median latency (> 1: faster)."""

    name: str
    passes: list[str]
    status: VariantStatus
    reason: str = ""
    size_bytes: int | None = None
    speedup: float | None = None
    speedup_ci: tuple[float, float] | None = None
    accuracy_change: float | None = None  # variant - original, in the task metric's unit
    cosine: float | None = None
    max_abs_diff: float | None = None
    top1_agreement: float | None = None
    build_seconds: float | None = None


@dataclass(frozen=True)
class OptimizationDrift:
    """The same recipe (onnxruntime's extended graph optimization for this target) on base
    and head: fused ops, node counts and where the nodes ran."""

    recipe: str
    base_fused: dict[str, int]
    head_fused: dict[str, int]
    base_nodes: int
    head_nodes: int
    base_placement: dict[str, int] = field(default_factory=dict)  # provider -> nodes
    head_placement: dict[str, int] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)  # one line per lost fusion or placement


SloStatus = Literal["meets", "misses", "undecided"]


@dataclass(frozen=True)
class ThreadLatency:
    """One thread count of a right-sized deployment: latency per call on this target, and
    what a million calls cost (threads x median latency in core-seconds; dollars where a
    core-hour price is known). `slo` compares the p90's interval with `slo_ms`."""

    threads: int
    p50_ms: float
    p90_ms: float
    p90_ci_ms: tuple[float, float] | None
    calls: int
    core_seconds_per_million: float
    cost_per_million: float | None = None
    slo: SloStatus | None = None


@dataclass(frozen=True)
class RightSizing:
    """Latency and cost of one deployment at 1..N threads, timed in turn in one process."""

    subject: str  # what was timed: the recommended deployment, or the original model
    runtime: str
    cores: int  # available to this process on the target
    rows: list[ThreadLatency]
    seconds: float
    segments: int
    price_per_core_hour: float | None = None
    price_source: str = ""
    slo_ms: float | None = None
    best_threads: int | None = None  # cheapest thread count meeting slo_ms on this target
    note: str = ""


PortabilityStatus = Literal["portable", "broken", "undecided"]


@dataclass(frozen=True)
class PortabilityInfo:
    """The head model run the way the base's recommended deployment runs the base: the same
    passes rebuilt on the head, the same runtime and settings. `problems` holds one line per
    thing the head breaks (cannot run, fallback, fidelity, speedup gone)."""

    deployment: Deployment
    source: str  # where the base's deployment came from (search cache, when measured)
    status: PortabilityStatus
    problems: list[str] = field(default_factory=list)
    speedup: float | None = None  # head original / head under the deployment
    speedup_ci: tuple[float, float] | None = None
    cosine: float | None = None
    max_abs_diff: float | None = None
    accuracy_change: float | None = None
    providers: dict[str, int] = field(default_factory=dict)  # nodes per provider, profiled
    note: str = ""


@dataclass(frozen=True)
class OptimizationInfo:
    """The variant search for the head model on this target."""

    variants: list[VariantResult]
    recommended: str | None
    seconds: float
    budget_seconds: float
    fidelity_rule: str
    not_tried: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    drift: OptimizationDrift | None = None
    deployment: Deployment | None = None  # how to run the recommended variant
    recipe: list[dict[str, str | int | float | bool]] = field(default_factory=list)
    right_sizing: RightSizing | None = None
    portability: PortabilityInfo | None = None


@dataclass(frozen=True)
class HistoryEntry:
    """The last results recorded on the main branch for the base model on this target
    (`mlgate history record`): context for the comment, never used for the verdict."""

    commit: str
    recorded_at: str
    metrics: dict[str, float]  # metric name -> the value measured there
    same_machine: bool  # recorded under the same target fingerprint (machine, runtime)
    fingerprint: str
    run_url: str = ""
    eval_sha256: str | None = None


@dataclass(frozen=True)
class OpShare:
    """One operator type or node: kernel time per call on each side, in milliseconds, and
    its share of the whole kernel-time change (head - base)."""

    name: str
    base_ms: float
    head_ms: float
    share: float


@dataclass(frozen=True)
class TimeBreakdown:
    """Where a latency change went, from onnxruntime's profiler (kernel time only)."""

    runs: int
    base_ms: float
    head_ms: float
    by_op: list[OpShare] = field(default_factory=list)
    by_node: list[OpShare] = field(default_factory=list)


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
    energy: EnergyInfo | None = None
    history: HistoryEntry | None = None
    optimization: OptimizationInfo | None = None
    time_breakdown: TimeBreakdown | None = None


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
    openvino: str | None = None  # installed: the variant search may run models on it
    nncf: str | None = None


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

RunVerdict = Literal["pass", "fail", "inconclusive", "error", "neutral"]
OnInconclusive = Literal["pass", "neutral", "fail"]
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
    # what an `inconclusive` verdict makes the check (from the base config or the input)
    on_inconclusive: OnInconclusive = "neutral"


# ---- `mlgate profile` ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileReport:
    """The static profile of one model at concrete input shapes."""

    schema_version: int
    kind: Literal["mlgate-profile"]
    model: ModelInfo
    shape_sources: dict[str, str]  # input -> "eval data" | "config" | "command line" | ...
