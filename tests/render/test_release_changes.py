"""A release's changes since the previous release: the figures, a machine change said so,
and the note when there is nothing to compare."""

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


def test_without_a_previous_release_the_note_says_what_is_compared():
    view = release_view(collected(sample_results(fail=False)), "v1", NOW)
    assert view.changes == []
    assert view.changes_note.startswith("No previous release given (--previous)")


def test_a_previous_release_sharing_no_model_or_target_is_named():
    now = sample_results(fail=False)
    other_model = collected(dataclasses.replace(sample_results(fail=False), model="other.onnx"))
    view = release_view(collected(now), "v2", NOW, other_model, "v1")
    assert view.changes == []
    assert view.changes_note == (
        "The previous release's results share no model and target with this release."
    )
    renamed = dataclasses.replace(now.targets[0], name="arm")
    both = dataclasses.replace(now, targets=[now.targets[0], renamed])
    view = release_view(collected(both), "v2", NOW, collected(now), "v1")
    assert view.changes
    assert view.changes_note.endswith(
        "Not in the previous release's results: models/classifier.onnx on arm."
    )
