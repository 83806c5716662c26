"""Efficiency beyond latency as display strings: graph diff lines, energy provenance, the
cross-target cost table, the profile view and the latency chart."""

from __future__ import annotations

import dataclasses
import math

from mlgate.render.efficiency_view import (
    cost_rows,
    energy_lines,
    graph_lines,
    latency_chart,
    profile_view,
)
from mlgate.results.schema import (
    SCHEMA_VERSION,
    MetricResult,
    ProfileReport,
    TensorSpec,
    UncountedOp,
)
from tests.render.sample import sample_results

RESULTS = sample_results(fail=True)
BASE, HEAD = RESULTS.base, RESULTS.head


def test_identical_or_missing_models_have_no_graph_lines():
    assert graph_lines(BASE, BASE) == []
    assert graph_lines(None, HEAD) == []


def test_graph_lines_name_every_kind_of_change():
    many_ops = {f"Op{i}": i + 1 for i in range(14)}
    head = dataclasses.replace(
        HEAD,
        op_counts={**HEAD.op_counts, **many_ops},
        compute=dataclasses.replace(HEAD.compute, uncounted_total=2),
        outputs=[TensorSpec("probabilities", "float", ["N", 11])],
    )
    lines = graph_lines(BASE, head)
    assert lines[0].startswith("ops: +14 Op13, +13 Op12")
    assert lines[0].endswith(", 4 more op types")  # 14 new types, Conv and Relu
    assert any(line.startswith("nodes ") and " · parameters " in line for line in lines)
    assert any(line.startswith("float weights ") for line in lines)
    assert any(line.startswith("MACs per inference ") for line in lines)
    assert "ops whose MACs could not be counted: 0 in base, 2 in head (see `mlgate profile`)" in (
        lines
    )
    assert lines[-1] == "output 'probabilities' float[N, 10] → float[N, 11]"


def test_a_signature_change_alone_leaves_out_the_counted_figures():
    head = dataclasses.replace(BASE, inputs=[TensorSpec("X", "float", ["N", 32])])
    lines = graph_lines(BASE, head)
    assert lines[0].startswith("nodes ")  # no op line: no op count changed
    assert not any(line.startswith(("MACs", "activations", "energy proxy")) for line in lines)
    assert lines[-1] == "input 'X' float[N, 64] → float[N, 32]"


def test_cost_rows_need_two_targets_or_a_price():
    (target,) = RESULTS.targets
    assert cost_rows(RESULTS) != []  # the sample has cost and carbon
    unpriced = [m for m in target.metrics if m.name not in ("cost", "carbon")]
    one = dataclasses.replace(target, metrics=unpriced)
    assert cost_rows(dataclasses.replace(RESULTS, targets=[one])) == []
    two = [one, dataclasses.replace(one, name="arm")]
    rows = cost_rows(
        dataclasses.replace(
            RESULTS, targets=[*two, dataclasses.replace(one, name="empty", metrics=[])]
        )
    )
    assert [r.target for r in rows] == ["cpu-x86", "arm"]
    assert rows[0].cost == "—"
    assert "→" in rows[0].latency


def test_energy_lines_say_how_energy_was_obtained():
    (target,) = RESULTS.targets
    lines = energy_lines(target)
    assert any(line.startswith("Energy measured with RAPL (package-0+dram)") for line in lines)
    assert any("head ±1.5%" in line for line in lines)
    for method, start in (
        ("nvml", "Energy measured with NVML on"),
        ("estimated", "Energy estimated from"),
    ):
        energy = dataclasses.replace(target.energy, method=method, head_half_width=None)
        (line,) = energy_lines(dataclasses.replace(target, energy=energy, metrics=[]))
        assert line.startswith(start)
        assert "±" not in line
    assert energy_lines(dataclasses.replace(target, energy=None, metrics=[])) == []


def _profile(model):
    return ProfileReport(SCHEMA_VERSION, "mlgate-profile", model, {"X": "eval data"})


def test_profile_view_with_uncounted_ops_and_unsized_tensors():
    compute = dataclasses.replace(
        HEAD.compute,
        uncounted=[UncountedOp("n1", "Loop", "a loop body")],
        uncounted_total=3,
        unsized_tensors=2,
        note="shape inference stopped early",
    )
    view = profile_view(_profile(dataclasses.replace(HEAD, compute=compute)))
    assert view.shapes == ["X[1, 64] (eval data)"]
    assert view.uncounted == ["Loop 'n1': a loop body", "… and 2 more"]
    assert view.notes[0] == "shape inference stopped early"
    assert view.notes[1].startswith("2 activation tensors could not be sized")
    assert view.notes[2].startswith("MACs and the proxy leave out the uncounted ops")
    assert view.macs_rows == [("Conv", "float32", f"{compute.macs:,}")]
    assert view.ops[0] in ("Conv ×5", "Relu ×5")


def test_profile_view_without_a_count():
    view = profile_view(_profile(dataclasses.replace(HEAD, compute=None)))
    assert (view.macs_total, view.activations, view.shapes, view.proxy) == ("—", "—", [], [])


def test_latency_chart_skips_targets_without_finite_numbers():
    (target,) = RESULTS.targets
    chart = latency_chart(RESULTS)
    assert chart.startswith("xychart-beta")
    assert 'x-axis ["cpu-x86"]' in chart
    p50 = next(m for m in target.metrics if m.name == "latency.p50")
    broken: MetricResult = dataclasses.replace(p50, head=math.inf)
    odd = dataclasses.replace(
        target, name='gpu "a100"', metrics=[broken if m is p50 else m for m in target.metrics]
    )
    assert latency_chart(dataclasses.replace(RESULTS, targets=[odd])) == ""
    renamed = dataclasses.replace(target, name='gpu "a100"]')
    assert 'x-axis ["gpu _a100__"]' in latency_chart(
        dataclasses.replace(RESULTS, targets=[renamed])
    )
