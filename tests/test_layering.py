"""The design's layering rules, checked on the source: they cannot silently erode."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "mlgate"


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(SRC).as_posix(), ast.parse(path.read_text(), str(path)))
        for path in sorted(SRC.rglob("*.py"))
    ]


def _imports(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


_MODULE_NAME = re.compile(r"mlgate(\.[A-Za-z_]\w*)+")


def _named_modules(tree: ast.Module) -> set[str]:
    """Module names given as strings (preloads, importlib, `-m` targets): imports no import
    statement shows."""
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _MODULE_NAME.fullmatch(node.value)
    }


@pytest.mark.parametrize("runtime", ["onnxruntime", "openvino", "nncf"])
def test_model_runtimes_only_in_bench_and_optimize(runtime):
    offenders = [
        name
        for name, tree in _modules()
        if any(i.split(".")[0] == runtime for i in _imports(tree) | _imported_by_name(tree))
        and not name.startswith(("bench/", "optimize/"))
    ]
    assert offenders == []


def _imported_by_name(tree: ast.Module) -> set[str]:
    """Modules imported with importlib.import_module("name") (the runtimes' registry)."""
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "import_module"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def test_no_print_outside_front_ends():
    offenders = [
        name
        for name, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "print"
    ]
    assert offenders == []


def test_pure_layers_do_no_io():
    """compare/ and render/ import nothing that reaches the network, git or a runtime."""
    forbidden = {"subprocess", "onnxruntime", "mlgate.git", "mlgate.bench", "urllib", "http"}
    for name, tree in _modules():
        if name.startswith(("compare/", "render/", "results/schema")):
            hits = {
                i for i in _imports(tree) if any(i == f or i.startswith(f + ".") for f in forbidden)
            }
            assert not hits, (name, hits)


LOWER = ("bench/", "model/", "compare/", "render/", "results/", "optimize/", "isolation")


def test_lower_layers_never_import_commands_or_front_ends():
    """Also by name: a string such as a forkserver preload is an import no checker sees."""
    for name, tree in _modules():
        if name.startswith(LOWER):
            named = _imports(tree) | _named_modules(tree)
            upward = {i for i in named if i.startswith(("mlgate.commands", "mlgate.cli"))}
            assert not upward, (name, upward)


def test_the_string_check_sees_a_preload_by_name():
    tree = ast.parse('_PRELOAD = ["mlgate.commands.compare"]\nX = "a mlgate.commands note"')
    assert _named_modules(tree) == {"mlgate.commands.compare"}


def test_network_only_in_github():
    """PyGithub and requests (the network) are imported only by github/."""
    for name, tree in _modules():
        if name.startswith("github/"):
            continue
        hits = {i for i in _imports(tree) if i.split(".")[0] in {"github", "requests", "urllib3"}}
        assert not hits, (name, hits)
