"""commands.action: the Action's gate mode on a real repository. A read-only run (no token)
makes no API call and leaves the comment, the job summary and the step outputs."""

from __future__ import annotations

from pathlib import Path

from mlgate.commands.action import gate
from mlgate.gate.action_io import ActionInputs, RunnerFiles
from mlgate.github.context import RunContext
from tests.commands.matrix_repo import make_repo
from tests.github.actions_runtime import git, parse_outputs


def _context(repo: Path, event: str = "push") -> RunContext:
    return RunContext(
        event=event,
        repository="o/r",
        api_url="https://api.invalid",
        server_url="https://github.invalid",
        workspace=repo,
        sha=git(repo, "rev-parse", "HEAD"),
        actor="dev",
        run_id="5",
        run_attempt="1",
        default_branch="main",
        token="",  # read-only: nothing may be posted
    )


def _no_api(context: RunContext):
    raise AssertionError("a read-only run must not open the API")


def test_a_push_that_changes_no_model_passes_and_reports_where_github_shows_it(tmp_path):
    repo = make_repo(tmp_path, allow_missing=False)
    files = RunnerFiles(tmp_path / "output", tmp_path / "summary.md")
    inputs = ActionInputs(base_ref="HEAD", targets=("cpu-a",))
    outcome = gate(inputs, _context(repo), files, _no_api)
    assert (outcome.exit_code, outcome.verdict, outcome.error) == (0, "neutral", None)
    assert outcome.results_path == repo / "mlgate-results" / "run.json"
    assert outcome.results_path.is_file()
    assert (repo / "mlgate-results" / "comment.md").read_text().startswith("<!-- mlgate:comment")
    assert files.summary is not None
    assert "ml-efficiency-gate" in files.summary.read_text()
    assert parse_outputs((tmp_path / "output").read_text())["verdict"] == "neutral"
    assert any("read-only run" in line for line in outcome.log)


def test_the_run_records_the_revisions_it_compared(tmp_path):
    repo = make_repo(tmp_path, allow_missing=False)
    files = RunnerFiles(None, None)
    outcome = gate(ActionInputs(base_ref="HEAD"), _context(repo), files, _no_api)
    assert outcome.report is not None
    head = git(repo, "rev-parse", "HEAD")
    assert (outcome.report.context.base_sha, outcome.report.context.head_sha) == (head, head)
    assert outcome.report.context.event == "push"
