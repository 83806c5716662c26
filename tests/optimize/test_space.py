"""The search space: the exhaustive sweep holds every static setting and every recipe."""

from __future__ import annotations

from mlgate.optimize.space import sweep_recipes
from tests import model_builders as mb


def test_the_sweep_space_holds_every_static_setting_and_every_recipe():
    recipes = sweep_recipes(mb.cnn())
    names = [r.name for r in recipes]
    assert len(names) == len(set(names))
    statics = [n for n in names if n.startswith("static-")]
    assert len(statics) == 2 * 2 * 2 * 3 * 2  # format, activations, per-channel, method, prep
    assert sum(n.endswith("+preprocess") for n in statics) == len(statics) // 2
    assert names[:2] == ["ort-extended", "dynamic-int8"]
    assert {"fp16", "transformer-fusion", "onnxoptimizer", "dynamic-uint8", "ort-basic"} <= set(
        names
    )
