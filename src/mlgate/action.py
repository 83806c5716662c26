"""The GitHub Action's front end (the container's ENTRYPOINT): read the inputs and the
runner's context from the environment, call the same commands as the CLI, print, exit.

Exit codes are the CLI's: 0 pass (or nothing to gate), 1 regression, 2 bad input or
configuration, 3 internal error, 130 interrupted."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from mlgate.config import check_glob, check_threshold
from mlgate.error_handler import Exit, handle_errors
from mlgate.errors import ConfigError, MlgateError
from mlgate.gate.action_io import ActionInputs, ActionOutcome, ApiFactory, RunnerFiles
from mlgate.github import runner
from mlgate.github.context import RunContext, read_context
from mlgate.github.publish import GitHubApi
from mlgate.github.retry import RetryPolicy
from mlgate.progress import LogProgress, NoProgress, Progress
from mlgate.render.untrusted import neutralise_commands

_ONE_DAY = 86_400.0  # the largest budget, timeout or wait a number input accepts
_CHOICES = {
    "mode": ("gate", "publish", "merge"),
    "comment_mode": ("changes", "always", "off"),
    "fail_on": ("regression", "error", "never"),
    "on_inconclusive": ("", "pass", "neutral", "fail"),
    "log_level": ("quiet", "normal", "verbose"),
}


def _choice(env: Mapping[str, str], name: str, default: str) -> str:
    value = runner.input_value(env, name, default).lower()
    if value not in _CHOICES[name]:
        raise ConfigError(f"input {name}: '{value}' is not one of {', '.join(_CHOICES[name])}")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma- or newline-separated values."""
    text = runner.input_value(env, name).replace(",", "\n")
    return tuple(item.strip() for item in text.splitlines() if item.strip())


def _thresholds(env: Mapping[str, str]) -> dict[str, str]:
    """`metric: threshold` or `metric=threshold`, one per line (or comma-separated)."""
    found: dict[str, str] = {}
    for item in _list(env, "thresholds"):
        name, sep, value = item.partition("=") if "=" in item else item.partition(":")
        if not sep or not name.strip():
            raise ConfigError(
                f"input thresholds: '{item}' is not METRIC: THRESHOLD (e.g. latency.p50: +3%)"
            )
        try:
            check_threshold(name.strip(), value.strip())
        except ValueError as exc:
            raise ConfigError(f"input thresholds: {exc}") from None
        found[name.strip()] = value.strip()
    return found


def _finite(name: str, text: str, zero: bool = False) -> float:
    """A finite number above zero (or zero, if `zero`) and at most a day's worth: `inf`,
    `nan` or `1e400` are one line, never a crash."""
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name}: '{text}' is not a number") from None
    low = "zero or more" if zero else "above zero"
    if not math.isfinite(value) or value > _ONE_DAY or value < 0 or (value == 0 and not zero):
        raise ConfigError(f"{name}: '{text}' must be a number {low} and at most {_ONE_DAY:.0f}")
    return value


def _budget(env: Mapping[str, str]) -> float | None:
    text = runner.input_value(env, "budget_seconds")
    if not text:
        return None
    return _finite("input budget_seconds", text)


def _relative(env: Mapping[str, str], name: str, default: str = "") -> str:
    """A path inside the workspace: relative, without `..` (the Action writes and reads
    nothing outside the repository it was given)."""
    text = runner.input_value(env, name, default)
    parts = PurePosixPath(text.replace("\\", "/")).parts
    if text.startswith(("/", "\\")) or ".." in parts or "\0" in text or len(text) > 1024:
        raise ConfigError(
            f"input {name}: '{text[:80]}' must be a path inside the repository (relative, no '..')"
        )
    return text


def _globs(env: Mapping[str, str]) -> tuple[str, ...]:
    globs = _list(env, "models")
    for glob in globs:
        check_glob(glob)
    return globs


def _search_budget(env: Mapping[str, str]) -> float | None:
    """`search_budget_seconds`: empty for the default (what is left of the bill), 0: off."""
    text = runner.input_value(env, "search_budget_seconds")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(
            f"input search_budget_seconds: '{text}' is not a number of seconds (0: off)"
        ) from None
    if not 0 <= value <= 86_400:
        raise ConfigError("input search_budget_seconds: must be between 0 (off) and 86400")
    return value


def _cache_dir(env: Mapping[str, str]) -> str:
    """`cache_dir`: a workspace-relative folder; `off`: no search cache ("")."""
    value = runner.input_value(env, "cache_dir", ".mlgate-cache")
    return "" if value.lower() == "off" else value


