"""The Mermaid chart in the comment parses with Mermaid's own parser (Node, `tests/mermaid`),
including with hostile target names; with nothing to chart there is no chart at all."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mlgate.render.environment import render_comment
from tests.render.sample import sample_results

PARSER = Path(__file__).resolve().parents[1] / "mermaid"
NODE = shutil.which("node")
needs_parser = pytest.mark.skipif(
    NODE is None or not (PARSER / "node_modules" / "mermaid").is_dir(),
    reason="needs node and `npm ci --prefix tests/mermaid` (make test runs it)",
)


def mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)\n```", markdown, flags=re.DOTALL)


def parse(source: str) -> dict:
    done = subprocess.run(
        [NODE, str(PARSER / "parse.mjs")], input=source, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def with_targets(*names: str):
    results = sample_results()
    target = results.targets[0]
    return dataclasses.replace(
        results, targets=[dataclasses.replace(target, name=name) for name in names]
    )


@needs_parser
def test_the_latency_chart_is_valid_mermaid():
    (block,) = mermaid_blocks(render_comment(with_targets("cpu-x86", "arm64", "gpu.h100")))
    assert parse(block) == {"ok": True, "type": "xychart"}
    assert 'x-axis ["cpu-x86", "arm64", "gpu.h100"]' in block


@needs_parser
def test_hostile_target_names_cannot_break_the_chart():
    hostile = 'x"] \n```\n<img src=x onerror=alert(1)> [`'
    (block,) = mermaid_blocks(render_comment(with_targets(hostile, "ok")))
    assert parse(block)["ok"] is True
    assert "<img" not in block
    assert "```" not in block


@needs_parser
def test_the_parser_rejects_broken_mermaid():
    """The check can fail: a truncated chart does not parse."""
    assert parse('xychart-beta\n  x-axis ["a", "b\n  bar [1,\n')["ok"] is False


def test_nothing_to_chart_means_no_chart():
    results = sample_results()
    target = results.targets[0]
    no_latency = [m for m in target.metrics if not m.name.startswith("latency.")]
    bare = dataclasses.replace(results, targets=[dataclasses.replace(target, metrics=no_latency)])
    body = render_comment(bare)
    assert "mermaid" not in body
    assert "Latency chart" not in body
