"""The results document's classes: the published JSON schemas are generated from them and
current, a written document validates against them, and the records are frozen."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from mlgate.results import store
from mlgate.results.schema import SCHEMA_VERSION, MetricResult, Results, TargetResult
from tests.render.sample import PROVENANCE, sample_results

SCHEMAS = Path(__file__).resolve().parents[2] / "src" / "mlgate" / "schemas"


def test_document_validates_against_published_schema(tmp_path):
    schema = json.loads((SCHEMAS / "results.schema.json").read_text())
    document = store.to_dict(sample_results())
    jsonschema.validate(document, schema)
    assert document["schema_version"] == SCHEMA_VERSION
    assert {"name", "base", "head", "change", "threshold", "verdict"} <= set(
        document["targets"][0]["metrics"][0]
    )


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("results", store.json_schema),
        ("run", store.run_json_schema),
        ("profile", store.profile_json_schema),
    ],
)
def test_published_schema_is_current(name, build):
    published = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    assert published == json.loads(json.dumps(build())), "run `make schemas`"


def test_a_minimal_document_takes_the_defaults_and_validates():
    minimal = Results(SCHEMA_VERSION, "2026-11-23T00:00:00+00:00", "error", "m.onnx", PROVENANCE)
    assert (minimal.base, minimal.head, minimal.eval) == (None, None, None)
    assert (minimal.targets, minimal.errors, minimal.reproduce) == ([], [], "")
    schema = json.loads((SCHEMAS / "results.schema.json").read_text())
    jsonschema.validate(store.to_dict(minimal), schema)
    target = TargetResult("cpu", ["CPUExecutionProvider"], 1, "skipped")
    assert (target.metrics, target.latency, target.error) == ([], None, None)


def test_records_are_frozen():
    metric = MetricResult("size", "bytes", False, 1, 2, 1.0, 1, None, "skipped")
    assert (metric.method, metric.ci, metric.notes) == ("measured", None, ())
    with pytest.raises(dataclasses.FrozenInstanceError):
        metric.verdict = "pass"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample_results().verdict = "pass"  # type: ignore[misc]
