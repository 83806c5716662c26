"""`mlgate optimize MODEL`: search for a faster variant within the accuracy budget."""

from __future__ import annotations

import json

from mlgate.cli import build_parser, main
from tests import model_builders as mb
from tests.commands.one_line import one_line_error


def test_search_budget_is_an_alias_of_budget_seconds():
    parser = build_parser()
    assert parser.parse_args(["optimize", "m.onnx", "--search-budget", "5"]).budget_seconds == 5
    assert parser.parse_args(["optimize", "m.onnx", "--budget-seconds", "7"]).budget_seconds == 7


def test_a_missing_model_is_one_line(capsys):
    assert "model file not found: missing.onnx" in one_line_error(
        ["optimize", "missing.onnx"], capsys
    )


def test_a_model_is_required(capsys):
    assert "model" in one_line_error(["optimize"], capsys)


def test_a_short_search_writes_its_json_for_the_model(tmp_path, capsys):
    model = mb.save(mb.cnn(), tmp_path / "m.onnx")
    out = tmp_path / "search.json"
    assert main(["optimize", str(model), "--budget-seconds", "1", "--json", str(out)]) == 0
    assert "mlgate optimize" in capsys.readouterr().out
    written = json.loads(out.read_text())
    assert written["kind"] == "mlgate-optimize"
    assert written["target"] == "cpu"
    assert "recommended" in written
