"""Energy meters: RAPL through the powercap sysfs, NVML on NVIDIA GPUs, and an estimate from
CPU time. Each reads cumulative joules; `delta` turns two readings into the energy between
them. Readers take an injectable root (RAPL) or module (NVML) so tests run on fixtures.

RAPL: every top-level `package-N` zone and every `dram` subzone is read (core/uncore are
inside the package; psys overlaps it). A counter wraps at `max_energy_range_uj`. Since
Linux 5.10 the counters are readable by root only (CVE-2020-8694)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

POWERCAP_ROOT = Path("/sys/class/powercap")


class MeterUnavailable(Exception):
    """No usable meter; the message says why, in one line."""


class Meter(Protocol):
    method: str  # "rapl" | "nvml" | "estimated"
    detail: str

    def read(self) -> tuple[float, ...]: ...

    def joules(self, start: tuple[float, ...], end: tuple[float, ...]) -> float: ...


@dataclass(frozen=True)
class RaplDomain:
    name: str  # "package-0", "dram"
    energy_file: Path
    max_range_uj: int


def _read_text(path: Path) -> str:
    return path.read_text()


def _read_int(path: Path, read: Callable[[Path], str] = _read_text) -> int:
    return int(read(path).strip())


def _domain(zone: Path) -> RaplDomain:
    name = (zone / "name").read_text().strip()
    try:
        max_range = _read_int(zone / "max_energy_range_uj")
    except (OSError, ValueError):
        max_range = 0
    return RaplDomain(name=name, energy_file=zone / "energy_uj", max_range_uj=max_range)


def find_rapl_domains(root: Path = POWERCAP_ROOT) -> list[RaplDomain]:
    """Package zones and their dram subzones, in a stable order."""
    if not root.is_dir():
        return []
    domains = []
    for zone in sorted(root.glob("intel-rapl:*")):
        if zone.name.count(":") != 1 or not (zone / "name").is_file():
            continue
        top = _domain(zone)
        if top.name.startswith("package"):
            domains.append(top)
            for sub in sorted(zone.glob(f"{zone.name}:*")):
                if (sub / "name").is_file() and _domain(sub).name == "dram":
                    domains.append(_domain(sub))
    return domains


def counter_delta(start: int, end: int, max_range: int) -> int:
    """Microjoules between two readings of a counter that wraps at `max_range`."""
    if end >= start:
        return end - start
    if max_range <= 0:
        raise MeterUnavailable("a RAPL counter went backwards and has no max_energy_range_uj")
    return end + max_range - start


class RaplMeter:
    method = "rapl"

    def __init__(
        self, root: Path = POWERCAP_ROOT, read: Callable[[Path], str] = _read_text
    ) -> None:
        """`read` is the file read, injectable because root reads every file regardless
        of its mode (tests of unreadable counters)."""
        self._read = read
        domains = find_rapl_domains(root)
        if not domains:
            raise MeterUnavailable(f"no RAPL package domain under {root}")
        readable, problems = [], []
        for domain in domains:
            try:
                _read_int(domain.energy_file, read)
            except PermissionError:
                problems.append(f"{domain.name}: permission denied")
            except (OSError, ValueError) as exc:
                problems.append(f"{domain.name}: {type(exc).__name__}")
            else:
                readable.append(domain)
        if not any(d.name.startswith("package") for d in readable):
            raise MeterUnavailable(
                f"RAPL counters under {root} are not readable ({'; '.join(problems)}); since "
                "Linux 5.10 only root can read energy_uj: run the job as root or grant read access"
            )
        self.domains = readable
        self.detail = "+".join(d.name for d in readable)
        self.unreadable = problems

    def read(self) -> tuple[float, ...]:
        return tuple(float(_read_int(d.energy_file, self._read)) for d in self.domains)

    def joules(self, start: tuple[float, ...], end: tuple[float, ...]) -> float:
        total = 0
        for domain, a, b in zip(self.domains, start, end, strict=True):
            total += counter_delta(int(a), int(b), domain.max_range_uj)
        return total / 1e6


class NvmlMeter:
    """Total energy since driver load (millijoules; Volta and later)."""

    method = "nvml"

    def __init__(self, device_index: int = 0, nvml: Any = None) -> None:
        if nvml is None:
            try:
                import pynvml  # nvidia-ml-py
            except ImportError:
                raise MeterUnavailable("nvidia-ml-py is not installed") from None
            nvml = pynvml
        self._nvml = nvml
        try:
            nvml.nvmlInit()
            self._handle = nvml.nvmlDeviceGetHandleByIndex(device_index)
            name = nvml.nvmlDeviceGetName(self._handle)
            nvml.nvmlDeviceGetTotalEnergyConsumption(self._handle)
        except Exception as exc:  # NVMLError subclasses, missing driver, old GPU
            raise MeterUnavailable(f"NVML energy counter not available: {exc}") from None
        name = name.decode() if isinstance(name, bytes) else str(name)
        self.detail = f"GPU {device_index} ({name})"

    def read(self) -> tuple[float, ...]:
        return (float(self._nvml.nvmlDeviceGetTotalEnergyConsumption(self._handle)),)

    def joules(self, start: tuple[float, ...], end: tuple[float, ...]) -> float:
        return (end[0] - start[0]) / 1e3


class CpuTimeEstimate:
    """Joules = CPU seconds of this process (all threads) x watts per busy core."""

    method = "estimated"

    def __init__(
        self, watts_per_core: float, cpu_clock: Callable[[], float] = time.process_time
    ) -> None:
        self.watts_per_core = watts_per_core
        self._clock = cpu_clock
        self.detail = f"CPU time × {watts_per_core:g} W/core"

    def read(self) -> tuple[float, ...]:
        return (self._clock(),)

    def joules(self, start: tuple[float, ...], end: tuple[float, ...]) -> float:
        return (end[0] - start[0]) * self.watts_per_core


def find_meter(
    providers: tuple[str, ...],
    watts_per_core: float | None,
    powercap_root: Path = POWERCAP_ROOT,
    nvml: Any = None,
) -> tuple[Meter | None, str]:
    """The best meter for a target, and a one-line reason for each one that was not usable.
    GPU targets read NVML; CPU targets read RAPL; else the CPU-time estimate if configured."""
    reasons = []
    if any(p.startswith(("CUDA", "Tensorrt")) for p in providers):
        try:
            return NvmlMeter(0, nvml), ""
        except MeterUnavailable as exc:
            reasons.append(str(exc))
    else:
        try:
            return RaplMeter(powercap_root), ""
        except MeterUnavailable as exc:
            reasons.append(str(exc))
    if watts_per_core is not None:
        return CpuTimeEstimate(watts_per_core), "; ".join(reasons)
    reasons.append("set watts_per_core on the target for an estimate from CPU time")
    return None, "; ".join(reasons)
