"""How verdicts combine: metrics into a target's, targets into a model's, models into a
run's, and whether a verdict fails the check. Pure rules over the records' verdict words,
shared by the judge (compare/) and by whatever merges stored results (results/)."""

from __future__ import annotations

from mlgate.results.schema import (
    MetricResult,
    OverallVerdict,
    Results,
    RunVerdict,
    TargetResult,
    TargetVerdict,
)


def target_verdict(metrics: list[MetricResult]) -> TargetVerdict:
    """A failure anywhere fails; otherwise a gated metric left undecided makes the target
    inconclusive (never a pass); otherwise it passes."""
    verdicts = {metric.verdict for metric in metrics}
    if "fail" in verdicts:
        return "fail"
    return "inconclusive" if "inconclusive" in verdicts else "pass"


def overall_verdict(targets: list[TargetResult], errors: list[str]) -> OverallVerdict:
    """error > fail > inconclusive > pass over the targets. Nothing measured (every target
    skipped as allowed to be missing, or none) is inconclusive: a pass is never reported for
    what was not measured."""
    if errors or any(t.verdict == "error" for t in targets):
        return "error"
    if any(t.verdict == "fail" for t in targets):
        return "fail"
    if any(t.verdict == "inconclusive" for t in targets):
        return "inconclusive"
    return "pass" if any(t.verdict == "pass" for t in targets) else "inconclusive"


def run_verdict(results: list[Results], errors: list[str]) -> RunVerdict:
    """Over every gated model: an error anywhere wins, then a failure; nothing gated is neutral."""
    if errors or any(r.verdict == "error" for r in results):
        return "error"
    if any(r.verdict == "fail" for r in results):
        return "fail"
    if any(r.verdict == "inconclusive" for r in results):
        return "inconclusive"
    return "pass" if results else "neutral"


def fails_check(verdict: str, on_inconclusive: str) -> bool:
    """Whether a verdict fails the run: a regression or an error always, an undecided run
    only when the config says `on_inconclusive: fail`."""
    return verdict in ("fail", "error") or (verdict == "inconclusive" and on_inconclusive == "fail")
