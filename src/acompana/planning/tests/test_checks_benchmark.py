"""The benchmark's code path at a tiny size (``benchmarks/consolidation.py``), so it does not
rot between runs of ``make bench``. The real measure (20,000 lines) is not a test."""

from __future__ import annotations

import pytest

from benchmarks.consolidation import Measure, build_synthetic, compare, measure

pytestmark = pytest.mark.django_db


def test_the_benchmark_builds_checks_and_compares_at_a_tiny_size():
    big, planner = build_synthetic(lines=120, units=6, stakeholders=60, label="tiny-big")
    small, planner_small = build_synthetic(lines=30, units=6, stakeholders=60, label="tiny-small")
    runs = {}
    for name, consolidated, actor in (("big", big, planner), ("small", small, planner_small)):
        first = measure(consolidated, actor)
        again = measure(consolidated, actor)
        assert first.findings == again.findings > 0
        runs[name] = (first, again)
    assert runs["big"][0].lines == 120 and runs["small"][0].lines == 30
    assert runs["big"][1].queries == runs["small"][1].queries
    assert compare(runs["big"], runs["small"]) == []


def test_compare_reports_slow_runs_and_growing_queries():
    fast = Measure(lines=2000, seconds=0.2, queries=20, findings=10, by_severity={})
    slow = Measure(lines=20000, seconds=7.0, queries=40, findings=10, by_severity={})
    failures = compare((slow, slow), (fast, fast))
    assert len(failures) == 4
