"""A file name is PR content, and in GitHub Actions every stdout/stderr line is read as a
possible workflow command. A model whose name holds `\\n::error …` and `\\n::add-mask::…` is
gated like any other, and nothing that `mlgate check`, `mlgate gate` or the Action prints
turns into a command, except the Action's own."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from mlgate import action
from mlgate.cli import main
from mlgate.gate.action_io import ActionOutcome
from mlgate.github import runner
from mlgate.results.limits import check_limits
from tests.github.actions_runtime import (
    DEMO,
    Repo,
    Runner,
    git,
    pull_request_event,
    run_entrypoint,
)
from tests.render.sample import sample_results
from tests.render.test_run_comment import run as run_report

HOSTILE = "models/a\n::error file=x::pwned\n::add-mask::x\r::warning::cr ##[error]v1.onnx"
RUNNER_COMMAND = re.compile(r"^\s*::|##\[")  # what the runner executes (v2 at a line start, v1)


def runner_lines(text: str) -> list[str]:
    """The lines the runner reads: split at \\n, \\r\\n and a bare \\r."""
    return re.split(r"\r\n|\r|\n", text)


def commands_in(text: str) -> list[str]:
    return [line for line in runner_lines(text) if RUNNER_COMMAND.search(line)]


def test_a_model_named_like_workflow_commands_is_gated_and_prints_none(
    tmp_path, monkeypatch, capsys
):
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(DEMO / "base.onnx", repo / HOSTILE)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "pr")
    shutil.copy(DEMO / "head.onnx", repo / HOSTILE)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change the model")
    monkeypatch.chdir(repo)
    args = ["--base", "main", "--budget-seconds", "1", "--no-memory", "--no-optimize"]
    code = main(["check", *args, "--comment", str(tmp_path / "comment.md")])
    checked = capsys.readouterr()
    assert code in (0, 1), checked.err  # gated: pass or regression, not bad input
    run = json.loads((repo / "mlgate-results" / "run.json").read_text(encoding="utf-8"))
    assert [r["model"] for r in run["results"]] == [HOSTILE]
    assert run["results"][0]["verdict"] != "error"
    assert run["results"][0]["targets"][0]["metrics"]  # measured, not "not found"
    check_limits(run, "run.json")  # what publish mode accepts from an artifact
    assert code == main(["gate", "--results", "mlgate-results"])
    gated = capsys.readouterr()
    for text in (checked.out, checked.err, gated.out, gated.err):
        assert commands_in(text) == []
    assert "pwned" in checked.out  # shown, on the model's own line
    assert "models/a\\n::error file=x::pwned" in checked.out  # the newline shown literally


def test_the_action_prints_its_own_commands_and_no_one_elses():
    results = dataclasses.replace(sample_results(fail=True), model=HOSTILE, errors=[HOSTILE])
    report = run_report(results, notes=[HOSTILE], errors=[HOSTILE])
    own = runner.command("error", HOSTILE, file=HOSTILE, title="mlgate")
    outcome = ActionOutcome(1, "fail", Path("mlgate-results/run.json"), report=report)
    outcome.log += [own, f"template {HOSTILE} not found", runner.command("notice", "done")]
    stdout = io.StringIO()
    with redirect_stdout(stdout):
        action._print_outcome(outcome)
    lines = commands_in(stdout.getvalue())
    start, stop = lines[0], lines[1]
    assert start.startswith("::stop-commands::")
    assert stop == f"::{start.split('::')[2]}::"
    assert lines[2:] == [own, "::notice::done"]  # ours, escaped: one line each


def test_a_one_line_error_cannot_carry_an_old_style_command(capsys):
    assert main(["compare", "missing ##[error]x.onnx", "other.onnx"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert commands_in(err) == []


class _NoSearch(Runner):
    """No variant search: the test is about what is printed, not about optimizing."""

    def env(self) -> dict[str, str]:
        return {**super().env(), "MLGATE_OPTIMIZE": "0"}


def _hostile_pr(root: Path) -> Repo:
    repo = root / "workspace"
    (repo / "models").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(DEMO / "base.onnx", repo / HOSTILE)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "feature")
    shutil.copy(DEMO / "head.onnx", repo / HOSTILE)
    git(repo, "commit", "-q", "-am", "change")
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge", "feature")
    return Repo(repo, base, head, git(repo, "rev-parse", "HEAD"))


@pytest.mark.slow
def test_the_action_on_a_fork_pr_with_that_model_name_emits_only_its_own_commands(tmp_path):
    repo = _hostile_pr(tmp_path)
    step = _NoSearch(
        tmp_path,
        repo.path,
        "http://127.0.0.1:9",  # a fork run makes no API call
        "pull_request",
        pull_request_event(repo, fork=True),
        inputs={"budget_seconds": "1", "github_token": "read-token"},
        sha=repo.merge_sha,
    )
    done = run_entrypoint(step)
    assert done.returncode in (0, 1), done.stderr
    run = json.loads((repo.path / "mlgate-results" / "run.json").read_text(encoding="utf-8"))
    assert [r["model"] for r in run["results"]] == [HOSTILE]
    assert run["results"][0]["targets"][0]["metrics"]
    lines = commands_in(done.stdout) + commands_in(done.stderr)
    tokens = [line.split("::")[2] for line in lines if line.startswith("::stop-commands::")]
    assert len(tokens) == 2  # the whole run, then the summary printed at the end
    escaped_path = runner.escape_property(HOSTILE)
    ours = (
        "::add-mask::read-token",
        "::stop-commands::",
        *(f"::{token}::" for token in tokens),
        "::notice title=mlgate%3A read-only run::",
        *(f"::{level} file={escaped_path},line=1," for level in ("error", "warning", "notice")),
    )
    assert [line for line in lines if not line.startswith(ours)] == []
    assert any(line.startswith(ours[-3:]) for line in lines)  # the annotations are there
