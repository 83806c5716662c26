"""The search's outcome: the winner's model file as `mlgate optimize --out` writes it."""

from __future__ import annotations

from mlgate.bench.runtimes.base import LoadOptions
from mlgate.bench.runtimes.openvino import OpenVino
from mlgate.optimize.outcome import write_model
from mlgate.optimize.search_job import Candidate


def test_an_openvino_ir_winner_is_written_with_its_weights_file(tmp_path):
    (tmp_path / "variant-3.xml").write_text("<net/>")
    (tmp_path / "variant-3.bin").write_bytes(b"\x00\x01")
    winner = Candidate("openvino-nncf-int8", tmp_path / "variant-3.xml", 0, 0.5, OpenVino(),
                        LoadOptions(1, precision="int8"))  # fmt: skip
    written = write_model(winner, tmp_path / "out", "my model")
    assert written.name == "my_model.openvino-nncf-int8.xml"
    assert written.read_text() == "<net/>"
    assert written.with_suffix(".bin").read_bytes() == b"\x00\x01"  # read_model finds it
