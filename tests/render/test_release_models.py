"""A release's model sections: a model without eval data or a head says so."""

from __future__ import annotations

import dataclasses

from mlgate.render.release_view import release_view
from tests.render.sample import NOW, collected, sample_results


def test_a_model_without_eval_data_or_head_says_so():
    results = dataclasses.replace(sample_results(fail=False), eval=None, head=None)
    (section,) = release_view(collected(results), "v1", NOW).models
    assert section.eval_line.startswith("no eval data")
    assert (section.head_sha256, section.head_size) == ("—", "—")
