"""Charts drawn as plain SVG (no script, nothing loaded): round axis ends, bars for what was
measured and a note for what was not, scatter points with off-scale ones on the edge."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from mlgate.render import svg


def test_nice_axis_ends_and_unmeasured_bars():
    assert [svg.nice_ceiling(v) for v in (0.9, 1.0, 1.1, 2.2, 4.9, 7.0, 0.013)] == [
        1.0, 1.0, 2.0, 2.5, 5.0, 10.0, 0.02,
    ]  # fmt: skip
    chart = svg.bar_chart(
        "t", [svg.BarGroup("m · gpu", [svg.Bar("a", None), svg.Bar("b", 2.0)])], ["a", "b"], str
    )
    assert "not measured" in chart
    ET.fromstring(chart)


def test_axis_ends_for_nothing_to_draw():
    assert svg.nice_ceiling(0.0) == 1.0
    assert svg.nice_ceiling(math.inf) == 1.0
    assert svg.nice_ceiling(9.9) == 10.0


def test_a_long_group_label_is_clipped_and_kept_as_a_tooltip():
    label = "models/a-very-long-model-name-indeed.onnx · gpu"
    chart = svg.bar_chart("t", [svg.BarGroup(label, [svg.Bar("a", 1.0)])], ["a"], str)
    ET.fromstring(chart)
    assert "…" + label[-25:] in chart  # the end of the name is what tells models apart
    assert f"<title>{label}</title>" in chart  # the whole name, as a tooltip


def _points():
    return [
        svg.Point(1.0, 0.0, "original", "original"),
        svg.Point(0.5, -0.2, "int8", "recommended"),
        svg.Point(9.0, -1.0, "slow", "rejected"),
    ]


def test_scatter_labels_the_original_and_the_recommendation_and_marks_off_scale_points():
    chart = svg.scatter("t", _points(), "latency", "accuracy", str, str, x_limit=2.0)
    ET.fromstring(chart)
    assert "slow: 9.0, -1.0 (off scale)" in chart
    assert ">original<" in chart
    assert ">int8<" in chart
    assert "stroke-dasharray" in chart  # the zero line: changes go both ways


def test_scatter_of_gains_only_starts_its_axis_at_zero():
    points = [svg.Point(1.0, 0.5, "a", "original"), svg.Point(2.0, 1.0, "b", "rejected")]
    chart = svg.scatter("t", points, "x", "y", str, str)
    ET.fromstring(chart)
    assert "off scale" not in chart
    assert "stroke-dasharray" not in chart
