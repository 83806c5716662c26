"""The release view's parts not shown in test_release_report.py's rendered documents:
commits, models without eval data, previous releases that share nothing, and the variant
chart of a search without labels."""

from __future__ import annotations

import dataclasses

from mlgate.render.release_view import release_view
from mlgate.results.schema import RunContextInfo
from tests.render.sample import sample_results
from tests.render.test_release_report import NOW, collected


def test_commits_list_each_run_with_a_head_and_skip_the_rest():
    current = dataclasses.replace(
        collected(sample_results(fail=False)),
        contexts=[
            RunContextInfo(repository="o/r", head_sha="h" * 40, base_sha="b" * 40, run_url="u"),
            RunContextInfo(head_sha="c" * 40),
            RunContextInfo(repository="o/r"),  # a local run: no commit to name
        ],
    )
    view = release_view(current, "v1", NOW)
    assert view.commits == [
        f"o/r head {'h' * 40} against base {'b' * 40} (u)",
        f"head {'c' * 40} against base —",
    ]


def test_a_model_without_eval_data_or_head_says_so():
    results = dataclasses.replace(sample_results(fail=False), eval=None, head=None)
    (section,) = release_view(collected(results), "v1", NOW).models
    assert section.eval_line.startswith("no eval data")
    assert (section.head_sha256, section.head_size) == ("—", "—")


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


def test_variants_without_accuracy_are_charted_by_cosine_shortfall():
    results = sample_results(fail=True)
    (target,) = results.targets
    info = target.optimization
    variants = [dataclasses.replace(v, accuracy_change=None) for v in info.variants]
    no_labels = dataclasses.replace(info, variants=variants)
    results = dataclasses.replace(
        results, targets=[dataclasses.replace(target, optimization=no_labels)]
    )
    charts = [
        c for c in release_view(collected(results), "v1", NOW).charts if "variants" in c.title
    ]
    (chart,) = charts
    assert "output cosine shortfall ×100 (0 = identical)" in chart.svg
