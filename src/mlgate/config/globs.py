"""Model path globs, where `**` spans directories: matched by a set-of-states simulation (no
regex backtracking), and refused when too long or too wild."""

from __future__ import annotations

import functools

from mlgate.errors import ConfigError

MAX_GLOB_LENGTH = 256
MAX_GLOB_WILDCARDS = 16


def glob_matches(pattern: str, path: str) -> bool:
    """Match a repo-relative path against a glob where `**` spans directories.

    A set-of-states simulation (no regex backtracking): time grows with pattern length times
    path length, whatever the pattern (`**/**/**/…a` or `*a*a*a…b` cannot stall the gate)."""
    check_glob(pattern)
    tokens = _glob_tokens(pattern)
    states = _closure({0}, tokens)
    for char in path.removeprefix("./"):
        states = _closure(_step(states, tokens, char), tokens)
        if not states:
            return False
    return 2 * len(tokens) in states


def glob_may_match_under(pattern: str, folder: str) -> bool:
    """Whether some path inside `folder` could match the glob (a prefix the pattern can still
    continue from): `models/*/resnet*.onnx` may match inside `models/v2`, not inside `data`."""
    check_glob(pattern)
    tokens = _glob_tokens(pattern)
    states = _closure({0}, tokens)
    for char in folder.removeprefix("./").rstrip("/") + "/":
        states = _closure(_step(states, tokens, char), tokens)
    return any(state < 2 * len(tokens) for state in states)


def check_glob(pattern: str) -> None:
    """Refuse globs long or wild enough to make matching slow (raises ConfigError)."""
    wildcards = len(
        [t for t in _glob_tokens(pattern) if t in (_STAR, _ANY, _GLOBSTAR, _GLOBSTAR_DIR)]
    )
    if len(pattern) > MAX_GLOB_LENGTH or wildcards > MAX_GLOB_WILDCARDS:
        raise ConfigError(
            f"glob '{pattern[:60]}…' is too complex ({len(pattern)} characters, {wildcards} "
            f"wildcards; at most {MAX_GLOB_LENGTH} and {MAX_GLOB_WILDCARDS}): simplify it"
        )


# Tokens: a literal character, or one of these. State 2*i is "before token i"; 2*i + 1 is
# "inside token i" (only `**/`, which must end with a slash once it consumed anything).
_STAR, _ANY, _GLOBSTAR, _GLOBSTAR_DIR = "*", "?", "**", "**/"


@functools.lru_cache(maxsize=256)
def _glob_tokens(pattern: str) -> tuple[str, ...]:
    tokens: list[str] = []
    i = 0
    while i < len(pattern):
        for token in (_GLOBSTAR_DIR, _GLOBSTAR, _STAR, _ANY):
            if pattern.startswith(token, i):
                break
        else:
            token = pattern[i]
        tokens.append(token)
        i += len(token)
    return tuple(tokens)


def _closure(states: set[int], tokens: tuple[str, ...]) -> set[int]:
    """Add every state reachable without consuming a character."""
    todo, seen = list(states), set(states)
    while todo:
        state = todo.pop()
        if state % 2 or state // 2 >= len(tokens):
            continue
        index = state // 2
        reachable = [2 * index + 2]  # every wildcard matches the empty string
        if tokens[index] == _GLOBSTAR_DIR:
            reachable.append(2 * index + 1)
        elif tokens[index] not in (_STAR, _GLOBSTAR):
            reachable = []
        for nxt in reachable:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _step(states: set[int], tokens: tuple[str, ...], char: str) -> set[int]:
    nxt: set[int] = set()
    for state in states:
        index = state // 2
        if index >= len(tokens):
            continue
        token = tokens[index]
        if state % 2:  # inside `**/`: anything, then a slash ends it
            nxt.add(state)
            if char == "/":
                nxt.add(2 * index + 2)
        elif token == _GLOBSTAR or (token == _STAR and char != "/"):
            nxt.add(state)
        elif (token == _ANY and char != "/") or token == char:
            nxt.add(2 * index + 2)
    return nxt
