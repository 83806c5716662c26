"""A release's provenance: the commits of each run with a head, and none for a local run."""

from __future__ import annotations

import dataclasses

from mlgate.render.release_view import release_view
from mlgate.results.schema import RunContextInfo
from tests.render.sample import NOW, collected, sample_results


def test_commits_list_each_run_with_a_head_and_skip_the_rest():
    current = dataclasses.replace(
        collected(sample_results(fail=False)),
        contexts=[
            RunContextInfo(repository="o/r", head_sha="h" * 40, base_sha="b" * 40, run_url="u"),
            RunContextInfo(head_sha="c" * 40),
            RunContextInfo(repository="o/r"),  # a local run: no commit to name
        ],
    )
    view = release_view(current, "v1", NOW)
    assert view.commits == [
        f"o/r head {'h' * 40} against base {'b' * 40} (u)",
        f"head {'c' * 40} against base —",
    ]
