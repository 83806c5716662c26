"""The comment shows the recommended deployment, a few lines of code that load it, the
right-sizing table and portability; names from the pull request stay inert text, inside the
code fence too."""

from __future__ import annotations

import dataclasses

from mlgate.render.environment import render_comment, render_summary
from mlgate.render.optimize_view import load_snippet
from mlgate.results.deployment import Deployment, OnnxRuntimeSettings, OpenVinoSettings
from mlgate.results.schema import PortabilityInfo, RightSizing, ThreadLatency
from mlgate.results.store import from_dict, to_dict
from tests.render.sample import sample_optimization, sample_results

HOSTILE = "models/x`\n```\n@admin [a](https://evil) <b>.onnx"


def _deployment(model: str = "head.static_int8.onnx") -> Deployment:
    return Deployment(
        "onnxruntime", "1.31.1", model, "int8", 1, 2.41, (2.31, 2.52), {"cosine": 0.9991},
        ["quant-preprocess", "static-qoperator-uint8-per-channel-entropy"],
        onnxruntime=OnnxRuntimeSettings(
            ["CPUExecutionProvider"], {"graph_optimization_level": "ORT_ENABLE_ALL"}
        ),
    )  # fmt: skip


def _results(model: str = "models/m.onnx"):  # type: ignore[no-untyped-def]
    sizing = RightSizing(
        "recommended deployment (static)", "onnxruntime", 2,
        [ThreadLatency(1, 4.0, 4.4, (4.2, 4.6), 500, 4000.0, 0.0002, "meets"),
         ThreadLatency(2, 2.5, 2.9, (2.7, 3.1), 500, 5000.0, 0.00025, "meets")],
        3.0, 4, 0.18, "0.36 $/h over the runner's 2 cores", 5.0, 1,
    )  # fmt: skip
    portability = PortabilityInfo(_deployment(), "base search from the cache", "broken",
                                  ["fidelity under int8: cosine 0.41 < 0.99"], 1.2, (1.1, 1.3),
                                  0.41)  # fmt: skip
    info = dataclasses.replace(sample_optimization(), deployment=_deployment(),
                               right_sizing=sizing, portability=portability)  # fmt: skip
    results = sample_results(fail=False)
    targets = [dataclasses.replace(t, optimization=info) for t in results.targets]
    return dataclasses.replace(results, model=model, targets=targets)


def test_the_comment_shows_the_recipe_load_code_threads_and_portability():
    body = render_comment(_results())
    assert "Deploy it (" in body
    assert "quant-preprocess → static-qoperator-uint8-per-channel-entropy" in body
    fence = body.split("```python\n", 1)[1].split("```", 1)[0]
    assert "import mlgate.deploy" in fence
    assert "mlgate.deploy.load('mlgate-optimized').run(feeds)" in fence
    assert "ort.GraphOptimizationLevel.ORT_ENABLE_ALL" in fence
    assert "'mlgate-optimized/head.static_int8.onnx'" in fence
    assert "\\_" not in fence  # code is not Markdown-escaped
    assert "cheapest here meeting p90 ≤ 5 ms: 1 thread(s)" in body
    assert "Portability" in body
    assert "cosine 0.41 &lt; 0.99" in body
    summary = render_summary(_results())
    assert "deployment: onnxruntime 1.31.1 · int8" in summary


def test_a_hostile_model_path_cannot_close_the_fence_or_inject_markdown():
    body = render_comment(_results(HOSTILE))
    fence = body.split("```python\n", 1)[1].split("```", 1)[0]
    assert "# mlgate optimize " in fence
    line = next(x for x in fence.splitlines() if x.startswith("# mlgate optimize"))
    assert "`" not in line
    assert "\\n" in line
    assert body.count("```") % 2 == 0


def test_a_hostile_model_file_name_is_a_string_literal_in_the_code():
    lines = load_snippet(_deployment("x'); import os; os.system('rm -rf /'); ('"), "out")
    session = next(x for x in lines if x.startswith("session = "))
    assert "'out/x\\'); import os" in session or "\"out/x'); import os" in session
    settings = OpenVinoSettings("CPU", {"bad key\n": "v"})
    openvino = dataclasses.replace(
        _deployment(), onnxruntime=None, runtime="openvino", openvino=settings
    )
    code = "\n".join(load_snippet(openvino, "out"))
    assert "INVALID_NAME" in code
    assert "bad key\n" not in code


def test_results_with_a_deployment_round_trip_and_old_ones_still_load():
    results = _results()
    assert from_dict(to_dict(results)) == results
    old = to_dict(sample_results(fail=False))
    for target in old["targets"]:
        if target["optimization"]:
            for key in ("deployment", "recipe", "right_sizing", "portability"):
                target["optimization"].pop(key, None)
    loaded = from_dict(old)
    assert all(t.optimization is None or t.optimization.deployment is None for t in loaded.targets)


def test_the_comment_names_the_cheapest_target_meeting_the_objective():
    results = _results()
    first = results.targets[0]
    assert first.optimization is not None
    assert first.optimization.right_sizing is not None
    sizing = first.optimization.right_sizing
    dear = dataclasses.replace(
        sizing, rows=[dataclasses.replace(r, cost_per_million=1.0) for r in sizing.rows]
    )
    other = dataclasses.replace(
        first, name="arm", optimization=dataclasses.replace(first.optimization, right_sizing=dear)
    )
    body = render_comment(dataclasses.replace(results, targets=[first, other]))
    assert (
        f"Cheapest configured target meeting p90 ≤ 5 ms: {first.name} at 1 thread(s), "
        "\\$0.0002 per 1M inferences"
    ) in body
