"""Model path globs: `**` spans directories, the matcher agrees with the old regex, and
globs past the complexity limit are one config error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.config import glob_matches, glob_may_match_under, parse_config
from mlgate.errors import ConfigError


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("models/**/*.onnx", "models/a.onnx", True),
        ("models/**/*.onnx", "models/x/y/a.onnx", True),
        ("models/*.onnx", "models/x/a.onnx", False),
        ("**/*.onnx", "/abs/dir/a.onnx", True),
        ("a?.onnx", "ab.onnx", True),
        ("a.onnx", "./a.onnx", True),
        ("a.onnx", "b.onnx", False),
    ],
)
def test_glob(pattern, path, matches):
    assert glob_matches(pattern, path) is matches


def _regex_glob(pattern: str, path: str) -> bool:
    """The matcher this project used before (a backtracking regex), as the reference."""
    import re

    regex, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            regex, i = regex + ".*", i + 2
        elif pattern[i] in "*?":
            regex, i = regex + ("[^/]*" if pattern[i] == "*" else "[^/]"), i + 1
        else:
            regex, i = regex + re.escape(pattern[i]), i + 1
    return re.fullmatch(regex, path.removeprefix("./")) is not None


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text("ab/*?.", max_size=10), st.text("ab/.", max_size=10))
def test_glob_matches_as_the_regex_did(pattern, path):
    assert glob_matches(pattern, path) is _regex_glob(pattern, path)


@pytest.mark.parametrize("pattern", ["**/" * 40 + "a", "*a" * 30 + "b", "a" * 300])
def test_globs_past_the_complexity_limit_are_one_config_error(pattern):
    with pytest.raises(ConfigError, match="is too complex"):
        parse_config(f"models: [{{path: '{pattern}'}}]\n", "mlgate.yml")


@pytest.mark.parametrize(
    ("pattern", "folder", "may"),
    [
        ("models/*/resnet*.onnx", "models/v2", True),
        ("models/*/resnet*.onnx", "data", False),
        ("models/*.onnx", "models", True),
        ("models/*.onnx", "models/sub", False),  # `*` stops at a slash
        ("models/net.onnx", "models/net.onnx", False),  # the pattern is used up: nothing below
        ("**/*.onnx", "a/b/c", True),
        ("data/**/*.onnx", "data/x/y", True),
    ],
)
def test_whether_a_glob_may_match_inside_a_folder(pattern, folder, may):
    assert glob_may_match_under(pattern, folder) is may
