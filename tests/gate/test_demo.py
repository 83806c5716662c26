"""gate.demo: the full gate on the bundled example (a wider model in a pull request), then
its release report. The demo succeeds whatever the gate decides."""

from __future__ import annotations

import json

from mlgate.gate.demo import demo
from mlgate.progress import LogProgress


def test_the_demo_gates_the_bundled_pr_and_writes_its_release_report(tmp_path, monkeypatch):
    monkeypatch.setenv("MLGATE_OPTIMIZE", "0")
    out = tmp_path / "demo"
    lines: list[str] = []
    outcome = demo(out, LogProgress(lines.append), budget_seconds=1.0)
    assert outcome.exit_code == 0
    assert outcome.folder == out
    assert {"base.onnx", "head.onnx", "mlgate.yml"} <= {p.name for p in out.iterdir()}
    assert outcome.compare.exit_code == 1  # the demo's head regresses: the gate fails it
    assert json.loads((out / "results.json").read_text())["verdict"] == "fail"
    assert (out / "comment.md").read_text().startswith("<!-- mlgate:comment")
    html = (out / "report" / "report.html").read_text()
    markdown = (out / "report" / "report.md").read_text()
    assert "Not ready to sign off" in html.split("Sign-off checklist")[0]
    assert markdown.startswith("## ❌ demo: Not ready to sign off")
    assert lines


def test_a_rerun_replaces_the_last_report(tmp_path, monkeypatch):
    monkeypatch.setenv("MLGATE_OPTIMIZE", "0")
    out = tmp_path / "demo"
    (out / "report").mkdir(parents=True)
    (out / "report" / "stale.txt").write_text("from an earlier run")
    demo(out, budget_seconds=0.5)
    assert not (out / "report" / "stale.txt").exists()
    assert (out / "report" / "report.md").is_file()
