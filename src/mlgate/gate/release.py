"""`mlgate report`: the release sign-off report. Reads every results file of a release (and
optionally the previous release's), writes `report.html` (self-contained, with charts),
`report.md` (fits a GitHub Release body) and `release-results.json` (this release's results
in one file: the next release's `--previous`), and can attach all three to the release.

Exit codes: 0 ready to sign off, 1 not ready (a failing target without a waiver, or an
error), 2 bad input."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from mlgate.errors import ConfigError
from mlgate.render.environment import render_release_html, render_release_markdown
from mlgate.render.release_view import ReleaseView, release_view
from mlgate.results.collect import Collected, collect
from mlgate.results.schema import SCHEMA_VERSION, RunContextInfo, RunReport
from mlgate.results.store import write_results
from mlgate.results.verdicts import run_verdict

HTML_FILE, MARKDOWN_FILE, RESULTS_FILE = "report.html", "report.md", "release-results.json"
TEMPLATE_NAMES = ("report.html.j2", "report.md.j2")
MAX_TEMPLATE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ReportOptions:
    results: Path
    release: str
    out: Path
    previous: Path | None = None
    previous_release: str = ""
    templates: Path | None = None
    github_release: str | None = None  # a tag: attach the report to its release
    now: datetime | None = None


@dataclass
class ReportOutcome:
    exit_code: int
    view: ReleaseView
    summary: str
    written: list[Path] = field(default_factory=list)


def read_templates(folder: Path) -> dict[str, str]:
    """A user's report templates: every `*.j2` file in `folder` (for includes), keyed by
    its path there. They replace the shipped ones of the same name; the shipped ones stay
    reachable as `mlgate/<name>`. Rendered sandboxed either way."""
    if not folder.is_dir():
        raise ConfigError(f"--templates {folder}: not a folder")
    templates = {}
    for path in sorted(folder.rglob("*.j2")):
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            raise ConfigError(f"template {path} is larger than 1 MB")
        try:
            templates[path.relative_to(folder).as_posix()] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ConfigError(f"template {path} is not UTF-8 text") from None
    if not set(TEMPLATE_NAMES) & set(templates):
        raise ConfigError(
            f"--templates {folder}: has neither {' nor '.join(TEMPLATE_NAMES)}; name your "
            "template after the one it replaces"
        )
    return templates


def _previous_name(previous: Collected | None, given: str) -> str:
    if given or previous is None:
        return given
    refs = {c.head_ref for c in previous.contexts if c.head_ref}
    return refs.pop() if len(refs) == 1 else ""


def release_results(current: Collected, release: str, created_at: str) -> RunReport:
    """This release's results in one document, per file as read (every runner's provenance
    kept); its `head_ref` names the release, for the next report's `--previous`."""
    first = current.contexts[0] if current.contexts else RunContextInfo()
    return RunReport(
        schema_version=SCHEMA_VERSION,
        kind="mlgate-run",
        created_at=created_at,
        verdict=run_verdict(current.models, []),
        context=RunContextInfo(
            repository=first.repository,
            event="release",
            base_sha=first.base_sha,
            head_sha=first.head_sha,
            head_ref=release,
            run_url=first.run_url,
        ),
        config_source="mlgate report",
        results=list(current.parts),
    )


def _summary(view: ReleaseView) -> str:
    lines = [f"{'✅' if view.ready else '❌'} {view.release}: {view.headline}", view.summary]
    lines += [
        f"  {item.icon} {item.model} · {item.target}: {item.status}"
        + (f" ({item.detail})" if item.detail else "")
        for item in view.checklist
    ]
    return "\n".join(lines) + "\n"


def _attach(tag: str, release: str, markdown: str, files: list[Path],
            environ: Mapping[str, str]) -> str:  # fmt: skip
    from mlgate.github.publish import GitHubApi
    from mlgate.github.release import attach_report

    token = environ.get("GITHUB_TOKEN", "")
    repository = environ.get("GITHUB_REPOSITORY", "")
    if not token or not repository:
        raise ConfigError(
            "--github-release needs GITHUB_TOKEN and GITHUB_REPOSITORY in the environment "
            "(in a workflow: env GITHUB_TOKEN: ${{ github.token }}, permissions contents: write)"
        )
    api_url = environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    pace = environ.get("MLGATE_API_PACE", "1") != "0"  # as the Action (README, "API behaviour")
    api = GitHubApi(api_url, token, repository, pace=pace)
    attached = attach_report(api, tag, release, markdown, files)
    state = "created as a draft" if attached.created else "updated"
    return f"release {tag} {state}: {attached.url} (assets: {', '.join(attached.assets)})\n"


def report(options: ReportOptions, environ: Mapping[str, str] = os.environ) -> ReportOutcome:
    templates = read_templates(options.templates) if options.templates else {}
    current = collect(options.results)
    previous = collect(options.previous) if options.previous else None
    created_at = (options.now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    view = release_view(
        current, options.release, created_at, previous,
        _previous_name(previous, options.previous_release),
    )  # fmt: skip
    html = render_release_html(view, templates)
    markdown = render_release_markdown(view, templates)
    options.out.mkdir(parents=True, exist_ok=True)
    written = [options.out / HTML_FILE, options.out / MARKDOWN_FILE, options.out / RESULTS_FILE]
    written[0].write_text(html, encoding="utf-8")
    written[1].write_text(markdown, encoding="utf-8")
    write_results(release_results(current, options.release, created_at), written[2])
    outcome = ReportOutcome(0 if view.ready else 1, view, _summary(view), written)
    if options.github_release:
        outcome.summary += _attach(options.github_release, options.release, markdown,
                                   written, environ)  # fmt: skip
    return outcome
