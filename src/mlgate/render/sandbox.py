"""A Jinja sandbox with budgets, for templates that come from a user (read from the base
branch). Jinja's own sandbox stops attribute tricks but not a template that loops 10^12
times, builds a gigantic string, or recurses: this one counts every loop step, call,
filter and operator against a budget and a cooperative deadline, refuses operations whose
result would be huge *before* it is built, and caps the depth of macro calls.

A render in a thread cannot be killed, so the limits are checked inside the render itself;
every way past them raises `TemplateBudgetError` (a `jinja2.sandbox.SecurityError`)."""

from __future__ import annotations

import functools
import itertools
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass
from typing import Any

import jinja2
import jinja2.sandbox
import jinja2.utils
from jinja2 import nodes
from jinja2.exceptions import SecurityError


@dataclass(frozen=True)
class RenderLimits:
    steps: int = 1_000_000  # loop iterations + calls + filters + operators
    seconds: float = 5.0  # checked at every step
    depth: int = 64  # nested calls (macro recursion)
    size: int = 256 * 1024  # characters (or items) of any value built along the way
    output: int = 4_000_000  # characters written in all, `set` blocks and macros included
    width: int = 100_000  # a number given as a width, count or precision
    source: int = 256 * 1024  # characters of template source


class TemplateBudgetError(SecurityError):
    """A user template went past a render limit."""


_SIZED = (str, bytes, list, tuple, dict, set, frozenset)
# printf-style and str.format specs with a `*` width or a width/precision of 5+ digits
_PRINTF_WIDE = re.compile(r"%[^a-zA-Z%]*(?:\*|\d{5,})")
_FORMAT_WIDE = re.compile(r"\{[^{}]*(?:\d{5,}|\{)")
_WIDTH_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})


def _size(value: Any) -> int:
    return len(value) if isinstance(value, Sized) else 1


class BudgetedSandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """ImmutableSandboxedEnvironment (no list/dict mutation) plus `RenderLimits`.
    Call `start()` before each render: it resets the budget and the deadline."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, limits: RenderLimits | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.limits = limits or RenderLimits()
        self._steps = 0
        self._depth = 0
        self._deadline = float("inf")
        self.globals["range"] = self._range
        self.globals["namespace"] = _bounded_namespace(self)
        self.globals.pop("lipsum", None)
        self._output = 0

    def guard_filters(self) -> None:
        """Wrap every filter (call after adding your own), then add the budget's own."""
        self.filters = {name: self._guard_filter(f) for name, f in self.filters.items()}
        self.filters["mlgate_counted"] = self._counted
        self.filters["mlgate_written"] = self._written
        self.filters["mlgate_literal"] = self._literal
        self.filters["mlgate_concat"] = self._concat

    # ---- budget ------------------------------------------------------------------------

    def start(self) -> None:
        self._steps, self._depth, self._output = 0, 0, 0
        self._deadline = time.monotonic() + self.limits.seconds

    def tick(self) -> None:
        self._steps += 1
        if self._steps > self.limits.steps:
            raise TemplateBudgetError(f"the template took over {self.limits.steps:,} steps")
        if time.monotonic() > self._deadline:
            raise TemplateBudgetError(f"the template took over {self.limits.seconds:g} s")

    def check_size(self, value: Any, what: str) -> Any:
        if _size(value) > self.limits.size:
            raise TemplateBudgetError(f"{what} would exceed {self.limits.size:,} characters")
        return value

    # ---- loops, ranges, namespaces ------------------------------------------------------

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        if len(source) > self.limits.source:
            raise TemplateBudgetError(f"the template is over {self.limits.source:,} characters")
        tree = super()._parse(source, name, filename)
        _instrument(tree)
        return tree

    @jinja2.pass_context  # never folded into a constant at compile time
    def _counted(self, _context: Any, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.tick()
            yield item

    @jinja2.pass_context  # never folded into a constant at compile time
    def _written(self, _context: Any, value: Any) -> Any:
        self._count_output(len(str(value)))
        return value

    def _count_output(self, characters: int) -> None:
        """Everything a template writes (to the page, a `set` block or a macro) counts."""
        self.tick()
        self._output += characters
        if self._output > self.limits.output:
            raise TemplateBudgetError(f"the template wrote over {self.limits.output:,} characters")

    @jinja2.pass_context  # never folded into a constant at compile time
    def _literal(self, _context: Any, value: Any, characters: int) -> Any:
        self._count_output(characters)
        return value

    @jinja2.pass_eval_context
    def _concat(self, eval_ctx: Any, first: Any, *rest: Any) -> str:
        """`a ~ b ~ c`, checked part by part before it is joined."""
        total = 0
        for part in (first, *rest):
            total += len(str(part))
            self.check_size(range(total), "a concatenation")
        return (jinja2.runtime.markup_join if eval_ctx.autoescape else jinja2.runtime.str_join)(
            (first, *rest)
        )

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        if len(numbers) > self.limits.width:
            raise TemplateBudgetError(f"range() of over {self.limits.width:,} numbers")
        return numbers

    # ---- calls, filters, operators ------------------------------------------------------

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.tick()
        for arg in (*args, *kwargs.values()):
            __self.check_size(arg, "a call's argument")
        __self._check_method(__obj, args)
        if __self._depth >= __self.limits.depth:
            raise TemplateBudgetError(f"calls nested over {__self.limits.depth} deep (recursion?)")
        __self._depth += 1
        try:
            result = super().call(__context, __obj, *args, **kwargs)
        finally:
            __self._depth -= 1
        return __self.check_size(result, "a call's result")

    def _check_method(self, obj: Any, args: tuple[Any, ...]) -> None:
        method = getattr(obj, "__wrapped__", obj)
        owner, name = getattr(method, "__self__", None), getattr(method, "__name__", "")
        if isinstance(owner, str):
            if name in _WIDTH_METHODS and any(isinstance(a, int) for a in args):
                self._check_width(max(a for a in args if isinstance(a, int)))
            if name in ("format", "format_map") and _FORMAT_WIDE.search(owner):
                raise TemplateBudgetError("a format width or precision of 5 digits or more")
        self._check_product(owner, args)

    def _check_width(self, number: Any) -> None:
        wide = isinstance(number, int) and abs(number) > self.limits.width
        if wide and not isinstance(number, bool):
            raise TemplateBudgetError(f"a width or count of {number} (over the limit)")

    def _check_product(self, value: Any, args: Iterable[Any]) -> None:
        """`replace`, `join`, `indent`: the result grows with the value times an argument."""
        for arg in args:
            if isinstance(arg, _SIZED) and _size(arg) * max(_size(value), 1) > self.limits.size:
                raise TemplateBudgetError("an argument would make a gigantic result")

    def _guard_filter(self, function: Callable[..., Any]) -> Callable[..., Any]:
        skip = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0

        @functools.wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            if len(args) > skip and isinstance(args[skip], Iterator):  # map(), select()
                args = (*args[:skip], self._materialized(args[skip]), *args[skip + 1 :])
            value, rest = (args[skip], args[skip + 1 :]) if len(args) > skip else (None, ())
            extra = [*rest, *kwargs.values()]
            for arg in extra:
                self._check_width(arg)
            self._check_product(value, extra)
            printf = value if function.__name__ == "do_format" and isinstance(value, str) else ""
            if _PRINTF_WIDE.search(printf):
                raise TemplateBudgetError("a format width or precision of 5 digits or more")
            return self.check_size(function(*args, **kwargs), "a filter's result")

        return guarded

    def _materialized(self, items: Iterator[Any]) -> list[Any]:
        """A lazy filter chain as a list, so that its length can be checked."""
        listed = list(itertools.islice(items, self.limits.size + 1))
        return self.check_size(listed, "a sequence")  # type: ignore[no-any-return]

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.tick()
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and max(abs(left).bit_length(), 1) * right > 8192:
                raise TemplateBudgetError("a power with a gigantic result")
        elif operator == "*":
            self._check_multiply(left, right)
        elif operator == "%" and isinstance(left, str) and _PRINTF_WIDE.search(left):
            raise TemplateBudgetError("a format width or precision of 5 digits or more")
        elif operator == "+" and isinstance(left, _SIZED) and isinstance(right, _SIZED):
            self.check_size(range(_size(left) + _size(right)), "a concatenation")
        return self.check_size(super().call_binop(context, operator, left, right), "a result")

    def _check_multiply(self, left: Any, right: Any) -> None:
        for seq, count in ((left, right), (right, left)):
            if (
                isinstance(seq, _SIZED)
                and isinstance(count, int)
                and _size(seq) * count > self.limits.size
            ):
                raise TemplateBudgetError("a repetition with a gigantic result")
        both = isinstance(left, int) and isinstance(right, int)
        if both and abs(left).bit_length() + abs(right).bit_length() > 16384:
            raise TemplateBudgetError("a product with a gigantic result")


def _filter(node: nodes.Expr, name: str, *args: nodes.Expr) -> nodes.Filter:
    return nodes.Filter(node, name, list(args), [], None, None, lineno=node.lineno)


def _instrument(node: nodes.Node) -> None:
    """Route loops, `~` and everything written through the budget (an AST rewrite)."""
    for field in node.fields:
        value = getattr(node, field, None)
        if isinstance(value, list):
            setattr(node, field, [_rewritten(node, item) for item in value])
        elif isinstance(value, nodes.Node):
            setattr(node, field, _rewritten(node, value))
    if isinstance(node, nodes.For):
        node.iter = _filter(node.iter, "mlgate_counted")  # type: ignore[arg-type]
    elif isinstance(node, nodes.Output):
        literal = sum(len(n.data) for n in node.nodes if isinstance(n, nodes.TemplateData))
        written = [
            n if isinstance(n, nodes.TemplateData) else _filter(n, "mlgate_written")
            for n in node.nodes
        ]
        count = _filter(nodes.Const(""), "mlgate_literal", nodes.Const(literal))
        node.nodes = [count, *written]


def _rewritten(parent: nodes.Node, child: Any) -> Any:
    if not isinstance(child, nodes.Node):
        return child
    _instrument(child)
    if isinstance(child, nodes.Concat) and child.nodes:
        first, *rest = child.nodes
        return _filter(first, "mlgate_concat", *rest)
    return child


def _bounded_namespace(env: BudgetedSandbox) -> type[jinja2.utils.Namespace]:
    class BoundedNamespace(jinja2.utils.Namespace):
        """`{% set ns.x = ns.x ~ ns.x %}` in a loop doubles a string: sizes are checked."""

        def __setitem__(self, name: str, value: Any) -> None:
            env.tick()
            super().__setitem__(name, env.check_size(value, f"namespace value '{name}'"))

    return BoundedNamespace


def render_bounded(template: jinja2.Template, cap: int, **context: Any) -> str:
    """Render with a fresh budget, stopping once the output passes `cap` characters (what
    comes back is then `cap + 1` long, so a caller that fits to `cap` truncates it)."""
    env = template.environment
    if isinstance(env, BudgetedSandbox):
        env.start()
    parts: list[str] = []
    total = 0
    for chunk in template.generate(**context):
        parts.append(chunk)
        total += len(chunk)
        if total > cap:
            break
    return "".join(parts)[: cap + 1]
