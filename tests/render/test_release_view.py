"""The release view puts a release's parts together: the sign-off over every target and the
models' errors, the recommendations and waivers, the charts that have data, and where the
results came from."""

from __future__ import annotations

import dataclasses

from mlgate.render.release_recommendations import recommendations
from mlgate.render.release_signoff import checklist_item
from mlgate.render.release_view import release_view
from tests.render.sample import NOW, collected, error_results, sample_results


def test_the_view_of_a_failing_release_with_a_search():
    current = collected(sample_results(fail=True))
    view = release_view(current, "v2.0.0", NOW, previous_release="v1.9.0")
    assert (view.release, view.previous_release, view.created_at) == ("v2.0.0", "v1.9.0", NOW)
    assert not view.ready
    assert view.headline == "Not ready to sign off"
    assert view.checklist == [checklist_item(r.model, t) for r in current.models for t in r.targets]
    assert view.recommendations == recommendations(current)
    assert view.sources == ["run.json"]
    assert all(chart is not None for chart in view.charts)
    assert view.charts  # latency and energy figures exist in the sample


def test_a_models_error_blocks_the_sign_off_even_without_targets():
    broken = error_results()
    view = release_view(collected(sample_results(fail=False, undecided=False), broken), "v", NOW)
    assert view.checklist[0].status == "passed"
    assert not view.ready
    assert view.summary.startswith("1 blocking item:")


def test_ignored_files_are_listed_not_read():
    current = dataclasses.replace(collected(sample_results(fail=False)), ignored=["x.json"])
    assert release_view(current, "v", NOW).ignored == ["x.json"]
