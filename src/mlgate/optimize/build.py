"""Build one variant: apply a recipe's passes in order, each in a fresh file, in a child
process with a time limit. A pass that raises is recorded with its error and the search goes
on; a pass that hangs is killed; a pass that silently changes nothing is reported as such.
The child is the gate's own isolation runner (mlgate.isolation), as for measuring."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import onnx

from mlgate.isolation import ChildChannel, ChildLimits, IsolationError, run_isolated
from mlgate.optimize.model_contents import effect, op_counts
from mlgate.optimize.pass_api import Pass, PassContext
from mlgate.progress import NoProgress

_PRELOAD = ("onnxruntime.quantization",)  # runtime libraries the forkserver imports once
QUANTIZING = ("dynamic-", "static-", "fp16")


@dataclass(frozen=True)
class Recipe:
    """A named pipeline of passes."""

    name: str
    passes: tuple[Pass, ...]

    @property
    def pass_names(self) -> list[str]:
        return [p.name for p in self.passes]


@dataclass(frozen=True)
class Built:
    status: Literal["built", "skipped", "failed"]
    path: Path | None
    reason: str = ""
    seconds: float = 0.0


def _one_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


def apply_recipe(
    source: Path,
    destination: Path,
    recipe: Recipe,
    context: PassContext,
    require_change: bool = True,
) -> str:
    """Run the passes; returns "" when built, else the reason it was skipped. The passes run
    inside a temporary folder: onnxruntime's symbolic shape inference, when it cannot
    finish, saves `sym_shape_infer_temp.onnx` and its weights into the working directory,
    which would otherwise be the user's checkout."""
    source, destination = source.resolve(), destination.resolve()
    with tempfile.TemporaryDirectory(prefix="mlgate-pass-") as tmp, _working_directory(tmp):
        current = source
        for index, step in enumerate(recipe.passes):
            before = onnx.load(str(current), load_external_data=False)
            reason = step.supports(before, context)
            if reason:
                return f"{step.name}: {reason}"
            out = Path(tmp) / f"{index}.onnx"
            step.apply(current, out, context)
            if not out.is_file():
                return f"{step.name}: wrote no model"
            if step.name.startswith(QUANTIZING):
                after = onnx.load(str(out), load_external_data=False)
                if (no_op := effect(before, after)) is not None:
                    return f"{step.name}: {no_op}"
            current = out
        if current == source:
            return "empty recipe"
        original = onnx.load(str(source), load_external_data=False)
        after = onnx.load(str(current), load_external_data=False)
        if require_change and effect(original, after) is not None:
            return "the recipe left the graph unchanged: nothing to measure"
        shutil.copyfile(current, destination)
    return ""


@contextlib.contextmanager
def _working_directory(folder: str) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def quiet() -> None:
    """The quantizer and optimizers log and print freely; the child's output goes nowhere."""
    logging.getLogger().setLevel(logging.ERROR)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def _child(
    channel: ChildChannel,
    source: Path,
    destination: Path,
    recipe: Recipe,
    context: PassContext,
    require_change: bool,
) -> None:
    quiet()
    try:
        reason = apply_recipe(source, destination, recipe, context, require_change)
        channel.snapshot(("skipped", reason) if reason else ("built", ""))
    except BaseException as exc:  # a pass's own failure: recorded, not raised
        channel.snapshot(failure(exc))


def failure(exc: BaseException) -> tuple[str, str]:
    """A child's exception as its ("failed", reason) message: one line, and where it was
    raised."""
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" ({Path(last[0].filename).name}:{last[0].lineno})" if last else ""
    return ("failed", _one_line(f"{type(exc).__name__}: {exc}") + where)


def build(
    source: Path,
    destination: Path,
    recipe: Recipe,
    context: PassContext,
    timeout: float,
    require_change: bool = True,
) -> Built:
    """Apply the recipe in an isolated child (the gate's runner) with a time limit."""
    return build_in_child(
        _child,
        (source, destination, recipe, context, require_change),
        destination,
        timeout,
        (f"building {recipe.name}", "the pass"),
        _PRELOAD,
    )


def build_in_child(
    child: Callable[..., None],
    args: tuple[object, ...],
    destination: Path,
    timeout: float,
    names: tuple[str, str],
    preload: tuple[str, ...],
) -> Built:
    """Run `child(channel, *args)` in the isolated runner with a time limit; its last
    ("built" | "skipped" | "failed", reason) message is the result. `names`: what the
    progress calls the step, and what crashed when the child dies."""
    step, builder = names
    started = time.monotonic()
    messages: list[tuple[str, str]] = []
    try:
        run_isolated(
            child, args, ChildLimits(timeout), step, NoProgress(), messages.append, preload
        )
    except IsolationError as exc:
        seconds = time.monotonic() - started
        if exc.cause == "timeout":
            return Built("failed", None, f"timed out after {timeout:.0f} s (killed)", seconds)
        return Built("failed", None, f"{builder} crashed ({exc.how or exc})", seconds)
    seconds = time.monotonic() - started
    if not messages:
        return Built("failed", None, f"{builder} ended without a result", seconds)
    status, reason = messages[-1]
    if status == "built":
        return Built("built", destination, "", seconds)
    return Built(status, None, reason, seconds)  # type: ignore[arg-type]


def nodes_by_type(path: Path) -> dict[str, int]:
    return dict(op_counts(onnx.load(str(path), load_external_data=False)))
