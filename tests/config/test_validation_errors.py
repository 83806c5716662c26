"""A validation error is one line naming the file, the key and what is accepted."""

from __future__ import annotations

import pytest

from mlgate.config import parse_config
from mlgate.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("modles: []", "c.yml: unknown key 'modles'; did you mean 'models'? accepted here:"),
        ("models: [{path: a, evl: {}}]", "unknown key 'models[0].evl'; did you mean 'eval'?"),
        (
            "targets: [{name: cpu, threads: many}]",
            "targets[0].threads: Input should be a valid integer",
        ),
        ("targets: [{name: 'bad name'}]", "targets[0].name"),
        ("latency: {confidence: 2}", "latency.confidence"),
        ("models: [{path: a, eval: {batch_size: 0}}]", "models[0].eval.batch_size"),
        ("targets: [{name: cpu, runtimes: [tvm]}]", "targets[0].runtimes[0]: Input should be"),
        ("targets: [{name: cpu, runtimes: []}]", "targets[0].runtimes"),
    ],
)
def test_errors_name_file_key_and_what_is_accepted(text, expected):
    with pytest.raises(ConfigError) as info:
        parse_config(text, "c.yml")
    assert expected in str(info.value)
    assert "\n" not in str(info.value)
