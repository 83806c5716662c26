"""Literal results documents for golden-file and schema tests (no measurement involved)."""

from __future__ import annotations

import dataclasses

from mlgate.results.schema import (
    SCHEMA_VERSION,
    ComputeInfo,
    EnergyInfo,
    EnergyProxyInfo,
    EvalInfo,
    LatencyInfo,
    MetricResult,
    ModelInfo,
    OptimizationDrift,
    OptimizationInfo,
    Provenance,
    Results,
    TargetResult,
    TensorSpec,
    VariantResult,
)

PROVENANCE = Provenance(
    tool_version="0.1.0",
    python="3.11.7",
    platform="Linux-6.1",
    machine="x86_64",
    cpu_model="Intel Xeon 8370C",
    cpu_count=2,
    onnx="1.23.2",
    onnxruntime="1.31.1",
    numpy="2.4.6",
)


def _compute(macs: int, joules: float) -> ComputeInfo:
    return ComputeInfo(
        input_shapes={"X": [1, 64]},
        macs=macs,
        macs_by_dtype={"float32": macs},
        macs_by_op={"Conv": {"float32": macs}},
        weight_bytes=2_299_000,
        activation_bytes=120_000,
        unsized_tensors=0,
        energy_proxy=EnergyProxyInfo("horowitz45-v1", joules, joules / 2, joules / 3, joules / 6),
    )


def _model(path: str, sha: str, size: int, params: int) -> ModelInfo:
    extra = params > 600_000
    return ModelInfo(
        path=path,
        sha256=sha * 64,
        size_bytes=size,
        ir_version=10,
        opsets={"ai.onnx": 17},
        producer="skl2onnx 1.20.0",
        params=params,
        inputs=[TensorSpec("X", "float", ["N", 64])],
        outputs=[TensorSpec("probabilities", "float", ["N", 10])],
        bytes_by_dtype={"float": params * 4},
        op_counts={"Conv": 4 + extra, "Relu": 4 + extra, "Gemm": 1},
        compute=_compute(79_000_000 + extra * 9_400_000, 4.1e-4 + extra * 0.5e-4),
    )


def _metrics(fail: bool, undecided: bool = True) -> list[MetricResult]:
    slow = 1.118 if fail else 1.004
    return [
        MetricResult(
            "accuracy",
            "fraction",
            True,
            0.978,
            0.977,
            -0.00102,
            -0.001,
            "-0.5pp",
            "pass",
            eval_metric="top1",
        ),
        MetricResult(
            "fidelity.top1_agreement",
            "fraction",
            True,
            None,
            0.995,
            None,
            None,
            None,
            "skipped",
            notes=("not gated",),
        ),
        MetricResult(
            "latency.p50",
            "s",
            False,
            9.1e-4,
            9.1e-4 * slow,
            slow - 1,
            9.1e-4 * (slow - 1),
            "+5%",
            "fail" if fail else "pass",
            method="sampled",
            ci=(slow - 1.009, slow - 0.999),
            p_value=1e-9 if fail else 0.4,
            min_detectable_change=0.021,
        ),
        MetricResult(
            "latency.p90",
            "s",
            False,
            9.7e-4,
            1.09e-3,
            0.124,
            1.2e-4,
            "+10%",
            "inconclusive" if undecided else "pass",
            method="sampled",
            ci=(0.02, 0.2) if undecided else (0.02, 0.09),
            p_value=0.01,
            min_detectable_change=0.13,
            notes=(
                "interval too wide to decide",
                "this run could detect changes ≥13.0%",
                "needs about 40 s more, or a smaller input",
            )
            if undecided
            else (),
        ),
        MetricResult(
            "energy",
            "J",
            False,
            3.2e-3,
            3.3e-3,
            0.031,
            1e-4,
            "+10%",
            "pass",
            method="sampled",
            ci=(0.012, 0.05),
            p_value=0.01,
            min_detectable_change=0.02,
            source="rapl: package-0+dram",
        ),
        MetricResult(
            "memory.peak",
            "bytes",
            False,
            41 * 2**20,
            41.5 * 2**20,
            0.0122,
            0.5 * 2**20,
            "+10%",
            "pass",
        ),
        MetricResult(
            "size",
            "bytes",
            False,
            2_300_000,
            2_300_100,
            4.3e-5,
            100,
            "+10%",
            "pass",
            method="static",
        ),
        MetricResult(
            "params",
            "count",
            False,
            575_000,
            611_928,
            0.0642,
            36_928,
            None,
            "skipped",
            method="static",
            notes=("not gated",),
        ),
        MetricResult(
            "energy_proxy",
            "J",
            False,
            4.1e-4,
            4.6e-4,
            0.122,
            0.5e-4,
            "+15%",
            "pass",
            method="static",
            source="proxy: horowitz45-v1",
        ),
        MetricResult(
            "cost",
            "usd",
            False,
            0.091,
            0.102,
            0.118 if fail else 0.004,
            0.011,
            None,
            "skipped",
            notes=("not gated",),
            source="0.36 $/h × median latency",
        ),
        MetricResult(
            "carbon",
            "gco2e",
            False,
            0.356,
            0.367,
            0.031,
            0.011,
            None,
            "skipped",
            notes=("not gated",),
            source="400 gCO₂e/kWh × rapl energy",
        ),
    ]


