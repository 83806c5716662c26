"""Peak resident memory of session creation and of inference, measured in a fresh child
process per model so that neither model's allocations (nor ours) pollute the other's.

On Linux the kernel's high-water mark (VmHWM) is reset between phases through
/proc/self/clear_refs; elsewhere `ru_maxrss` gives the peak since the child started."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import resource
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlgate.bench.session import Target, open_session

INFERENCE_RUNS = 5
TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class MemoryProfile:
    session_bytes: int  # peak RSS added while creating the session
    peak_bytes: int  # peak RSS added by creation and inference together
    method: str  # "vmhwm" or "ru_maxrss"
    inference_bytes: int = 0  # peak RSS added by inference above the open session (vmhwm only)


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_kib() -> int:
    hwm = _status_kib("VmHWM")
    if hwm is not None:
        return hwm
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def _profile_in_child(path: str, target: Target, feeds: dict[str, np.ndarray]) -> MemoryProfile:
    resettable = _reset_peak()
    before = _status_kib("VmRSS") if resettable else _peak_kib()
    session = open_session(Path(path), target, path)
    after_create = _peak_kib()
    # A second reset makes the high-water mark of inference alone visible.
    open_rss = _status_kib("VmRSS") if resettable and _reset_peak() else None
    for _ in range(INFERENCE_RUNS):
        session.run(feeds)
    after_run = _peak_kib()
    base = before or 0
    return MemoryProfile(
        session_bytes=max(0, after_create - base) * 1024,
        peak_bytes=max(0, max(after_run, after_create) - base) * 1024,
        method="vmhwm" if resettable else "ru_maxrss",
        inference_bytes=max(0, after_run - open_rss) * 1024 if open_rss is not None else 0,
    )


def _pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """Spawned children, each used for one job only (its peak RSS is that job's)."""
    context = multiprocessing.get_context("spawn")
    if sys.version_info >= (3, 11):
        return concurrent.futures.ProcessPoolExecutor(
            max_workers=workers, mp_context=context, max_tasks_per_child=1
        )
    # Python 3.10 has no max_tasks_per_child: one worker per job, all submitted at once
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context)


def measure_memory(
    jobs: list[tuple[Path, dict[str, np.ndarray]]], target: Target
) -> list[MemoryProfile | str]:
    """Profile each (model, feeds) in its own child, in parallel; a failure becomes a
    one-line reason instead of a profile."""
    results: list[MemoryProfile | str] = []
    with _pool(len(jobs)) as pool:
        futures = [pool.submit(_profile_in_child, str(p), target, feeds) for p, feeds in jobs]
        for future in futures:
            try:
                results.append(future.result(timeout=TIMEOUT_SECONDS))
            except concurrent.futures.process.BrokenProcessPool:
                results.append("the memory probe process crashed")
            except concurrent.futures.TimeoutError:
                results.append(f"the memory probe took over {TIMEOUT_SECONDS} s")
            except Exception as exc:  # reported, not raised: memory is one metric of many
                results.append(f"memory probe failed: {' '.join(str(exc).split())[:200]}")
    return results
