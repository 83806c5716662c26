"""The Action's image, built from the Dockerfile and run as the GitHub runner runs a container
action: the workspace mounted at /github/workspace, the event file under /github/workflow,
GITHUB_OUTPUT and GITHUB_STEP_SUMMARY under /github/file_commands, INPUT_* variables, the
job's network (here the host's, where the contract-checked GitHub server listens), on a pull
request of a real Git LFS repository.

No registry is reachable here, so the base is a stand-in built from Debian packages
(build_base.sh: debootstrap bookworm, Debian's python3.11) passed as the Dockerfile's
BASE_IMAGE; the Dockerfile's default stays the pinned python:3.11-slim digest. Needs podman
as root (runc, cgroupfs); skips visibly without it, fails in CI (CI=true), where .ci/run
installs podman, runc, debootstrap and git-lfs."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import mlgate
from tests.github.actions_runtime import ROOT, Runner, pull_request_event
from tests.github.server import FakeGitHub, Served
from tests.lfs_repo import make_lfs_repo, require_git_lfs

pytestmark = pytest.mark.slow

BASE = "localhost/mlgate-base:bookworm"
IMAGE = "localhost/ml-efficiency-gate:test"
CACHE = ROOT / ".cache" / "container-base"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
MARKER = "<!-- mlgate:comment v1 -->"
CONTAINERS_CONF = """\
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
"""


def _require_podman() -> None:
    missing = None
    if shutil.which("podman") is None:
        missing = "podman is not installed (`apt-get install podman runc debootstrap`)"
    elif os.geteuid() != 0:
        missing = "the container test runs podman as root"
    elif shutil.which("debootstrap") is None and not (CACHE / "bookworm-python311.tar").is_file():
        missing = "debootstrap is not installed (it builds the stand-in base image)"
    if missing is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{missing}; .ci/run installs it")
    pytest.skip(missing)


def _podman_env(root: Path) -> dict[str, str]:
    conf = root / "containers.conf"
    conf.write_text(CONTAINERS_CONF)
    return {**os.environ, "CONTAINERS_CONF": str(conf)}


def _run(args: list[str], env: dict[str, str], timeout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def podman(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Builds the stand-in base (cached under .cache/) and the image; the podman environment."""
    _require_podman()
    env = _podman_env(tmp_path_factory.mktemp("podman"))
    started = time.monotonic()
    base = _run(
        ["bash", str(Path(__file__).with_name("build_base.sh")), BASE, str(CACHE)], env, 1200
    )
    assert base.returncode == 0, base.stdout[-3000:] + base.stderr[-3000:]
    built = time.monotonic()
    build = _run(
        [
            "podman", "build", "--network", "host",
            "-v", f"{CA_BUNDLE}:{CA_BUNDLE}:ro",
            "--build-arg", f"BASE_IMAGE={BASE}",
            "-t", IMAGE, str(ROOT),
        ],
        env,
        1200,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    env["MLGATE_TEST_TIMES"] = (
        f"base {built - started:.0f} s, build {time.monotonic() - built:.0f} s"
    )
    return env


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    with Served(fake):
        yield fake
    assert fake.violations == [], "requests or responses broke GitHub's REST contract"


def _container_env(runner: Runner) -> dict[str, str]:
    """The step's variables as the runner passes them into the container."""
    env = runner.env()
    for name in ("PATH",):
        env.pop(name)
    env.update(
        HOME="/github/home",
        GITHUB_WORKSPACE="/github/workspace",
        GITHUB_EVENT_PATH="/github/workflow/event.json",
        GITHUB_OUTPUT="/github/file_commands/output",
        GITHUB_STEP_SUMMARY="/github/file_commands/summary.md",
        RUNNER_TEMP="/home/runner/work/_temp",
        CI="true",
    )
    return env


def _docker_run(runner: Runner, env: dict[str, str]) -> list[str]:
    temp = runner.root / "runner_temp"
    home = runner.root / "github_home"
    home.mkdir(exist_ok=True)
    (temp / "output").touch()
    (temp / "summary.md").touch()
    args = ["podman", "run", "--rm", "--network", "host", "--workdir", "/github/workspace"]
    for name in sorted(env):
        args += ["-e", name]  # values come from the environment, as the runner passes them
    args += [
        "-v", f"{home}:/github/home",
        "-v", f"{temp}:/github/workflow",
        "-v", f"{temp}:/github/file_commands",
        "-v", f"{runner.workspace}:/github/workspace",
        IMAGE,
    ]  # fmt: skip
    return args


def test_the_image_gates_an_lfs_pull_request_as_the_runner_runs_it(tmp_path, podman, github):
    require_git_lfs()
    repo = make_lfs_repo(tmp_path)
    github.add_pull(7, repo.head_sha, repo.base_sha)
    runner = Runner(
        tmp_path,
        repo.path,
        github.base_url,
        "pull_request",
        pull_request_event(repo),
        inputs={"budget_seconds": "2"},
        sha=repo.merge_sha,
    )
    env = _container_env(runner)
    started = time.monotonic()
    done = _run(_docker_run(runner, env), {**podman, **env}, 600)
    ran = time.monotonic() - started
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]  # a regression
    (comment,) = github.comments_on(7)
    assert comment["body"].startswith(MARKER)
    assert "regression in `models/digits.onnx`" in comment["body"]
    assert "Git LFS" not in comment["body"]
    (check,) = github.check_runs.values()
    assert check["conclusion"] == "failure"
    assert check["head_sha"] == repo.head_sha
    outputs = runner.outputs()
    assert outputs["verdict"] == "fail"
    assert outputs["comment_url"] == comment["html_url"]
    assert outputs["results_path"] == "/github/workspace/mlgate-results/run.json"
    assert (repo.path / "mlgate-results" / "run.json").is_file()
    assert "regression in" in runner.summary()
    print(f"\ncontainer test: {podman['MLGATE_TEST_TIMES']}, run {ran:.0f} s")  # -s shows it


def test_the_image_records_its_debian_packages_and_leaves_out_what_is_never_imported(podman):
    listed = _run(
        ["podman", "run", "--rm", "--entrypoint", "cat", IMAGE,
         "/usr/share/mlgate/debian-packages.txt"],
        podman,
        120,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert {line.split("\t")[0] for line in listed.stdout.splitlines()} == {"git", "git-lfs"}
    probe = _run(
        ["podman", "run", "--rm", "--entrypoint", "python", IMAGE, "-c",
         "import importlib.util as u, mlgate.commands.check, onnxruntime.quantization;"
         "print(u.find_spec('sympy') is None, u.find_spec('numpy._core.tests') is None)"],
        podman,
        120,
    )  # fmt: skip
    assert probe.stdout.split() == ["True", "True"], probe.stdout + probe.stderr
    version = _run(
        ["podman", "run", "--rm", "--entrypoint", "mlgate", IMAGE, "--version"], podman, 120
    )
    assert version.returncode == 0, version.stdout + version.stderr
    assert version.stdout.splitlines()[0] == f"mlgate {mlgate.__version__}"
