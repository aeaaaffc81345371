"""The plan page benchmark's code path at a small size (``benchmarks/plan_page.py``), so it
does not rot between runs of ``make bench``; and the property it measures: the plan page's
queries do not grow with its lines."""

from __future__ import annotations

import pytest

from benchmarks.plan_page import Measure, build_plan, compare, measure, report

pytestmark = pytest.mark.django_db


def test_the_plan_page_takes_the_same_queries_with_5_and_60_lines():
    small_plan, small_user = build_plan(lines=5, label="tiny-5")
    big_plan, big_user = build_plan(lines=60, label="tiny-60")
    small = measure(small_plan, small_user, repeat=1)
    big = measure(big_plan, big_user, repeat=1)
    assert (small.lines, big.lines) == (5, 60)
    assert big.queries == small.queries, (small, big)
    assert compare(small, big, max_ms=60_000) == []
    assert "razón" in report(small, big)[-1]


def test_compare_reports_growing_queries_and_a_slow_page():
    small = Measure(lines=5, milliseconds=20, queries=30)
    big = Measure(lines=500, milliseconds=400, queries=540)
    assert len(compare(small, big)) == 2
    assert compare(small, Measure(lines=500, milliseconds=90, queries=30)) == []
