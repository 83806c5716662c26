"""Size limits for a results document from elsewhere: refused with one line naming the field."""

from __future__ import annotations

import pytest

from mlgate.errors import DataError
from mlgate.results.limits import ARTIFACT_LIMITS, Limits, check_limits


def test_an_ordinary_document_passes():
    check_limits(
        {"kind": "mlgate-run", "results": [{"model": "m.onnx", "notes": ["x" * 2000]}]},
        "run.json",
    )


def test_deep_nesting_is_refused():
    document: dict = {}
    node = document
    for _ in range(ARTIFACT_LIMITS.max_depth + 1):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(DataError, match=r"run\.json: a\.a\.a.* is nested over 24 levels deep"):
        check_limits(document, "run.json")


def test_a_long_identifier_is_refused_where_free_text_of_that_length_is_not():
    check_limits({"notes": ["n" * 2000]}, "run.json")
    with pytest.raises(DataError, match=r"results\.0\.model is 2000 characters long, over"):
        check_limits({"results": [{"model": "m" * 2000}]}, "run.json")


def test_a_long_string_anywhere_is_refused():
    with pytest.raises(DataError, match="over the limit of 8192"):
        check_limits({"notes": ["n" * 9000]}, "run.json")


def test_a_list_over_its_key_cap_is_refused():
    with pytest.raises(DataError, match=r"results\.0\.targets has 33 entries, over the limit"):
        check_limits({"results": [{"targets": [0] * 33}]}, "run.json")


def test_an_object_with_too_many_keys_is_refused():
    limits = Limits(max_items=3)
    with pytest.raises(DataError, match="the document has 4 entries, over the limit of 3"):
        check_limits({str(i): i for i in range(4)}, "x.json", limits)


def test_too_many_strings_in_all_is_refused():
    limits = Limits(max_strings=5)
    with pytest.raises(DataError, match="the document has over 5 strings"):
        check_limits({"notes": ["a", "b", "c", "d", "e"]}, "x.json", limits)


def test_an_odd_key_is_quoted_and_shortened_in_the_message():
    odd = "not an identifier " * 5
    with pytest.raises(DataError, match=r"'not an identifier not an identifier not '\.x is 9000"):
        check_limits({odd: {"x": "n" * 9000}}, "x.json")
    with pytest.raises(DataError, match="a key"):
        check_limits({"k" * 2000: 1}, "x.json")
