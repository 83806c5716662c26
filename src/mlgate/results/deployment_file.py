"""`DIR/deployment.json`: written by `mlgate optimize --out DIR`, read by `mlgate.deploy.load`.

The file is read as untrusted input: size-limited, validated against the `Deployment` record,
and its model must be a plain file name inside DIR (no paths that climb out of it)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from mlgate.errors import DataError
from mlgate.results.deployment import DEPLOYMENT_FILE, Deployment

MAX_BYTES = 1024 * 1024
_ADAPTER = TypeAdapter(Deployment)


def write_deployment(folder: Path, deployment: Deployment) -> Path:
    path = folder / DEPLOYMENT_FILE
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(deployment.to_json(), indent=2) + "\n", encoding="utf-8")
    return path


def deployment_path(where: Path) -> Path:
    """A folder (holding deployment.json) or the deployment.json file itself."""
    return where / DEPLOYMENT_FILE if where.is_dir() else where


def read_deployment(where: Path) -> tuple[Deployment, Path]:
    """The deployment record, and the model file it names (in the same folder)."""
    path = deployment_path(where)
    if not path.is_file():
        raise DataError(f"{path}: no deployment file; write one with mlgate optimize --out DIR")
    if path.stat().st_size > MAX_BYTES:
        raise DataError(f"{path} is larger than {MAX_BYTES // 1024} KB: not a deployment file")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        deployment = _ADAPTER.validate_python(document)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path} is not valid JSON: {exc}") from None
    except RecursionError:
        raise DataError(f"{path} is nested too deeply to be a deployment file") from None
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where_ = ".".join(str(part) for part in error["loc"]) or "top level"
        raise DataError(f"{path}: invalid deployment at {where_}: {error['msg']}") from None
    name = deployment.model
    if not name or Path(name).name != name or name in (".", ".."):
        raise DataError(f"{path}: model {name!r} must be a file name in the same folder")
    model = path.parent / name
    if not model.is_file():
        raise DataError(f"{path}: its model {name} is not in {path.parent}")
    return deployment, model
