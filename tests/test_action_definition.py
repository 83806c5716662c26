"""action.yml, the Dockerfile and the workflows: linted with the tools GitHub users run,
and checked against the code so that they cannot drift from it."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml

import mlgate
from mlgate.action import read_inputs

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORKFLOWS = sorted(
    [
        *ROOT.glob(".github/workflows/*.yml"),
        *ROOT.glob("docs/workflows/*.yml"),
        *(p for p in ROOT.glob("examples/**/*.yml") if p.name != "mlgate.yml"),
    ]
)
REUSABLE = ROOT / ".github" / "workflows" / "model-gate.yml"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)


def test_action_yml_matches_githubs_schema():
    done = _run(
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.github-actions",
        str(ROOT / "action.yml"),
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_match_githubs_schema(workflow):
    done = _run(
        str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow)
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_is_hadolint_clean():
    done = _run(str(BIN / "hadolint"), str(ROOT / "Dockerfile"))
    assert done.returncode == 0, done.stdout + done.stderr


class _Recording(dict):
    """An environment that remembers which variables were read."""

    def __init__(self) -> None:
        super().__init__()
        self.read: set[str] = set()

    def get(self, key, default=None):  # type: ignore[override]
        self.read.add(key)
        return super().get(key, default)


def test_every_input_in_action_yml_is_read_and_every_input_read_is_declared():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    declared = set(action["inputs"])
    assert all(re.fullmatch(r"[a-z0-9_]+", name) for name in declared), "use underscores"
    env = _Recording()
    read_inputs(env)
    read = {key.removeprefix("INPUT_").lower() for key in env.read if key.startswith("INPUT_")}
    assert read | {"github_token"} == declared
    assert action["inputs"]["github_token"]["default"] == "${{ github.token }}"
    assert set(action["outputs"]) == {"verdict", "results_path", "comment_url"}
    assert action["runs"] == {
        "using": "docker",
        "image": f"docker://ghcr.io/org/ml-efficiency-gate:{mlgate.__version__}",
    }


# ---- the Dockerfile, parsed and replayed ----------------------------------------------------


def instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), " ".join(rest.split())))
    return found


def test_dockerfile_pins_everything_and_runs_the_packaged_entry_point():
    steps = instructions()
    assert steps[0][0] == "ARG"
    name, default = steps[0][1].split("=", 1)
    assert re.fullmatch(r"python:3\.11-slim-\w+@sha256:[0-9a-f]{64}", default)
    assert next(rest for keyword, rest in steps if keyword == "FROM") == f"${{{name}}}"
    runs = [rest for keyword, rest in steps if keyword == "RUN"]
    apt = next(r for r in runs if "apt-get install" in r)
    installed = apt.split("apt-get install", 1)[1].split("&&")[0].split()
    assert {"git", "git-lfs"} <= set(installed)
    # No `=version`: Debian drops superseded versions, which would break every rebuild;
    # the installed versions are recorded in the image instead.
    assert not any("=" in word for word in installed if not word.startswith("-"))
    assert "dpkg-query -W git git-lfs > /usr/share/mlgate/debian-packages.txt" in apt
    assert any("pip uninstall -y sympy mpmath" in r for r in runs)  # never imported
    for command in (c for r in runs for c in r.split("&&") if "pip install" in c):
        assert "--require-hashes" in command or "--no-deps" in command, command
        assert ".lock" in command or command.strip().endswith("."), command
    entry = json.loads(next(rest for keyword, rest in steps if keyword == "ENTRYPOINT"))
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert entry == ["mlgate-action"]
    assert scripts["mlgate-action"] == "mlgate.action:main"


@pytest.mark.slow
def test_dockerfile_installs_replayed_in_a_fresh_virtualenv_give_a_working_entry_point(tmp_path):
    """No Docker engine here: replay WORKDIR/COPY/ENV/RUN in a fresh venv, then run the
    ENTRYPOINT as written. apt-get is the host's job (git is on PATH)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
    env.pop("VIRTUAL_ENV", None)
    image = tmp_path / "image"
    workdir = image
    entry: list[str] = []
    for keyword, rest in instructions():
        if keyword == "ENV":
            for name, value in (item.split("=", 1) for item in shlex.split(rest)):
                env[name] = value
        elif keyword == "WORKDIR":
            workdir = image / rest.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY":
            *sources, dest = rest.split()
            target = workdir / dest
            for source in sources:
                origin = ROOT / source
                into = target / origin.name if dest.endswith("/") or len(sources) > 1 else target
                into.parent.mkdir(parents=True, exist_ok=True)
                copy = shutil.copytree if origin.is_dir() else shutil.copy
                copy(origin, into)
        elif keyword == "RUN" and "apt-get" not in rest:
            env.pop("PIP_NO_CACHE_DIR", None)  # reuse the host's cache: no 100 MB download
            done = subprocess.run(
                ["bash", "-c", rest],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        elif keyword == "ENTRYPOINT":
            entry = json.loads(rest)
    outside = {k: v for k, v in env.items() if not k.startswith("GITHUB_")}
    done = subprocess.run(
        [str(venv / "bin" / entry[0])],
        env=outside,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "GITHUB_EVENT_NAME is not set" in done.stderr
    imported = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import mlgate.bench.session, github, onnxruntime"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert imported.returncode == 0, imported.stderr


# ---- the reusable workflow and its callers ----------------------------------------------------


def _load(path: Path) -> dict:
    document = yaml.safe_load(path.read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads `on` as True
    return document


def _run_lines(workflow: dict) -> list[str]:
    """Every shell line of every `run:` step, continuation lines joined."""
    lines = []
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            lines += step.get("run", "").replace("\\\n", " ").splitlines()
    return [line.strip() for line in lines if line.strip()]


def test_every_mlgate_command_in_the_workflows_parses_with_this_cli():
    from mlgate.cli import build_parser

    commands = [
        line
        for path in WORKFLOWS
        for line in _run_lines(_load(path))
        if line.startswith("mlgate ") and line != "mlgate --version"
    ]
    assert len(commands) >= 3
    for line in commands:
        words = shlex.split(re.sub(r"\$\{(\w+):\+[^}]*\}", "", line))[1:]
        words = [re.sub(r"\$\{?(\w+)\}?", r"x-\1", w) for w in words]
        build_parser().parse_args(words)  # raises (exit 2) on an unknown or missing option


def test_reusable_workflow_plans_benches_every_target_and_merges_even_after_a_crash():
    workflow = _load(REUSABLE)
    call = workflow["on"]["workflow_call"]
    jobs = workflow["jobs"]
    assert list(jobs) == ["plan", "bench", "gate", "history"]
    bench = jobs["bench"]
    assert bench["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    assert bench["strategy"]["fail-fast"] is False  # one target's failure never hides another's
    assert bench["runs-on"] == "${{ matrix.runs_on }}"
    assert jobs["gate"]["if"].startswith("always()")  # a crashed target is reported missing
    merge = next(s for s in jobs["gate"]["steps"] if s.get("id") == "merge")
    assert merge["run"] == "mlgate-action"
    action_inputs = set(yaml.safe_load((ROOT / "action.yml").read_text())["inputs"])
    given = {k.removeprefix("INPUT_").lower() for k in merge["env"] if k.startswith("INPUT_")}
    assert given <= action_inputs
    assert merge["env"]["INPUT_MODE"] == "merge"
    assert read_inputs({"INPUT_MODE": merge["env"]["INPUT_MODE"]}).mode == "merge"
    uploads = [s for s in bench["steps"] if "upload-artifact" in s.get("uses", "")]
    assert uploads
    assert uploads[0]["if"] == "always()"
    assert "contents: write" not in yaml.safe_dump(jobs["gate"].get("permissions", {}))
    assert jobs["history"]["permissions"] == {"contents": "write"}
    # the pins the jobs install follow this package and its onnxruntime
    assert call["inputs"]["install"]["default"] == f"ml-efficiency-gate=={mlgate.__version__}"
    lock = (ROOT / "requirements" / "runtime.lock").read_text()
    version = re.search(r"^onnxruntime==(\S+)", lock, re.MULTILINE)[1]
    assert call["inputs"]["gpu_runtime"]["default"] == f"onnxruntime-gpu=={version}"


@pytest.mark.parametrize(
    "caller",
    sorted(p for p in ROOT.glob("examples/**/*.yml") if p.name != "mlgate.yml"),
    ids=lambda p: str(p.relative_to(ROOT / "examples")),
)
def test_example_callers_pass_only_declared_inputs(caller):
    declared = set(_load(REUSABLE)["on"]["workflow_call"]["inputs"])
    for job in _load(caller)["jobs"].values():
        if "model-gate.yml" in job.get("uses", ""):
            assert job["uses"].startswith("org/ml-efficiency-gate/.github/workflows/")
            assert set(job.get("with", {})) <= declared
            assert job["permissions"]["pull-requests"] == "write"


def test_the_example_config_is_valid_and_names_three_targets():
    from mlgate.config import parse_config

    config = parse_config((ROOT / "examples" / "mlgate.yml").read_text(), "examples/mlgate.yml")
    assert [t.name for t in config.targets] == ["x86", "arm", "gpu"]
    assert config.targets[2].allow_missing


def test_self_test_runs_this_action_and_this_reusable_workflow():
    workflow = _load(ROOT / ".github" / "workflows" / "self-test.yml")
    steps = workflow["jobs"]["action"]["steps"]
    action = next(i for i, s in enumerate(steps) if s.get("uses") == "./")
    rewrite = [
        i for i, s in enumerate(steps) if "image: Dockerfile|' action.yml" in s.get("run", "")
    ]
    assert rewrite, "the self-test must build this Dockerfile, not pull the published image"
    assert rewrite[0] < action
    sed = steps[rewrite[0]]["run"].split("'")[1]  # s|PATTERN|REPLACEMENT|
    pattern, replacement = sed.split("|")[1:3]
    text = (ROOT / "action.yml").read_text()
    rewritten = re.sub(pattern.replace("^", "(?m)^", 1), replacement, text)
    assert yaml.safe_load(rewritten)["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert workflow["jobs"]["matrix"]["uses"] == "./.github/workflows/model-gate.yml"
    assert workflow["jobs"]["matrix"]["with"]["install"] == "."


def test_release_example_benches_against_the_previous_tag_and_attaches_the_report():
    workflow = _load(ROOT / "examples" / "release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    assert list(jobs) == ["plan", "bench", "report"]
    assert jobs["bench"]["strategy"]["fail-fast"] is False
    report = jobs["report"]
    assert report["if"].startswith("always()")  # a crashed target still gets reported
    assert report["permissions"] == {"contents": "write"}  # the only job that writes
    line = next(line for line in _run_lines({"jobs": {"r": report}}) if "mlgate report" in line)
    assert '--github-release "$GITHUB_REF_NAME"' in line
    assert '${previous:+--previous "$previous"}' in line
    downloads = [s for s in report["steps"] if "release download" in s.get("run", "")]
    assert "--pattern release-results.json" in downloads[0]["run"]
    assert "$MLGATE_INSTALL" in jobs["bench"]["steps"][2]["run"]
    assert (
        workflow["env"]["MLGATE_INSTALL"]
        == _load(REUSABLE)["on"]["workflow_call"]["inputs"]["install"]["default"]
    )


def test_release_builds_verifies_and_pushes_the_image_action_yml_runs():
    workflow = _load(ROOT / ".github" / "workflows" / "release.yml")
    image = workflow["jobs"]["image"]
    assert image["permissions"] == {"contents": "read", "packages": "write"}
    names = [step.get("name", step.get("uses")) for step in image["steps"]]
    assert names.index("Verify the image") < names.index("Push the image")
    lines = _run_lines({"jobs": {"image": image}})
    assert any("docker build" in line for line in lines)
    assert 'docker run --rm --entrypoint mlgate "$IMAGE" --version | tee version.txt' in lines
    assert 'test "$(head -n 1 version.txt)" = "mlgate $VERSION"' in lines
    assert "ml-efficiency-gate:$version" in " ".join(lines)
    assert set(workflow["jobs"]["publish"]["needs"]) == {"build", "image"}
    check = next(line for line in lines if line.startswith("grep -Eq"))
    pattern = check.split('"')[1].replace("${version}", re.escape(mlgate.__version__))
    assert re.search(pattern, (ROOT / "action.yml").read_text(), re.MULTILINE)


def _path_filters(workflow: dict) -> list[list[str]]:
    triggers = workflow["on"] if isinstance(workflow["on"], dict) else {}
    return [
        spec["paths"]
        for spec in triggers.values()
        if isinstance(spec, dict) and "**/*.onnx" in spec.get("paths", [])
    ]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_model_triggers_include_external_data_in_both_layouts(workflow):
    """`model.onnx.data` (onnx's default) and `model.onnx_data` (Hugging Face optimum): a PR
    that changes only the weights must still start the gate."""
    for paths in _path_filters(_load(workflow)):
        assert {"**/*.onnx.data", "**/*.onnx_data"} <= set(paths), paths


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_model_triggers_include_dvc_files(workflow):
    """A DVC-tracked model changes by its `.dvc` file or `dvc.lock` entry alone."""
    for paths in _path_filters(_load(workflow)):
        assert {"**/*.dvc", "**/dvc.lock"} <= set(paths), paths


def test_reusable_bench_pulls_dvc_models_with_the_bases_remote():
    steps = _load(REUSABLE)["jobs"]["bench"]["steps"]
    pull = next(step for step in steps if "dvc pull" in step.get("run", ""))
    assert pull["if"] == "hashFiles('.dvc/config') != ''"
    lines = [line.strip() for line in pull["run"].splitlines()]
    base_config = lines.index('git show "$BASE_SHA:.dvc/config" > .dvc/config')
    assert lines.index("rm -f .dvc/config.local") < base_config < lines.index("dvc pull")
    assert "dvc fetch" in lines  # the base's models, from a worktree of the merge-base
    bench = next(i for i, step in enumerate(steps) if step.get("name") == "mlgate bench")
    assert steps.index(pull) < bench
