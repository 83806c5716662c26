"""gate.changed: the check run over the changed models, against what, with which config."""

from __future__ import annotations

from mlgate.gate.changed import check
from mlgate.gate.check_request import CheckOptions
from tests.gate.change_repo import commit_change as _commit
from tests.gate.change_repo import pr_repo as _repo
from tests.github.actions_runtime import git


def test_on_a_pr_the_base_config_is_used_and_a_changed_config_is_noted(tmp_path):
    repo = _repo(tmp_path)
    git(repo, "checkout", "-q", "main")
    (repo / "mlgate.yml").write_text("thresholds:\n  latency.p50: +5%\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "config")
    git(repo, "checkout", "-q", "-b", "relax")
    (repo / "mlgate.yml").write_text("thresholds:\n  latency.p50: off\n")
    _commit(repo)
    outcome = check(
        CheckOptions(base="main", repo=repo, results_dir=tmp_path / "out", config_from="base")
    )
    report = outcome.report
    assert report.verdict == "neutral"  # no model changed
    assert outcome.exit_code == 0
    assert report.config_source.startswith("mlgate.yml at base ")
    assert any("a pull request cannot change its own gate" in n for n in report.notes)
    assert (tmp_path / "out" / "run.json").is_file()


def test_on_a_pr_threshold_overrides_from_the_workflow_are_flagged_as_pr_controlled(tmp_path):
    repo = _repo(tmp_path)
    (repo / "notes.txt").write_text("v2\n")
    _commit(repo)
    outcome = check(
        CheckOptions(
            base="main",
            repo=repo,
            results_dir=tmp_path / "out",
            config_from="base",
            thresholds={"latency.p50": "off"},
        )
    )
    note = next(n for n in outcome.report.notes if "overridden" in n)
    assert "latency.p50: off" in note
    assert "PR-controlled" in note
    assert "mlgate.yml (read from the base branch)" in note
