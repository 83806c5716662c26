"""The package as users get it: sdist and wheel build and pass `twine check`; `pipx install`
of the wheel in a clean environment gives a working CLI that runs the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(
        args, capture_output=True, text=True, env=env, cwd=cwd, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT))
    return out


@pytest.mark.slow
def test_sdist_and_wheel_pass_twine_check(dist):
    files = sorted(p.name for p in dist.iterdir())
    assert any(name.endswith(".whl") for name in files)
    assert any(name.endswith(".tar.gz") for name in files)
    report = _run(str(BIN / "twine"), "check", "--strict", *(str(p) for p in dist.iterdir()))
    assert report.count("PASSED") == 2


@pytest.mark.slow
def test_pipx_install_of_the_wheel_runs_the_demo(dist, tmp_path):
    wheel = next(dist.glob("*.whl"))
    env = {
        **os.environ,
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "PIPX_MAN_DIR": str(tmp_path / "man"),
    }
    _run(str(BIN / "pipx"), "install", str(wheel), env=env)
    mlgate = tmp_path / "bin" / "mlgate"
    version = _run(str(mlgate), "--version", env=env)
    assert version.startswith("mlgate 0.")
    assert "execution providers: " in version
    demo = _run(str(mlgate), "demo", "--out", str(tmp_path / "demo"), "--budget-seconds", "2",
                env=env, cwd=tmp_path)  # fmt: skip
    assert "the demo itself succeeded" in demo
    assert (tmp_path / "demo" / "comment.md").read_text().startswith("<!-- mlgate:comment v1 -->")
