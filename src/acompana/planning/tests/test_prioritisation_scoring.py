"""The prioritisation score as a pure function (FP-1, DNP-1): unit and property tests.

No database: ``scoring.score_stakeholders`` works on plain ids, weights and raw values.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from acompana.planning.prioritisation.scoring import (
    Criterion,
    normalise,
    score_stakeholders,
    unique_ranks,
)


def _by_id(result):
    return {s.stakeholder_id: s for s in result.scored}


# --- normalisation ---------------------------------------------------------------------------


def test_min_max_gives_100_to_the_highest_and_0_to_the_lowest():
    """FP-1: more court actions (higher raw) means more priority."""
    values, stats = normalise({1: 0, 2: 5, 3: 10}, higher_means_priority=True)
    assert values == {1: 0.0, 2: 50.0, 3: 100.0}
    assert (stats.minimum, stats.maximum) == (0, 10)


def test_inverted_scale_gives_the_points_to_low_performers():
    """DNP-1: an indicator where higher is better prioritises the lowest values."""
    values, _stats = normalise({1: 40.0, 2: 70.0, 3: 100.0}, higher_means_priority=False)
    assert values == {1: 100.0, 2: 50.0, 3: 0.0}


def test_all_equal_values_give_zero_to_everyone():
    values, stats = normalise({1: 7, 2: 7, 3: 7}, higher_means_priority=True)
    assert values == {1: 0.0, 2: 0.0, 3: 0.0}
    assert stats.minimum == stats.maximum == 7
    values, _stats = normalise({1: 7}, higher_means_priority=False)
    assert values == {1: 0.0}


def test_no_values_at_all():
    values, stats = normalise({}, higher_means_priority=True)
    assert values == {}
    assert (stats.minimum, stats.maximum) == (None, None)


# --- the score -------------------------------------------------------------------------------


def test_score_is_the_weighted_mean_and_points_add_up_to_it():
    criteria = [Criterion("needs", 3), Criterion("furag", 1, higher_means_priority=False)]
    raw = {"needs": {1: 0, 2: 4, 3: 2}, "furag": {1: 20, 2: 80, 3: 50}}
    result = score_stakeholders(stakeholder_ids=[1, 2, 3], criteria=criteria, raw=raw)
    by = _by_id(result)
    # stakeholder 2: needs 100 (×3), furag 0 (×1) → 300 / 4 = 75
    assert by[2].score == 75.0
    assert by[2].breakdown["needs"].points == 75.0
    assert by[2].breakdown["furag"].points == 0.0
    # stakeholder 1: needs 0, furag 100 → 100 / 4 = 25
    assert by[1].score == 25.0
    # stakeholder 3: needs 50 (×3) + furag 50 (×1) → 200 / 4 = 50
    assert by[3].score == 50.0
    for scored in result.scored:
        assert sum(c.points for c in scored.breakdown.values()) == pytest.approx(scored.score)
        assert all(c.weight in (3, 1) for c in scored.breakdown.values())
    assert [s.stakeholder_id for s in result.scored] == [2, 3, 1]
    assert [s.rank for s in result.scored] == [1, 2, 3]


def test_missing_value_gets_zero_and_does_not_move_the_scale():
    criteria = [Criterion("furag", 1, higher_means_priority=False)]
    raw = {"furag": {1: 50.0, 2: 100.0}}  # stakeholder 3 has no value
    result = score_stakeholders(stakeholder_ids=[1, 2, 3], criteria=criteria, raw=raw)
    by = _by_id(result)
    assert by[3].breakdown["furag"].raw is None
    assert by[3].breakdown["furag"].normalised == 0.0
    assert by[1].breakdown["furag"].normalised == 100.0
    assert result.stats["furag"].with_value == 2
    assert result.stats["furag"].without_value == 1
    assert (result.stats["furag"].minimum, result.stats["furag"].maximum) == (50.0, 100.0)


def test_all_equal_criterion_adds_nothing_to_anyone():
    criteria = [Criterion("court", 1), Criterion("needs", 1)]
    raw = {"court": {1: 2, 2: 2}, "needs": {1: 0, 2: 3}}
    result = score_stakeholders(stakeholder_ids=[1, 2], criteria=criteria, raw=raw)
    by = _by_id(result)
    assert result.stats["court"].all_equal
    assert by[1].breakdown["court"].points == by[2].breakdown["court"].points == 0.0
    assert by[2].score == 50.0 and by[1].score == 0.0


def test_values_of_stakeholders_not_scored_are_ignored():
    raw = {"needs": {1: 1, 2: 2, 99: 1000}}
    result = score_stakeholders(stakeholder_ids=[1, 2], criteria=[Criterion("needs", 1)], raw=raw)
    assert result.stats["needs"].maximum == 2
    assert _by_id(result)[2].score == 100.0
    assert 99 not in _by_id(result)


def test_equal_scores_get_unique_ranks_by_the_tie_key():
    """Issue 11: equal scores no longer share a rank; the tie key (DANE code, NIT, id)
    orders them, so 12 (DANE 05001) comes before 10 (DANE 08001)."""
    keys = {10: ("08001", "", 10), 11: ("", "", 11), 12: ("05001", "", 12), 13: ("", "", 13)}
    assert unique_ranks({10: 80.0, 11: 50.0, 12: 80.0, 13: 20.0}, keys) == {
        12: 1,
        10: 2,
        11: 3,
        13: 4,
    }
    # without tie keys the id decides
    assert unique_ranks({10: 80.0, 12: 80.0}) == {10: 1, 12: 2}


def test_without_criteria_everyone_scores_zero():
    result = score_stakeholders(stakeholder_ids=[3, 1, 2], criteria=[], raw={})
    assert [(s.stakeholder_id, s.score, s.rank) for s in result.scored] == [
        (1, 0.0, 1),
        (2, 0.0, 2),
        (3, 0.0, 3),
    ]


@pytest.mark.parametrize("weight", [0, -1, float("nan")])
def test_weights_must_be_positive(weight):
    with pytest.raises(ValueError):
        score_stakeholders(
            stakeholder_ids=[1], criteria=[Criterion("a", weight)], raw={"a": {1: 1}}
        )


# --- properties ------------------------------------------------------------------------------

values = st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))


@st.composite
def problems(draw):
    ids = draw(st.lists(st.integers(1, 10_000), min_size=1, max_size=25, unique=True))
    count = draw(st.integers(1, 5))
    criteria = [
        Criterion(
            key=f"c{i}",
            weight=draw(st.floats(min_value=0.01, max_value=1000, allow_nan=False)),
            higher_means_priority=draw(st.booleans()),
        )
        for i in range(count)
    ]
    raw = {c.key: {sid: v for sid in ids if (v := draw(values)) is not None} for c in criteria}
    return ids, criteria, raw


@settings(max_examples=150, deadline=None)
@given(problems())
def test_scores_and_normalised_values_stay_between_0_and_100(problem):
    ids, criteria, raw = problem
    result = score_stakeholders(stakeholder_ids=ids, criteria=criteria, raw=raw)
    assert {s.stakeholder_id for s in result.scored} == set(ids)
    for scored in result.scored:
        assert 0.0 <= scored.score <= 100.0
        for cell in scored.breakdown.values():
            assert 0.0 <= cell.normalised <= 100.0
            assert cell.points >= 0.0
        # the points explain the score (each rounded to 0.001)
        assert sum(c.points for c in scored.breakdown.values()) == pytest.approx(
            scored.score, abs=0.001 * (len(criteria) + 1)
        )
    ranks = [s.rank for s in result.scored]
    assert ranks == list(range(1, len(ids) + 1))


@settings(max_examples=150, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_the_order_of_the_stakeholders(problem, rnd):
    ids, criteria, raw = problem
    first = score_stakeholders(stakeholder_ids=ids, criteria=criteria, raw=raw)
    shuffled_ids = list(ids)
    rnd.shuffle(shuffled_ids)
    shuffled_raw = {}
    for key, by_id in raw.items():
        items = list(by_id.items())
        rnd.shuffle(items)
        shuffled_raw[key] = dict(items)
    second = score_stakeholders(stakeholder_ids=shuffled_ids, criteria=criteria, raw=shuffled_raw)

    def summary(result):
        return {s.stakeholder_id: (s.score, s.rank, s.breakdown) for s in result.scored}

    assert summary(first) == summary(second)
    assert [s.stakeholder_id for s in first.scored] == [s.stakeholder_id for s in second.scored]


@settings(max_examples=200, deadline=None)
@given(problems(), st.data())
def test_more_priority_on_a_criterion_never_lowers_the_score(problem, data):
    """Raising a raw value where higher means priority (or lowering it where lower does)
    never lowers that stakeholder's score nor worsens its rank."""
    ids, criteria, raw = problem
    criterion = data.draw(st.sampled_from(criteria))
    sid = data.draw(st.sampled_from(ids))
    current = raw[criterion.key].get(sid)
    assume(current is not None)
    delta = data.draw(st.floats(min_value=0.001, max_value=1e6, allow_nan=False))
    moved = current + delta if criterion.higher_means_priority else current - delta
    assume(moved != current)
    before = _by_id(score_stakeholders(stakeholder_ids=ids, criteria=criteria, raw=raw))[sid]
    changed = {k: dict(v) for k, v in raw.items()}
    changed[criterion.key][sid] = moved
    after = _by_id(score_stakeholders(stakeholder_ids=ids, criteria=criteria, raw=changed))[sid]
    assert after.score >= before.score
    assert after.rank <= before.rank


def test_a_large_random_ranking_is_stable():
    rnd = random.Random(2026)
    ids = list(range(1, 5001))
    raw = {"a": {i: rnd.uniform(0, 100) for i in ids}, "b": {i: rnd.randint(0, 9) for i in ids}}
    criteria = [Criterion("a", 2, higher_means_priority=False), Criterion("b", 1)]
    result = score_stakeholders(stakeholder_ids=ids, criteria=criteria, raw=raw)
    scores = [s.score for s in result.scored]
    assert scores == sorted(scores, reverse=True)
    assert len(result.scored) == 5000
