"""Energy meters on fixtures: a powercap tree (RAPL), a fake NVML module, an injected CPU
clock. These are the hardware edges; everything above them runs for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.bench.energy_meters import (
    CpuTimeEstimate,
    MeterUnavailable,
    NvmlMeter,
    RaplMeter,
    counter_delta,
    find_meter,
    find_rapl_domains,
)

MAX = 262_143_328_850  # a real max_energy_range_uj


def zone(root: Path, name: str, label: str, energy: int | None, max_range: int = MAX) -> Path:
    path = root / name
    path.mkdir(parents=True)
    (path / "name").write_text(label + "\n")
    if energy is not None:
        (path / "energy_uj").write_text(f"{energy}\n")
    (path / "max_energy_range_uj").write_text(f"{max_range}\n")
    return path


@pytest.fixture
def powercap(tmp_path: Path) -> Path:
    """Two sockets, each with core and dram subzones, plus a psys zone."""
    root = tmp_path / "powercap"
    zone(root, "intel-rapl:0", "package-0", 1_000_000)
    zone(root, "intel-rapl:0/intel-rapl:0:0", "core", 500_000)
    zone(root, "intel-rapl:0/intel-rapl:0:1", "dram", 200_000)
    zone(root, "intel-rapl:1", "package-1", 3_000_000)
    zone(root, "intel-rapl:2", "psys", 9_000_000)
    return root


def set_energy(root: Path, zone_name: str, value: int) -> None:
    (root / zone_name / "energy_uj").write_text(f"{value}\n")


def test_reads_packages_and_dram_not_core_or_psys(powercap):
    names = [d.name for d in find_rapl_domains(powercap)]
    assert names == ["package-0", "dram", "package-1"]
    meter = RaplMeter(powercap)
    assert meter.detail == "package-0+dram+package-1"
    start = meter.read()
    set_energy(powercap, "intel-rapl:0", 1_500_000)
    set_energy(powercap, "intel-rapl:0/intel-rapl:0:1", 300_000)
    set_energy(powercap, "intel-rapl:1", 3_250_000)
    assert meter.joules(start, meter.read()) == pytest.approx(0.5 + 0.1 + 0.25)


def test_a_counter_that_wraps_counts_through_its_max_range(powercap):
    set_energy(powercap, "intel-rapl:0", MAX - 100_000)
    meter = RaplMeter(powercap)
    start = meter.read()
    set_energy(powercap, "intel-rapl:0", 400_000)  # wrapped: 100,000 before + 400,000 after
    assert meter.joules(start, meter.read()) == pytest.approx(0.5)
    assert counter_delta(MAX - 1, 1, MAX) == 2


def test_a_counter_going_back_without_a_max_range_is_an_error():
    with pytest.raises(MeterUnavailable, match="max_energy_range_uj"):
        counter_delta(10, 5, 0)


def test_unreadable_counters_are_reported_as_such(powercap):
    def denied(path: Path) -> str:
        raise PermissionError(13, "Permission denied", str(path))

    with pytest.raises(MeterUnavailable) as raised:
        RaplMeter(powercap, read=denied)
    message = str(raised.value)
    assert "not readable" in message
    assert "package-0: permission denied" in message
    assert "root" in message
    assert "\n" not in message


def test_an_unreadable_dram_domain_is_left_out_and_named(powercap):
    (powercap / "intel-rapl:0/intel-rapl:0:1/energy_uj").write_text("garbage\n")
    meter = RaplMeter(powercap)
    assert meter.detail == "package-0+package-1"
    assert meter.unreadable == ["dram: ValueError"]


def test_no_powercap_tree_means_no_rapl(tmp_path):
    with pytest.raises(MeterUnavailable, match="no RAPL package domain"):
        RaplMeter(tmp_path / "absent")


class FakeNvml:
    """The pynvml calls the meter makes; energy in millijoules since driver load."""

    def __init__(self, energy_mj: list[int], supported: bool = True) -> None:
        self.energy = list(energy_mj)
        self.supported = supported

    def nvmlInit(self) -> None:
        pass

    def nvmlDeviceGetHandleByIndex(self, index: int) -> str:
        return f"gpu{index}"

    def nvmlDeviceGetName(self, handle: str) -> bytes:
        return b"NVIDIA H200"

    def nvmlDeviceGetTotalEnergyConsumption(self, handle: str) -> int:
        if not self.supported:
            raise RuntimeError("Not Supported")
        return self.energy.pop(0) if len(self.energy) > 1 else self.energy[0]


def test_nvml_energy_is_millijoules_between_readings():
    meter = NvmlMeter(0, FakeNvml([0, 1_000, 3_500]))
    assert meter.detail == "GPU 0 (NVIDIA H200)"
    start = meter.read()
    assert meter.joules(start, meter.read()) == pytest.approx(2.5)


def test_gpu_targets_use_nvml_and_fall_back_with_the_reason(tmp_path):
    meter, reason = find_meter(("CUDAExecutionProvider",), None, tmp_path, FakeNvml([5, 6]))
    assert meter is not None
    assert meter.method == "nvml"
    assert reason == ""
    meter, reason = find_meter(
        ("CUDAExecutionProvider",), 30.0, tmp_path, FakeNvml([5], supported=False)
    )
    assert meter is not None
    assert meter.method == "estimated"
    assert "NVML energy counter not available: Not Supported" in reason


def test_cpu_targets_use_rapl_then_the_estimate_then_nothing(powercap, tmp_path):
    assert find_meter(("CPUExecutionProvider",), 10.0, powercap)[0].method == "rapl"  # type: ignore[union-attr]
    meter, reason = find_meter(("CPUExecutionProvider",), 10.0, tmp_path / "none")
    assert meter is not None
    assert meter.method == "estimated"
    assert "no RAPL" in reason
    meter, reason = find_meter(("CPUExecutionProvider",), None, tmp_path / "none")
    assert meter is None
    assert "watts_per_core" in reason


def test_cpu_time_estimate_is_cpu_seconds_times_watts():
    ticks = iter([10.0, 12.5])
    meter = CpuTimeEstimate(8.0, cpu_clock=lambda: next(ticks))
    assert meter.detail == "CPU time × 8 W/core"
    assert meter.joules(meter.read(), meter.read()) == pytest.approx(20.0)


def test_real_nvml_either_reads_energy_or_says_why():
    """The installed nvidia-ml-py against this machine's driver (none on CPU runners)."""
    import pynvml

    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        with pytest.raises(MeterUnavailable, match="NVML"):
            NvmlMeter()
        return
    meter = NvmlMeter()
    assert meter.joules(meter.read(), meter.read()) >= 0
