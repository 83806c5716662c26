"""Progress in the log: one line per model × target × phase with its elapsed time and what is
left, grouped per model on GitHub Actions, nothing with --quiet, notes with --verbose; file
names never start a workflow command. The clock is the one fake (a true edge)."""

from __future__ import annotations

import pytest

from mlgate.cli import build_parser
from mlgate.progress import LogProgress, Tracker, log_line


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _log(github: bool = False, verbose: bool = False) -> tuple[list[str], LogProgress, Clock]:
    lines: list[str] = []
    clock = Clock()
    return lines, LogProgress(lines.append, github, verbose, clock), clock


def test_one_line_per_phase_with_elapsed_time_and_what_is_left():
    lines, progress, clock = _log()
    model = progress.step("[1/2 models] models/a.onnx", expect_seconds=180, then_seconds=180)
    with model, progress.step("cpu", expect_seconds=180):
        with progress.step("cpu: interleaved A/B latency"):
            clock.now += 12.3
        with progress.step("cpu: searching for a faster variant", expect_seconds=150):
            clock.now += 150
    assert lines[0] == "[1/2 models] models/a.onnx … up to 180 s"
    assert "[1/2 models] models/a.onnx · cpu · interleaved A/B latency … 12.3 s" in lines[2]
    assert lines[2].endswith("(about 348 s left)")  # 180 - 12.3 here, 180 queued
    search_done = lines[4]
    assert search_done.startswith(
        "[1/2 models] models/a.onnx · cpu · searching for a faster variant … 150 s"
    )
    assert lines[-1].startswith("[1/2 models] models/a.onnx … 162 s")
    assert lines[-1].endswith("(about 180 s left)")  # the model still queued


def test_a_phase_that_ends_early_gives_its_time_back_to_the_estimate():
    tracker = Tracker(clock := Clock())
    tracker.start("model", expect=180)
    tracker.start("search", expect=100)
    clock.now += 10
    tracker.finish()  # 90 s unused
    assert tracker.left() == pytest.approx(180 - 90 - 10)


def test_a_phase_that_overruns_adds_its_overrun_to_the_estimate():
    tracker = Tracker(clock := Clock())
    tracker.start("model", expect=30)  # 20 s latency, then 10 s of other work
    tracker.start("latency", expect=20)
    clock.now += 50
    tracker.finish()
    assert tracker.left() == pytest.approx(10)


def test_github_actions_folds_each_model_in_a_group():
    lines, progress, clock = _log(github=True)
    for name in ("a.onnx", "b.onnx"):
        with progress.step(name), progress.step("cpu"):
            clock.now += 1
    assert lines[0] == "::group::a.onnx"
    assert lines.count("::endgroup::") == 2
    assert lines.index("::endgroup::") < lines.index("::group::b.onnx")
    assert not any(line.startswith("::group::") for line in lines[1:3])  # not per target


def test_no_groups_outside_github_actions():
    lines, progress, _ = _log(github=False)
    with progress.step("a.onnx"):
        pass
    assert not any(line.startswith("::") for line in lines)


@pytest.mark.parametrize(
    "name",
    ["::error::owned.onnx", "a\n::add-mask::x.onnx", "a\r::warning::b.onnx", "x##[error]y.onnx"],
)
def test_a_model_path_never_starts_a_workflow_command(name):
    lines, progress, _ = _log(github=True)
    with progress.step(name), progress.step("cpu"):
        progress.note(name)
    for line in lines:
        assert "\n" not in line
        assert "\r" not in line
        assert "##[" not in line
        if line.startswith("::"):
            assert line.startswith(("::group::", "::endgroup::")), line
    assert log_line("::error::x").startswith(":\u200b:")


def test_notes_only_when_verbose():
    quiet_lines, progress, _ = _log(verbose=False)
    with progress.step("cpu"):
        progress.note("no eval data: synthetic inputs")
    assert not any("note:" in line for line in quiet_lines)
    lines, progress, _ = _log(verbose=True)
    with progress.step("cpu"):
        progress.note("no eval data: synthetic inputs")
    assert "  note: no eval data: synthetic inputs" in lines


def test_check_logs_each_phase_on_stderr_when_not_a_terminal(tmp_path, monkeypatch, capsys):
    from tests.commands.matrix_repo import make_repo

    monkeypatch.chdir(make_repo(tmp_path, allow_missing=True))
    monkeypatch.setenv("MLGATE_LOG_LEVEL", "normal")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    from mlgate.cli import main

    code = main(["check", "--base", "main", "--target", "cpu-a", "--no-memory", "--no-optimize"])
    assert code == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "::group::finding changed models"
    assert "::group::[1/1 models] models/digits.onnx" in err
    phases = [line for line in err if line.startswith("[1/1 models] models/digits.onnx · ")]
    assert any("· cpu-a · interleaved A/B latency … " in line for line in phases), err
    assert all(" s" in line.rsplit("…", 1)[1] for line in phases)
    assert err[-1] == "::endgroup::"


def test_quiet_and_verbose_are_exclusive(capsys):
    from mlgate.cli import main

    assert main(["check", "--base", "main", "--quiet", "--verbose"]) == 2
    assert "not allowed with" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["compare a b", "check --base m", "bench --base m --target c"])
def test_measuring_commands_take_quiet_verbose_and_search_budget(command):
    args = build_parser().parse_args([*command.split(), "--verbose", "--search-budget", "0"])
    assert (args.verbose, args.search_budget) == (True, 0.0)


def test_optimize_takes_quiet_and_search_budget():
    args = build_parser().parse_args(["optimize", "m.onnx", "--quiet", "--search-budget", "30"])
    assert (args.quiet, args.budget_seconds) == (True, 30.0)
