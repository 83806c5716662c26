"""What every section of `mlgate.yml` shares: strict keys (an unknown key is an error),
frozen values, no inf or nan, and the bounds of budgets, sizes and shapes."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict

ONE_DAY = 86_400.0  # seconds: every budget and timeout
ONE_PIB_MB = 1024**3  # MB: every size and memory limit
MAX_DIM = 2**31 - 1  # one dimension of an input shape, a batch size


class Strict(BaseModel):
    # protected_namespaces: pydantic before 2.10 warns about fields named model_* (model_size_mb)
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, protected_namespaces=()
    )


def floats_as_text(value: Any) -> Any:
    """YAML `.inf`/`.nan` thresholds reach the threshold parser (which says what is
    accepted) instead of failing every branch of the union with a misleading message."""
    if not isinstance(value, dict):
        return value
    return {
        k: (str(v) if isinstance(v, float) and not math.isfinite(v) else v)
        for k, v in value.items()
    }
