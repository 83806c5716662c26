"""Jinja environments and the render entry points. Returns strings only.

Templates ship in the package. The Markdown environment escapes every value that a filter
has not marked safe (see `markdown.finalize`), so PR-controlled text cannot inject Markdown,
HTML, mentions or links even when a template forgets to escape it."""

from __future__ import annotations

import functools

import jinja2

from mlgate.compare.calibration import Calibration
from mlgate.render.markdown import code_span, finalize
from mlgate.render.view import report_view
from mlgate.results.schema import Results

COMMENT_LIMIT = 65_536  # GitHub's maximum issue-comment body
_TRUNCATED = (
    "\n\n… comment truncated to fit GitHub's limit; the full results are in the job summary "
    "and the results JSON.\n"
)


@functools.cache
def markdown_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mlgate.render", "templates"),
        autoescape=False,
        finalize=finalize,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["code"] = code_span
    return env


@functools.cache
def text_env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("mlgate.render", "templates"),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_comment(results: Results, limit: int = COMMENT_LIMIT) -> str:
    """The PR comment; collapsed, then truncated, if it would exceed `limit` characters."""
    template = markdown_env().get_template("comment.md.j2")
    view = report_view(results)
    body = template.render(r=view, compact=False)
    if len(body) <= limit:
        return body
    body = template.render(r=view, compact=True)
    if len(body) <= limit:
        return body
    return body[: limit - len(_TRUNCATED)] + _TRUNCATED


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
