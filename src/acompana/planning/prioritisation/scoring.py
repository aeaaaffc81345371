"""The prioritisation score (FP-1, DNP-1): a pure function over plain data.

No database here: ``selectors.ranking_compute`` loads the raw values (a constant number of
queries) and calls ``score_stakeholders``. Keeping the arithmetic pure makes it easy to
test exhaustively (see ``tests/test_prioritisation_scoring.py``) and to explain on the page.

The rule, stated the same way on the ranking page and in the priority list PDF:

1. Each criterion's raw values are normalised to 0–100 by min–max over the stakeholders
   that have a value: the stakeholder with most priority on that criterion gets 100, the one
   with least gets 0. When a *lower* raw value means more priority (an indicator where higher
   is better: the low performers get the points; fewer assistances received last year), the
   scale is inverted.
2. When every stakeholder has the same raw value the criterion does not tell them apart:
   everyone gets 0 on it (it adds nothing to anyone's score).
3. A stakeholder without a value (no indicator value for that year) gets 0 on the criterion.
4. The score is the weighted mean: Σ(weight × normalised) / Σ weights, from 0 to 100.
   The *points* of a criterion are weight × normalised / Σ weights, so the points of a
   stakeholder add up to its score.
5. Ranks are competition ranks ("1, 2, 2, 4"): equal scores share a rank, so the ranking
   does not depend on the order the stakeholders were read in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

#: scores, normalised values and points are rounded to this many decimals (the database
#: keeps three); ranks are computed on the rounded score so shown ties are real ties
DECIMALS = 3


@dataclass(frozen=True)
class Criterion:
    """One weighted criterion, as the scoring sees it."""

    key: str
    weight: float
    #: True: a higher raw value means more priority (more needs, more court actions)
    higher_means_priority: bool = True


@dataclass(frozen=True)
class CriterionStats:
    """What the normalisation of one criterion used (shown on the page to explain it)."""

    key: str
    minimum: float | None
    maximum: float | None
    with_value: int
    without_value: int

    @property
    def all_equal(self) -> bool:
        """True when the criterion cannot tell the stakeholders apart (everyone gets 0)."""
        return self.minimum is None or self.minimum == self.maximum


@dataclass(frozen=True)
class CriterionScore:
    """One stakeholder on one criterion: raw value, normalised 0–100, weight and points."""

    raw: float | None
    normalised: float
    weight: float
    points: float


@dataclass(frozen=True)
class Scored:
    stakeholder_id: int
    score: float
    rank: int
    #: criterion key → its score, in the order of the criteria
    breakdown: dict[str, CriterionScore]


@dataclass(frozen=True)
class ScoringResult:
    #: best first; equal scores in stakeholder id order
    scored: list[Scored]
    stats: dict[str, CriterionStats]


def normalise(
    values: Mapping[int, float | None], *, higher_means_priority: bool
) -> tuple[dict[int, float], float | None, float | None]:
    """Min–max normalisation to 0–100 of the values present (see the module docstring).

    Returns the normalised value of each stakeholder that has a raw value, and the minimum
    and maximum used. All equal (or a single value) → 0 for everyone.
    """
    finite = {sid: float(v) for sid, v in values.items() if v is not None and math.isfinite(v)}
    if not finite:
        return {}, None, None
    low, high = min(finite.values()), max(finite.values())
    if high == low:
        return dict.fromkeys(finite, 0.0), low, high
    span = high - low
    if higher_means_priority:
        result = {sid: 100.0 * (v - low) / span for sid, v in finite.items()}
    else:
        result = {sid: 100.0 * (high - v) / span for sid, v in finite.items()}
    # float rounding must never leave the scale
    return {sid: min(100.0, max(0.0, n)) for sid, n in result.items()}, low, high


def competition_ranks(scores: Mapping[int, float]) -> dict[int, int]:
    """Rank 1 for the highest score; equal scores share a rank and the next rank skips."""
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    ranks: dict[int, int] = {}
    previous: float | None = None
    rank = 0
    for position, (sid, score) in enumerate(ordered, start=1):
        if previous is None or score != previous:
            rank = position
            previous = score
        ranks[sid] = rank
    return ranks


def score_stakeholders(
    *,
    stakeholder_ids: Iterable[int],
    criteria: Sequence[Criterion],
    raw: Mapping[str, Mapping[int, float | None]],
) -> ScoringResult:
    """Score every stakeholder of ``stakeholder_ids`` on ``criteria``.

    ``raw[criterion.key][stakeholder_id]`` is the raw value; a stakeholder missing from it
    has no value for that criterion (normalised 0). Values of stakeholders outside
    ``stakeholder_ids`` are ignored (they do not move the minimum or maximum). Weights
    must be positive (the services refuse anything else); with no criteria every score is 0.
    """
    if any(not c.weight > 0 for c in criteria):
        raise ValueError("Criterion weights must be positive.")
    ids = sorted(set(stakeholder_ids))
    id_set = set(ids)
    total_weight = sum(c.weight for c in criteria)
    normalised: dict[str, dict[int, float]] = {}
    stats: dict[str, CriterionStats] = {}
    for criterion in criteria:
        values = {
            sid: float(v)
            for sid, v in raw.get(criterion.key, {}).items()
            if sid in id_set and v is not None and math.isfinite(float(v))
        }
        normalised[criterion.key], low, high = normalise(
            values, higher_means_priority=criterion.higher_means_priority
        )
        stats[criterion.key] = CriterionStats(
            key=criterion.key,
            minimum=low,
            maximum=high,
            with_value=len(values),
            without_value=len(ids) - len(values),
        )
    scores: dict[int, float] = {}
    breakdowns: dict[int, dict[str, CriterionScore]] = {}
    for sid in ids:
        breakdown: dict[str, CriterionScore] = {}
        total = 0.0
        for criterion in criteria:
            value = raw.get(criterion.key, {}).get(sid)
            has_value = value is not None and math.isfinite(float(value))
            norm = normalised[criterion.key].get(sid, 0.0)
            contribution = criterion.weight * norm / total_weight
            total += contribution
            breakdown[criterion.key] = CriterionScore(
                raw=float(value) if has_value and value is not None else None,
                normalised=round(norm, DECIMALS),
                weight=criterion.weight,
                points=round(contribution, DECIMALS),
            )
        scores[sid] = min(100.0, max(0.0, round(total, DECIMALS)))
        breakdowns[sid] = breakdown
    ranks = competition_ranks(scores)
    scored = [
        Scored(stakeholder_id=sid, score=scores[sid], rank=ranks[sid], breakdown=breakdowns[sid])
        for sid in sorted(ids, key=lambda s: (ranks[s], s))
    ]
    return ScoringResult(scored=scored, stats=stats)
