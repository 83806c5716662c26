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
    """Every module imported, including `from mlgate import git` as `mlgate.git`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
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


# The layers, top to bottom: a module may use its own layer and those below, never above.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("cli", "action", "terminal", "__main__"),  # front ends: parse, print, exit codes
    ("commands",),  # thin adapters: arguments (or Action inputs) to a service call
    ("gate", "deploy"),  # the services (gate: plan -> measure -> judge -> report; deploy:
    # the Python API that loads a recorded deployment)
    (  # the domain: pure verdict logic, measuring, building, rendering, the I/O edges
        "compare", "bench", "optimize", "render", "github", "model",
        "config", "git", "dvc", "isolation", "isolation_server", "progress", "error_handler",
    ),
    ("results", "errors", "machine_memory", "demo", "", "__init__"),  # records at the bottom
)  # fmt: skip


def _module(name: str) -> str | None:
    """The module of ours that `name` is or is in (`mlgate.gate.plan.Plan` -> `mlgate.gate.plan`);
    None when it is not ours."""
    parts = name.split(".")
    if parts[0] != "mlgate":
        return None
    found, folder = "mlgate", SRC
    for part in parts[1:]:
        if (folder / part).is_dir():
            folder = folder / part
        elif not (folder / f"{part}.py").is_file():
            break
        found += "." + part
    return found


def _layer(name: str) -> int | None:
    """The layer of a module of ours, or of a name in one (None: not ours)."""
    module = _module(name)
    if module is None:
        return None
    head = module.split(".")[1] if "." in module else ""
    return next(i for i, names in enumerate(LAYERS) if head in names)


def test_every_module_has_a_layer():
    for name, _ in _modules():
        assert _layer("mlgate." + name.removesuffix(".py").replace("/", ".")) is not None, name


def test_no_module_uses_a_layer_above_it_not_even_by_name():
    offenders = []
    for name, tree in _modules():
        own = _layer("mlgate." + name.removesuffix(".py").replace("/", "."))
        assert own is not None
        for used in _imports(tree) | _named_modules(tree):
            layer = _layer(used)
            if layer is not None and layer < own:
                offenders.append((name, used))
    assert offenders == []


def test_no_command_imports_another_command():
    """Commands share only their argument helpers; anything else they share is a service."""
    for name, tree in _modules():
        if name.startswith("commands/"):
            own = "mlgate." + name.removesuffix(".py").replace("/", ".")
            modules = {_module(i) for i in _imports(tree) | _named_modules(tree)}
            used = {m for m in modules if m and m.startswith("mlgate.commands.") and m != own}
            assert used <= {"mlgate.commands.arguments"}, (name, used)


def test_the_layer_check_sees_an_upward_import():
    tree = ast.parse("from mlgate.gate import service\nimport mlgate.cli")
    assert {_layer(i) for i in _imports(tree)} == {2, 0}
    assert _layer("mlgate.__version__") == len(LAYERS) - 1  # the package itself: the bottom
    assert _layer("numpy") is None


def _tree(path: str) -> ast.Module:
    return ast.parse((SRC / path).read_text())


def test_the_walk_from_compare_arguments_to_the_verdict_is_five_modules_down():
    """cli.py -> commands/compare.py -> gate/service.py -> gate/judge.py -> compare/compare.py:
    each step names the next, and each is in the same or a lower layer."""
    walk = [
        "cli.py",
        "commands/compare.py",
        "gate/service.py",
        "gate/judge.py",
        "compare/compare.py",
    ]
    modules = ["mlgate." + p.removesuffix(".py").replace("/", ".") for p in walk]
    for here, there in zip(walk, modules[1:], strict=False):
        tree = _tree(here)
        assert there in _imports(tree) | _named_modules(tree), (here, there)
    layers = [_layer(m) for m in modules]
    assert layers == sorted(layers)  # type: ignore[type-var]
    verdict_makers = {
        node.name for node in _tree("compare/compare.py").body if isinstance(node, ast.FunctionDef)
    }
    assert "evaluate_target" in verdict_makers
