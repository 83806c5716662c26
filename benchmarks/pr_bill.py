"""What a default pull-request run costs (the bill): `mlgate check --base main` with default
settings (variant search on, a fresh search cache) on real models of 5-250 ms per call, then
the same run again with the cache. Each model is a real change from the verdict corpus,
committed to a throwaway git repository (base on `main`, the change on a branch) with its eval
data and a two-line `mlgate.yml` naming it, so the run is what a user's first PR costs.

    .venv/bin/python -m benchmarks.pr_bill --out DIR          # DIR keeps the built corpus
    .venv/bin/python -m benchmarks.pr_bill --out DIR --cases det-zero-conv-branch

Writes docs/pr-bill.json and docs/pr-bill.md (`--report DIR`: elsewhere): seconds per model x
target, fresh and cached, with the CPU, its flags, core count and the load average around each
run. Timing: run it alone on the machine; the load average says how alone it was.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from benchmarks.verdict_corpus import CASES, build, corpus_dir
from mlgate import __version__
from mlgate.bench.environment import cpu_model

SRC = Path(__file__).resolve().parents[1] / "src"
DEFAULT_CASES = (
    "det-zero-conv-branch",
    "rec-zero-conv-branch",
    "minilm-zero-ffn-branch",
    "cls-opset-13",
    "minilm-int8-dynamic",
)
CALL_MS = (5.0, 250.0)
FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "fma")
RUN_LIMIT_S = 900


def per_call_ms(model: Path, eval_npz: Path, calls: int = 20) -> float:
    """Median milliseconds of one call on one example, as the gate times it by default."""
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    data = np.load(eval_npz)
    feeds = {i.name: data[i.name][:1] for i in session.get_inputs() if i.name in data.files}
    for _ in range(3):
        session.run(None, feeds)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        session.run(None, feeds)
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times))


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.invalid"}
    env |= {"GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.invalid"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def pr_repo(case_dir: Path, name: str, root: Path) -> Path:
    """main: models/NAME.onnx (the base) and data/eval.npz; branch pr: the head model."""
    repo = root / name
    (repo / "models").mkdir(parents=True)
    (repo / "data").mkdir()
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(case_dir / "base.onnx", repo / "models" / f"{name}.onnx")
    shutil.copy(case_dir / "eval.npz", repo / "data" / "eval.npz")
    (repo / "mlgate.yml").write_text(
        f"models:\n  - path: models/{name}.onnx\n    eval: {{data: data/eval.npz}}\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "pr")
    shutil.copy(case_dir / "head.onnx", repo / "models" / f"{name}.onnx")
    git(repo, "commit", "-q", "-am", "the change")
    return repo


def timed_check(repo: Path, cache: Path, results: Path) -> dict[str, object]:
    """One `mlgate check --base main` in a subprocess, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "MLGATE_CACHE_DIR": str(cache)}
    load_before = os.getloadavg()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mlgate", "check", "--base", "main", "--out", str(results)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=RUN_LIMIT_S,
    )
    seconds = time.perf_counter() - start
    run = json.loads((results / "run.json").read_text()) if (results / "run.json").is_file() else {}
    return {
        "seconds": round(seconds, 1),
        "exit_code": done.returncode,
        "verdict": run.get("verdict"),
        "load_before": [round(v, 2) for v in load_before],
        "load_after": [round(v, 2) for v in os.getloadavg()],
        "targets": _targets(results),
        "stderr_tail": done.stderr[-600:] if done.returncode not in (0, 1) else "",
    }


def _targets(results: Path) -> list[dict[str, object]]:
    rows = []
    for path in sorted(results.glob("*.json")):
        if path.name == "run.json":
            continue
        for target in json.loads(path.read_text()).get("targets", []):
            search = target.get("optimization") or {}
            latency = target.get("latency") or {}
            rows.append(
                {
                    "target": target.get("name"),
                    "verdict": target.get("verdict"),
                    "latency_seconds": latency.get("seconds"),
                    "search_seconds": search.get("seconds"),
                    "search_budget_seconds": search.get("budget_seconds"),
                    "variants_measured": len(search.get("variants", [])),
                    "not_tried": len(search.get("not_tried", [])),
                    "cache_note": next(
                        (n for n in search.get("notes", []) if "cache" in n.lower()), ""
                    ),
                }
            )
    return rows


