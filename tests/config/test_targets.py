"""A target names the runtimes the variant search tries."""

from __future__ import annotations

from mlgate.config import parse_config


def test_a_target_names_the_runtimes_the_search_tries():
    config = parse_config("targets: [{name: cpu, runtimes: [openvino]}, {name: b}]", "c.yml")
    assert config.targets[0].runtimes == ["openvino"]
    assert config.targets[1].runtimes is None  # every available one
