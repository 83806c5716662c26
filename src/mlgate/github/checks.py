"""A run report -> what GitHub shows next to the commit: check-run conclusion, title and
annotations, and the commit-status fallback. Pure."""

from typing import Literal

from mlgate.github.publish import Annotation
from mlgate.render.untrusted import plain_line
from mlgate.render.view import failure_sentence, label
from mlgate.results.schema import RunReport

FailOn = Literal["regression", "error", "never"]
TITLE_LIMIT = 255  # GitHub's check-run and annotation title
MESSAGE_LIMIT = 4_096  # an annotation's message (GitHub allows 64 KiB; one finding is short)
_STATES = {"success": "success", "failure": "failure", "neutral": "success"}


def conclusion(report: RunReport, fail_on: FailOn) -> str:
    """`success`, `failure` or `neutral` (nothing to gate, or failures the config ignores)."""
    if report.verdict == "neutral":
        return "neutral"
    if report.verdict == "pass":
        return "success"
    if report.verdict == "inconclusive":
        mapped = _UNDECIDED[report.on_inconclusive]
        return "neutral" if mapped == "failure" and fail_on != "regression" else mapped
    if fail_on == "never" or (fail_on == "error" and report.verdict == "fail"):
        return "neutral"
    return "failure"


_UNDECIDED = {"pass": "success", "neutral": "neutral", "fail": "failure"}


def status_state(check_conclusion: str) -> str:
    """Commit statuses know success, failure, error and pending only."""
    return _STATES[check_conclusion]


def title(report: RunReport) -> str:
    """One plain line: model names and errors come from the pull request."""
    return plain_line(_title(report), TITLE_LIMIT)


def _title(report: RunReport) -> str:
    gated = len(report.results)
    if report.verdict == "neutral":
        return "No model to gate"
    if report.verdict == "error":
        return "Could not finish: " + (report.errors or _model_errors(report) or ["error"])[0]
    failing = [r.model for r in report.results if r.verdict == "fail"]
    if failing:
        return f"Regression in {', '.join(failing)}"
    undecided = [r.model for r in report.results if r.verdict == "inconclusive"]
    if undecided:
        return f"Not decided: {', '.join(undecided)}"
    return f"{gated} model{'s' if gated != 1 else ''} pass{'es' if gated == 1 else ''}"


def _model_errors(report: RunReport) -> list[str]:
    return [f"{r.model}: {e}" for r in report.results for e in r.errors]


def annotations(report: RunReport, config_path: str | None) -> list[Annotation]:
    """Failures and errors on the model files; run-level errors on the config file (when
    there is one: an annotation needs a file in the repository). Messages and titles quote
    the pull request: each is one plain line, capped."""
    return [
        Annotation(
            a.path,
            plain_line(a.message, MESSAGE_LIMIT),
            plain_line(a.title, TITLE_LIMIT),
            a.level,
            a.line,
        )
        for a in _annotations(report, config_path)
    ]


def _annotations(report: RunReport, config_path: str | None) -> list[Annotation]:
    found: list[Annotation] = []
    for results in report.results:
        for error in results.errors:
            found.append(Annotation(results.model, error, "mlgate could not gate this model"))
        for target in results.targets:
            if target.error:
                found.append(Annotation(results.model, target.error, f"{target.name}: error"))
            for metric in target.metrics:
                if metric.verdict == "fail":
                    message = f"{failure_sentence(metric)} on target {target.name}"
                    found.append(Annotation(results.model, message, f"{label(metric)} regressed"))
                elif metric.verdict == "inconclusive":
                    found.append(
                        Annotation(
                            results.model,
                            f"{label(metric)} on {target.name}: {'; '.join(metric.notes)}",
                            f"{label(metric)}: inconclusive",
                            level="warning",
                        )
                    )
    if config_path:
        for error in report.errors:
            found.append(Annotation(config_path, error, "mlgate could not run", level="failure"))
    return found
