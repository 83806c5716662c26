"""How much memory a child measuring a model may use: derived from the machine (physical RAM,
or the cgroup's limit when lower) unless the config says, and never above the machine."""

from __future__ import annotations

import logging
from pathlib import Path

# The runtime's own address space (thread stacks, arenas, libraries) on top of the limit.
RUNTIME_HEADROOM_MB = 4096
_SMALLEST_DEFAULT_MB = 1024
_LOG = logging.getLogger(__name__)


def _meminfo_total_mb(meminfo: Path) -> int | None:
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024  # kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_limit_mb(cgroup_root: Path) -> int | None:
    """cgroup v2 `memory.max`, else v1 `memory/memory.limit_in_bytes`; None when unlimited."""
    for name in ("memory.max", "memory/memory.limit_in_bytes"):
        try:
            text = (cgroup_root / name).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:  # v1 writes a huge number for "unlimited"
            return int(text) // (1024 * 1024)
    return None


def machine_memory_mb(
    meminfo: Path = Path("/proc/meminfo"), cgroup_root: Path = Path("/sys/fs/cgroup")
) -> int | None:
    """The memory this process can have: RAM, or the cgroup's limit when lower (None: unknown,
    e.g. not Linux)."""
    known = [v for v in (_meminfo_total_mb(meminfo), _cgroup_limit_mb(cgroup_root)) if v]
    return min(known) if known else None


def effective_memory_mb(
    configured: int | None,
    meminfo: Path = Path("/proc/meminfo"),
    cgroup_root: Path = Path("/sys/fs/cgroup"),
    warn: bool = True,
) -> int:
    """`limits.memory_mb` as applied: unset means the machine's memory minus the runtime's
    headroom; 0 means no limit; a value above the machine is capped, with a warning."""
    machine = machine_memory_mb(meminfo, cgroup_root)
    if configured == 0:
        return 0
    if machine is None:
        return configured or 0  # unknown machine: the configured value, or no limit
    most = max(machine - RUNTIME_HEADROOM_MB, min(_SMALLEST_DEFAULT_MB, machine // 2))
    if configured is None:
        return most
    if configured > most:
        if not warn:
            return most
        _LOG.warning(
            "limits.memory_mb %d is more than this machine has (%d MB, less %d MB for the "
            "runtime); using %d",
            configured,
            machine,
            RUNTIME_HEADROOM_MB,
            most,
        )
        return most
    return configured
