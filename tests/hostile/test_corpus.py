"""The hostile-input corpus: every case ends with exit 0/1 and results, or exit 2 and one
line on stderr; never a traceback, a hang or a runaway allocation; nothing written outside
its own folder. Cases live in tables by input (cases_*.py); the bad-input cases of
tests/commands/test_bad_input.py are part of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.commands.test_bad_input import CASES as BAD_INPUT
from tests.hostile import cases_git, cases_inputs, cases_models, cases_templates
from tests.hostile.harness import Case, check, run, snapshot

CASES: dict[str, Case] = {
    **{f"bad-input-{name}": Case(build, expect) for name, (build, expect) in BAD_INPUT.items()},
    **cases_inputs.CASES,
    **cases_models.CASES,
    **cases_templates.CASES,
    **cases_git.CASES,
}
KINDS = ("model", "data", "config", "cli", "template", "git", "action")


def _with_results(words: list[str], tmp: Path) -> list[str]:
    """`compare` also writes its results, on a short budget, to check what they say."""
    if words[:1] != ["compare"] or "--frobnicate" in words:
        return words
    extra = [] if "--budget-seconds" in words else ["--budget-seconds", "0.5"]
    return [*words, "--json", str(tmp / "out" / "results.json"), *extra]


# A million template steps against the sandbox's 5 s deadline: the step limit must be what
# stops it, so the run is not slowed by coverage measurement (the sandbox's other tests
# cover the same code).
STEP_BUDGET = {"template-nested-loops"}


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.no_cover) if n in STEP_BUDGET else n for n in sorted(CASES)],
)
def test_hostile_input(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    invocation = case.build(tmp_path)
    if isinstance(invocation, list):
        invocation = _with_results(invocation, tmp_path)
    before = snapshot(tmp_path)
    outcome = run(invocation, tmp_path)
    check(case, outcome)
    assert snapshot(tmp_path) == before, "a case wrote outside its own folder"
    results = tmp_path / "out" / "results.json"
    if outcome.code == 2 and results.exists():
        doc = json.loads(results.read_text())
        assert doc["verdict"] == "error"
        assert case.expect in doc["errors"][0]
    if case.after is not None:
        case.after(tmp_path)


def test_corpus_covers_every_kind_of_input() -> None:
    assert len(CASES) >= 100
    counts = {kind: sum(kind in name for name in CASES) for kind in KINDS}
    assert all(counts.values()), counts
