"""The ranking benchmark's code path at a tiny size (``benchmarks/prioritisation.py``), so
it does not rot; the real figures come from ``make bench``."""

from __future__ import annotations

import pytest

from benchmarks.prioritisation import CRITERIA, Measure, build_ranking, compare, measure, report

pytestmark = pytest.mark.django_db


def test_the_ranking_benchmark_runs_at_a_small_size():
    small_model = build_ranking(stakeholders=6, label="t-small")
    big_model = build_ranking(stakeholders=30, label="t-big")
    for normalisation in ("minmax", "zscore"):
        small = measure(small_model, normalisation=normalisation, repeat=1)
        big = measure(big_model, normalisation=normalisation, repeat=1)
        assert (small.stakeholders, big.stakeholders) == (6, 30)
        assert big.criteria == CRITERIA
        assert big.queries == small.queries  # constant whatever the number of stakeholders
        assert compare(small, big, max_seconds=5) == []
        assert "razón 30/6" in report(small, big)[-1]


def test_compare_reports_a_slow_or_growing_ranking():
    small = Measure(112, 6, "minmax", 0.05, 6)
    big = Measure(1121, 6, "minmax", 1.5, 9)
    failures = compare(small, big, max_seconds=1.0)
    assert len(failures) == 2
    assert "1.50 s" in failures[1]
