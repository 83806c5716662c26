"""Does the gate call real pull-request changes right? A corpus of realistic changes on
real models (int8 conversions, added work, accuracy drops, neutral re-exports, A/A copies,
improvements), each run through `mlgate compare` and scored against its expected verdict.
Outside the test suite (minutes per case). docs/verdict-corpus.md has the case list.

    python -m benchmarks.verdict_corpus --out DIR                  # build, compare, table
    python -m benchmarks.verdict_corpus --out DIR --truth --no-compare   # true changes only
    python -m benchmarks.verdict_corpus --out DIR --cases det- minilm-int8
    python -m benchmarks.verdict_corpus --out DIR --threshold energy_proxy=off   # latency alone

The corpus is built once into DIR/corpus-<hash of package versions>/<case>/ (base.onnx,
head.onnx, eval.npz, case.json) and reused. `--truth` times each case apart from mlgate
(both models in one process, one thread, alternating, --truth-seconds each) and stores
truth.json next to it. Compares run `python -m mlgate compare base.onnx head.onnx --data
eval.npz --json result.json --no-memory` in the case folder with MLGATE_OPTIMIZE=0 and
write DIR/verdict-corpus.md and DIR/verdict-corpus.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.corpus import sources, truth
from benchmarks.corpus.cases import Case
from benchmarks.corpus.catalog import CASES

CORPUS_VERSION = 2
COMPARE_LIMIT_S = 180.0
SRC = Path(__file__).resolve().parents[1] / "src"


def corpus_dir(out: Path) -> Path:
    versions = {"corpus": str(CORPUS_VERSION), **sources.package_versions()}
    key = hashlib.sha256(json.dumps(versions, sort_keys=True).encode()).hexdigest()[:12]
    folder = out / f"corpus-{key}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "versions.json").write_text(json.dumps(versions, indent=1) + "\n")
    return folder


def build(case: Case, corpus: Path) -> Path:
    """The case's folder, built unless a finished build (case.json) is there."""
    folder = corpus / case.name
    if (folder / "case.json").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.monotonic()
    case.build(folder)
    about = {
        "name": case.name,
        "group": case.group,
        "expected": case.expected,
        "change": case.change,
        "build_s": round(time.monotonic() - started, 1),
        "bytes": {p.name: p.stat().st_size for p in sorted(folder.iterdir())},
    }
    (folder / "case.json").write_text(json.dumps(about, indent=1) + "\n")
    return folder


def measured_truth(folder: Path, seconds: float, again: bool) -> dict | None:
    """truth.json, measured again when asked; with seconds 0 an earlier timing is kept."""
    path = folder / "truth.json"
    earlier = json.loads(path.read_text()) if path.is_file() else None
    if not again:
        return earlier
    found = truth.measure(folder, seconds)
    if seconds <= 0 and earlier:
        found = {**earlier, **found}
    path.write_text(json.dumps(found, indent=1) + "\n")
    return found


def compare(folder: Path, timeout: float, extra: list[str]) -> dict:
    """One `mlgate compare` in a child process, in the case folder (no stray mlgate.yml)."""
    env = {**os.environ, "MLGATE_OPTIMIZE": "0"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    result = folder / "result.json"
    result.unlink(missing_ok=True)
    command = [sys.executable, "-m", "mlgate", "compare", "base.onnx", "head.onnx"]
    command += ["--data", "eval.npz", "--json", "result.json", "--no-memory"]
    for threshold in extra:
        command += ["--threshold", threshold]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout
        )
        code, tail = done.returncode, (done.stderr.strip().splitlines() or [""])[-1]
    except subprocess.TimeoutExpired:
        code, tail = -1, f"killed after {timeout:.0f} s"
    wall = time.monotonic() - started
    doc = json.loads(result.read_text()) if result.is_file() else {"verdict": "error"}
    return {
        "verdict": doc["verdict"],
        "failing": failing_metrics(doc),
        "exit": code,
        "wall_s": round(wall, 1),
        "stderr": tail[:300],
    }


def failing_metrics(doc: dict) -> list[str]:
    """The metrics that failed, over every target of the results document."""
    return sorted(
        {
            metric["name"]
            for target in doc.get("targets", [])
            for metric in target.get("metrics", [])
            if metric.get("verdict") == "fail"
        }
    )


