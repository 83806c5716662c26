"""Where the time went: onnxruntime's own profiler on base and head, in the same process,
runs alternated, so a latency change can be traced to operators and nodes."""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from mlgate.bench.session import Target, runtime_message, session_options
from mlgate.errors import ModelError
from mlgate.results.schema import OpShare, TimeBreakdown

WARMUP_RUNS = 2
TOP = 5


@dataclass(frozen=True)
class _Profile:
    by_op: dict[str, float]  # op type -> microseconds per run
    by_node: dict[str, tuple[str, float]]  # node name -> (op type, microseconds per run)


def _profiled_session(path: Path, target: Target, folder: str, prefix: str) -> Any:
    options = session_options(target.threads)
    options.enable_profiling = True
    options.profile_file_prefix = str(Path(folder) / prefix)
    try:
        return ort.InferenceSession(str(path), options, providers=list(target.providers))
    except Exception as exc:  # onnxruntime raises its own, unexported exception types
        raise ModelError(
            f"onnxruntime cannot profile {path.name}: {runtime_message(exc)}"
        ) from None


def _read(trace_file: str, runs: int) -> _Profile:
    events = json.loads(Path(trace_file).read_text(encoding="utf-8"))
    by_op: dict[str, float] = defaultdict(float)
    by_node: dict[str, tuple[str, float]] = {}
    for event in events:
        if event.get("cat") != "Node" or not str(event.get("name", "")).endswith("_kernel_time"):
            continue
        op = str(event.get("args", {}).get("op_name", "?"))
        node = str(event["name"]).removesuffix("_kernel_time")
        micros = float(event.get("dur", 0)) / runs
        by_op[op] += micros
        by_node[node] = (op, by_node.get(node, (op, 0.0))[1] + micros)
    return _Profile(dict(by_op), by_node)


def op_times(
    path: Path, target: Target, feeds: dict[str, np.ndarray], runs: int
) -> dict[str, float]:
    """Milliseconds per run by op type, from onnxruntime's profiler."""
    with tempfile.TemporaryDirectory(prefix="mlgate-profile-") as folder:
        session = _profiled_session(path, target, folder, "model")
        for _ in range(WARMUP_RUNS + runs):
            session.run(None, feeds)
        found = _read(session.end_profiling(), WARMUP_RUNS + runs)
    return {op: micros / 1e3 for op, micros in found.by_op.items()}


def breakdown(
    base: Path,
    head: Path,
    target: Target,
    feeds: tuple[dict[str, np.ndarray], dict[str, np.ndarray]],
    runs: int,
) -> TimeBreakdown:
    """Profile `runs` calls of each (after a warm-up that is counted out: the profiler sees
    every call, so the per-run figures divide by all of them), alternating base and head."""
    with tempfile.TemporaryDirectory(prefix="mlgate-profile-") as folder:
        sessions = [
            _profiled_session(base, target, folder, "base"),
            _profiled_session(head, target, folder, "head"),
        ]
        total = WARMUP_RUNS + runs
        for _ in range(total):
            for session, feed in zip(sessions, feeds, strict=True):
                session.run(None, feed)
        base_profile, head_profile = (_read(s.end_profiling(), total) for s in sessions)
    return _compare(base_profile, head_profile, runs)


def _shares(base: dict[str, float], head: dict[str, float], change: float) -> list[OpShare]:
    rows = [
        OpShare(
            name=name,
            base_ms=base.get(name, 0.0) / 1e3,
            head_ms=head.get(name, 0.0) / 1e3,
            share=(head.get(name, 0.0) - base.get(name, 0.0)) / change if change else 0.0,
        )
        for name in set(base) | set(head)
    ]
    rows.sort(key=lambda r: abs(r.head_ms - r.base_ms), reverse=True)
    return rows[:TOP]


def _compare(base: _Profile, head: _Profile, runs: int) -> TimeBreakdown:
    change = sum(head.by_op.values()) - sum(base.by_op.values())
    base_nodes = {f"{name} ({op})": us for name, (op, us) in base.by_node.items()}
    head_nodes = {f"{name} ({op})": us for name, (op, us) in head.by_node.items()}
    return TimeBreakdown(
        runs=runs,
        base_ms=sum(base.by_op.values()) / 1e3,
        head_ms=sum(head.by_op.values()) / 1e3,
        by_op=_shares(base.by_op, head.by_op, change),
        by_node=_shares(base_nodes, head_nodes, change),
    )
