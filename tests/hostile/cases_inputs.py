"""Hostile numbers, globs and paths: the config, command-line flags and Action inputs."""

from __future__ import annotations

from pathlib import Path

from tests.commands.test_bad_input import good_model
from tests.hostile.harness import Action, Case, Invocation


def compare(tmp: Path, *extra: str) -> list[str]:
    model = good_model(tmp)
    return ["compare", str(model), str(model), "--no-memory", *extra]


def config_says(text: str, expect: str) -> Case:
    """A config file whose first error is `expect`; written fresh in each case folder."""

    def build(tmp: Path) -> Invocation:
        (tmp / "c.yml").write_text(text)
        return compare(tmp, "--config", str(tmp / "c.yml"))

    return Case(build, expect)


def flag(*words: str, expect: str) -> Case:
    return Case(lambda t: compare(t, *words), expect)


def action(expect: str, **inputs: str) -> Case:
    """Inputs are refused before anything runs: no repository or token is needed."""
    env = {f"INPUT_{name.upper()}": value for name, value in inputs.items()}
    return Case(lambda t: Action(dict(env)), expect)


def action_env(expect: str, **env: str) -> Case:
    """A run that gets as far as the API settings: a push event and its payload."""

    def build(tmp: Path) -> Invocation:
        event = tmp / "event.json"
        event.write_text('{"repository": {"default_branch": "main"}}')
        runner = {
            "GITHUB_EVENT_NAME": "push",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_REPOSITORY": "octo-org/models",
            "GITHUB_SHA": "0" * 40,
            "GITHUB_WORKSPACE": str(tmp),
        }
        return Action({**runner, **env})

    return Case(build, expect)


def _slow_glob_is_fast(tmp: Path) -> Invocation:
    """16 wildcards (the most accepted) against a 4,000-character path: linear matching."""
    pattern = "*a" * 8 + "b"
    (tmp / "c.yml").write_text(f"models: [{{path: '{pattern}'}}]\n")
    deep = tmp.joinpath(*["a" * 200] * 18)
    deep.mkdir(parents=True)
    model = good_model(deep, "a" * 100 + ".onnx")
    return ["compare", str(model), str(model), "--no-memory", "--config", str(tmp / "c.yml")]


def _huge_yaml(tmp: Path) -> Invocation:
    (tmp / "c.yml").write_text("# padding\n" * 120_000)
    return compare(tmp, "--config", str(tmp / "c.yml"))


def _deep_yaml(tmp: Path) -> Invocation:
    (tmp / "c.yml").write_text("models: " + "[" * 200_000 + "]" * 200_000 + "\n")
    return compare(tmp, "--config", str(tmp / "c.yml"))


