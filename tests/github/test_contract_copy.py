"""The vendored contract is the shared one, byte for byte (checked where the shared copy
exists; CI's clean checkout uses the vendored copy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.github.openapi import CONTRACT, RELEASES_CONTRACT, operations

SHARED = Path(__file__).resolve().parents[3] / "shared" / "github-api"


def test_every_required_operation_is_in_the_vendored_contract():
    rows = [
        line.split("\t")
        for folder in (CONTRACT, RELEASES_CONTRACT)
        for line in (folder / "operations.tsv").read_text().splitlines()[1:]
    ]
    listed = {(method, path) for method, path, _, _ in rows}
    assert listed == {(op.method, op.template) for op in operations()}


@pytest.mark.skipif(not SHARED.is_dir(), reason="no shared contract next to this checkout")
def test_the_vendored_contract_matches_the_shared_one():
    shared = sorted(p.relative_to(SHARED) for p in SHARED.rglob("*") if p.is_file())
    vendored = sorted(p.relative_to(CONTRACT) for p in CONTRACT.rglob("*") if p.is_file())
    assert shared == vendored
    for name in shared:
        assert (SHARED / name).read_bytes() == (CONTRACT / name).read_bytes(), name
