"""Gate every ONNX model that changed between two git revisions: the run behind `mlgate
check`, `mlgate bench` and the Action's gate mode. Each changed model goes through
`run_gate`; `run.json` collects them.

On a pull request, base = merge-base and head = the PR's head commit, and the files that
judge the change (config, waivers, eval data) are read from the base commit."""

from __future__ import annotations

import posixpath
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from mlgate import git
from mlgate.compare.waivers import Waiver
from mlgate.config import (
    DEFAULT_WAIVERS_NAME,
    Config,
    LoadedConfig,
    parse_config,
    parse_waivers,
)
from mlgate.error_handler import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_PASS, EXIT_REGRESSION
from mlgate.errors import MlgateError
from mlgate.gate.changes import DEFAULT_MODEL_GLOB, detect_changes, slug
from mlgate.gate.check_request import RUN_FILE, CheckOptions, CheckOutcome
from mlgate.gate.files import GateFiles, changed_note
from mlgate.gate.history import git_reader, history_ref
from mlgate.progress import NoProgress, Progress
from mlgate.results.history import attach_history
from mlgate.results.schema import (
    SCHEMA_VERSION,
    ModelChange,
    OnInconclusive,
    Results,
    RunReport,
)
from mlgate.results.store import write_results
from mlgate.results.verdicts import fails_check, run_verdict


def check(options: CheckOptions, progress: Progress | None = None) -> CheckOutcome:
    """Detect changed models, gate each, write `run.json` (and one results file per model).

    Never raises for bad input: a bad model is reported in its results and does not stop
    the others; a problem with the run itself (unknown revision, bad config) ends it. Either
    way `run.json` is written and the outcome carries the error to report."""
    progress = progress or NoProgress()
    started = _Run(options)
    try:
        with progress.step("finding changed models"):
            base_sha, head_sha = started.resolve_revisions()
            loaded = started.load_config(base_sha, head_sha)
            started.waivers = started.load_waivers(base_sha, head_sha)
            changes = detect_changes(base_sha, head_sha, started.globs(loaded.config), options.repo)
        started.changes = changes
        gated = [change for change in changes if change.gated]
        for index, change in enumerate(gated):
            label = f"[{index + 1}/{len(gated)} models] {change.path}"
            started.gate_model(
                change, base_sha, head_sha, loaded, progress, (label, len(gated) - index - 1)
            )
        started.attach_history(loaded.config)
    except MlgateError as exc:
        started.errors.append(" ".join(str(exc).split()))
        started.first_error = started.first_error or exc
    return started.finish()


