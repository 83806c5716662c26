import json

import pytest

from mlgate.errors import DataError
from mlgate.results import store
from mlgate.results.schema import SCHEMA_VERSION
from tests.render.sample import sample_results


def test_round_trip(tmp_path):
    results = sample_results()
    store.write_results(results, tmp_path / "r.json")
    assert store.read_results(tmp_path / "r.json") == results


def test_non_finite_numbers_become_null(tmp_path):
    import dataclasses

    results = sample_results()
    target = results.targets[0]
    metric = dataclasses.replace(target.metrics[0], change=float("nan"))
    results = dataclasses.replace(results, targets=[dataclasses.replace(target, metrics=[metric])])
    assert '"change": null' in store.dumps(results)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "not an mlgate results document"),
        ("{}", "no schema_version"),
        ('{"schema_version": 999}', "newer than this mlgate"),
        ('{"schema_version": 1, "verdict": "maybe"}', "invalid results document"),
    ],
)
def test_bad_documents(tmp_path, content, message):
    path = tmp_path / "r.json"
    path.write_text(content)
    with pytest.raises(DataError, match=message):
        store.read_results(path)


def test_a_version_1_document_is_upgraded_on_load(tmp_path):
    document = store.to_dict(sample_results())
    document["schema_version"] = 1
    for info in (document["base"], document["head"]):
        for key in ("bytes_by_dtype", "op_counts", "compute"):
            info.pop(key, None)
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(document))
    loaded = store.read_results(path)
    assert loaded.schema_version == SCHEMA_VERSION == 3
    assert loaded.head is not None
    assert loaded.head.compute is None


def _as_version_2(document: dict) -> dict:
    """A current document written as version 2 did: each metric's notes joined into `note`,
    the accuracy's eval metric first."""
    for target in document["targets"]:
        for metric in target["metrics"]:
            parts = [metric.pop("eval_metric")] if metric["eval_metric"] else []
            metric["note"] = "; ".join([*parts, *metric.pop("notes")])
    return {**document, "schema_version": 2}


def test_a_version_2_note_is_split_into_typed_notes_on_load(tmp_path):
    current = store.to_dict(sample_results(undecided=True))
    old = _as_version_2(json.loads(json.dumps(current)))
    accuracy = next(m for m in old["targets"][0]["metrics"] if m["name"] == "accuracy")
    assert accuracy["note"] == "top1"
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(old))
    loaded = store.read_results(path)
    assert loaded.schema_version == 3
    assert store.to_dict(loaded)["targets"] == current["targets"]
    p90 = next(m for m in loaded.targets[0].metrics if m.name == "latency.p90")
    assert p90.notes[-1] == "needs about 40 s more, or a smaller input"


def test_the_results_inside_a_version_2_run_are_upgraded_too():
    current = store.to_dict(sample_results(undecided=True))
    run = {
        "schema_version": 2, "kind": "mlgate-run", "created_at": "2026-12-01T00:00:00+00:00",
        "verdict": "inconclusive", "context": {}, "config_source": "defaults",
        "results": [_as_version_2(json.loads(json.dumps(current)))],
    }  # fmt: skip
    loaded = store.run_from_dict(run)
    assert loaded.schema_version == 3
    assert store.to_dict(loaded.results[0])["targets"] == current["targets"]


def test_missing_huge_and_oversize_inputs_are_refused(tmp_path, monkeypatch):
    with pytest.raises(DataError, match="results file not found"):
        store.read_results(tmp_path / "absent.json")
    with pytest.raises(DataError, match=r"r\.json is larger than 1 MB"):
        store.parse_json(b"{}" * 600_000, "r.json", max_bytes=1024 * 1024)
    path = tmp_path / "big.json"
    path.write_text("{}")
    monkeypatch.setattr(store, "MAX_RESULTS_BYTES", 1)
    with pytest.raises(DataError, match="is larger than 0 MB"):
        store.read_results(path)
