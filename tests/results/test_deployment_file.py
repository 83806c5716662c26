"""deployment.json read as untrusted input: every bad file is one line saying what is wrong."""

from __future__ import annotations

import json

import pytest

from mlgate.errors import DataError
from mlgate.optimize.recommend import ort_deployment
from mlgate.results.deployment_file import (
    MAX_BYTES,
    deployment_path,
    read_deployment,
    write_deployment,
)
from mlgate.results.schema import VariantResult
from tests.deployed_models import CPU, winner


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model": "../model.onnx"}, "must be a file name in the same folder"),
        ({"model": "missing.onnx"}, "is not in"),
        ({"openvino": {"device": "CPU"}}, "invalid deployment"),
        ({"precision": "fp8"}, "invalid deployment at precision"),
    ],
)
def test_a_bad_deployment_file_is_one_line(tmp_path, change, message):
    _, variant_path = winner(tmp_path)
    variant = VariantResult("ort-extended", ["ort-extended"], "recommended")
    path = write_deployment(variant_path.parent, ort_deployment(variant, variant_path, CPU))
    path.write_text(json.dumps({**json.loads(path.read_text()), **change}))
    with pytest.raises(DataError, match=message) as raised:
        read_deployment(variant_path.parent)
    assert "\n" not in str(raised.value)


def test_a_file_that_is_not_json_or_too_large_is_one_line(tmp_path):
    path = tmp_path / "deployment.json"
    path.write_text("{not json")
    with pytest.raises(DataError, match="is not valid JSON"):
        read_deployment(path)
    path.write_text(" " * (MAX_BYTES + 1))
    with pytest.raises(DataError, match="larger than 1024 KB"):
        read_deployment(tmp_path)


def test_the_file_itself_or_its_folder_reads_the_same(tmp_path):
    _, variant_path = winner(tmp_path)
    variant = VariantResult("ort-extended", ["ort-extended"], "recommended")
    written = write_deployment(variant_path.parent, ort_deployment(variant, variant_path, CPU))
    assert deployment_path(variant_path.parent) == written
    assert deployment_path(written) == written
    from_folder = read_deployment(variant_path.parent)
    assert read_deployment(written) == from_folder
    assert from_folder[1] == variant_path
