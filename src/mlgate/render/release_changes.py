"""A release's changes since the previous release: the figures of each model and target
that both measured, and a note on what the comparison can and cannot say."""

from __future__ import annotations

from dataclasses import dataclass

from mlgate.render import format as fmt
from mlgate.render.view import LABELS
from mlgate.results.collect import Collected, Runner
from mlgate.results.schema import MetricResult, TargetResult

CHANGE_METRICS = (
    "latency.p50",
    "accuracy",
    "size",
    "params",
    "memory.peak",
    "energy",
    "energy_proxy",
    "cost",
    "carbon",
)


@dataclass(frozen=True)
class ChangeRow:
    model: str
    target: str
    metric: str
    previous: str
    current: str
    change: str


def metric_of(target: TargetResult, name: str) -> MetricResult | None:
    return next((m for m in target.metrics if m.name == name), None)


def previous_target(previous: Collected | None, model: str, target: str) -> TargetResult | None:
    if previous is None:
        return None
    results = next((r for r in previous.models if r.model == model), None)
    if results is None:
        return None
    return next((t for t in results.targets if t.name == target), None)


def runner_of(collected: Collected | None, model: str, target: str) -> Runner | None:
    if collected is None:
        return None
    return next((r for r in collected.runners if (r.model, r.target) == (model, target)), None)


def changes_since(current: Collected, previous: Collected | None) -> tuple[list[ChangeRow], str]:
    if previous is None:
        return [], (
            "No previous release given (--previous): the per-target tables below compare this "
            "release's model with the base it was measured against, on the same runner."
        )
    rows: list[ChangeRow] = []
    machines_differ: list[str] = []
    unseen: list[str] = []
    for results in current.models:
        for target in results.targets:
            before = previous_target(previous, results.model, target.name)
            if before is None:
                unseen.append(f"{results.model} on {target.name}")
                continue
            now_runner = runner_of(current, results.model, target.name)
            then_runner = runner_of(previous, results.model, target.name)
            if now_runner and then_runner and machine(now_runner) != machine(then_runner):
                machines_differ.append(f"{results.model} on {target.name}")
            for name in CHANGE_METRICS:
                old, new = metric_of(before, name), metric_of(target, name)
                if old is None or new is None or old.head is None or new.head is None:
                    continue
                change = "—"
                if old.head:
                    change = fmt.signed_percent(new.head / old.head - 1)
                if old.head == new.head:
                    change = "unchanged"
                rows.append(
                    ChangeRow(
                        results.model,
                        target.name,
                        LABELS.get(name, name) + _proxy_suffix(name),
                        fmt.value(old.unit, old.head),
                        fmt.value(new.unit, new.head),
                        change,
                    )
                )
    note = (
        "Previous and current figures come from different runs. Latency is compared across "
        "runs only as context; the verdict rests on each run's interleaved A/B."
    )
    if machines_differ:
        note += (
            " Measured on a different machine or runtime: "
            + ", ".join(machines_differ)
            + "; compare those latencies with care."
        )
    if unseen:
        note += " Not in the previous release's results: " + ", ".join(unseen) + "."
    if not rows:
        note = "The previous release's results share no model and target with this release."
    return rows, note


def _proxy_suffix(name: str) -> str:
    return " (proxy)" if name == "energy_proxy" else ""


def machine(runner: Runner) -> tuple[str, str, str, int]:
    p = runner.provenance
    return (p.machine, p.cpu_model, p.onnxruntime, p.cpu_count)
