"""The search's trials: a plan that cannot apply is skipped before any work."""

from __future__ import annotations

import pytest

from mlgate.optimize.candidates import runtime_plans
from mlgate.optimize.fidelity import Budget
from mlgate.optimize.search_job import SearchSettings
from mlgate.optimize.trials import Trials
from tests import model_builders as mb
from tests.optimize.search_jobs import CPU, cnn_job

pytest.importorskip("nncf")


def test_weights_in_constant_nodes_do_not_stop_nncf(tmp_path):
    from onnx import helper

    model = mb.cnn()
    constants = [
        helper.make_node("Constant", [], [t.name], value=t) for t in model.graph.initializer
    ]
    del model.graph.initializer[:]
    nodes = list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend([*constants, *nodes])
    path = mb.save(model, tmp_path / "constants.onnx")
    job = cnn_job(path, ("openvino",))
    settings = SearchSettings(budget_seconds=3, screen_seconds=0.3, tune_static=False)
    run = Trials(job, Budget(), settings, tmp_path)
    (nncf_plan,) = [p for p in runtime_plans(run.chosen.runtimes, CPU)[0] if p.model != "original"]
    assert run.plan_skipped(nncf_plan) is None  # OpenVINO reads Constant weights as constants
