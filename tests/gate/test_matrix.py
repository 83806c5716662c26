"""gate.matrix: the GitHub matrix for the changed models, from the config of the work tree or
of a commit, in a real git repository."""

from __future__ import annotations

import json
from pathlib import Path

from mlgate.gate.matrix import PlanOptions, plan, plan_config, plan_json, step_outputs
from tests.commands.matrix_repo import make_repo
from tests.github.actions_runtime import git

CONFIGURED = ["cpu-a", "cpu-b", "cpu-c"]  # the targets of matrix_repo's mlgate.yml


def test_the_matrix_has_a_job_per_configured_target_when_a_model_changed(tmp_path):
    repo = make_repo(tmp_path, allow_missing=True)
    matrix = plan(PlanOptions("main", repo=repo, config=repo / "mlgate.yml"))
    assert [job["target"] for job in matrix["include"]] == ["cpu-a", "cpu-b", "cpu-c"]
    assert [job["allow_missing"] for job in matrix["include"]] == [False, False, True]
    assert matrix["models"] == ["models/digits.onnx"]
    assert matrix["empty"] is False
    assert matrix["base_sha"] == git(repo, "rev-parse", "main")
    assert matrix["head_sha"] == git(repo, "rev-parse", "HEAD")


def test_nothing_changed_is_an_empty_matrix(tmp_path):
    repo = make_repo(tmp_path, allow_missing=False)
    matrix = plan(PlanOptions("HEAD", repo=repo, config=repo / "mlgate.yml"))
    assert (matrix["include"], matrix["models"], matrix["empty"]) == ([], [], True)


def test_the_targets_come_from_the_base_commit_when_asked(tmp_path):
    repo = make_repo(tmp_path, allow_missing=False)
    (repo / "mlgate.yml").write_text("targets: [{name: pr-only}]\n")
    git(repo, "commit", "-qam", "the pr picks its own target")
    base, head = git(repo, "rev-parse", "main"), git(repo, "rev-parse", "HEAD")
    from_base = PlanOptions("main", repo=repo, config_from="base")
    assert [t.name for t in plan_config(from_base, base, head).targets] == [
        "cpu-a",
        "cpu-b",
        "cpu-c",
    ]
    from_head = PlanOptions("main", repo=repo, config_from="head")
    assert [t.name for t in plan_config(from_head, base, head).targets] == ["pr-only"]


def test_a_config_missing_at_the_commit_means_the_defaults(tmp_path):
    repo = make_repo(tmp_path, allow_missing=False)
    head = git(repo, "rev-parse", "HEAD")
    options = PlanOptions("main", repo=repo, config=None, config_from="head")
    renamed = PlanOptions("main", repo=repo, config=Path("absent.yml"), config_from="head")
    assert [t.name for t in plan_config(options, head, head).targets] == CONFIGURED
    assert [t.name for t in plan_config(renamed, head, head).targets] == ["cpu"]


def test_step_outputs_hold_only_include_in_the_matrix():
    matrix = {"include": [{"target": "cpu"}], "models": ["m.onnx"], "empty": False, "base_sha": "b"}
    outputs = step_outputs(matrix)
    assert json.loads(outputs["matrix"]) == {"include": [{"target": "cpu"}]}
    assert (outputs["empty"], json.loads(outputs["models"])) == ("false", ["m.onnx"])
    assert plan_json(matrix).endswith("}\n")
    assert json.loads(plan_json(matrix)) == matrix
    assert " " not in plan_json(matrix)