class _Run:
    """The run in progress: what is known so far, written out even when a step fails."""

    def __init__(self, options: CheckOptions) -> None:
        self.options = options
        self.context = options.context
        self.config_source = "defaults"
        self.on_inconclusive: OnInconclusive = options.on_inconclusive or "neutral"
        self.changes: list[ModelChange] = []
        self.results: list[Results] = []
        self.notes: list[str] = []
        self.waivers: tuple[Waiver, ...] = ()
        self.errors: list[str] = []
        self.first_error: Exception | None = None
        self.internal_error: Exception | None = None

    def resolve_revisions(self) -> tuple[str, str]:
        repo = self.options.repo
        head = git.resolve_commit(self.options.head, repo)
        base = git.resolve_commit(self.options.base, repo)
        if self.options.use_merge_base:
            base = git.merge_base(base, head, repo)
        self.context = replace(self.context, base_sha=base, head_sha=head)
        return base, head

    def read_gate_file(
        self, path: str, base: str, head: str, changed_note: str
    ) -> tuple[str | None, str]:
        """A file that configures the gate (config, waivers), from the work tree or the
        chosen revision, and where it came from; when read from the base and the pull
        request changes it, `changed_note` is added to the run's notes."""
        options = self.options
        files = self.gate_files(base, head)
        text = files.text(path)
        if files.rev is None:
            return text, path
        self.note_change(files, head, path, changed_note)
        return text, f"{path} at {options.config_from} {files.rev[:7]}"

    def gate_files(self, base: str, head: str) -> GateFiles:
        """Where the gate's own files are read: the chosen commit's git objects (the base on
        pull requests), or the work tree."""
        rev = {"base": base, "head": head}.get(self.options.config_from)
        return GateFiles(self.options.repo, rev)

    def note_change(self, files: GateFiles, head: str, path: str, what: str) -> None:
        if self.options.config_from == "base":
            note = changed_note(files, head, path, what)
            if note is not None and note not in self.notes:
                self.notes.append(note)

    def note_judging_data(self, config: Config, model_path: str, base: str, head: str) -> None:
        """Eval data and pytest-benchmark baselines judge from the base on pull requests; a
        pull request that changes them gets a note (its version takes effect after merge)."""
        files = self.gate_files(base, head)
        if files.rev is None:
            return
        data = config.model_for(model_path).eval.data
        if data is not None:
            what = (
                "the base version judges (accuracy and the optimizer's calibration use it); "
                "the pull request's version takes effect after merge and is not measured here"
            )
            self.note_change(files, head, data, f"eval data: {what}")
        if config.pytest_benchmark is not None:
            what = "the base version of the pytest-benchmark baseline was used"
            self.note_change(files, head, config.pytest_benchmark.base, what)

    def load_config(self, base: str, head: str) -> LoadedConfig:
        """The config from the chosen revision; a PR that adds or edits it gets a note."""
        options = self.options
        path = options.config_path
        if options.config_from == "base" and options.thresholds:
            self.notes.append(
                "thresholds were overridden by command-line or workflow input ("
                + ", ".join(f"{k}: {v}" for k, v in options.thresholds.items())
                + "); on pull_request events GitHub runs the workflow file of the pull "
                "request, so such overrides are PR-controlled: keep binding thresholds in "
                f"{path} (read from the base branch)"
            )
        text, where = self.read_gate_file(
            path,
            base,
            head,
            "the gate used the base branch's version (a pull request cannot change its own "
            "gate). The change takes effect after merge.",
        )
        if text is None:
            self.config_source = "defaults"
            return LoadedConfig(Config(), options.repo)
        self.config_source = where
        config = parse_config(text, where)
        self.on_inconclusive = options.on_inconclusive or config.on_inconclusive
        rev = base if options.config_from == "base" else None
        return LoadedConfig(config, options.repo, path, rev)

    def load_waivers(self, base: str, head: str) -> tuple[Waiver, ...]:
        """`mlgate-waivers.yml` beside the config, from the same revision as the config."""
        path = posixpath.join(posixpath.dirname(self.options.config_path), DEFAULT_WAIVERS_NAME)
        text, where = self.read_gate_file(
            path,
            base,
            head,
            "the base branch's waivers were used (a pull request cannot waive its own "
            "regressions). The change takes effect after merge.",
        )
        return tuple(parse_waivers(text, where)) if text is not None else ()

    def globs(self, config: Config) -> tuple[str, ...]:
        if self.options.model_globs:
            return self.options.model_globs
        return tuple(m.path for m in config.models) or (DEFAULT_MODEL_GLOB,)

    def gate_model(
        self,
        change: ModelChange,
        base: str,
        head: str,
        loaded: LoadedConfig,
        progress: Progress,
        place: tuple[str, int] = ("", 0),  # the model's label in the log, models after it
    ) -> None:
        # Imported here: `mlgate plan` uses this package and must not load a model runtime.
        from mlgate.gate.budget import target_seconds
        from mlgate.gate.request import GateRequest
        from mlgate.gate.service import run_gate

        options = self.options
        base_path = change.base_path or change.path
        self.note_judging_data(loaded.config, change.path, base, head)
        request = GateRequest(
            base=git.GitPath(base, base_path),  # git objects only, whatever the work tree holds
            head=git.GitPath(head, change.path),
            json_out=options.results_dir / f"{slug(change.path)}.json",
            thresholds=options.thresholds,
            targets=options.targets,
            budget_seconds=options.budget_seconds,
            measure_memory=options.measure_memory,
            optimize=options.optimize,
            search_budget=options.search_budget,
            cache_dir=options.cache_dir,
            loaded_config=loaded,
            git_dir=options.repo,
            label=change.path,
            waivers=self.waivers,
            today=options.today,
        )
        label, queued = place
        per_model = len(_targets_of(loaded.config, options.targets)) * target_seconds(
            loaded.config, request
        )
        with progress.step(
            label or f"gating {change.path}",
            expect_seconds=per_model,
            then_seconds=queued * per_model,
        ):
            outcome = run_gate(request, progress)
        results, error = outcome.results, outcome.error
        self.results.append(results)
        if error is not None and not isinstance(error, MlgateError):
            self.internal_error = self.internal_error or error
        self.first_error = self.first_error or error

    def attach_history(self, config: Config) -> None:
        """The last results on main for each base model, from the history branch if this
        checkout has it (a note, never an error, when it cannot be read)."""
        if not config.history.show or not self.results:
            return
        ref = history_ref(config.history.branch, self.options.repo)
        if ref is None:
            return
        try:
            self.results = attach_history(self.results, git_reader(ref, self.options.repo))
        except MlgateError as exc:
            self.notes.append(f"main-branch history not shown: {exc}")

    def report(self) -> RunReport:
        return RunReport(
            schema_version=SCHEMA_VERSION,
            kind="mlgate-run",
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            verdict=run_verdict(self.results, self.errors),
            context=self.context,
            config_source=self.config_source,
            changes=self.changes,
            results=self.results,
            notes=self.notes,
            errors=self.errors,
            on_inconclusive=self.on_inconclusive,
        )

    def write(self) -> tuple[RunReport, Path]:
        report = self.report()
        path = self.options.results_dir / RUN_FILE
        write_results(report, path)
        return report, path

    def finish(self) -> CheckOutcome:
        report, path = self.write()
        if self.internal_error is not None:
            code = EXIT_INTERNAL
        elif report.verdict == "error":
            code = EXIT_BAD_INPUT
        elif fails_check(report.verdict, report.on_inconclusive):
            code = EXIT_REGRESSION
        else:
            code = EXIT_PASS
        return CheckOutcome(code, report, path, self.internal_error or self.first_error)


def _targets_of(config: Config, names: tuple[str, ...]) -> list[str]:
    known = [t.name for t in config.targets]
    return [n for n in names if n in known] if names else known
