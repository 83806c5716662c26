"""A release's changes since the previous release, and a machine change said so."""

from __future__ import annotations

import dataclasses

from mlgate.render.environment import render_release_html
from mlgate.render.release_view import release_view
from tests.render.sample import NOW, PROVENANCE, collected, sample_results


def test_changes_since_the_previous_release_and_a_machine_change_are_shown():
    now = sample_results(fail=False)
    before = sample_results(fail=True)
    previous = collected(before)
    moved = dataclasses.replace(PROVENANCE, cpu_model="AMD EPYC 7763")
    previous = dataclasses.replace(
        previous, runners=[dataclasses.replace(previous.runners[0], provenance=moved)]
    )
    view = release_view(collected(now), "v2.1.0", NOW, previous, "v2.0.0")
    rows = {row.metric: row for row in view.changes}
    p50 = rows["latency p50"]
    assert (p50.previous, p50.current) == ("1.02 ms", "913.6 µs")
    assert p50.change == "−10.2%"
    assert rows["accuracy"].change == "unchanged"
    assert "Measured on a different machine or runtime" in view.changes_note
    latency_chart = view.charts[0]
    assert "previous release" in latency_chart.title
    assert "1.02 ms" in latency_chart.svg
    assert "913.6 µs" in latency_chart.svg
    html = render_release_html(view)
    assert "Changes since v2.0.0" in html
