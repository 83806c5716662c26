"""Jinja environments and the render entry points. Returns strings only.

Templates ship in the package. The Markdown environment escapes every value that a filter
has not marked safe (see `markdown.finalize`), so PR-controlled text cannot inject Markdown,
HTML, mentions or links even when a template forgets to escape it."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping

import jinja2
import jinja2.sandbox

from mlgate.compare.calibration import Calibration
from mlgate.errors import ConfigError
from mlgate.render.efficiency_view import profile_view
from mlgate.render.markdown import code_span, finalize, safe_url, truncate_markdown
from mlgate.render.release_view import ReleaseView
from mlgate.render.run_view import run_view
from mlgate.render.sandbox import BudgetedSandbox, render_bounded
from mlgate.render.untrusted import literal
from mlgate.render.view import report_view
from mlgate.results.schema import ProfileReport, Results, RunReport

COMMENT_LIMIT = 65_536  # GitHub's maximum issue-comment body
RELEASE_BODY_LIMIT = 125_000  # GitHub's maximum release body ("body is too long")
_TRUNCATED = (
    "\n\n… comment truncated to fit GitHub's limit; the full results are in the job summary "
    "and the results JSON.\n"
)
_LOADER = jinja2.PackageLoader("mlgate.render", "templates")


def _markdown_options() -> dict[str, object]:
    return {
        "loader": _LOADER,
        "autoescape": False,
        "finalize": finalize,
        "undefined": jinja2.StrictUndefined,
        "keep_trailing_newline": True,
    }


def _add_filters(env: jinja2.Environment) -> jinja2.Environment:
    env.filters["code"] = code_span
    env.filters["url"] = safe_url
    return env


@functools.cache
def markdown_env() -> jinja2.Environment:
    return _add_filters(jinja2.Environment(**_markdown_options()))  # type: ignore[arg-type]


def sandboxed_env(loader: jinja2.BaseLoader | None = None) -> BudgetedSandbox:
    """For a user's own template: no attribute tricks, same escaping, bounded time, size
    and recursion (`render.sandbox`)."""
    options = {**_markdown_options(), "loader": loader or _LOADER}
    env = BudgetedSandbox(None, **options)
    _add_filters(env)
    env.guard_filters()
    return env


def _template_failure(exc: BaseException) -> str:
    """What went wrong in a user's template, in one line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"line {exc.lineno}: {exc.message}"
    if isinstance(exc, RecursionError):
        return "it nests or recurses too deeply"
    if isinstance(exc, MemoryError):
        return "it needs too much memory"
    return str(exc) if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"


def _text_finalize(value: object) -> object:
    """Plain-text templates (terminal, logs): a value never breaks its line, so it cannot
    start a line the Actions runner would read as a workflow command."""
    return "" if value is None else literal(value)


@functools.cache
def text_env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=_LOADER,
        autoescape=False,
        finalize=_text_finalize,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _fit(render: Callable[[bool], str], limit: int, truncated_note: str) -> str:
    """Full, then compact, then truncated (at a line boundary, so no escape or code span is
    cut open): the first that fits in `limit` characters."""
    body = render(False)
    if len(body) <= limit:
        return body
    return truncate_markdown(render(True), limit, truncated_note)


def render_comment(results: Results, limit: int = COMMENT_LIMIT) -> str:
    """The PR comment; collapsed, then truncated, if it would exceed `limit` characters."""
    template = markdown_env().get_template("comment.md.j2")
    view = report_view(results)
    return _fit(lambda compact: template.render(r=view, compact=compact), limit, _TRUNCATED)


