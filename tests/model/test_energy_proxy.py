"""The static energy proxy: hand-checkable arithmetic, versioned constants, and the same
number in every process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mlgate.model.energy_proxy import PJ_PER_MAC, PROXY_VERSION, energy_proxy
from mlgate.model.profile import compute_profile, profile_model
from tests import model_builders as mb


def test_proxy_is_macs_times_pj_plus_bytes_moved():
    proxy = energy_proxy({"float32": 1_000, "int8": 1_000}, weight_bytes=100, activation_bytes=80)
    assert proxy.version == PROXY_VERSION == "horowitz45-v1"
    assert proxy.compute_joules == pytest.approx(1_000 * (4.6 + 0.23) * 1e-12)
    assert proxy.weight_joules == pytest.approx(100 * 160 * 1e-12)  # 640 pJ per 32-bit DRAM read
    assert proxy.activation_joules == pytest.approx(80 * 1.25 * 1e-12)  # 5 pJ per 32-bit SRAM read
    assert proxy.joules == pytest.approx(
        proxy.compute_joules + proxy.weight_joules + proxy.activation_joules
    )


def test_int8_arithmetic_is_cheaper_than_float32_and_dram_dominates_a_weight_read():
    assert PJ_PER_MAC["int8"] < PJ_PER_MAC["float16"] < PJ_PER_MAC["float32"]
    one_float_weight_read = 4 * 160
    assert one_float_weight_read / (PJ_PER_MAC["float32"]) > 100


def test_unknown_dtype_is_priced_as_float32_and_reported():
    proxy = energy_proxy({"complex64": 10}, 0, 0)
    assert proxy.unpriced_macs == 10
    assert proxy.compute_joules == pytest.approx(10 * 4.6e-12)


def test_a_bigger_model_costs_more():
    small = mb.matmul_chain(layers=2, width=32)
    big = mb.matmul_chain(layers=4, width=32)
    shapes = {"x": [1, 32]}
    cost = [
        compute_profile(m, shapes, profile_model(m).weight_bytes).energy.joules
        for m in (small, big)
    ]
    assert cost[1] > 1.9 * cost[0]


PROFILE_IN_A_CHILD = """
import json, sys
import onnx
from mlgate.model.profile import compute_profile, profile_model
model = onnx.load(sys.argv[1])
p = compute_profile(model, {"image": [1, 3, 32, 32]}, profile_model(model).weight_bytes)
print(json.dumps({"joules": repr(p.energy.joules), "macs": p.macs.total,
                  "activations": p.activation_bytes}))
"""


def test_same_model_same_number_in_every_process(tmp_path):
    path = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    outputs = []
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", PROFILE_IN_A_CHILD, str(path)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0]["macs"] == 516_096 + 160  # two convs + the Gemm head
