"""The runtime interface's shared parts: load options from a target, the CPU flags read
from /proc/cpuinfo, and which precisions this CPU runs natively."""

from __future__ import annotations

from mlgate.bench.runtimes.base import LoadOptions, cpu_flags, native_cpu_precision
from mlgate.bench.session import Target


def test_native_precision_follows_the_cpu_flags():
    amx = frozenset({"avx2", "avx512f", "amx_bf16", "amx_tile"})
    avx2 = frozenset({"avx", "avx2", "fma"})
    assert native_cpu_precision("bf16", amx, []) is None
    assert native_cpu_precision("fp32", avx2, []) is None
    assert native_cpu_precision("int8", avx2, []) is None
    reason = native_cpu_precision("bf16", avx2, ["FP32", "INT8"])
    assert reason is not None
    assert reason.startswith("bf16 not native on this CPU")
    assert native_cpu_precision("fp16", amx, []) is not None  # AMX-BF16 is not AMX-FP16
    assert native_cpu_precision("bf16", None, ["FP32", "BF16"]) is None  # no flags: ask
    assert native_cpu_precision("bf16", None, ["FP32"]) is not None


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 amx_bf16\n\nprocessor\t: 1\n")
    assert cpu_flags(info) == frozenset({"fpu", "avx2", "amx_bf16"})
    assert cpu_flags(tmp_path / "absent") is None


def test_load_options_take_the_targets_threads_and_providers():
    target = Target("gpu", ("CUDAExecutionProvider", "CPUExecutionProvider"), 6)
    options = LoadOptions.for_target(target, "bf16")
    assert options == LoadOptions(6, ("CUDAExecutionProvider", "CPUExecutionProvider"), "bf16")
    assert LoadOptions.for_target(target).precision == "fp32"
