"""The search's finals: the best screened candidates get a full interleaved A/B (fresh
session pairs per segment, segment-resampled interval). The winner is the fastest of those
that is clearly faster (the whole interval of the speedup above 1) and at least
`min_speedup`; "no variant beats the original" is a valid answer."""

from __future__ import annotations

import dataclasses

from mlgate.optimize.ab import DECIDING_SEGMENTS
from mlgate.optimize.search_job import Candidate, rounded, rounded_pair
from mlgate.optimize.search_run import SearchRun


def finals(run: SearchRun) -> Candidate | None:
    """Full A/B of the best screened variants; the fastest clearly faster one wins."""
    best: tuple[float, Candidate] | None = None
    finalists = run.finalists()
    for index, candidate in enumerate(finalists):
        cost = run.cost_of(candidate)
        wanted = max(run.final_seconds, cost.seconds_for(DECIDING_SEGMENTS, 2))
        later = sum(run.final_seconds_needed(c) for c in finalists[index + 1 :])
        seconds = min(wanted, run.remaining() - later)
        needed = run.final_seconds_needed(candidate)
        if seconds < needed:
            run.notes.append(
                f"{candidate.name}: no time left for the final A/B ({needed:.0f} s "
                "needed); raise optimize.budget_seconds"
            )
            continue
        found = run.ab(run.opener(candidate), seconds, 2, cost)
        speedup, interval = found.speedup, found.speedup_interval
        decided = found.segments >= DECIDING_SEGMENTS
        clear = decided and interval[0] > 1.0 and speedup >= run.settings.min_speedup
        reason = "" if clear else "the interval includes no speedup"
        if not decided:
            reason = (
                f"undecided: only {found.segments} of {DECIDING_SEGMENTS} session pairs "
                "fit in the time left; raise optimize.budget_seconds"
            )
        run.variants[candidate.index] = dataclasses.replace(
            run.variants[candidate.index],
            speedup=rounded(speedup),
            speedup_ci=rounded_pair(interval),
            status="faster" if clear else "not faster",
            reason=reason,
        )
        if clear and (best is None or speedup > best[0]):
            best = (speedup, candidate)
    if best is None:
        return None
    winner = best[1]
    run.variants[winner.index] = dataclasses.replace(
        run.variants[winner.index], status="recommended"
    )
    return winner
