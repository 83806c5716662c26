"""`mlgate profile MODEL`: the static profile of one model (parameters and bytes by dtype,
MACs by op type and dtype, bytes moved, energy proxy, op histogram). No runtime session."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from mlgate.bench.session import runtime_limits
from mlgate.config import load_config
from mlgate.gate.models import model_info
from mlgate.gate.plan import eval_data_for
from mlgate.model import source
from mlgate.model.load import load_model
from mlgate.render.environment import render_profile
from mlgate.results.schema import SCHEMA_VERSION, ModelInfo, ProfileReport
from mlgate.results.store import write_results


@dataclass(frozen=True)
class ProfileOptions:
    model: str  # a path, or REV:path
    data: Path | None = None
    config: Path | None = None
    inputs: dict[str, list[int]] = field(default_factory=dict)  # --input overrides
    json_out: Path | None = None


@dataclass(frozen=True)
class ProfileOutcome:
    report: ProfileReport
    summary: str
    written: list[Path]


def _sources(
    info: ModelInfo, options: ProfileOptions, data_names: set[str], config: set[str]
) -> dict[str, str]:
    """Where each input's profiled shape came from."""
    found = {}
    for spec in info.inputs:
        if spec.name in data_names:
            found[spec.name] = "eval data, first batch"
        elif spec.name in options.inputs:
            found[spec.name] = "command line"
        elif spec.name in config:
            found[spec.name] = "config"
        elif all(isinstance(d, int) and d > 0 for d in spec.shape):
            found[spec.name] = "fixed by the model"
        else:
            found[spec.name] = "guessed for dynamic dims: set them with --input NAME=D1,D2,…"
    return found


def profile(options: ProfileOptions) -> ProfileOutcome:
    config, origin = load_config(options.config)
    with tempfile.TemporaryDirectory(prefix="mlgate-") as workdir:
        resolved = source.resolve(options.model, Path(workdir))
        model_config = config.model_for(resolved.repo_path)
        model_config = model_config.model_copy(
            update={"inputs": {**model_config.inputs, **options.inputs}}
        )
        data_root = origin.parent if origin else Path()
        data = eval_data_for(options.data, model_config, config, data_root)
        model = load_model(
            resolved.local, runtime_limits(), resolved.display, config.limits.model_size_mb
        )
        info, _ = model_info(model, model_config, data)
    report = ProfileReport(
        schema_version=SCHEMA_VERSION,
        kind="mlgate-profile",
        model=info,
        shape_sources=_sources(
            info,
            options,
            set(data.arrays) if data else set(),
            set(model_config.inputs) - set(options.inputs),
        ),
    )
    written = []
    if options.json_out is not None:
        write_results(report, options.json_out)
        written.append(options.json_out)
    return ProfileOutcome(report, render_profile(report), written)