def sample_optimization() -> OptimizationInfo:
    return OptimizationInfo(
        variants=[
            VariantResult("ort-extended", ["ort-extended"], "not faster", "the screening A/B "
                          "found no speedup", 611_000, 1.004, (0.991, 1.017), 0.0, 1.0, 0.0, 1.0,
                          0.4),
            VariantResult("dynamic-int8", ["dynamic-int8"], "rejected", "cosine 0.9712 < 0.99",
                          160_000, None, None, -0.011, 0.9712, 0.41, 0.95, 0.6),
            VariantResult("static-qoperator-uint8-per-channel-entropy+preprocess",
                          ["quant-preprocess", "static-qoperator-uint8-per-channel-entropy"],
                          "recommended", "", 158_000, 2.41, (2.31, 2.52), -0.0019, 0.9991, 0.08,
                          0.998, 3.1),
            VariantResult("static-qoperator-int8-per-channel-entropy+preprocess",
                          ["quant-preprocess", "static-qoperator-int8-per-channel-entropy"],
                          "slower", "screening A/B", 158_000, 0.31, (0.29, 0.33), -0.0019,
                          0.9991, 0.08, 0.998, 3.0),
            VariantResult("transformer-fusion", ["transformer-fusion"], "skipped",
                          "transformer-fusion: no attention, LayerNorm or GELU pattern to fuse"),
        ],
        recommended="static-qoperator-uint8-per-channel-entropy+preprocess",
        seconds=212.4,
        budget_seconds=300.0,
        fidelity_rule="cosine ≥ 0.99, accuracy drop ≤ 0.5 pt, max abs diff ≤ 0.5 × output range",
        not_tried=["ort-basic"],
        drift=OptimizationDrift(
            recipe="ort-extended",
            base_fused={"FusedConv": 12, "FusedGemm": 1},
            head_fused={"FusedGemm": 1},
            base_nodes=40,
            head_nodes=52,
            base_placement={"CPUExecutionProvider": 40},
            head_placement={"CPUExecutionProvider": 52},
            lost=["FusedConv: 12 in base, none in head (a fusion the head's graph no longer "
                  "matches)"],
        ),
    )  # fmt: skip


def sample_results(
    fail: bool = True, model: str = "models/classifier.onnx", undecided: bool | None = None
) -> Results:
    """A failing run with an undecided p90 (fail=True), or a passing one; `undecided`
    makes the p90 undecided either way (a run that is not a pass, not a failure)."""
    undecided = fail if undecided is None else undecided
    verdict = "fail" if fail else ("inconclusive" if undecided else "pass")
    target = TargetResult(
        name="cpu-x86",
        providers=["CPUExecutionProvider"],
        threads=1,
        verdict=verdict,  # type: ignore[arg-type]
        metrics=_metrics(fail, undecided),
        latency=LatencyInfo(
            pairs=1240,
            segments=24,
            seconds=24.0,
            input_source="eval",
            input_shapes={"X": [1, 64]},
            warmup_runs=50,
            stop_reason="precise",
            aa_noise=0.007,
            layout_noise=0.012,
        ),
        energy=EnergyInfo(
            method="rapl",
            detail="package-0+dram",
            windows=8,
            window_seconds=0.5,
            base_joules=3.2e-3,
            head_joules=3.3e-3,
            base_half_width=4e-5,
            head_half_width=5e-5,
        ),
        optimization=sample_optimization() if fail else None,
    )
    return Results(
        schema_version=SCHEMA_VERSION,
        created_at="2026-11-23T00:00:00+00:00",
        verdict=verdict,  # type: ignore[arg-type]
        model=model,
        provenance=PROVENANCE,
        base=_model(model, "a", 2_300_000, 575_000),
        head=_model(model, "e", 2_300_100, 611_928),
        eval=EvalInfo("data/eval.npz", "9f3c" * 16, 540, 540, "top1", "probabilities", True),
        targets=[target],
        errors=[],
        reproduce=f"mlgate compare main:{model} {model} --data data/eval.npz",
    )


def error_results() -> Results:
    results = sample_results(fail=False)
    return dataclasses.replace(
        results,
        verdict="error",
        head=None,
        targets=[],
        errors=["models/classifier.onnx is a Git LFS pointer, not the model: fetch the real file"],
    )
