"""The optimizer's rows and sentences in a report: variants with speedup, accuracy and
fidelity, a crashed third-party pass as one line, the recommendation and the search line."""

from __future__ import annotations

import dataclasses

from mlgate.render.optimize_view import (
    recommendation,
    search_line,
    short_reason,
    speedup_text,
    variant_rows,
)
from mlgate.results.schema import VariantResult
from tests.render.sample import sample_optimization


def test_a_crashed_third_party_pass_is_one_line_of_reason():
    raw = "static-int8: KeyError: 'onnx::Conv_12'\nTraceback ... (onnx_quantizer.py:412)"
    line = short_reason("failed", raw)
    assert (
        line == "static-int8 raised KeyError (onnx_quantizer.py:412): it cannot handle this model"
    )
    assert "\n" not in line
    assert short_reason("skipped", "fp16: no float weights") == "fp16: no float weights"


def test_speedup_text_with_and_without_an_interval():
    variant = VariantResult("v", ["v"], "faster", speedup=2.414, speedup_ci=(2.31, 2.52))
    assert speedup_text(variant) == "2.41× (2.31–2.52)"
    assert speedup_text(dataclasses.replace(variant, speedup_ci=None)) == "2.41×"
    assert speedup_text(dataclasses.replace(variant, speedup=None)) == "—"


def test_a_row_per_variant_with_its_status_and_reason():
    rows = variant_rows(sample_optimization())
    assert [r.name for r in rows][:2] == ["ort-extended", "dynamic-int8"]
    recommended = rows[2]
    assert recommended.passes == "quant-preprocess → static-qoperator-uint8-per-channel-entropy"
    assert recommended.status.endswith(" recommended")
    assert recommended.speedup == "2.41× (2.31–2.52)"
    assert rows[1].reason == "cosine 0.9712 < 0.99"
    assert rows[-1].size == "—"  # skipped: never built
    assert variant_rows(None) == []


def test_the_recommendation_names_the_variant_its_speedup_and_accuracy():
    info = sample_optimization()
    assert recommendation(info) == (
        "could ship 2.41× faster (95% CI 2.31–2.52×) at −0.19 pt accuracy as variant "
        "static-qoperator-uint8-per-channel-entropy+preprocess"
    )
    assert recommendation(dataclasses.replace(info, recommended=None)) == ""
    assert recommendation(None) == ""


def test_the_search_line_counts_what_was_built_and_names_what_was_not_tried():
    info = sample_optimization()
    line = search_line(info)
    assert line.startswith("4 variants built and checked in 212 s (budget 300 s); fidelity: ")
    assert line.endswith("Not tried (time budget): ort-basic.")
    none = search_line(dataclasses.replace(info, recommended=None, not_tried=[]))
    assert none.startswith("No variant is clearly faster within the accuracy budget. ")
    assert search_line(None) == ""