def right(expected: str, found: dict) -> bool:
    if found["wall_s"] > COMPARE_LIMIT_S or found["verdict"] == "error":
        return False
    if expected == "not-fail":
        return found["verdict"] != "fail"
    if expected == "not-pass":  # a drop the eval set cannot tell from noise: undecided
        return found["verdict"] in ("fail", "inconclusive")
    return bool(found["verdict"] == expected)


def true_change(found: dict | None) -> str:
    if not found:
        return "not measured"
    parts = []
    if "ratio" in found:
        low, high = found["ratio_ci"]
        parts.append(
            f"latency x{found['ratio']:.3f} ({low:.3f}-{high:.3f}; "
            f"{found['base_ms']:.2f}->{found['head_ms']:.2f} ms)"
        )
    if found.get("macs_ratio"):
        parts.append(f"MACs x{found['macs_ratio']:.3f}")
    if found["accuracy_base"] is not None:
        change = 100 * (found["accuracy_head"] - found["accuracy_base"])
        parts.append(
            f"acc {100 * found['accuracy_base']:.1f}->{100 * found['accuracy_head']:.1f}% "
            f"({change:+.1f}pp)"
        )
    parts.append(f"cos {found['cosine_mean']:.4f} (min {found['cosine_min']:.4f})")
    if found["top1_agreement"] == found["top1_agreement"]:  # not NaN: class outputs
        parts.append(f"top-1 agree {found['top1_agreement']:.3f}")
    return "; ".join(parts)


def row(case: Case, found: dict | None, result: dict | None) -> str:
    if result is None:
        verdict, wall, mark = "not run", "", ""
    else:
        verdict, wall = result["verdict"], f"{result['wall_s']:.0f} s"
        if result["failing"]:
            verdict += f" ({', '.join(result['failing'])})"
        mark = "yes" if right(case.expected, result) else "**NO**"
    cells = [case.name, case.group, case.expected, true_change(found), verdict, wall, mark]
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| case | group | expected | true change | verdict | wall | right |\n"
    "|---|---|---|---|---|---|---|\n"
)


def selected(patterns: list[str]) -> list[Case]:
    if not patterns:
        return CASES
    chosen = [case for case in CASES if any(p in case.name for p in patterns)]
    if not chosen:
        raise SystemExit(f"no case matches {patterns}; cases: {[c.name for c in CASES]}")
    return chosen


def run(args: argparse.Namespace) -> list[dict]:
    corpus = corpus_dir(args.out)
    rows: list[dict] = []
    table = args.out / "verdict-corpus.md"
    table.write_text(HEADER)
    for case in selected(args.cases):
        folder = build(case, corpus)
        found = measured_truth(folder, args.truth_seconds, args.truth)
        result = None if args.no_compare else compare(folder, args.timeout, args.threshold)
        rows.append(
            {"case": case.name, "expected": case.expected, "truth": found, **(result or {})}
        )
        if result is not None:
            rows[-1]["right"] = right(case.expected, result)
        with table.open("a") as out:
            out.write(row(case, found, result) + "\n")
        print(row(case, found, result), flush=True)
    (args.out / "verdict-corpus.json").write_text(json.dumps(rows, indent=1) + "\n")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder (corpus cache)")
    parser.add_argument("--cases", nargs="*", default=[], help="run cases whose name has one")
    parser.add_argument("--truth", action="store_true", help="(re)measure the true changes")
    parser.add_argument(
        "--truth-seconds", type=float, default=20.0, help="timing per case (0: outputs only)"
    )
    parser.add_argument("--no-compare", action="store_true", help="build (and --truth) only")
    parser.add_argument("--timeout", type=float, default=600.0, help="kill a compare after")
    parser.add_argument(
        "--threshold", action="append", default=[], help="passed to mlgate compare (repeatable)"
    )
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args()
    if args.list:
        for case in CASES:
            print(f"{case.name:32} {case.group:12} {case.expected:9} {case.change}")
        return
    rows = run(args)
    judged = [r for r in rows if "right" in r]
    if judged:
        wrong = [r["case"] for r in judged if not r["right"]]
        print(f"{len(judged) - len(wrong)}/{len(judged)} verdicts right; wrong: {wrong or 'none'}")


if __name__ == "__main__":
    main()
