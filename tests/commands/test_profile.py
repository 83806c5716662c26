"""`mlgate profile MODEL`: the static profile (parameters, MACs, energy proxy) of a model."""

from __future__ import annotations

import json

from mlgate.cli import main
from tests import model_builders as mb
from tests.commands.one_line import one_line_error


def test_a_profile_is_printed_and_written(tmp_path, capsys):
    model = mb.save(mb.cnn(), tmp_path / "m.onnx")
    out = tmp_path / "profile.json"
    assert main(["profile", str(model), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "parameters     1,538" in printed
    assert "guessed for dynamic dims" in printed
    written = json.loads(out.read_text())
    assert written["kind"] == "mlgate-profile"
    assert written["model"]["params"] == 1538


def test_a_given_input_shape_replaces_the_guess_and_changes_the_macs(tmp_path, capsys):
    model = mb.save(mb.cnn(), tmp_path / "m.onnx")
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    assert main(["profile", str(model), "--input", "image=1,3,32,32", "--json", str(small)]) == 0
    assert "guessed" not in capsys.readouterr().out
    assert main(["profile", str(model), "--input", "image=1,3,64,64", "--json", str(large)]) == 0
    capsys.readouterr()
    macs = [json.loads(p.read_text())["model"]["compute"]["macs"] for p in (small, large)]
    assert 0 < macs[0] < macs[1]


def test_a_bad_input_shape_is_one_line(capsys):
    assert "'x' is not NAME=D1,D2" in one_line_error(["profile", "m.onnx", "--input", "x"], capsys)


def test_a_missing_model_is_one_line(capsys):
    assert "missing.onnx" in one_line_error(["profile", "missing.onnx"], capsys)