def _laughs(tmp: Path) -> Invocation:
    """YAML aliases nested nine deep: 9^9 references if anything walked them all."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines.append("models: *a8")
    (tmp / "c.yml").write_text("\n".join(lines) + "\n")
    return compare(tmp, "--config", str(tmp / "c.yml"))


def _long_name(tmp: Path, flag_name: str) -> Invocation:
    return compare(tmp, flag_name, "x" * 5000)


CASES: dict[str, Case] = {
    # config: infinities, NaN and astronomically large numbers (point 1)
    "config-budget-inf": config_says("latency: {budget_seconds: .inf}\n", "finite number"),
    "config-budget-nan": config_says("latency: {budget_seconds: .nan}\n", "finite number"),
    "config-optimize-budget-inf": config_says(
        "optimize: {budget_seconds: .inf}\n", "optimize.budget_seconds"
    ),
    "config-optimize-budget-year": config_says(
        "optimize: {budget_seconds: 31536000}\n", "less than or equal to 86400"
    ),
    "config-build-timeout-1e400": config_says(
        "optimize: {build_timeout_seconds: 1e400}\n", "optimize.build_timeout_seconds"
    ),
    "config-timeout-inf": config_says("limits: {timeout_seconds: .inf}\n", "finite number"),
    "config-memory-1e400": config_says("limits: {memory_mb: 1e400}\n", "limits.memory_mb"),
    "config-memory-exabytes": config_says(
        "limits: {memory_mb: 100000000000000000000}\n", "less than or equal to 1073741824"
    ),
    "config-model-size-inf": config_says("limits: {model_size_mb: .inf}\n", "finite number"),
    "config-data-size-negative-inf": config_says(
        "limits: {data_size_mb: -.inf}\n", "limits.data_size_mb"
    ),
    "config-max-pairs-huge": config_says(
        "latency: {max_pairs: 100000000000000000000}\n", "latency.max_pairs"
    ),
    "config-price-nan": config_says(
        "targets: [{name: cpu, price_per_hour: .nan}]\n", "targets[0].price_per_hour"
    ),
    "config-carbon-huge": config_says(
        "targets: [{name: cpu, carbon_intensity: 1.0e+300}]\n", "targets[0].carbon_intensity"
    ),
    "config-input-dim-huge": config_says(
        "models: [{path: '**', inputs: {x: [1, 99999999999999]}}]\n", "models[0].inputs"
    ),
    "config-batch-size-huge": config_says(
        "models: [{path: '**', eval: {batch_size: 99999999999999}}]\n", "eval.batch_size"
    ),
    "config-min-speedup-inf": config_says("optimize: {min_speedup: .inf}\n", "finite number"),
    "config-threshold-1e309": config_says(
        "thresholds: {latency.p50: '+1e309%'}\n", "is not a finite number"
    ),
    "config-threshold-yaml-inf": config_says(
        "thresholds: {latency.p50: .inf}\n", "'inf' is not a threshold"
    ),
    "config-threshold-yaml-nan": config_says(
        "thresholds: {latency.p50: .nan}\n", "'nan' is not a threshold"
    ),
    "config-threshold-bound-1e999": config_says(
        "thresholds: {accuracy: '>= 1e999'}\n", "is not a finite number"
    ),
    "config-model-threshold-inf": config_says(
        "models: [{path: '**', thresholds: {size: '+inf%'}}]\n", "'+inf%' is not a threshold"
    ),
    # config: globs that made the regex matcher backtrack for minutes (point 5)
    "config-glob-globstars": config_says(
        "models: [{path: '" + "**/" * 40 + "a'}]\n", "is too complex"
    ),
    "config-glob-stars": config_says("models: [{path: '" + "*a" * 30 + "b'}]\n", "is too complex"),
    "config-glob-long": config_says("models: [{path: '" + "a" * 300 + "'}]\n", "is too complex"),
    "config-glob-16-wildcards-is-fast": Case(_slow_glob_is_fast, "", codes=(0, 1)),
    # config: files that are not configs
    "config-over-1-mib": Case(_huge_yaml, "over 1 MiB"),
    "config-nested-too-deep": Case(_deep_yaml, "nests too deeply"),
    "config-billion-laughs": Case(_laughs, "models[0]"),
    "config-name-too-long": Case(lambda t: _long_name(t, "--config"), "config file not found"),
    "data-name-too-long": Case(lambda t: _long_name(t, "--data"), "eval data not found"),
    # command-line numbers (point 1)
    "cli-budget-inf": flag("--budget-seconds", "inf", expect="--budget-seconds: 'inf'"),
    "cli-budget-nan": flag("--budget-seconds", "nan", expect="--budget-seconds: 'nan'"),
    "cli-budget-1e400": flag("--budget-seconds", "1e400", expect="at most 86400"),
    "cli-budget-1e308": flag("--budget-seconds", "1e308", expect="at most 86400"),
    "cli-budget-negative": flag("--budget-seconds", "-1", expect="above zero"),
    "cli-budget-empty": flag("--budget-seconds", "", expect="is not a number"),
    "cli-threshold-1e309": flag(
        "--threshold", "latency.p50=+1e309%", expect="is not a finite number"
    ),
    "cli-threshold-nan": flag("--threshold", "latency.p50=nan", expect="'nan' is not a threshold"),
    "cli-threshold-inf-bound": flag("--threshold", "accuracy=>= inf", expect="is not a threshold"),
    "cli-threshold-huge-but-finite": Case(
        lambda t: compare(t, "--threshold", "latency.p50=+1e300%", "--budget-seconds", "0.5"),
        "",
        codes=(0,),
    ),
    "cli-calibrate-trials-huge": Case(
        lambda t: ["calibrate", "--trials", "1000000000000"], "between 1 and 10000"
    ),
    "cli-calibrate-rate-over-one": Case(
        lambda t: ["calibrate", "--false-alarm-rate", "5"], "a fraction between 0 and 1"
    ),
    "cli-calibrate-seconds-inf": Case(
        lambda t: ["calibrate", "--seconds", "inf"], "--seconds: 'inf'"
    ),
    "cli-optimize-budget-nan": Case(
        lambda t: ["optimize", str(good_model(t)), "--budget-seconds", "nan"], "'nan'"
    ),
    "cli-demo-budget-inf": Case(lambda t: ["demo", "--budget-seconds", "inf"], "'inf'"),
    "cli-profile-input-huge-dim": Case(
        lambda t: ["profile", str(good_model(t)), "--input", "x=99999999999,8"],
        "positive sizes",
    ),
    "cli-null-byte-in-model-path": Case(
        lambda t: ["compare", str(good_model(t)), "a\0b", "--no-memory"], "model file not found"
    ),
    "cli-null-byte-in-data-path": flag("--data", "a\0b", expect="eval data not found"),
    # Action inputs: validated like the CLI's (point 1), paths kept inside the repository
    "action-budget-inf": action("input budget_seconds: 'inf'", budget_seconds="inf"),
    "action-budget-nan": action("input budget_seconds: 'nan'", budget_seconds="nan"),
    "action-budget-1e400": action("at most 86400", budget_seconds="1e400"),
    "action-budget-zero": action("above zero", budget_seconds="0"),
    "action-threshold-1e309": action("is not a finite number", thresholds="latency.p50: +1e309%"),
    "action-threshold-nan": action("'nan' is not a threshold", thresholds="latency.p50: nan"),
    "action-models-glob-backtracking": action("is too complex", models="*a" * 30 + "b"),
    "action-results-dir-outside": action(
        "input results_dir: '../../outside'", results_dir="../../outside"
    ),
    "action-results-dir-absolute": action("must be a path inside", results_dir="/tmp/mlgate-x"),
    "action-config-absolute": action("input config", config="/etc/passwd"),
    "action-template-dotdot": action("input template", template="../../secrets.j2"),
    "action-mode-unknown": action("input mode", mode="gate\n::error::injected"),
    "action-api-attempts-inf": action_env(
        "MLGATE_API_ATTEMPTS: 'inf'", MLGATE_API_ATTEMPTS="inf", INPUT_MODE="publish"
    ),
    "action-api-timeout-nan": action_env(
        "MLGATE_API_TIMEOUT_SECONDS: 'nan'", MLGATE_API_TIMEOUT_SECONDS="nan", INPUT_MODE="merge"
    ),
}
