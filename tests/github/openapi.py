"""GitHub's REST contract (the vendored OpenAPI subset in `contract/`): find the operation of
a request, validate request and response bodies, and build schema-valid objects.

The description is OpenAPI 3.0 (`nullable: true`); it is rewritten once into plain JSON
Schema (draft 4 + null types) and validated with jsonschema, formats included (`date-time`
per RFC 3339, `uri` per RFC 3986: small checks here, as jsonschema needs extra packages for
both). Requests are held to more than the text says: a request object that lists its
properties takes no others (GitHub ignores a misspelled key, so the intended value is lost
silently), and `STRICTER` adds what GitHub enforces but the description only says in prose."""

from __future__ import annotations

import copy
import datetime
import functools
import json
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

CONTRACT = Path(__file__).resolve().parent / "contract"
# The release operations `mlgate report --github-release` calls, extracted from the same
# source as the shared subset (scripts/extract_release_contract.py); the shared one has none.
RELEASES_CONTRACT = Path(__file__).resolve().parent / "contract-releases"
SPEC_URI = "urn:github-rest-subset"

# Constraints GitHub enforces that the description states only in prose (or not at all).
STRICTER_PARAMETERS: dict[str, dict[str, Any]] = {
    "per_page": {"minimum": 1, "maximum": 100},  # the description: "(max 100)"
    "page": {"minimum": 1},
}
# GitHub answers 422 "details_url must use the http or https scheme" (packit/packit-service
# #1169) and "target_url must use http(s) scheme" (jenkinsci/ghprb-plugin#661).
_HTTP_URL = {"format": "uri", "pattern": "^https?://"}
STRICTER_BODY_FIELDS: dict[str, dict[str, Any]] = {
    "details_url": _HTTP_URL,
    "target_url": _HTTP_URL,
}

# ---- formats -----------------------------------------------------------------------------

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))"
)
_URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*"
)

FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time")
def is_date_time(value: object) -> bool:
    """RFC 3339 section 5.6 `date-time`: a real date and time, a `T`, and a UTC offset."""
    if not isinstance(value, str):
        return True  # formats judge strings only; `type` judges the rest
    match = _RFC3339.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        datetime.datetime(year, month, day, hour, minute, min(second, 59))  # 60: leap second
    except ValueError:
        return False
    offset = match.group(8)
    in_range = second <= 60 and (offset in "Zz" or int(match.group(9)) < 24)
    return in_range and (offset in "Zz" or int(match.group(10)) < 60)


@FORMATS.checks("uri")
def is_uri(value: object) -> bool:
    """RFC 3986 `URI`: a scheme, only the characters the grammar allows, and a host where the
    scheme is http(s)."""
    if not isinstance(value, str):
        return True
    if _URI.fullmatch(value) is None:
        return False
    parts = urllib.parse.urlsplit(value)
    return parts.scheme.lower() not in {"http", "https"} or bool(parts.hostname)


def _nullable_to_json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_to_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", None) is True:
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@functools.cache
def spec() -> dict[str, Any]:
    """The shared subset plus the release operations; a component both define must agree."""
    raw = json.loads((CONTRACT / "github-rest-subset.openapi.json").read_text())
    extra = json.loads((RELEASES_CONTRACT / "releases.openapi.json").read_text())
    assert not set(raw["paths"]) & set(extra["paths"])
    raw["paths"].update(extra["paths"])
    for kind, named in extra["components"].items():
        known = raw["components"].setdefault(kind, {})
        for name, value in named.items():
            assert known.setdefault(name, value) == value, (kind, name)
    return _nullable_to_json_schema(raw)


@functools.cache
def _registry() -> Registry:
    return Registry().with_resource(
        SPEC_URI, Resource.from_contents(spec(), default_specification=DRAFT4)
    )


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    pattern: re.Pattern[str]
    definition: dict[str, Any]
    pointer: str  # JSON pointer of the operation inside the spec

    def request_schema(self) -> dict[str, Any] | None:
        """The JSON body's schema, strict: see `strict_request`."""
        content = self.definition.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            return None
        return strict_request(content["application/json"]["schema"])

    def parameters(self) -> list[dict[str, Any]]:
        return [
            resolve_pointer(p["$ref"].lstrip("#")) if "$ref" in p else p
            for p in self.definition.get("parameters", [])
        ]

    def response_schema(self, status: int) -> dict[str, Any] | None:
        response = self.definition["responses"].get(str(status))
        if response is None:
            return None
        pointer = f"{self.pointer}/responses/{status}"
        if "$ref" in response:
            pointer = response["$ref"].lstrip("#")
            response = resolve_pointer(pointer)
        if "application/json" not in response.get("content", {}):
            return None
        return {"$ref": f"{SPEC_URI}#{pointer}/content/application~1json/schema"}

    def statuses(self) -> set[int]:
        return {int(code) for code in self.definition["responses"]}


def resolve_pointer(pointer: str) -> Any:
    node: Any = spec()
    for part in pointer.strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


@functools.cache
def operations() -> list[Operation]:
    found = []
    for template, item in spec()["paths"].items():
        regex = "^" + re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(template)) + "$"
        for method, definition in item.items():
            if method not in {"get", "post", "patch", "delete", "put"}:
                continue
            escaped = template.replace("~", "~0").replace("/", "~1")
            found.append(
                Operation(
                    method.upper(),
                    template,
                    definition["operationId"],
                    re.compile(regex),
                    definition,
                    f"/paths/{escaped}/{method}",
                )
            )
    return found


def find_operation(method: str, path: str) -> tuple[Operation, tuple[str, ...]] | None:
    for operation in operations():
        if operation.method == method:
            match = operation.pattern.match(path)
            if match:
                return operation, match.groups()
    return None


