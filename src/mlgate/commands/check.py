"""`mlgate check`: gate every ONNX model that changed between two git revisions.

The Action runs this on a pull request (base = merge-base, head = the PR's head commit); it
works the same locally (`mlgate check --base main`). Orchestration only."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import onnx
from google.protobuf.message import DecodeError

from mlgate import dvc, git
from mlgate.commands.gate_files import GateFiles, changed_note
from mlgate.commands.history import git_reader, history_ref
from mlgate.compare.compare import fails_check, run_verdict
from mlgate.compare.waivers import Waiver
from mlgate.config import (
    DEFAULT_CONFIG_NAME,
    DEFAULT_WAIVERS_NAME,
    Config,
    LoadedConfig,
    glob_matches,
    parse_config,
    parse_waivers,
)
from mlgate.error_handler import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_PASS, EXIT_REGRESSION
from mlgate.errors import DvcError, MlgateError
from mlgate.model.load import external_locations
from mlgate.progress import NoProgress, Progress
from mlgate.results.history import attach_history
from mlgate.results.schema import (
    SCHEMA_VERSION,
    ModelChange,
    OnInconclusive,
    Results,
    RunContextInfo,
    RunReport,
)
from mlgate.results.store import write_results

ConfigFrom = Literal["base", "head", "worktree"]
DEFAULT_MODEL_GLOB = "**/*.onnx"
RUN_FILE = "run.json"


@dataclass(frozen=True)
class CheckOptions:
    base: str  # a revision; the gate compares against merge-base(base, head)
    head: str = "HEAD"
    repo: Path = Path()
    results_dir: Path = Path("mlgate-results")
    model_globs: tuple[str, ...] = ()  # default: the config's `models` paths, else **/*.onnx
    config_path: str = DEFAULT_CONFIG_NAME  # repository-relative
    config_from: ConfigFrom = "worktree"  # "base" on pull requests: a PR cannot relax its gate
    thresholds: dict[str, str] = field(default_factory=dict)
    targets: tuple[str, ...] = ()
    budget_seconds: float | None = None
    measure_memory: bool = True
    optimize: bool = True
    search_budget: float | None = None  # seconds for the variant search (0: off)
    cache_dir: Path | None = None  # search results kept between runs (None: not kept)
    use_merge_base: bool = True
    on_inconclusive: OnInconclusive | None = None  # overrides the config's (Action input)
    context: RunContextInfo = field(default_factory=RunContextInfo)
    today: dt.date | None = None  # for waiver expiry (default: today, UTC)


@dataclass(frozen=True)
class CheckOutcome:
    exit_code: int
    report: RunReport
    run_file: Path
    error: Exception | None = None  # the first bad input (exit 2) or bug (exit 3)


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
        # Imported here: `mlgate plan` uses this module and must not load a model runtime.
        from mlgate.commands.compare import CompareOptions, run_compare, target_seconds

        options = self.options
        base_path = change.base_path or change.path
        self.note_judging_data(loaded.config, change.path, base, head)
        compare_options = CompareOptions(
            base=git.GitPath(base, base_path),  # git objects only, whatever the work tree holds
            head=git.GitPath(head, change.path),
            json_out=options.results_dir / f"{_slug(change.path)}.json",
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
            loaded.config, compare_options
        )
        with progress.step(
            label or f"gating {change.path}",
            expect_seconds=per_model,
            then_seconds=queued * per_model,
        ):
            results, error = run_compare(compare_options, progress)
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


def _slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "__", path.removesuffix(".onnx")).strip("_") or "model"


def _matches(path: str, globs: tuple[str, ...]) -> bool:
    return path.endswith(".onnx") and any(glob_matches(g, path) for g in globs)


def detect_changes(base: str, head: str, globs: tuple[str, ...], repo: Path) -> list[ModelChange]:
    """Models matching `globs` that changed, including models whose external data changed."""
    changes: list[ModelChange] = []
    changed_data: set[str] = set()
    # DVC: a model whose `.dvc` file or `dvc.lock` entry changed counts as changed
    tracked = dvc.tracked_changes(base, head, git.changed_files(base, head, repo), repo)
    for change in tracked.files:
        if _matches(change.path, globs) or (change.old_path and _matches(change.old_path, globs)):
            changes.append(_model_change(change))
        elif not dvc.is_meta_file(change.path):  # perhaps a model's external data
            changed_data.add(change.path)
    changes += [_dvc_directory(path) for path in tracked.directories if _may_hold(path, globs)]
    data_dirs = {posixpath.dirname(path) for path in changed_data}
    seen = {c.path for c in changes}
    listed = git.list_files(head, repo) if data_dirs else []
    metas = [m for m in listed if dvc.is_meta_file(m) and _under(posixpath.dirname(m), data_dirs)]
    for path in listed + dvc.tracked_files(head, metas, repo):
        if (
            path in seen
            or not _matches(path, globs)
            or not _under(posixpath.dirname(path), data_dirs)
        ):
            continue
        if _uses_changed_data(head, path, changed_data, repo):
            changes.append(ModelChange(path=path, status="modified"))
    return sorted(changes, key=lambda c: c.path)


def _dvc_directory(path: str) -> ModelChange:
    return ModelChange(path + "/", "modified", gated=False, reason=dvc.DIRECTORY_REASON)


def _may_hold(folder: str, globs: tuple[str, ...]) -> bool:
    """Whether a model the globs match could be in `folder` (a DVC-tracked directory)."""
    return any(glob_matches(g, f"{folder}/model.onnx") for g in globs)


def _under(folder: str, dirs: set[str]) -> bool:
    """Whether any of `dirs` is `folder` or below it (where its external data may live)."""
    return any(not folder or d == folder or d.startswith(folder + "/") for d in dirs)


def _model_change(change: git.FileChange) -> ModelChange:
    if change.status == "A":
        return ModelChange(
            change.path,
            "added",
            gated=False,
            reason="new model: nothing to compare against; later changes to it are gated",
        )
    if change.status == "D":
        return ModelChange(change.path, "deleted", gated=False, reason="removed in this change")
    if change.status in "RC":
        return ModelChange(change.path, "renamed", base_path=change.old_path)
    return ModelChange(change.path, "modified")


def _uses_changed_data(rev: str, path: str, changed: set[str], repo: Path) -> bool:
    """Whether the model at `rev:path` keeps tensors in one of the `changed` files."""
    folder = posixpath.dirname(path)
    try:
        proto = onnx.load_model_from_string(dvc.read_blob(git.GitPath(rev, path), repo))
    except (DecodeError, ValueError, RuntimeError):
        return False  # unreadable here: a model change, if any, is reported when it is gated
    except DvcError:  # a DVC model not pulled here (the plan job): judge by the data's names
        stem = posixpath.basename(path).removesuffix(".onnx")
        return any(
            posixpath.dirname(c) == folder and posixpath.basename(c).startswith(stem)
            for c in changed
        )
    return any(
        posixpath.normpath(posixpath.join(folder, location)) in changed
        for location, _, _ in external_locations(proto)
    )


def _targets_of(config: Config, names: tuple[str, ...]) -> list[str]:
    known = [t.name for t in config.targets]
    return [n for n in names if n in known] if names else known
