"""The README's copy-paste workflow: near the top, valid for GitHub (check-jsonschema's
`vendor.github-workflows`), with the permissions the publishing code asks for and the Git LFS
and DVC checkout steps, and triggered by what the gate treats as a model change."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from mlgate.config import glob_matches

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
FIRST_LINE = "# .github/workflows/mlgate.yml\n"


def _workflow_block() -> tuple[int, str]:
    match = re.search(r"```yaml\n(" + re.escape(FIRST_LINE) + r".*?)```", README, re.S)
    assert match is not None, "the README has no ```yaml block starting with " + FIRST_LINE
    return match.start(), match.group(1)


def _workflow() -> dict:
    return yaml.safe_load(_workflow_block()[1])


def test_the_workflow_comes_right_after_the_two_commands():
    start, _ = _workflow_block()
    commands = README.index("make demo")
    assert commands < README.index("make test") < start
    assert start < README.index("## What the demo does")  # before any other section
    assert README.count("\n## ", 0, start) == 1  # the only section above it: its own


def test_the_workflow_matches_githubs_schema(tmp_path):
    path = tmp_path / "mlgate.yml"
    path.write_text(_workflow_block()[1])
    checker = str(Path(sys.executable).parent / "check-jsonschema")
    done = subprocess.run(
        [checker, "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_permissions_are_what_publishing_asks_for():
    publish = (ROOT / "src" / "mlgate" / "github" / "publish.py").read_text()
    asked = set(re.findall(r"`([a-z-]+: write)`", publish))
    assert asked == {"pull-requests: write", "checks: write"}
    granted = {f"{k}: {v}" for k, v in _workflow()["permissions"].items()}
    assert granted == asked | {"contents: read"}


def test_lfs_and_dvc_checkout_steps():
    steps = _workflow()["jobs"]["gate"]["steps"]
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"] == {"fetch-depth": 0, "lfs": True}
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "git lfs fetch origin" in runs
    assert re.search(r"^dvc pull$", runs, re.M)
    assert "dvc fetch" in runs  # the base's models
    assert steps[-1]["uses"].startswith("org/ml-efficiency-gate@")
    gate = steps.index(steps[-1])
    assert all("dvc" not in step.get("run", "") for step in steps[gate:])  # pulled before


def test_the_triggers_cover_models_in_git_lfs_and_dvc():
    workflow = _workflow()
    paths = workflow.get("on", workflow.get(True))["pull_request"]["paths"]  # YAML 1.1: on
    for changed in (
        "models/net.onnx",
        "models/hf/model.onnx_data",
        "models/net.onnx.data",
        "models/net.onnx.dvc",
        "dvc.lock",
        "pipelines/export/dvc.lock",
        "mlgate.yml",
        "mlgate-waivers.yml",
    ):
        assert any(glob_matches(p, changed) for p in paths), changed


def test_dvc_pulls_with_the_bases_remote_not_the_pull_requests():
    """`dvc pull` uses the checkout's .dvc/config while the credentials are in env: the step
    first replaces it (and any committed config.local) with the base commit's."""
    steps = _workflow()["jobs"]["gate"]["steps"]
    pull = next(step for step in steps if "dvc pull" in step.get("run", ""))
    lines = [line.strip() for line in pull["run"].splitlines()]
    base_config = lines.index('git show "$BASE_SHA:.dvc/config" > .dvc/config')
    assert lines.index("rm -f .dvc/config.local") < base_config < lines.index("dvc pull")
    assert "endpointurl" in README.split("## What the demo does")[0]  # the warning is there
