"""One search's clock: the finals of the candidates so far are kept back from later tries."""

from __future__ import annotations

import pytest

from mlgate.bench.runtimes.base import LoadOptions
from mlgate.bench.runtimes.openvino import OpenVino
from mlgate.optimize.fidelity import Budget
from mlgate.optimize.search_job import Candidate, SearchSettings
from mlgate.optimize.search_run import SearchRun
from tests import model_builders as mb
from tests.optimize.search_jobs import cnn_job

pytest.importorskip("nncf")


def test_the_finals_of_a_faster_candidate_are_kept_back_from_later_builds(tmp_path):
    path = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    settings = SearchSettings(budget_seconds=20, screen_seconds=0.5, tune_static=False)
    run = SearchRun(cnn_job(path, ("openvino",)), Budget(), settings, tmp_path)
    assert run.may_try("first")
    # A candidate that screened faster and takes 2 s to load: 4 fresh pairs need > 16 s.
    slow_loading = Candidate("openvino-fp32", path, 0, 0.5, OpenVino(), LoadOptions(1),
                              open_seconds=2.0)  # fmt: skip
    run.candidates.append(slow_loading)
    assert run.final_seconds_needed(slow_loading) > 16
    assert not run.may_try("openvino-nncf-int8")  # its build would eat the finals' time
    assert run.not_tried == ["openvino-nncf-int8"]
    assert run.build_timeout() == 1  # the floor, never the finals' share
