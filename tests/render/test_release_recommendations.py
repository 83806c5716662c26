"""A release's optimizer recommendations: per model and target, the recommended variant with
its speedup, accuracy and passes, or that none was clearly faster within budget."""

from __future__ import annotations

import dataclasses

from mlgate.render.release_recommendations import recommendations
from tests.render.sample import collected, sample_results, with_target


def test_the_recommended_variant_with_its_speedup_accuracy_and_passes():
    (row,) = recommendations(collected(sample_results(fail=True)))
    assert (row.model, row.target) == ("models/classifier.onnx", "cpu-x86")
    assert row.variant == "static-qoperator-uint8-per-channel-entropy+preprocess"
    assert row.speedup == "2.41× (2.31–2.52)"
    assert row.accuracy == "−0.19 pt"
    assert row.passes == "quant-preprocess → static-qoperator-uint8-per-channel-entropy"
    assert row.searched == "5 variants in 212 s of 300 s"


def test_no_recommendation_says_none_was_clearly_faster():
    results = sample_results(fail=True)
    info = dataclasses.replace(results.targets[0].optimization, recommended=None)
    (row,) = recommendations(collected(with_target(results, optimization=info)))
    assert row.variant == "none"
    assert row.speedup == "no variant was clearly faster within budget"
    assert (row.accuracy, row.passes) == ("—", "—")


def test_a_variant_without_labels_shows_its_cosine_and_targets_without_a_search_no_row():
    results = sample_results(fail=True)
    info = results.targets[0].optimization
    variants = [
        dataclasses.replace(v, accuracy_change=None) if v.name == info.recommended else v
        for v in info.variants
    ]
    changed = with_target(results, optimization=dataclasses.replace(info, variants=variants))
    (row,) = recommendations(collected(changed))
    assert row.accuracy == "cosine 0.9991"
    assert recommendations(collected(sample_results(fail=False))) == []
