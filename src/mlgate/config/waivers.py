"""`mlgate-waivers.yml`: a list of waivers (model, target, metric, reason, expiry), each
checked; errors are one line naming the entry."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from mlgate.compare.waivers import Waiver
from mlgate.config.base import Strict
from mlgate.config.files import MAX_CONFIG_BYTES, is_file, read_text, safe_yaml
from mlgate.errors import ConfigError

DEFAULT_WAIVERS_NAME = "mlgate-waivers.yml"


class WaiverEntry(Strict):
    model: str = Field(description="model path or glob")
    target: str = Field("*", description="target name or glob")
    metric: str = Field(description="metric name or glob, e.g. latency.p50")
    reason: Annotated[str, Field(min_length=3)] = Field(description="why it is accepted")
    expires: datetime.date = Field(description="last day the waiver applies (YYYY-MM-DD)")


def parse_waivers(text: str, source: str) -> list[Waiver]:
    """A YAML list of waivers (or `{waivers: [...]}`); errors are one line naming the entry."""
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{source}: the waivers file is over 1 MiB; is it the right file?")
    data = safe_yaml(text, source)
    if isinstance(data, dict) and set(data) == {"waivers"}:
        data = data["waivers"]
    if data is None:
        return []
    if not isinstance(data, list):
        raise ConfigError(f"{source}: expected a list of waivers (model, target, metric, ...)")
    waivers = []
    for index, item in enumerate(data):
        try:
            entry = WaiverEntry.model_validate(item)
        except ValidationError as exc:
            raise ConfigError(f"{source}[{index}]: {describe_waiver_error(exc)}") from None
        waivers.append(Waiver(entry.model, entry.target, entry.metric, entry.reason, entry.expires))
    return waivers


def describe_waiver_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"]) or "(entry)"
    if error["type"] == "extra_forbidden":
        return f"unknown key '{where}'; accepted: {', '.join(WaiverEntry.model_fields)}"
    return f"{where}: {str(error['msg']).removeprefix('Value error, ')}"


def load_waivers(path: Path | None) -> list[Waiver]:
    """Waivers from `path`; without one, ./mlgate-waivers.yml when present, else none."""
    if path is None:
        path = Path(DEFAULT_WAIVERS_NAME)
        if not is_file(path):
            return []
    return parse_waivers(read_text(path, "waivers"), str(path))
