"""A release's provenance: the runners that measured it (machine, runtime, tool) and the
commits it was measured at."""

from __future__ import annotations

from dataclasses import dataclass

from mlgate.results.collect import Collected, Runner


@dataclass(frozen=True)
class RunnerRow:
    target: str
    models: str
    machine: str
    runtime: str
    tool: str
    source: str


def runner_rows(collected: Collected) -> list[RunnerRow]:
    grouped: dict[tuple[str, str], list[Runner]] = {}
    for runner in collected.runners:
        grouped.setdefault((runner.target, runner.source), []).append(runner)
    rows = []
    for (target, source), runners in grouped.items():
        p = runners[0].provenance
        rows.append(
            RunnerRow(
                target=target,
                models=", ".join(dict.fromkeys(r.model for r in runners)),
                machine=f"{p.cpu_model} ({p.cpu_count} CPUs, {p.machine}), {p.platform}",
                runtime=f"onnxruntime {p.onnxruntime} · onnx {p.onnx} · numpy {p.numpy} · "
                f"Python {p.python}",
                tool=f"mlgate {p.tool_version}",
                source=source,
            )
        )
    return rows


def commits(collected: Collected) -> list[str]:
    lines = []
    for context in collected.contexts:
        if not context.head_sha:
            continue
        where = f"{context.repository} " if context.repository else ""
        line = f"{where}head {context.head_sha} against base {context.base_sha or '—'}"
        if context.run_url:
            line += f" ({context.run_url})"
        lines.append(line)
    return lines
