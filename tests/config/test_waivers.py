"""config.waivers: the waivers file, each entry checked, errors one line naming the entry."""

from __future__ import annotations

import datetime

import pytest

from mlgate.config.files import MAX_CONFIG_BYTES
from mlgate.config.waivers import DEFAULT_WAIVERS_NAME, load_waivers, parse_waivers
from mlgate.errors import ConfigError

ENTRY = """\
- model: models/a.onnx
  metric: latency.p50
  reason: known slow path
  expires: 2030-01-31
"""


def test_a_list_of_waivers_is_parsed_with_target_defaulting_to_any():
    (waiver,) = parse_waivers(ENTRY, "w.yml")
    assert (waiver.model, waiver.target, waiver.metric) == ("models/a.onnx", "*", "latency.p50")
    assert waiver.expires == datetime.date(2030, 1, 31)


def test_the_list_may_sit_under_a_waivers_key_and_empty_is_none():
    indented = "".join("  " + line + "\n" for line in ENTRY.splitlines())
    assert len(parse_waivers("waivers:\n" + indented, "w.yml")) == 1
    assert parse_waivers("", "w.yml") == []


def test_errors_name_the_entry_and_the_key():
    with pytest.raises(ConfigError, match=r"^w\.yml: expected a list of waivers"):
        parse_waivers("model: a", "w.yml")
    with pytest.raises(ConfigError, match=r"^w\.yml\[1\]: unknown key 'typo'; accepted: model"):
        parse_waivers(
            ENTRY + "- {model: b, metric: m, reason: abc, expires: 2030-01-01, typo: 1}\n", "w.yml"
        )
    with pytest.raises(ConfigError, match=r"^w\.yml\[0\]: reason"):
        parse_waivers(ENTRY.replace("known slow path", "ok"), "w.yml")
    with pytest.raises(ConfigError, match=r"^w\.yml\[0\]: expires"):
        parse_waivers(ENTRY.replace("2030-01-31", "someday"), "w.yml")


def test_a_waivers_text_over_1_mib_is_refused():
    with pytest.raises(ConfigError, match="over 1 MiB"):
        parse_waivers("#" * (MAX_CONFIG_BYTES + 1), "w.yml")


def test_load_reads_the_default_file_only_when_present(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_waivers(None) == []
    (tmp_path / DEFAULT_WAIVERS_NAME).write_text(ENTRY)
    assert [w.model for w in load_waivers(None)] == ["models/a.onnx"]
    with pytest.raises(ConfigError, match="waivers file not found"):
        load_waivers(tmp_path / "other.yml")
