"""The search's outcome for its winner: the recipe it records, the model file it writes and
the deployment that says how to run it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from mlgate.optimize.candidates import deployment
from mlgate.optimize.search_job import Candidate
from mlgate.optimize.search_run import SearchRun
from mlgate.results.deployment import Deployment


def recipe_of(winner: Candidate) -> list[dict[str, object]]:
    if winner.recipe is None:
        return [{"pass": name} for name in winner.passes]
    return [
        {"pass": p.name, **(dataclasses.asdict(p) if dataclasses.is_dataclass(p) else {})}
        for p in winner.recipe.passes
    ]


def write_model(winner: Candidate, out_dir: Path, stem: str) -> Path:
    """The winner's model file in `out_dir` (an OpenVINO IR with its weights file)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    destination = out_dir / model_name(winner, stem)
    destination.write_bytes(winner.path.read_bytes())
    weights = winner.path.with_suffix(".bin")
    if winner.path.suffix == ".xml" and weights.is_file():
        destination.with_suffix(".bin").write_bytes(weights.read_bytes())
    return destination


def model_name(winner: Candidate, stem: str) -> str:
    """The winner's file name, as `mlgate optimize --out` writes it."""
    return f"{slug(stem)}.{slug(winner.name)}{winner.path.suffix}"


def deployment_of(run: SearchRun, winner: Candidate, model: str) -> Deployment:
    row = run.variants[winner.index]
    fidelity = {
        "cosine": row.cosine,
        "max_abs_diff": row.max_abs_diff,
        "top1_agreement": row.top1_agreement,
        "accuracy_change": row.accuracy_change,
    }
    return deployment(
        winner.runtime, winner.options, model, winner.passes,
        (row.speedup, row.speedup_ci), fidelity,
    )  # fmt: skip


def slug(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)


def variant_file_name(original: Path, variant: str) -> str:
    """The recommended variant's file name: the original's stem and the variant's name."""
    return f"{slug(original.stem)}.{slug(variant)}.onnx"
