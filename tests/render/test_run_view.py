"""A gate run over several models as display strings for the run templates."""

from __future__ import annotations

import dataclasses

from mlgate.render.run_view import run_view
from mlgate.results.schema import SCHEMA_VERSION, ModelChange, RunContextInfo, RunReport
from tests.render.sample import sample_results

CONTEXT = RunContextInfo(base_sha="b" * 40, head_sha="e" * 40, base_ref="main")


def _report(*results, changes=(), verdict="fail", context=CONTEXT, **extra) -> RunReport:
    return RunReport(
        SCHEMA_VERSION,
        "mlgate-run",
        "2026-11-23T00:00:00+00:00",
        verdict,
        context,
        "mlgate.yml",
        changes=list(changes),
        results=list(results),
        **extra,
    )


def test_sections_failing_models_and_not_gated_changes():
    failing = sample_results(fail=True, model="models/a.onnx")
    passing = sample_results(fail=False, undecided=False, model="models/b.onnx")
    changes = [
        ModelChange("models/a.onnx", "renamed", base_path="models/old.onnx"),
        ModelChange("models/b.onnx", "modified"),
        ModelChange("models/c.onnx", "added", gated=False, reason="no base to compare"),
        ModelChange("models/d.onnx", "deleted", gated=False, reason="deleted"),
    ]
    view = run_view(
        _report(failing, passing, changes=changes, notes=["n"], errors=["e"]), "https://x/1"
    )
    assert view.multi
    assert [s.report.model for s in view.models] == ["models/a.onnx", "models/b.onnx"]
    assert [s.renamed_from for s in view.models] == ["models/old.onnx", None]
    assert view.failing == ["models/a.onnx"]
    assert [(n.path, n.status) for n in view.not_gated] == [
        ("models/c.onnx", "new"),
        ("models/d.onnx", "deleted"),
    ]
    assert (view.base, view.head) == ("bbbbbbb (main)", "eeeeeee")
    assert (view.notes, view.errors, view.details_url) == (["n"], ["e"], "https://x/1")
    assert view.on_inconclusive == "neutral"


def test_a_neutral_run_without_commits_or_models():
    view = run_view(_report(verdict="neutral", context=RunContextInfo(), on_inconclusive="fail"))
    assert view.icon == "➖"
    assert (view.base, view.head) == ("—", "—")
    assert not view.multi
    assert view.models == []
    assert view.on_inconclusive == "failed"


def test_the_icon_follows_the_verdict():
    passing = sample_results(fail=False, undecided=False)
    view_pass = run_view(_report(passing, verdict="pass"))
    view_fail = run_view(dataclasses.replace(_report(passing), verdict="fail"))
    assert view_pass.icon != view_fail.icon
    assert view_pass.failing == []