def read_inputs(env: Mapping[str, str]) -> ActionInputs:
    return ActionInputs(
        mode=_choice(env, "mode", "gate"),  # type: ignore[arg-type]
        config=_relative(env, "config", "mlgate.yml"),
        models=_globs(env),
        base_ref=runner.input_value(env, "base_ref"),
        targets=_list(env, "targets"),
        thresholds=_thresholds(env),
        comment_mode=_choice(env, "comment_mode", "changes"),  # type: ignore[arg-type]
        fail_on=_choice(env, "fail_on", "regression"),  # type: ignore[arg-type]
        template=_relative(env, "template"),
        results_dir=_relative(env, "results_dir", "mlgate-results"),
        check_name=runner.input_value(env, "check_name", "ml-efficiency-gate"),
        comment_author=runner.input_value(env, "comment_author"),
        artifact_name=runner.input_value(env, "artifact_name", "mlgate-results"),
        budget_seconds=_budget(env),
        on_inconclusive=_choice(env, "on_inconclusive", "") or None,  # type: ignore[arg-type]
        search_budget=_search_budget(env),
        cache_dir=_cache_dir(env),
        log_level=_choice(env, "log_level", "normal"),  # type: ignore[arg-type]
    )


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name)
    return default if text is None else _finite(name, text, zero=True)


def api_factory(env: Mapping[str, str]) -> ApiFactory:
    """GitHub API clients configured from `MLGATE_API_*` (see the README, "API behaviour")."""
    policy = RetryPolicy(
        attempts=int(_number(env, "MLGATE_API_ATTEMPTS", 6)),
        backoff_seconds=_number(env, "MLGATE_API_BACKOFF_SECONDS", 1.0),
        max_wait_seconds=_number(env, "MLGATE_API_MAX_WAIT_SECONDS", 300.0),
    )
    timeout = int(_number(env, "MLGATE_API_TIMEOUT_SECONDS", 30))
    pace = env.get("MLGATE_API_PACE", "1") != "0"

    def create(context: RunContext) -> GitHubApi:
        return GitHubApi(
            context.api_url,
            context.token,
            context.repository,
            policy=policy,
            timeout=timeout,
            pace=pace,
        )

    return create


def _say(line: str) -> None:
    """One line on stdout. Only our own workflow commands (`runner.command`) go out as
    they are; any other text quotes the repository or an artifact and is neutralised."""
    text = line if isinstance(line, runner.WorkflowCommand) else neutralise_commands(line)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _files(env: Mapping[str, str]) -> RunnerFiles:
    output, summary = env.get("GITHUB_OUTPUT"), env.get("GITHUB_STEP_SUMMARY")
    return RunnerFiles(Path(output) if output else None, Path(summary) if summary else None)


def run(env: Mapping[str, str]) -> ActionOutcome:
    token = runner.input_value(env, "github_token") or env.get("GITHUB_TOKEN", "")
    if token:
        _say(runner.mask(token))
    inputs = read_inputs(env)
    context = read_context(env, token)
    start, stop = runner.stop_commands()
    _say(start)  # models run from here on; whatever a library logs about them is not a command
    try:
        return _mode(inputs, context, env)
    finally:
        _say(stop)


def _mode(inputs: ActionInputs, context: RunContext, env: Mapping[str, str]) -> ActionOutcome:
    if inputs.mode == "publish":
        from mlgate.commands.publish import publish

        return publish(inputs, context, _files(env), api_factory(env))
    if inputs.mode == "merge":
        from mlgate.commands.merge_action import merge

        return merge(inputs, context, _files(env), api_factory(env))
    from mlgate.commands.action import gate

    return gate(inputs, context, _files(env), api_factory(env), _progress(inputs, env))


def _stderr_line(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _progress(inputs: ActionInputs, env: Mapping[str, str]) -> Progress:
    """One line per model, target and phase on stderr. Not folded into `::group::`s: the
    Action runs inside a `::stop-commands::` pair (models and their libraries log from
    here on), where a group command would only print itself; `mlgate check` and `bench` in
    the reusable workflow fold per model."""
    if inputs.log_level == "quiet":
        return NoProgress()
    return LogProgress(_stderr_line, github=False, verbose=inputs.log_level == "verbose")


def _print_outcome(outcome: ActionOutcome) -> None:
    from mlgate.render.environment import render_run_summary

    start, stop = runner.stop_commands()  # the summary quotes PR content
    _say(start)
    if outcome.report is not None:
        _say(render_run_summary(outcome.report).rstrip("\n"))
    _say(stop)
    for line in outcome.log:
        _say(line)
    if outcome.comment_url:
        _say(f"comment: {outcome.comment_url}")


def main(env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    try:
        with handle_errors():
            try:
                outcome = run(env)
                _print_outcome(outcome)
                if outcome.error is not None and outcome.exit_code != 0:
                    raise outcome.error  # one line on stderr, its exit code
                if outcome.error is not None:  # fail_on: never
                    _say(runner.command("warning", str(outcome.error), title="mlgate"))
            except MlgateError as exc:  # also as an annotation on the run page
                _say(runner.command("error", str(exc), title="mlgate"))
                raise
            return outcome.exit_code
    except Exit as done:
        return done.code


if __name__ == "__main__":
    sys.exit(main())
