"""Attach a release report to a GitHub Release: the Markdown goes into the release body
between markers (text a person wrote around it is kept), the files become assets (an asset
of the same name is replaced). Finds the release by tag among all releases, drafts included,
so a re-run updates the same draft; creates a draft when the tag has no release yet."""

from __future__ import annotations

import functools
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from github import GithubException
from github.GitRelease import GitRelease
from github.GitReleaseAsset import GitReleaseAsset

from mlgate.github.publish import GitHubApi
from mlgate.render.environment import RELEASE_BODY_LIMIT

START = "<!-- mlgate-report:start -->"
END = "<!-- mlgate-report:end -->"
_CUT = "\n\n… report truncated to fit the release body; see the attached report.html.\n"


@dataclass
class AttachedRelease:
    url: str = ""
    created: bool = False
    draft: bool = False
    assets: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)


def release_body(existing: str, report: str, limit: int = RELEASE_BODY_LIMIT) -> str:
    """`existing` with its marked block replaced by `report` (appended if it has none);
    the report is cut, never the person's text, when the whole would exceed `limit`."""
    before, after = existing, ""
    if START in existing and END in existing.split(START, 1)[1]:
        before, rest = existing.split(START, 1)
        after = rest.split(END, 1)[1]
    elif existing.strip():
        before = existing.rstrip() + "\n\n"
    room = limit - len(before) - len(after) - len(START) - len(END) - 2
    if room < len(_CUT) + 100:
        room = 0
    if len(report) > room:
        report = report[: max(0, room - len(_CUT))] + _CUT if room else ""
    return f"{before}{START}\n{report}\n{END}{after}"


def _find(api: GitHubApi, tag: str) -> GitRelease | None:
    def lookup() -> GitRelease | None:
        return next((r for r in api.repo.get_releases() if r.tag_name == tag), None)

    return api.call(f"listing the releases to find {tag}", lookup)


def attach_report(
    api: GitHubApi, tag: str, name: str, report_markdown: str, files: Sequence[Path]
) -> AttachedRelease:
    attached = AttachedRelease()
    release = _find(api, tag)
    if release is None:
        body = release_body("", report_markdown)
        release = api.call(
            f"creating a draft release for {tag}",
            lambda: api.repo.create_git_release(tag, name=name, message=body, draft=True),
            lambda: _find(api, tag),
        )
        attached.created = True
    else:
        current = release
        body = release_body(current.body or "", report_markdown)
        release = api.call(
            f"updating the body of release {tag}",
            lambda: current.update_release(
                name=current.name or name,
                message=body,
                draft=current.draft,
                prerelease=current.prerelease,
            ),
        )
    for path in files:
        for asset in [a for a in release.assets if a.name == path.name]:
            api.call(f"replacing release asset {path.name}", functools.partial(_delete, asset))
            attached.replaced.append(path.name)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        api.call(
            f"uploading {path.name} to release {tag}",
            functools.partial(release.upload_asset, str(path), content_type=content_type),
            functools.partial(_uploaded, api, tag, path.name),  # a 502 after the upload landed
        )
        attached.assets.append(path.name)
    attached.url = release.html_url
    attached.draft = release.draft
    return attached


def _uploaded(api: GitHubApi, tag: str, name: str) -> GitReleaseAsset | None:
    release = _find(api, tag)
    return next((a for a in release.assets if a.name == name), None) if release else None


def _delete(asset: GitReleaseAsset) -> None:
    try:
        asset.delete_asset()
    except GithubException as exc:
        if exc.status != 404:  # gone already (an earlier attempt succeeded): fine
            raise
