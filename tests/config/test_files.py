"""config.files: a config file is a regular UTF-8 file of at most 1 MiB, its YAML parsed
safely; every failure is a one-line ConfigError."""

from __future__ import annotations

import pytest

from mlgate.config.files import MAX_CONFIG_BYTES, MAX_YAML_DEPTH, is_file, read_text, safe_yaml
from mlgate.errors import ConfigError


def test_is_file_is_false_for_folders_missing_files_and_unusable_names(tmp_path):
    (tmp_path / "a.yml").write_text("x: 1")
    assert is_file(tmp_path / "a.yml")
    assert not is_file(tmp_path)
    assert not is_file(tmp_path / "missing.yml")
    assert not is_file(tmp_path / ("n" * 5000))  # a name too long: OSError, not raised


def test_read_text_reads_a_small_utf8_file(tmp_path):
    path = tmp_path / "mlgate.yml"
    path.write_text("version: 1\n", encoding="utf-8")
    assert read_text(path, "config") == "version: 1\n"


def test_read_text_refuses_missing_large_and_non_utf8_files(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        read_text(tmp_path / "none.yml", "config")
    big = tmp_path / "big.yml"
    big.write_bytes(b"#" * (MAX_CONFIG_BYTES + 1))
    with pytest.raises(ConfigError, match="over 1 MiB"):
        read_text(big, "waivers")
    latin = tmp_path / "latin.yml"
    latin.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(ConfigError, match="cannot read the config file"):
        read_text(latin, "config")


def test_safe_yaml_parses_and_reports_the_position_of_a_syntax_error():
    assert safe_yaml("a: [1, 2]", "x.yml") == {"a": [1, 2]}
    with pytest.raises(ConfigError, match=r"^x\.yml: line 2, column \d+: invalid YAML"):
        safe_yaml("a: 1\n  b: [\n", "x.yml")


def test_safe_yaml_refuses_deep_nesting_before_parsing():
    with pytest.raises(ConfigError, match="nests too deeply"):
        safe_yaml("[" * (MAX_YAML_DEPTH + 1), "deep.yml")
    assert safe_yaml("[" * MAX_YAML_DEPTH + "]" * MAX_YAML_DEPTH, "ok.yml") is not None


def test_safe_yaml_does_not_build_python_objects():
    with pytest.raises(ConfigError, match="invalid YAML"):
        safe_yaml("!!python/object/apply:os.system ['true']", "evil.yml")
