"""The package as users get it: sdist and wheel build and pass `twine check`; `pipx install`
of the wheel in a clean environment gives a working CLI that runs the demo."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import mlgate

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


# ---- installs beside an ML stack -----------------------------------------------------------


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _lock_pins(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text()
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.MULTILINE)
    return {canonicalize_name(package): version for package, version in pins}


def test_dependencies_are_compatible_ranges_that_the_hash_pinned_lock_satisfies():
    project = _project()
    pins = _lock_pins("runtime.lock")
    for text in project["dependencies"]:
        requirement = Requirement(text)
        specifiers = list(requirement.specifier)
        assert {s.operator for s in specifiers} == {">=", "<"}, text  # a range, not a pin
        upper = next(s for s in specifiers if s.operator == "<")
        lower = next(s for s in specifiers if s.operator == ">=")
        assert Version(upper.version) > Version(lower.version), text
        locked = pins[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(locked), (text, locked)  # the image's version
    assert "sympy" not in {Requirement(d).name for d in project["dependencies"]}


def test_the_lowest_lock_holds_every_dependency_at_its_lower_bound():
    """requirements/lowest.lock (what `make test-lowest` installs) is compiled from the
    current ranges: each dependency at the first release of its lower bound."""
    pins = _lock_pins("lowest.lock")
    for text in _project()["dependencies"]:
        requirement = Requirement(text)
        lower = Version(next(s.version for s in requirement.specifier if s.operator == ">="))
        locked = Version(pins[canonicalize_name(requirement.name)])
        assert locked.release[: len(lower.release)] == lower.release, (text, str(locked))


def test_the_gpu_extra_brings_onnxruntime_gpu_in_the_same_range():
    extras = _project()["optional-dependencies"]
    (gpu,) = (Requirement(d) for d in extras["gpu"])
    cpu = next(Requirement(d) for d in _project()["dependencies"] if d.startswith("onnxruntime"))
    assert gpu.name == "onnxruntime-gpu"
    assert gpu.specifier == cpu.specifier


def test_the_version_is_defined_once_in_the_package():
    project = _project()
    assert "version" not in project
    assert project["dynamic"] == ["version"]
    dynamic = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert dynamic["dynamic"]["version"] == {"attr": "mlgate.__version__"}
    assert Version(mlgate.__version__)  # a valid version, read by setuptools at build time


@pytest.mark.slow
def test_the_wheel_is_typed_versioned_once_and_declares_ranges_and_the_gpu_extra(dist):
    wheel = next(dist.glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(metadata_name).decode())
    assert "mlgate/py.typed" in names
    assert metadata["Version"] == mlgate.__version__
    requires = [Requirement(r) for r in metadata.get_all("Requires-Dist")]
    runtime = [r for r in requires if r.marker is None]
    assert runtime
    assert not [str(r) for r in runtime if any(s.operator == "==" for s in r.specifier)]
    assert "gpu" in metadata.get_all("Provides-Extra")
    gpu = [r for r in requires if r.marker is not None and r.marker.evaluate({"extra": "gpu"})]
    assert [r.name for r in gpu] == ["onnxruntime-gpu"]


def test_the_openvino_extra_is_a_range_that_both_locks_satisfy():
    extras = {Requirement(d).name: Requirement(d) for d in _project()["optional-dependencies"][
        "openvino"]}  # fmt: skip
    assert set(extras) == {"openvino", "nncf"}
    for lock in ("runtime.lock", "dev.lock"):  # the image and CI run OpenVINO and NNCF
        pins = _lock_pins(lock)
        for name, requirement in extras.items():
            assert {s.operator for s in requirement.specifier} == {">=", "<"}
            assert requirement.specifier.contains(pins[name]), (lock, name, pins[name])
