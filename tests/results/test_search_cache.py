"""Variant-search records kept between runs: keyed by what the numbers depend on; a record
that cannot be read is a miss, never an error."""

from __future__ import annotations

import json

import pytest

from mlgate.results import search_cache
from mlgate.results.search_cache import SearchKey, default_dir, load, save
from tests.render.sample import sample_optimization

KEY = SearchKey("ab" * 32, {"cpu": "Test CPU", "threads": 1}, "0.1.0", {"metric": "top1"})


def test_default_dir_from_the_environment(tmp_path):
    assert default_dir({"MLGATE_CACHE_DIR": str(tmp_path)}) == tmp_path
    for off in ("", " off ", "0", "OFF"):
        assert default_dir({"MLGATE_CACHE_DIR": off, "HOME": "/h"}) is None
    assert str(default_dir({"HOME": "/h"})) == "/h/.cache/mlgate"
    assert default_dir({}) is None


def test_a_saved_search_is_reused_without_its_drift(tmp_path):
    info = sample_optimization()
    path = save(tmp_path, KEY, info, "Test CPU")
    assert path == tmp_path / "search" / f"{KEY.digest()}.json"
    cached = load(tmp_path, KEY)
    assert cached is not None
    assert cached.info.drift is None
    assert cached.info.recommended == info.recommended
    assert [v.name for v in cached.info.variants] == [v.name for v in info.variants]
    assert cached.machine == "Test CPU"
    assert cached.note().startswith(f"search reused from cache, measured {cached.measured_at[:10]}")
    assert list(tmp_path.rglob("*.tmp")) == []


def test_any_change_to_the_key_is_a_miss(tmp_path):
    save(tmp_path, KEY, sample_optimization(), "cpu")
    other = SearchKey(KEY.model_sha256, KEY.fingerprint, "0.2.0", KEY.settings)
    assert other.digest() != KEY.digest()
    assert load(tmp_path, other) is None


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(kind="other"),
        lambda d: d.update(version=99),
        lambda d: d.update(key="0" * 64),
        lambda d: d["info"].update(variants="not a list"),
        lambda d: d.pop("machine"),
    ],
)
def test_a_record_that_does_not_fit_is_a_miss(tmp_path, edit):
    path = save(tmp_path, KEY, sample_optimization(), "cpu")
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document))
    assert load(tmp_path, KEY) is None


def test_broken_huge_or_absent_records_are_misses(tmp_path, monkeypatch):
    assert load(None, KEY) is None
    assert load(tmp_path, KEY) is None
    path = save(tmp_path, KEY, sample_optimization(), "cpu")
    path.write_text("{not json")
    assert load(tmp_path, KEY) is None
    path.write_text("[]")
    assert load(tmp_path, KEY) is None
    save(tmp_path, KEY, sample_optimization(), "cpu")
    monkeypatch.setattr(search_cache, "MAX_RECORD_BYTES", 10)
    assert load(tmp_path, KEY) is None


def test_a_folder_that_cannot_be_written_is_no_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert save(blocker, KEY, sample_optimization(), "cpu") is None
    assert save(None, KEY, sample_optimization(), "cpu") is None


def test_a_record_nested_past_the_parsers_depth_is_a_miss(tmp_path):
    path = save(tmp_path, KEY, sample_optimization(), "cpu")
    path.write_text("[" * 200_000 + "]" * 200_000)
    assert load(tmp_path, KEY) is None
