"""Loading `mlgate.yml`: one `load_config` (the file given, else `./mlgate.yml` when present,
else the defaults) and `parse_config` for text read elsewhere (a commit's config)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from mlgate.config.document import Config
from mlgate.config.files import MAX_CONFIG_BYTES, is_file, read_text, safe_yaml
from mlgate.config.validation_errors import describe_validation_error
from mlgate.errors import ConfigError

DEFAULT_CONFIG_NAME = "mlgate.yml"


def load_config(path: Path | None) -> tuple[Config, Path | None]:
    """Load and validate `path`; without one, `./mlgate.yml` if present, else defaults.

    Returns the config and the file it came from (None for defaults).
    """
    if path is None:
        default = Path(DEFAULT_CONFIG_NAME)
        if not is_file(default):
            return Config(), None
        path = default
    return parse_config(read_text(path, "config"), str(path)), path


def parse_config(text: str, source: str) -> Config:
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{source}: the config is over 1 MiB; is it the right file?")
    data = safe_yaml(text, source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of keys (version, models, …)")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {describe_validation_error(exc)}") from None


@dataclass(frozen=True)
class LoadedConfig:
    """A config already read (the Action reads the base commit's), and where it came from."""

    config: Config
    data_root: Path  # relative eval-data paths start here (with `rev`: the repository)
    path: str | None = None  # the config file, for the rerun command
    rev: str | None = None  # set: eval data and baselines are read from this commit's objects
