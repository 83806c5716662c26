"""`mlgate report` end to end: from the demo's real results to both files, the exit code,
the next release's `--previous`, user templates, and headless Chromium opening the HTML
(no console errors, a screenshot that is not blank, a PDF that prints)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from mlgate.gate.demo import demo
from mlgate.gate.release import ReportOptions, report

REQUIRE_BROWSER = os.environ.get("MLGATE_REQUIRE_BROWSER") == "1"  # read before the fixtures
CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None
)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The real demo (gate without the variant search), run once for this module."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLGATE_OPTIMIZE", "0")
        patch.chdir(folder)
        demo(folder / "out")
    return folder / "out"


def mlgate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mlgate", *args], cwd=cwd, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


def test_report_from_the_demo_results_then_the_next_release_against_it(
    demo_folder: Path, tmp_path: Path
):
    results = tmp_path / "v1-results"
    results.mkdir()
    shutil.copy(demo_folder / "results.json", results / "results.json")
    first = mlgate("report", "--results", str(results), "--release", "v1.0.0", "--out", "v1",
                   cwd=tmp_path)  # fmt: skip
    assert first.returncode == 1, first.stderr  # the demo's head fails: not ready
    assert first.stderr == ""
    assert first.stdout.splitlines()[0] == "❌ v1.0.0: Not ready to sign off"
    written = sorted(p.name for p in (tmp_path / "v1").iterdir())
    assert written == ["release-results.json", "report.html", "report.md"]
    release = json.loads((tmp_path / "v1" / "release-results.json").read_text())
    assert release["context"]["head_ref"] == "v1.0.0"

    second = mlgate("report", "--results", str(results), "--previous", "v1",
                    "--release", "v1.1.0", "--out", "v1.1", cwd=tmp_path)  # fmt: skip
    assert second.returncode == 1, second.stderr
    markdown = (tmp_path / "v1.1" / "report.md").read_text()
    assert "### Changes since v1.0.0" in markdown  # the name came from release-results.json
    assert re.search(r"\| model size \| [\d.]+ MiB \| [\d.]+ MiB \| unchanged \|", markdown)
    assert "previous release" in (tmp_path / "v1.1" / "report.html").read_text()


def test_user_templates_replace_the_shipped_ones(demo_folder: Path, tmp_path: Path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.md.j2").write_text(
        "{{ v.release }}: {{ v.headline }}\n"
        "{% for item in v.checklist %}- {{ item.target }} {{ item.status }}\n{% endfor %}"
    )
    outcome = report(
        ReportOptions(
            results=demo_folder / "results.json",
            release="v2",
            out=tmp_path / "out",
            templates=templates,
        )
    )
    assert (tmp_path / "out" / "report.md").read_text() == (
        "v2: Not ready to sign off\n- cpu failed\n"
    )
    assert "Sign-off checklist" in (tmp_path / "out" / "report.html").read_text()
    assert outcome.exit_code == 1


# ---- a real browser ------------------------------------------------------------------------


def chromium() -> str:
    if CHROMIUM:
        return CHROMIUM
    if REQUIRE_BROWSER:
        pytest.fail("chromium is not installed; .ci/run installs Debian's chromium package")
    pytest.skip("chromium not found: install Debian's chromium to run the browser test")


def open_in_chromium(page: Path, tmp_path: Path, *extra: str) -> list[str]:
    """Chromium's console messages (errors, CSP violations) while loading `page`."""
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    done = subprocess.run(
        [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         *extra, page.as_uri()],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return [line for line in done.stderr.splitlines() if ":CONSOLE" in line]


def test_the_console_check_catches_a_page_that_fetches_or_fails(tmp_path: Path):
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta http-equiv='Content-Security-Policy' "
        "content=\"default-src 'none'\"></head><body><img src='https://example.com/x.png'>"
        "</body></html>"
    )
    console = open_in_chromium(page, tmp_path, "--dump-dom")
    assert any("Content Security Policy" in line for line in console)


def test_the_report_opens_in_chromium_without_console_errors_and_is_not_blank(
    demo_folder: Path, tmp_path: Path
):
    from PIL import Image

    page = demo_folder / "report" / "report.html"
    shot = tmp_path / "report.png"
    console = open_in_chromium(page, tmp_path, "--window-size=1280,1600", f"--screenshot={shot}")
    assert console == []
    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=np.int32)
    assert pixels.shape == (1600, 1280, 3)
    ink = (pixels.sum(axis=2) < 600).mean()
    assert ink > 0.01  # text, tables and charts, not a white page
    r, g, b = (pixels[:300, :, i] for i in range(3))
    banner_red = ((r > 150) & (g < 80) & (b < 80)).sum()
    assert banner_red > 500  # "Not ready to sign off" is framed in red at the top

    pdf = tmp_path / "report.pdf"
    assert open_in_chromium(page, tmp_path, "--no-pdf-header-footer",
                            f"--print-to-pdf={pdf}") == []  # fmt: skip
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 2