def machine() -> dict[str, object]:
    flags: set[str] = set()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "flags": [f for f in FLAGS if f in flags],
        "python": platform.python_version(),
        "onnxruntime": ort.__version__,
        "mlgate": __version__,
        "load_at_start": [round(v, 2) for v in os.getloadavg()],
    }


def run_case(name: str, corpus: Path, work: Path) -> dict[str, object]:
    case = next(c for c in CASES if c.name == name)
    folder = build(case, corpus)
    call_ms = per_call_ms(folder / "base.onnx", folder / "eval.npz")
    row: dict[str, object] = {"case": name, "change": case.change, "ms_per_call": round(call_ms, 2)}
    if not CALL_MS[0] <= call_ms <= CALL_MS[1]:
        row["skipped"] = f"{call_ms:.1f} ms per call, outside {CALL_MS[0]:g}-{CALL_MS[1]:g} ms"
        return row
    repo = pr_repo(folder, name.split("-")[0], work / name)
    cache = work / name / "search-cache"  # fresh: nothing cached before the first run
    row["fresh"] = timed_check(repo, cache, work / name / "fresh")
    row["cached"] = timed_check(repo, cache, work / name / "cached")
    return row


def markdown(about: dict[str, object], rows: list[dict[str, object]]) -> str:
    lines = [
        "# The bill: a default pull-request run per model and target",
        "",
        "`python -m benchmarks.pr_bill` — `mlgate check --base main`, default settings (variant "
        "search on, search cache fresh), then the same run again with the cache.",
        "",
        f"Machine: {about['cpu']}, {about['cores']} cores, flags {', '.join(about['flags'])}; "  # type: ignore[arg-type]
        f"Python {about['python']}, onnxruntime {about['onnxruntime']}, mlgate {about['mlgate']}. "
        f"Load average at start: {about['load_at_start']}.",
        "",
        "| model (change) | ms/call | target | fresh run s | search s (budget) | not tried | "
        "cached re-run s | verdict | load avg (1 min) fresh / cached |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if "skipped" in row:
            lines.append(
                f"| {row['case']} | {row['ms_per_call']} | — | skipped: {row['skipped']} |"
            )
            continue
        fresh, cached = row["fresh"], row["cached"]
        assert isinstance(fresh, dict)
        assert isinstance(cached, dict)
        for target in fresh["targets"] or [{}]:
            lines.append(
                f"| {row['case']} | {row['ms_per_call']} | {target.get('target')} | "
                f"{fresh['seconds']} | {_one(target.get('search_seconds'))} "
                f"({_one(target.get('search_budget_seconds'))}) | {target.get('not_tried')} | "
                f"{cached['seconds']} | {fresh['verdict']} / {cached['verdict']} | "
                f"{fresh['load_before'][0]} / {cached['load_before'][0]} |"
            )
    return "\n".join(lines) + "\n"


def _one(value: object) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cases", nargs="*", default=list(DEFAULT_CASES))
    parser.add_argument("--report", type=Path, default=Path(__file__).parents[1] / "docs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    args.report.mkdir(parents=True, exist_ok=True)
    corpus = corpus_dir(args.out)
    about = machine()
    rows = []
    with tempfile.TemporaryDirectory(prefix="mlgate-bill-") as tmp:
        for name in args.cases:
            rows.append(run_case(name, corpus, Path(tmp)))
            (args.report / "pr-bill.json").write_text(
                json.dumps({"machine": about, "runs": rows}, indent=1) + "\n"
            )
    (args.report / "pr-bill.md").write_text(markdown(about, rows))
    sys.stdout.write(markdown(about, rows))


if __name__ == "__main__":
    main()
