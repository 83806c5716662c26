"""Issue #21: the tests mirror the source module by module.

`src/mlgate/<pkg>/<mod>.py` is tested in `tests/<pkg>/test_<mod>.py`; a top-level
`src/mlgate/<mod>.py` in `tests/test_<mod>.py`. Package `__init__.py` files re-export and
have no mirror of their own; `__main__.py` is tested in `tests/test_main.py`.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "mlgate"
TESTS = ROOT / "tests"

# Modules that have no mirror test file yet, each with a comment saying where it is tested
# meanwhile. Empty: every module has its mirror (issue #21); an entry is only for a module
# added without one. The set only shrinks: an entry whose mirror file exists (or whose module is
# gone) fails `test_known_gaps_only_shrink` until it is removed here.
KNOWN_GAPS: frozenset[str] = frozenset()


def mirror_of(module: Path) -> Path:
    """The test file that mirrors `module` (a path relative to src/mlgate)."""
    if module.as_posix() == "__main__.py":
        return TESTS / "test_main.py"
    return TESTS / module.parent / f"test_{module.name}"


def modules() -> list[Path]:
    """Every source module that should have a mirror: all but package `__init__.py` files."""
    return sorted(p.relative_to(SRC) for p in SRC.rglob("*.py") if p.name != "__init__.py")


def test_the_mirror_of_a_module_follows_the_convention():
    assert mirror_of(Path("gate/budget.py")) == TESTS / "gate" / "test_budget.py"
    assert mirror_of(Path("errors.py")) == TESTS / "test_errors.py"
    assert mirror_of(Path("bench/runtimes/base.py")) == TESTS / "bench/runtimes/test_base.py"
    assert mirror_of(Path("__main__.py")) == TESTS / "test_main.py"


def test_the_module_list_sees_the_source_tree():
    names = {m.as_posix() for m in modules()}
    assert {"cli.py", "gate/budget.py", "__main__.py"} <= names
    assert not any(name.endswith("__init__.py") for name in names)


def test_every_source_module_has_its_mirror_test_file():
    missing = sorted(m.as_posix() for m in modules() if not mirror_of(m).is_file())
    assert [m for m in missing if m not in KNOWN_GAPS] == [], (
        "write the mirror test file (tests/<pkg>/test_<mod>.py) for these modules"
    )


def stale_gaps(gaps: frozenset[str]) -> list[str]:
    """The entries of `gaps` that are no gap: the module has its mirror file, or is gone."""
    names = {m.as_posix() for m in modules()}
    return sorted(g for g in gaps if g not in names or mirror_of(Path(g)).is_file())


def test_a_gap_is_stale_once_mirrored_or_gone():
    assert stale_gaps(frozenset({"gate/budget.py", "gone.py"})) == ["gate/budget.py", "gone.py"]


def test_known_gaps_only_shrink():
    assert stale_gaps(KNOWN_GAPS) == [], (
        "these modules now have a mirror file (or are gone): drop them from KNOWN_GAPS"
    )
