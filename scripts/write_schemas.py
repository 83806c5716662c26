"""Write the published JSON Schemas (config, results, run, profile) from the code."""

from __future__ import annotations

import json
from pathlib import Path

from mlgate.config import config_json_schema
from mlgate.results.store import json_schema, profile_json_schema, run_json_schema

SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "mlgate" / "schemas"


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main() -> None:
    SCHEMAS.mkdir(parents=True, exist_ok=True)
    (SCHEMAS / "config.schema.json").write_text(render(config_json_schema()))
    (SCHEMAS / "results.schema.json").write_text(render(json_schema()))
    (SCHEMAS / "run.schema.json").write_text(render(run_json_schema()))
    (SCHEMAS / "profile.schema.json").write_text(render(profile_json_schema()))
    print(f"wrote config, results, run and profile schemas to {SCHEMAS}")


if __name__ == "__main__":
    main()
