"""The whole config: default thresholds per metric, and the published JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlgate.config import Config, config_json_schema, parse_config

SCHEMAS = Path(__file__).resolve().parents[2] / "src" / "mlgate" / "schemas"


def test_error_metric_default_is_relative():
    config = parse_config("models: [{path: a.onnx, eval: {metric: mae}}]", "c.yml")
    assert config.thresholds_for(config.model_for("a.onnx"), {})["accuracy"].text == "+5%"


def test_published_schema_is_current():
    published = json.loads((SCHEMAS / "config.schema.json").read_text())
    assert published == json.loads(json.dumps(config_json_schema())), "run `make schemas`"


def test_schema_accepts_a_valid_config_and_rejects_a_typo():
    import jsonschema

    schema = config_json_schema()
    jsonschema.validate({"version": 1, "thresholds": {"size": "+1%"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"modles": []}, schema)
    assert Config().version == 1
