"""`mlgate optimize MODEL`: search for the fastest variant of one model on one target, within
the accuracy budget, and save it with a provenance record. Orchestration only."""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mlgate.bench.environment import provenance
from mlgate.bench.inputs import file_sha256
from mlgate.bench.session import Target, check_target, runtime_limits
from mlgate.config import Config, OptimizeConfig, TargetConfig, load_config
from mlgate.errors import ConfigError
from mlgate.gate.plan import eval_data_for
from mlgate.model import source
from mlgate.model.load import load_model
from mlgate.model.safety import check_domains
from mlgate.optimize.right_size import Pricing, available_cores
from mlgate.optimize.run import OptimizeJob, finish_target, right_size_outcome, run_search
from mlgate.optimize.search import SearchOutcome
from mlgate.render.optimize_view import (
    deployment_line,
    load_call,
    right_sizing_lines,
    search_line,
    speedup_text,
)
from mlgate.results.deployment import DEPLOYMENT_FILE
from mlgate.results.deployment_file import write_deployment
from mlgate.results.schema import OptimizationInfo

KIND = "mlgate-optimize"
VERSION = 1


@dataclass(frozen=True)
class OptimizeOptions:
    model: str  # a path, or REV:path
    data: Path | None = None
    config: Path | None = None
    target: str | None = None
    out_dir: Path = Path("mlgate-optimized")
    json_out: Path | None = None
    budget_seconds: float | None = None


@dataclass(frozen=True)
class OptimizeOutcome:
    document: dict[str, Any]
    summary: str
    written: list[Path] = field(default_factory=list)


def _summary(
    display: str, target: str, info: OptimizationInfo, saved: Path | None, out_dir: Path
) -> str:
    lines = [f"mlgate optimize — {display} on {target}"]
    for v in info.variants:
        detail = f" · {v.reason}" if v.reason else ""
        lines.append(f"  {v.status:11s} {v.name:55s} {speedup_text(v):22s}{detail}")
    lines.append(search_line(info))
    if saved is not None and info.deployment is not None:
        lines.append(f"recommended: {info.recommended} → {saved}")
        lines.append(f"deployment: {deployment_line(info.deployment)}")
        lines.append(f"load it: {load_call(str(out_dir))}")
    else:
        lines.append(
            "recommended: none (no variant beats the original); no deployment.json written"
        )
    lines += [f"  {line}" for line in right_sizing_lines(info.right_sizing)]
    return "\n".join(lines) + "\n"


def _target(config: Config, name: str | None) -> tuple[Target, TargetConfig]:
    """The configured target to optimize for (default: the first), present on this machine."""
    names = [t.name for t in config.targets]
    chosen = name or names[0]
    if chosen not in names:
        raise ConfigError(
            f"--target {chosen}: not a configured target (targets: {', '.join(names)})"
        )
    target_config = next(t for t in config.targets if t.name == chosen)
    target = Target(
        target_config.name,
        tuple(target_config.providers),
        target_config.threads,
        tuple(target_config.runtimes) if target_config.runtimes is not None else None,
    )
    check_target(target)
    return target, target_config


def _recommended(
    outcome: SearchOutcome, input_sha: str, target: Target, out_dir: Path
) -> tuple[dict[str, Any] | None, list[Path]]:
    """The recommended variant, its deployment record and its provenance record, written
    beside it (None and nothing written when no variant won)."""
    if outcome.best_path is None or outcome.deployment is None:
        return None, []
    deployment_file = write_deployment(out_dir, outcome.deployment)
    best = next(v for v in outcome.variants if v.name == outcome.recommended)
    recommended = {
        "variant": outcome.recommended,
        "path": str(outcome.best_path),
        "passes": outcome.recipe,
        "input_sha256": input_sha,
        "output_sha256": file_sha256(outcome.best_path),
        "speedup": best.speedup,
        "speedup_ci": list(best.speedup_ci) if best.speedup_ci else None,
        "accuracy_change": best.accuracy_change,
        "cosine": best.cosine,
        "max_abs_diff": best.max_abs_diff,
        "target": target.name,
        "providers": list(target.providers),
        "deployment": outcome.deployment.to_json(),
        "deployment_file": str(out_dir / DEPLOYMENT_FILE),
    }
    record = outcome.best_path.with_suffix(".json")
    record.write_text(
        json.dumps({"kind": f"{KIND}-provenance", "version": VERSION, **recommended,
                    "provenance": asdict(provenance())}, indent=2) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    return recommended, [outcome.best_path, record, deployment_file]


def optimize(options: OptimizeOptions) -> OptimizeOutcome:
    config, origin = load_config(options.config)
    settings: OptimizeConfig = config.optimize
    if options.budget_seconds is not None:
        settings = settings.model_copy(update={"budget_seconds": options.budget_seconds})
    target, target_config = _target(config, options.target)
    with tempfile.TemporaryDirectory(prefix="mlgate-") as workdir:
        resolved = source.resolve(options.model, Path(workdir))
        model_config = config.model_for(resolved.repo_path)
        data = eval_data_for(
            options.data, model_config, config, origin.parent if origin else Path()
        )
        model = load_model(
            resolved.local, runtime_limits(), resolved.display, config.limits.model_size_mb
        )
        check_domains(model.proto, model.display, config.limits.allow_domains)
        job = OptimizeJob(
            base=None,
            head=model,
            target=target,
            eval_data=data,
            metric=model_config.eval.metric,
            output=model_config.eval.output,
            batch_size=model_config.eval.batch_size,
            input_shapes=dict(model_config.inputs),
            config=settings,
            pricing=Pricing.of(
                target_config.price_per_core_hour, target_config.price_per_hour, available_cores()
            ),
        )
        outcome = run_search(job, options.out_dir)
        sizing = right_size_outcome(job, outcome)
        input_sha = file_sha256(model.path)
    info = finish_target(job, outcome, (None, []), sizing)
    recommended, written = _recommended(outcome, input_sha, target, options.out_dir)
    document = {
        "kind": KIND,
        "version": VERSION,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": model.display,
        "sha256": input_sha,
        "target": target.name,
        "recommended": recommended,
        "search": asdict(info),
        "provenance": asdict(provenance()),
    }
    if options.json_out is not None:
        options.json_out.parent.mkdir(parents=True, exist_ok=True)
        options.json_out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        written.append(options.json_out)
    summary = _summary(model.display, target.name, info, outcome.best_path, options.out_dir)
    return OptimizeOutcome(document, summary, written)
