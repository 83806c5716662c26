"""A release's charts: well-formed SVG with the variants and the recommendation, and the
cosine shortfall when there are no labels."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

from mlgate.render.release_view import release_view
from tests.render.sample import NOW, collected, sample_results, with_target


def test_charts_are_well_formed_svg_with_the_variants_and_the_recommendation():
    results = sample_results(fail=True)
    info = results.targets[0].optimization
    assert info is not None
    variants = [v if v.status != "slower" else dataclasses.replace(v, speedup=0.1)
                for v in info.variants]  # fmt: skip
    results = with_target(results, optimization=dataclasses.replace(info, variants=variants))
    view = release_view(collected(results), "v2", NOW)
    titles = [chart.title for chart in view.charts]
    assert titles[0].startswith("Median latency per target")
    assert any("accuracy vs latency of optimized variants" in t for t in titles)
    assert any(t.startswith("Energy per inference") for t in titles)
    for chart in view.charts:
        root = ET.fromstring(str(chart.svg))
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.attrib["role"] == "img"
    scatter = next(c for c in view.charts if "variants" in c.title)
    root = ET.fromstring(str(scatter.svg))
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "static-qoperator-uint8-per-channel-entropy+preprocess" in labels
    tips = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
    # 0.1x: off the scale (3x the original, rounded up), drawn hollow at the edge, said so
    assert any("int8-per-channel" in tip and "(off scale)" in tip for tip in tips)
    # rejected by fidelity, not timed: not plotted
    assert not any(tip.startswith("dynamic-int8") for tip in tips)


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