def render_run_comment(
    report: RunReport,
    limit: int = COMMENT_LIMIT,
    details_url: str = "",
    template_text: str | None = None,
) -> str:
    """The sticky comment of a gate run. `template_text` is a user's template (read from the
    base branch by the caller), rendered sandboxed with the same escaping."""
    if template_text is None:
        template = markdown_env().get_template("run_comment.md.j2")
    else:
        try:
            template = sandboxed_env().from_string(template_text)
        except Exception as exc:  # syntax, budget, recursion: a user's template, never a bug
            raise ConfigError(
                f"comment template: {_template_failure(exc)}; fix the template"
            ) from None
    view = run_view(report, details_url)
    note, link = _TRUNCATED, safe_url(view.details_url)
    if link:
        note = (
            "\n\n… comment truncated to fit GitHub's limit; the full results are in the "
            f"[job summary]({link}) and the results artifact.\n"
        )

    def render(compact: bool) -> str:
        if template_text is None:
            return template.render(v=view, compact=compact)
        try:
            return render_bounded(template, limit, v=view, compact=compact)
        except Exception as exc:  # undefined name, sandbox, budget, any error it raises
            raise ConfigError(
                f"comment template: {_template_failure(exc)}; fix the template"
            ) from None

    return _fit(render, limit, note)


def render_comment_or_builtin(
    report: RunReport, limit: int, details_url: str, template_text: str | None, log: list[str]
) -> str:
    """A user's template, or, if it fails in any way, the built-in comment and a note in
    `log`: a broken template never costs the pull request its comment and outputs."""
    try:
        return render_run_comment(report, limit, details_url, template_text)
    except ConfigError as exc:
        log.append(f"{exc}; using the built-in comment")
        return render_run_comment(report, limit, details_url)


def render_run_summary(report: RunReport) -> str:
    """The terminal summary of a gate run: the run, then each model."""
    head = text_env().get_template("run_summary.txt.j2").render(v=run_view(report))
    return "\n\n".join([head, *(render_summary(r).rstrip("\n") for r in report.results)]) + "\n"


def render_summary(results: Results) -> str:
    """The terminal summary: plain text."""
    return text_env().get_template("summary.txt.j2").render(r=report_view(results)) + "\n"


def render_calibration(calibration: Calibration, target: str, model: str) -> str:
    """The terminal report of `mlgate calibrate`."""
    template = text_env().get_template("calibrate.txt.j2")
    return (
        template.render(
            c=calibration,
            target=target,
            model=model,
            thresholds=calibration.suggested_thresholds(),
        )
        + "\n"
    )


def render_profile(report: ProfileReport) -> str:
    """The terminal report of `mlgate profile`."""
    return text_env().get_template("profile.txt.j2").render(p=profile_view(report)) + "\n"


def _report_loader(user_templates: Mapping[str, str]) -> jinja2.BaseLoader:
    """A user's templates first, then the shipped ones; the shipped ones also under
    `mlgate/` so that a user's template can `{% extends "mlgate/report.html.j2" %}`."""
    return jinja2.ChoiceLoader(
        [
            jinja2.DictLoader(dict(user_templates)),
            _LOADER,
            jinja2.PrefixLoader({"mlgate": _LOADER}),
        ]
    )


def _render_report(env: BudgetedSandbox, name: str, compact: bool, view: ReleaseView) -> str:
    try:
        return render_bounded(
            env.get_template(name), 10 * RELEASE_BODY_LIMIT, v=view, compact=compact
        )
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(
            f"report template {exc.name or name}, line {exc.lineno}: {exc.message}; fix the "
            "template"
        ) from None
    except Exception as exc:  # undefined name, sandbox refusal, budget, recursion
        raise ConfigError(
            f"report template {name}: {_template_failure(exc)}; fix the template"
        ) from None


def render_release_html(view: ReleaseView, user_templates: Mapping[str, str] | None = None) -> str:
    """The self-contained HTML report. Rendered sandboxed and HTML-escaped, whether the
    template is ours or the user's (`user_templates`: name -> source)."""
    env = BudgetedSandbox(
        loader=_report_loader(user_templates or {}),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.guard_filters()
    return _render_report(env, "report.html.j2", False, view)


def render_release_markdown(
    view: ReleaseView,
    user_templates: Mapping[str, str] | None = None,
    limit: int = RELEASE_BODY_LIMIT,
) -> str:
    """The Markdown report for a GitHub Release body: compacted, then truncated, to fit."""
    env = sandboxed_env(_report_loader(user_templates or {}))
    note = "\n\n… report truncated to fit a GitHub Release body; the HTML report has it all.\n"

    def render(compact: bool) -> str:
        text = _render_report(env, "report.md.j2", compact, view)
        return re.sub(r"\n{3,}", "\n\n", text)  # template whitespace: one blank line at most

    return _fit(render, limit, note)
