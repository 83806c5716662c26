"""`mypy --strict` over src/ (the [tool.mypy] section of pyproject.toml) finds nothing.

Skips visibly where mypy or a stub package it needs is not installed; in CI (`CI` set)
either missing fails instead, so the type check cannot silently stop running."""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]


# Stub packages for libraries that ship no types of their own (see [tool.mypy] overrides
# for those that have none at all).
STUB_PACKAGES = ("types-PyYAML", "scipy-stubs", "types-protobuf")


def _missing(why: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{why} in CI: pin it in requirements/dev.lock")
    pytest.skip(f"{why}: the strict type check of src/ did not run")


def _mypy_api() -> ModuleType:
    try:
        from mypy import api
    except ImportError:
        _missing("mypy is not installed")
    missing = []
    for name in STUB_PACKAGES:
        try:
            importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        _missing(f"stub packages {', '.join(missing)} are not installed")
    return api


def test_mypy_config_is_strict_over_src() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert config["strict"] is True
    assert config["files"] == ["src"]
    assert "pydantic.mypy" in config["plugins"]


def test_src_is_mypy_strict_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    api = _mypy_api()
    monkeypatch.chdir(ROOT)
    stdout, stderr, status = api.run(["--config-file", "pyproject.toml"])
    assert status == 0, f"mypy --strict found errors:\n{stdout}{stderr}"
    assert "Success: no issues found" in stdout