def _messages(schema: dict[str, Any], instance: Any) -> list[tuple[str, str]]:
    validator = jsonschema.Draft4Validator(schema, registry=_registry(), format_checker=FORMATS)
    return [
        ("/".join(str(p) for p in e.absolute_path), e.message[:300])
        for e in validator.iter_errors(instance)
    ]


def errors(schema: dict[str, Any], instance: Any) -> list[str]:
    """Every way `instance` breaks `schema` (empty when valid), formats included."""
    return [f"{path or '(root)'}: {message}" for path, message in _messages(schema, instance)]


def strict_request(node: Any) -> Any:
    """A self-contained copy of a request body schema in which every object that lists its
    properties and says nothing of others takes no others, and `STRICTER_BODY_FIELDS` apply."""
    if isinstance(node, list):
        return [strict_request(item) for item in node]
    if not isinstance(node, dict):
        return node
    strict = {key: strict_request(value) for key, value in _deref(node, spec()).items()}
    if isinstance(strict.get("properties"), dict):
        strict.setdefault("additionalProperties", False)
        for name, extra in STRICTER_BODY_FIELDS.items():
            if name in strict["properties"]:
                strict["properties"][name] = {**strict["properties"][name], **extra}
    return strict


def _coerce(text: str, schema: dict[str, Any]) -> Any:
    """A query or path value (always text on the wire) as the type its schema names, when it
    spells one; otherwise the text, for the validator to reject."""
    kind = schema.get("type")
    if kind == "integer" and re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    if kind == "boolean" and text in {"true", "false"}:
        return text == "true"
    return text


def parameter_errors(
    operation: Operation, args: tuple[str, ...], query: list[tuple[str, str]]
) -> list[str]:
    """Every way the path and query parameters break the operation's contract: an unknown or
    repeated query parameter, a missing required one, a value of the wrong type or range."""
    declared = {(p["in"], p["name"]): p for p in operation.parameters()}
    names = re.findall(r"\{([^}]+)\}", operation.template)
    given = [("path", n, urllib.parse.unquote(v)) for n, v in zip(names, args, strict=True)]
    given += [("query", n, v) for n, v in query]
    problems = []
    seen: dict[tuple[str, str], int] = {}
    for where, name, text in given:
        definition = declared.get((where, name))
        if definition is None:
            problems.append(f"{where} {name}: not a parameter of {operation.operation_id}")
            continue
        seen[where, name] = seen.get((where, name), 0) + 1
        if seen[where, name] == 2:
            problems.append(f"{where} {name}: given more than once")
        schema = {**definition.get("schema", {}), **STRICTER_PARAMETERS.get(name, {})}
        problems += [
            f"{where} {name}: {message}" for _, message in _messages(schema, _coerce(text, schema))
        ]
    for (where, name), definition in declared.items():
        if where == "query" and definition.get("required") and (where, name) not in seen:
            problems.append(f"query {name}: required, missing")
    return problems


def component(name: str) -> dict[str, Any]:
    return {"$ref": f"{SPEC_URI}#/components/schemas/{name}"}


# ---- building schema-valid objects -------------------------------------------------------


def _deref(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        ref = schema["$ref"]
        target = ref.split("#", 1)[1] if "#" in ref else ref
        node: Any = root
        for part in target.strip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        schema = node
    return schema


_FORMAT_EXAMPLES = {
    "date-time": "2026-11-23T00:00:00Z",
    "uri": "https://example.invalid/",
    "email": "octocat@example.invalid",
}


def minimal(schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """The smallest instance with every required field (first enum value, first non-null
    alternative, empty arrays), to be overlaid with real values."""
    root = spec() if root is None else root
    schema = _deref(schema, root)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = minimal(part, root)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if _deref(o, root).get("type") != "null"]
            return minimal(options[0] if options else schema[key][0], root)
    if "enum" in schema:
        return next((v for v in schema["enum"] if v is not None), None)
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        props = schema.get("properties", {})
        return {name: minimal(props.get(name, {}), root) for name in schema.get("required", [])}
    if kind == "array":
        return [minimal(schema.get("items", {}), root) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        return _FORMAT_EXAMPLES.get(
            schema.get("format", ""), "x" * max(1, schema.get("minLength", 1))
        )
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    return None


def merge(base: Any, overlay: Any) -> Any:
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = copy.deepcopy(base)
        for key, value in overlay.items():
            merged[key] = merge(base.get(key), value) if key in base else value
        return merged
    return overlay


def build(name: str, /, **fields: Any) -> dict[str, Any]:
    """A valid `components/schemas/<name>` object with `fields` set; fails loudly if not."""
    instance = merge(minimal(component(name)), fields)
    problems = errors(component(name), instance)
    assert not problems, (name, problems[:5])
    return instance


# ---- webhook payloads --------------------------------------------------------------------


@functools.cache
def webhook_schema(name: str) -> dict[str, Any]:
    return json.loads((CONTRACT / "webhooks" / f"{name}.schema.json").read_text())


def webhook_errors(name: str, payload: dict[str, Any]) -> list[str]:
    schema = webhook_schema(name)
    registry = Registry().with_resource(
        "urn:webhook", Resource.from_contents(schema, default_specification=DRAFT202012)
    )
    validator = jsonschema.Draft202012Validator(schema, registry=registry)
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message[:200]}"
        for e in validator.iter_errors(payload)
    ]


def webhook_payload(name: str, **fields: Any) -> dict[str, Any]:
    schema = webhook_schema(name)
    payload = merge(minimal(schema, schema), fields)
    problems = webhook_errors(name, payload)
    assert not problems, (name, problems[:5])
    return payload
