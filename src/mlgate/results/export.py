"""Our results in other tools' formats. Pure: documents in, rows or JSON-ready lists out.

- `github-action-benchmark`: the `customSmallerIsBetter` / `customBiggerIsBetter` input of
  benchmark-action/github-action-benchmark, a JSON array of {name, value, unit, range?, extra?},
  one file per direction, so teams that chart with it keep their dashboards.
- `csv`: one row per model, target and metric, for spreadsheets."""

from __future__ import annotations

from dataclasses import dataclass

from mlgate.results.schema import MetricResult, Results

# Base units scaled to what a chart axis reads well.
_DISPLAY = {
    "s": (1e3, "ms"),
    "J": (1e3, "mJ"),
    "bytes": (1 / (1024 * 1024), "MiB"),
    "fraction": (100.0, "%"),
    "usd": (1.0, "$"),
    "gco2e": (1.0, "gCO2e"),
    "macs": (1.0, "MACs"),
    "1/s": (1.0, "1/s"),
}
CSV_COLUMNS = (
    "model", "target", "metric", "unit", "higher_is_better", "base", "head", "change",
    "ci_low", "ci_high", "threshold", "verdict", "method", "source", "head_sha256", "created_at",
)  # fmt: skip


@dataclass(frozen=True)
class _Row:
    results: Results
    target: str
    metric: MetricResult


def _rows(documents: list[Results]) -> list[_Row]:
    return [
        _Row(results, target.name, metric)
        for results in documents
        for target in results.targets
        for metric in target.metrics
    ]


def _scaled(metric: MetricResult, value: float) -> tuple[float, str]:
    scale, unit = _DISPLAY.get(metric.unit, (1.0, metric.unit))
    return value * scale, unit


def _extra(metric: MetricResult) -> str:
    lines = []
    if metric.base is not None:
        base, unit = _scaled(metric, metric.base)
        lines.append(f"base: {base:.6g} {unit}")
    if metric.change is not None:
        lines.append(f"change: {metric.change:+.2%}")
    if metric.threshold:
        lines.append(f"threshold: {metric.threshold}")
    lines.append(f"verdict: {metric.verdict}")
    if metric.source:
        lines.append(f"source: {metric.source}")
    return "\n".join(lines)


def github_action_benchmark(documents: list[Results]) -> dict[str, list[dict[str, object]]]:
    """{"smaller": [...], "bigger": [...]}: head values, one entry per model, target, metric."""
    found: dict[str, list[dict[str, object]]] = {"smaller": [], "bigger": []}
    for row in _rows(documents):
        metric = row.metric
        if metric.head is None:
            continue
        value, unit = _scaled(metric, metric.head)
        entry: dict[str, object] = {
            "name": f"{row.results.model} [{row.target}] {metric.name}",
            "value": value,
            "unit": unit,
            "extra": _extra(metric),
        }
        if metric.ci is not None:
            entry["range"] = f"CI {metric.ci[0]:+.2%}…{metric.ci[1]:+.2%} vs base"
        found["bigger" if metric.higher_is_better else "smaller"].append(entry)
    return found


def csv_rows(documents: list[Results]) -> list[dict[str, object]]:
    rows = []
    for row in _rows(documents):
        metric, results = row.metric, row.results
        rows.append(
            {
                "model": results.model,
                "target": row.target,
                "metric": metric.name,
                "unit": metric.unit,
                "higher_is_better": metric.higher_is_better,
                "base": metric.base,
                "head": metric.head,
                "change": metric.change,
                "ci_low": metric.ci[0] if metric.ci else None,
                "ci_high": metric.ci[1] if metric.ci else None,
                "threshold": metric.threshold or "",
                "verdict": metric.verdict,
                "method": metric.method,
                "source": metric.source,
                "head_sha256": results.head.sha256 if results.head else "",
                "created_at": results.created_at,
            }
        )
    return rows
