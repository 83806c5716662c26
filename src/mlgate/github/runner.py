"""The Actions runner's file and stdout protocols: step outputs, the job summary, workflow
commands (annotations, masking) and inputs. No network."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

from mlgate.render.markdown import truncate_markdown

SUMMARY_LIMIT = 1024 * 1024  # GitHub rejects a step summary over 1 MiB
_SUMMARY_TRUNCATED = (
    "\n\n… job summary truncated at GitHub's 1 MiB limit; see the results artifact.\n"
)


def escape_data(text: str) -> str:
    """A workflow command's message: the runner decodes %25, %0D and %0A."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (`file=`, `title=`): also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class WorkflowCommand(str):
    """A line that is one of our own workflow commands, built by `command`: front ends print
    it as is, and neutralise every other line (`render.untrusted.neutralise_commands`)."""


def command(name: str, message: str, **properties: str | int) -> WorkflowCommand:
    """`::name key=value,...::message`, every part escaped."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return WorkflowCommand(f"::{name}{' ' + props if props else ''}::{escape_data(message)}")


def mask(secret: str) -> WorkflowCommand:
    """Tell the runner to redact `secret` from every later log line."""
    return command("add-mask", secret)


def stop_commands() -> tuple[WorkflowCommand, WorkflowCommand]:
    """Lines around text that must not be read as workflow commands (it quotes the PR):
    `::stop-commands::TOKEN` ... `::TOKEN::`. The token is random, so the text cannot end it."""
    token = secrets.token_hex(16)
    return WorkflowCommand(f"::stop-commands::{token}"), WorkflowCommand(f"::{token}::")


def input_value(env: Mapping[str, str], name: str, default: str = "") -> str:
    """An action input: the runner passes `with: {name: ...}` as INPUT_<NAME> (upper case,
    spaces as underscores; hyphens would be kept, which `/bin/sh` cannot read)."""
    return env.get(f"INPUT_{name.replace(' ', '_').upper()}", default).strip() or default


def write_outputs(path: Path, outputs: Mapping[str, str]) -> None:
    """Append step outputs to $GITHUB_OUTPUT, each in the multiline-safe heredoc form."""
    with path.open("a", encoding="utf-8") as handle:
        for name, value in outputs.items():
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
            while delimiter in value:  # astronomically unlikely; never ambiguous
                delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
            handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def append_summary(path: Path, markdown: str) -> None:
    """Append to $GITHUB_STEP_SUMMARY, keeping the file under GitHub's 1 MiB limit. A cut
    falls on a line boundary (`truncate_markdown`): never inside an escape or code span."""
    used = path.stat().st_size if path.exists() else 0
    room = SUMMARY_LIMIT - used
    if room <= 0:
        return
    text, limit = markdown, room  # characters; UTF-8 needs at least as many bytes
    while len(text.encode("utf-8")) > room:
        text = truncate_markdown(markdown, limit, _SUMMARY_TRUNCATED)
        limit -= max(1, len(text.encode("utf-8")) - room)
    with path.open("ab") as handle:
        handle.write(text.encode("utf-8"))
