"""Where the numbers were measured: recorded with every result."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

from mlgate import __version__
from mlgate.results.schema import Provenance


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    try:
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def installed_version(package: str) -> str | None:
    """The installed distribution's version, without importing it (None: not installed)."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def runtime_versions() -> dict[str, str | None]:
    """The optional runtimes the variant search may use, and their versions."""
    return {name: installed_version(name) for name in ("openvino", "nncf")}


def provenance() -> Provenance:
    return Provenance(
        tool_version=__version__,
        python=platform.python_version(),
        platform=platform.platform(terse=True),
        machine=platform.machine(),
        cpu_model=cpu_model(),
        cpu_count=os.cpu_count() or 1,
        onnx=onnx.__version__,
        onnxruntime=ort.__version__,
        numpy=np.__version__,
        **runtime_versions(),
    )


def version_report() -> str:
    """`mlgate --version`: the tool, the libraries its numbers depend on, and what this
    onnxruntime can run on (execution providers)."""
    prov = provenance()
    lines = [
        f"mlgate {prov.tool_version}",
        f"python {prov.python} ({prov.platform}, {prov.machine})",
        f"onnx {prov.onnx}, onnxruntime {prov.onnxruntime}, numpy {prov.numpy}",
        f"openvino {prov.openvino or 'not installed'}, nncf {prov.nncf or 'not installed'}",
        f"execution providers: {', '.join(ort.get_available_providers())}",
        f"cpu: {prov.cpu_model}, {prov.cpu_count} CPUs",
    ]
    return "\n".join(lines) + "\n"
