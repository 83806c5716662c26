"""End to end: `mlgate optimize --out DIR` writes a deployment that mlgate.deploy loads
and that agrees with the original (the unit tests sit in the modules' mirror files)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest

import mlgate.deploy
from mlgate.bench.inputs import synthetic_feeds
from mlgate.bench.session import open_session
from mlgate.cli import main
from mlgate.model.profile import index_bounds
from mlgate.results.deployment import DEPLOYMENT_FILE
from tests import model_builders as mb
from tests.deployed_models import CPU


def test_mlgate_optimize_writes_a_deployment_that_loads_or_says_none(tmp_path, capsys):
    """End to end: the CLI's JSON names the deployment it wrote, and that deployment loads
    and agrees with the original within the fidelity budget (or nothing won: no file)."""
    model = mb.save(mb.matmul_chain(4, 128), tmp_path / "chain.onnx")
    out, report = tmp_path / "best", tmp_path / "o.json"
    code = main(["optimize", str(model), "--budget-seconds", "12", "--out", str(out),
                 "--json", str(report)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    document = json.loads(report.read_text())
    sizing = document["search"]["right_sizing"]
    assert sizing is not None
    assert sizing["rows"][0]["threads"] == 1
    if document["recommended"] is None:
        assert not (out / DEPLOYMENT_FILE).exists()
        assert "no deployment.json written" in printed
        assert sizing["subject"].startswith("the original model")
        return
    assert document["recommended"]["deployment_file"] == str(out / DEPLOYMENT_FILE)
    loaded = mlgate.deploy.load(out)
    assert loaded.deployment.model == Path(document["recommended"]["path"]).name
    assert document["search"]["deployment"]["model"] == loaded.deployment.model
    session = open_session(model, CPU, "original")  # the inputs the search judged fidelity on
    feeds = synthetic_feeds(session.inputs, {}, "chain.onnx", index_bounds(onnx.load(model)))
    original = session.run(feeds)[0].ravel()
    deployed = np.asarray(loaded.run(feeds)[0]).ravel()
    cosine = float(original @ deployed / (np.linalg.norm(original) * np.linalg.norm(deployed)))
    assert cosine >= 0.99
    assert cosine == pytest.approx(document["recommended"]["cosine"], abs=1e-3)
    assert "mlgate.deploy.load(" in printed
