import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgate.config import Config, config_json_schema, glob_matches, load_config, parse_config
from mlgate.errors import ConfigError

SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "mlgate" / "schemas"


def test_no_file_means_defaults():
    config, origin = load_config(None)
    assert origin is None
    assert [t.name for t in config.targets] == ["cpu"]
    assert config.targets[0].providers == ["CPUExecutionProvider"]
    thresholds = config.thresholds_for(config.model_for("m.onnx"), {})
    assert thresholds["accuracy"].text == "-0.5pp"
    assert thresholds["latency.p50"].text == "+5%"
    assert thresholds["size"].text == "+10%"
    assert thresholds["memory.peak"].text == "+10%"


def test_default_file_in_working_directory_is_used(tmp_path):
    (tmp_path / "mlgate.yml").write_text("thresholds: {latency.p50: '+3%'}\n")
    config, origin = load_config(None)
    assert origin == Path("mlgate.yml")
    assert config.thresholds["latency.p50"] == "+3%"


def test_full_example_round_trips():
    config = parse_config(
        """
version: 1
models:
  - path: models/**/*.onnx
    eval: {data: data/eval.npz, metric: topk:5, output: logits, batch_size: 64}
    inputs: {input_ids: [1, 128]}
    thresholds: {latency.p50: '+8%'}
targets:
  - {name: cpu-x86, runs_on: ubuntu-latest, threads: 2}
  - name: gpu
    runs_on: [self-hosted, gpu]
    providers: [CUDAExecutionProvider]
    allow_missing: true
thresholds: {accuracy: -1pp, fidelity.cosine: '>= 0.999', size: off}
latency: {budget_seconds: 10, confidence: 0.99}
""",
        "mlgate.yml",
    )
    model = config.model_for("models/vision/net.onnx")
    assert model.eval.metric == "topk:5"
    thresholds = config.thresholds_for(model, {"latency.p90": "+20%"})
    assert thresholds["latency.p50"].value == pytest.approx(0.08)  # per-model wins
    assert thresholds["latency.p90"].value == pytest.approx(0.20)  # command line wins
    assert thresholds["accuracy"].value == pytest.approx(0.01)
    assert "size" not in thresholds  # turned off
    assert config.model_for("other/net.onnx").path == "other/net.onnx"  # defaults


def test_error_metric_default_is_relative():
    config = parse_config("models: [{path: a.onnx, eval: {metric: mae}}]", "c.yml")
    assert config.thresholds_for(config.model_for("a.onnx"), {})["accuracy"].text == "+5%"


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


def test_yaml_error_has_position():
    with pytest.raises(ConfigError, match=r"c.yml: line \d+, column \d+: invalid YAML"):
        parse_config("a: 1\nb: [\n", "c.yml")


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


def test_a_target_names_the_runtimes_the_search_tries():
    config = parse_config("targets: [{name: cpu, runtimes: [openvino]}, {name: b}]", "c.yml")
    assert config.targets[0].runtimes == ["openvino"]
    assert config.targets[1].runtimes is None  # every available one
