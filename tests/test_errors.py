"""errors: one hierarchy; every error a user can cause is an MlgateError with exit code 2."""

from __future__ import annotations

import pytest

from mlgate import errors
from mlgate.cli import main
from mlgate.errors import (
    ConfigError,
    DataError,
    DvcError,
    GitError,
    MlgateError,
    ModelError,
    TargetError,
)

KINDS = [ConfigError, ModelError, DataError, TargetError, GitError, DvcError]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_an_mlgate_error_with_exit_code_2(kind):
    assert issubclass(kind, MlgateError)
    assert kind("x").exit_code == 2


def test_the_module_defines_no_other_error_kinds():
    defined = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, Exception)
    }
    assert defined == {MlgateError, *KINDS}


def test_a_user_error_reaches_the_command_line_as_one_line_and_exit_2(tmp_path, capsys):
    missing = tmp_path / "missing.yml"
    assert main(["compare", "a.onnx", "b.onnx", "--config", str(missing)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "config file not found" in err[0]
