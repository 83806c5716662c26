"""Attaching the release report to a GitHub Release, through PyGithub over real HTTP to the
contract server: created as a draft, updated in place on a re-run, the person's notes kept,
assets replaced, a 502 after an upload reconciled, and no write without permission."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlgate.errors import MlgateError
from mlgate.gate.release import ReportOptions, report
from mlgate.github.release import END, START, release_body
from mlgate.results.store import write_results
from tests.github.server import FakeGitHub, Fault, Served
from tests.render.sample import sample_results


@pytest.fixture
def github():
    fake = FakeGitHub()
    with Served(fake):
        yield fake
    assert fake.violations == []


@pytest.fixture
def results(tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    write_results(sample_results(fail=False), folder / "cpu" / "results.json")
    return folder


def run_report(github: FakeGitHub, results: Path, out: Path, token: str = "write-token"):
    environ = {
        "GITHUB_TOKEN": token,
        "GITHUB_REPOSITORY": github.repository,
        "GITHUB_API_URL": github.base_url,
        "MLGATE_API_PACE": "0",  # no pause between writes against the local server
    }
    options = ReportOptions(results=results, release="v2.0.0", out=out, github_release="v2.0.0")
    return report(options, environ)


def test_a_tag_without_a_release_gets_a_draft_with_the_report_and_its_files(
    github: FakeGitHub, results: Path, tmp_path: Path
):
    outcome = run_report(github, results, tmp_path / "out")
    (release,) = github.releases.values()
    assert release["tag_name"] == "v2.0.0"
    assert release["draft"] is True
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert release["body"] == f"{START}\n{markdown}\n{END}"
    assets = github.release_assets(release["id"])
    assert sorted(assets) == ["release-results.json", "report.html", "report.md"]
    assert assets["report.html"] == (tmp_path / "out" / "report.html").read_bytes()
    assert json.loads(assets["release-results.json"])["context"]["head_ref"] == "v2.0.0"
    assert "release v2.0.0 created as a draft" in outcome.summary
    uploaded = [a for _, a, _ in github.assets.values() if a["name"] == "report.html"]
    assert uploaded[0]["content_type"] == "text/html"


def test_a_rerun_updates_the_same_release_keeps_the_notes_and_replaces_the_files(
    github: FakeGitHub, results: Path, tmp_path: Path
):
    rid = github.add_release("v2.0.0", body="Highlights: faster tokenizer.", draft=False)
    run_report(github, results, tmp_path / "one")
    first_ids = {a["id"] for r, a, _ in github.assets.values() if r == rid}
    outcome = run_report(github, results, tmp_path / "two")
    assert list(github.releases) == [rid]  # no second release
    release = github.releases[rid]
    assert release["draft"] is False  # a published release stays published
    assert release["body"].startswith("Highlights: faster tokenizer.\n\n" + START)
    assert release["body"].count(START) == 1
    second_ids = {a["id"] for r, a, _ in github.assets.values() if r == rid}
    assert len(second_ids) == 3
    assert not first_ids & second_ids
    assert "release v2.0.0 updated" in outcome.summary


def test_an_upload_that_lands_but_answers_502_is_not_repeated(
    github: FakeGitHub, results: Path, tmp_path: Path
):
    failed: list[str] = []

    def once(method: str, path: str) -> Fault | None:
        if method == "POST" and path.endswith("/assets") and not failed:
            failed.append(path)
            return Fault(502, commit=True)
        return None

    github.faults = once
    run_report(github, results, tmp_path / "out")
    (release,) = github.releases.values()
    assert failed
    assert sorted(github.release_assets(release["id"])) == [
        "release-results.json",
        "report.html",
        "report.md",
    ]


def test_a_read_only_token_gets_one_line_and_no_write(
    github: FakeGitHub, results: Path, tmp_path: Path
):
    with pytest.raises(MlgateError, match=r"creating a draft release for v2.0.0 failed: HTTP 403"):
        run_report(github, results, tmp_path / "out", token="read-token")
    assert github.releases == {}
    assert github.writes()[0].status == 403
    assert (tmp_path / "out" / "report.html").is_file()  # the files are written first


def test_release_body_replaces_only_its_block_and_cuts_only_the_report():
    notes = "Written by a person.\n"
    first = release_body(notes, "report one")
    assert first == f"Written by a person.\n\n{START}\nreport one\n{END}"
    edited = first + "\n\nFooter added later."
    second = release_body(edited, "report two")
    assert second == f"Written by a person.\n\n{START}\nreport two\n{END}\n\nFooter added later."
    cut = release_body(notes, "x" * 5000, limit=1000)
    assert len(cut) <= 1000
    assert cut.startswith(notes)
    assert "report truncated" in cut
