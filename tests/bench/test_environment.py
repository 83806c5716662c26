"""Provenance: where the numbers were measured, recorded with every result."""

from __future__ import annotations

import platform

import onnx
import onnxruntime as ort

from mlgate import __version__
from mlgate.bench.environment import cpu_model, provenance, version_report


def test_cpu_model_reads_the_model_name_line(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nvendor_id\t: X\nmodel name\t: Test CPU @ 2.0GHz\n")
    assert cpu_model(info) == "Test CPU @ 2.0GHz"


def test_cpu_model_reads_arm_hardware_line(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor : 0\nHardware : BCM2835\n")
    assert cpu_model(info) == "BCM2835"


def test_cpu_model_without_cpuinfo_falls_back_to_the_platform(tmp_path):
    fallback = platform.processor() or platform.machine() or "unknown"
    assert cpu_model(tmp_path / "missing") == fallback
    empty = tmp_path / "empty"
    empty.write_text("flags: sse\n")
    assert cpu_model(empty) == fallback


def test_provenance_names_the_libraries_that_measured():
    prov = provenance()
    assert prov.tool_version == __version__
    assert prov.onnx == onnx.__version__
    assert prov.onnxruntime == ort.__version__
    assert prov.cpu_count >= 1


def test_version_report_lists_tool_libraries_and_providers():
    lines = version_report().splitlines()
    assert lines[0] == f"mlgate {__version__}"
    assert f"onnxruntime {ort.__version__}" in lines[2]
    assert lines[3].startswith("openvino ")
    assert "CPUExecutionProvider" in lines[4]
    assert lines[5].startswith("cpu: ")
