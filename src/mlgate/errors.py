"""One error hierarchy. Every error a user can cause is an `MlgateError` with a message that
says what is wrong and what to do; `error_handler` turns it into one line and exit code 2."""

from __future__ import annotations


class MlgateError(Exception):
    """Bad input, config or usage: reported as one line, exit code 2."""

    exit_code = 2


class ConfigError(MlgateError):
    """The config file or a command-line setting is invalid."""


class ModelError(MlgateError):
    """A model file cannot be read, validated or loaded by the runtime."""


class DataError(MlgateError):
    """Eval data is unreadable or does not fit the model, or outputs are unusable."""


class TargetError(MlgateError):
    """A hardware target cannot run here (missing execution provider)."""


class GitError(MlgateError):
    """A git operation failed (not a repository, unknown revision, missing path)."""


class DvcError(MlgateError):
    """A DVC-tracked file cannot be read: bad `.dvc`/`dvc.lock`, or not in the DVC cache."""
