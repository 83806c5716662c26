"""gate.optimize: `mlgate optimize` on a real model: the configured target, the search
document (what was tried, what is recommended) and where it is written."""

from __future__ import annotations

import hashlib
import json

import pytest

from mlgate.errors import ConfigError, ModelError
from mlgate.gate.optimize import OptimizeOptions, optimize
from tests import model_builders as mb

NO_SEARCH = "optimize: {right_size_threads: 0}\n"  # with budget 0: no variant, no sizing


@pytest.fixture
def model(tmp_path):
    return mb.save(mb.matmul_chain(layers=2, width=16, batch=1), tmp_path / "m.onnx")


def test_an_unconfigured_target_names_the_configured_ones(model, tmp_path):
    config = tmp_path / "mlgate.yml"
    config.write_text("targets: [{name: cpu-a}, {name: cpu-b}]\n")
    with pytest.raises(
        ConfigError, match=r"--target tpu: not a configured target \(targets: cpu-a, cpu-b\)"
    ):
        optimize(OptimizeOptions(str(model), config=config, target="tpu"))


def test_a_missing_model_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="model file not found"):
        optimize(OptimizeOptions(str(tmp_path / "none.onnx"), budget_seconds=0))


def test_without_a_search_budget_nothing_is_recommended_and_the_document_says_so(model, tmp_path):
    config = tmp_path / "mlgate.yml"
    config.write_text(NO_SEARCH)
    out = tmp_path / "search.json"
    outcome = optimize(
        OptimizeOptions(
            str(model), config=config, budget_seconds=0, json_out=out, out_dir=tmp_path / "opt"
        )
    )
    document = outcome.document
    assert (document["kind"], document["model"], document["target"]) == (
        "mlgate-optimize",
        str(model),
        "cpu",
    )
    assert document["sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    assert document["recommended"] is None
    assert outcome.written == [out]
    assert json.loads(out.read_text())["sha256"] == document["sha256"]
    assert outcome.summary.startswith(f"mlgate optimize — {model} on cpu\n")
    assert "recommended: none (no variant beats the original)" in outcome.summary
    assert not (tmp_path / "opt" / "deployment.json").exists()
