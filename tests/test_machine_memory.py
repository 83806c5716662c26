"""The default memory cap comes from the machine: RAM from meminfo, or the cgroup's limit when
lower, less the runtime's headroom; an explicit value wins below that and is capped above."""

from __future__ import annotations

import logging

import pytest

from mlgate.machine_memory import RUNTIME_HEADROOM_MB, effective_memory_mb, machine_memory_mb

GIB = 1024


def _machine(tmp_path, ram_mb, cgroup_max=None, cgroup_v1=None):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(f"MemTotal:       {ram_mb * 1024} kB\nMemFree:        1024 kB\n")
    cgroup = tmp_path / "cgroup"
    (cgroup / "memory").mkdir(parents=True)
    if cgroup_max is not None:
        (cgroup / "memory.max").write_text(f"{cgroup_max}\n")
    if cgroup_v1 is not None:
        (cgroup / "memory" / "memory.limit_in_bytes").write_text(f"{cgroup_v1}\n")
    return {"meminfo": meminfo, "cgroup_root": cgroup}


def test_default_is_the_ram_less_the_runtime_headroom(tmp_path):
    machine = _machine(tmp_path, ram_mb=16 * GIB, cgroup_max="max")
    assert machine_memory_mb(**machine) == 16 * GIB
    assert effective_memory_mb(None, **machine) == 16 * GIB - RUNTIME_HEADROOM_MB


@pytest.mark.parametrize(
    "cgroup", [{"cgroup_max": 6 * GIB * 2**20}, {"cgroup_v1": 6 * GIB * 2**20}]
)
def test_a_lower_cgroup_limit_wins(tmp_path, cgroup):
    machine = _machine(tmp_path, ram_mb=64 * GIB, **cgroup)
    assert machine_memory_mb(**machine) == 6 * GIB
    assert effective_memory_mb(None, **machine) == 2 * GIB


def test_an_unlimited_cgroup_v1_is_ignored(tmp_path):
    machine = _machine(tmp_path, ram_mb=8 * GIB, cgroup_v1=9223372036854771712)
    assert machine_memory_mb(**machine) == 8 * GIB


def test_an_explicit_value_wins_below_the_machine(tmp_path):
    machine = _machine(tmp_path, ram_mb=16 * GIB)
    assert effective_memory_mb(2048, **machine) == 2048


def test_an_explicit_value_above_the_machine_is_capped_with_a_warning(tmp_path, caplog):
    machine = _machine(tmp_path, ram_mb=7 * GIB)
    with caplog.at_level(logging.WARNING):
        assert effective_memory_mb(32768, **machine) == 3 * GIB
    assert "limits.memory_mb 32768 is more than this machine has (7168 MB" in caplog.text


def test_zero_still_means_no_limit(tmp_path):
    assert effective_memory_mb(0, **_machine(tmp_path, ram_mb=7 * GIB)) == 0


def test_a_small_machine_still_gets_a_usable_cap(tmp_path):
    machine = _machine(tmp_path, ram_mb=3 * GIB)
    assert effective_memory_mb(None, **machine) == 1 * GIB


def test_an_unknown_machine_keeps_the_configured_value(tmp_path):
    missing = {"meminfo": tmp_path / "none", "cgroup_root": tmp_path / "none"}
    assert machine_memory_mb(**missing) is None
    assert effective_memory_mb(None, **missing) == 0
    assert effective_memory_mb(4096, **missing) == 4096


def test_an_unreadable_meminfo_leaves_the_cgroup_limit(tmp_path):
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    (cgroup / "memory.max").write_text(str(2048 * 1024 * 1024))
    garbled = tmp_path / "meminfo"
    garbled.write_text("MemTotal: lots kB\n")
    assert machine_memory_mb(garbled, cgroup) == 2048
    assert machine_memory_mb(tmp_path / "absent", cgroup) == 2048


def test_an_explicit_value_above_the_machine_is_capped_quietly_when_asked(tmp_path, caplog):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       16777216 kB\n")
    with caplog.at_level(logging.WARNING):
        capped = effective_memory_mb(10**6, meminfo, tmp_path / "none", warn=False)
    assert capped == 16384 - RUNTIME_HEADROOM_MB
    assert caplog.records == []
