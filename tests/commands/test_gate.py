"""`mlgate gate`: the matrix's last job merges every job's run.json into one verdict; what
it refuses is one line and exit 2."""

from __future__ import annotations

from mlgate.cli import main


def test_results_of_different_commits_are_never_merged(tmp_path, capsys):
    from mlgate.results import store
    from mlgate.results.schema import SCHEMA_VERSION, RunContextInfo, RunReport

    for name, head in (("a", "1" * 40), ("b", "2" * 40)):
        context = RunContextInfo(base_sha="0" * 40, head_sha=head)
        report = RunReport(
            SCHEMA_VERSION, "mlgate-run", "2026-11-23T00:00:00+00:00", "pass", context, "defaults"
        )
        store.write_results(report, tmp_path / "results" / name / "run.json")
    code = main(["gate", "--results", str(tmp_path / "results")])
    err = capsys.readouterr().err
    assert code == 2
    assert "different commits are never merged" in err
    assert err.count("\n") == 1


def test_an_empty_results_folder_is_one_line(tmp_path, capsys):
    (tmp_path / "results").mkdir()
    assert main(["gate", "--results", str(tmp_path / "results")]) == 2
    assert "no run.json found" in capsys.readouterr().err


def test_results_is_required(capsys):
    assert main(["gate"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--results" in err
