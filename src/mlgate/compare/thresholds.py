"""Threshold strings: `+5%` (relative), `-0.5pp` (percentage points), `+0.01` (absolute, in
the metric's unit), `>= 0.999` / `<= 1e-3` (a bound on the head value)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

ACCEPTED_FORMS = "'+5%' (relative), '-0.5pp' (points), '+0.01' (absolute) or '>= 0.999' (bound)"

_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_CHANGE = re.compile(rf"^(?P<sign>[+-])?\s*(?P<value>{_NUMBER})\s*(?P<unit>%|pp)?$")
_BOUND = re.compile(rf"^(?P<op>>=|<=)\s*(?P<value>[+-]?{_NUMBER})$")


class ThresholdSyntaxError(ValueError):
    """A threshold string that does not parse; the message says what is accepted."""


@dataclass(frozen=True)
class Threshold:
    """A parsed threshold. `value` is a fraction for `relative` and `points` (5% -> 0.05,
    0.5pp -> 0.005), the metric's own unit for `absolute`, the bound itself for `bound`."""

    text: str
    kind: Literal["relative", "points", "absolute", "bound"]
    value: float
    sign: int = 0  # +1 / -1 as written, 0 when unsigned
    op: Literal[">=", "<="] | None = None
    # Applies only when accuracy cannot be decided (fidelity defaults when there are labels).
    backstop: bool = False

    def check_direction(self, higher_is_better: bool) -> None:
        """Reject a signed change threshold that points the good way (e.g. `latency: -5%`)."""
        if self.kind == "bound" or self.sign == 0:
            return
        worse = -1 if higher_is_better else +1
        if self.sign != worse:
            word, fix = ("drops", "-") if higher_is_better else ("rises", "+")
            raise ThresholdSyntaxError(
                f"'{self.text}' points the good way: this metric gets worse when it {word}; "
                f"write '{fix}{self.text.lstrip('+-').strip()}'"
            )


def parse_threshold(text: object) -> Threshold:
    """Parse a threshold string; raises ThresholdSyntaxError naming the accepted forms."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ThresholdSyntaxError(f"threshold must be a string like {ACCEPTED_FORMS}")
    raw = str(text).strip()
    bound = _BOUND.match(raw)
    if bound:
        value = float(bound["value"])
        if not math.isfinite(value):
            raise ThresholdSyntaxError(f"'{raw}' is not a finite number")
        return Threshold(text=raw, kind="bound", value=value, op=bound["op"])  # type: ignore[arg-type]
    change = _CHANGE.match(raw)
    if not change:
        raise ThresholdSyntaxError(f"'{raw}' is not a threshold; use {ACCEPTED_FORMS}")
    value = float(change["value"])
    if not math.isfinite(value):
        raise ThresholdSyntaxError(f"'{raw}' is not a finite number")
    sign = {"+": 1, "-": -1, None: 0}[change["sign"]]
    unit = change["unit"]
    if unit == "%":
        return Threshold(text=raw, kind="relative", value=value / 100.0, sign=sign)
    if unit == "pp":
        return Threshold(text=raw, kind="points", value=value / 100.0, sign=sign)
    return Threshold(text=raw, kind="absolute", value=value, sign=sign)
