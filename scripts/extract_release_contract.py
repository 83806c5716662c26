"""Extract the release operations the report command calls from GitHub's official OpenAPI
description into `tests/github/contract-releases/` (the shared contract has no releases).

    npm pack @octokit/openapi@23.0.2 && tar xzf octokit-openapi-23.0.2.tgz
    python scripts/extract_release_contract.py package/generated/api.github.com.json

Same source and treatment as the shared subset: operations verbatim, `x-octokit` stripped,
every referenced component copied."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

OPERATIONS = (
    ("get", "/repos/{owner}/{repo}/releases"),
    ("post", "/repos/{owner}/{repo}/releases"),
    ("patch", "/repos/{owner}/{repo}/releases/{release_id}"),
    ("post", "/repos/{owner}/{repo}/releases/{release_id}/assets"),
    ("delete", "/repos/{owner}/{repo}/releases/assets/{asset_id}"),
)
OUT = Path(__file__).resolve().parents[1] / "tests" / "github" / "contract-releases"


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k != "x-octokit"}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            found.add(node["$ref"])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def main() -> None:
    source = Path(sys.argv[1])
    raw = source.read_bytes()
    spec = json.loads(raw)
    paths: dict[str, dict[str, Any]] = {}
    rows = ["method\tpath\toperationId\tstatus"]
    for method, path in OPERATIONS:
        operation = _strip(spec["paths"][path][method])
        paths.setdefault(path, {})[method] = operation
        rows.append(f"{method.upper()}\t{path}\t{operation['operationId']}\trequired")
    components: dict[str, dict[str, Any]] = {}
    pending = _refs(paths)
    while pending:
        ref = pending.pop()
        _, kind, name = ref.removeprefix("#/").split("/")
        if name in components.get(kind, {}):
            continue
        value = _strip(spec["components"][kind][name])
        components.setdefault(kind, {})[name] = value
        pending |= _refs(value)
    subset = {
        "openapi": spec["openapi"],
        "info": {
            "title": "GitHub REST API: the release operations used by `mlgate report`",
            "version": spec["info"]["version"],
            "description": "Operations extracted verbatim (x-octokit stripped) from GitHub's "
            "official OpenAPI description for api.github.com, as republished in npm "
            "@octokit/openapi 23.0.2, the same source as the shared subset. "
            f"Source file sha256 {hashlib.sha256(raw).hexdigest()}.",
        },
        "servers": spec["servers"],
        "paths": paths,
        "components": {k: dict(sorted(v.items())) for k, v in sorted(components.items())},
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "releases.openapi.json").write_text(json.dumps(subset, indent=1) + "\n")
    (OUT / "operations.tsv").write_text("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
