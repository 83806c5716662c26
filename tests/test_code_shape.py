"""The shape of the source, checked: small modules and short functions (parser specs
included), so that each piece can be read whole."""

from __future__ import annotations

import ast
import statistics
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "mlgate"
MAX_FUNCTION_LINES = 60
MAX_MEDIAN_FILE_LINES = 100


def _sources() -> dict[str, str]:
    return {p.relative_to(SRC).as_posix(): p.read_text() for p in sorted(SRC.rglob("*.py"))}


def long_functions(sources: dict[str, str], limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """`path:line name (N lines)` for every function or method longer than `limit` lines."""
    found = []
    for name, text in sources.items():
        for node in ast.walk(ast.parse(text, name)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > limit:
                    found.append(f"{name}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_is_over_sixty_lines():
    assert long_functions(_sources()) == []


def test_the_median_source_file_is_at_most_a_hundred_lines():
    sizes = [len(text.splitlines()) for text in _sources().values()]
    assert statistics.median(sizes) <= MAX_MEDIAN_FILE_LINES


def test_the_function_check_counts_decorators_out_and_bodies_in():
    body = "\n".join(f"    x{i} = {i}" for i in range(60))
    text = f"@decorated\ndef long():\n{body}\n\ndef short():\n    return 1\n"
    assert long_functions({"m.py": text}) == ["m.py:2 long (61 lines)"]
    assert long_functions({"m.py": text}, limit=61) == []
