"""The prioritisation score (FP-1, DNP-1): a pure function over plain data.

No database here: ``selectors.ranking_compute`` loads the raw values (a constant number of
queries) and calls ``score_stakeholders``. Keeping the arithmetic pure makes it easy to
test exhaustively (see ``tests/test_prioritisation_scoring.py``) and to explain on the page.

The rule, stated the same way on the ranking page, in every export and in the priority
list PDF (``selectors.rule_statement``):

1. Each model chooses its **normalisation** (``NORMALISATIONS``):

   * ``minmax`` — min–max to 0–100 over the stakeholders that have a value: the one with
     most priority on the criterion gets 100, the one with least gets 0.
   * ``zscore`` — standard score: (value − mean) ÷ standard deviation, where the standard
     deviation is the **population** one (divide by *n*, not *n − 1*): the stakeholders
     scored are the whole population being ranked, not a sample of it. 0 is the average,
     +1 one deviation more priority than the average.

   When a *lower* raw value means more priority (an indicator where higher is better; fewer
   assistances received last year) the scale is inverted (100 − min–max, or −z).
2. When every stakeholder has the same raw value the criterion does not tell them apart:
   everyone gets 0 on it (it adds nothing to anyone's score).
3. Each model chooses the rule for a **missing value** (``MISSING_RULES``):

   * ``worst`` — the stakeholder gets the worst normalised value of that criterion (0 with
     min–max, the lowest z-score with z-score), so it is ranked but not favoured;
   * ``exclude`` — a stakeholder missing any criterion is left out of the ranking (and the
     minimum, maximum, mean and deviation are computed without it). The count is shown.

4. The score is the weighted mean: Σ(weight × normalised) / Σ weights (0–100 with min–max;
   an average z-score with z-score). The *points* of a criterion are
   weight × normalised / Σ weights, so the points of a stakeholder add up to its score.
5. Ranks are unique, 1..n. The score is compared rounded to ``DECIMALS`` (the shown score);
   equal scores are ordered by the **tie key** given by the caller — DANE code, then NIT,
   then the internal id (``selectors.tie_key``) — so "the first N" is never ambiguous and
   never depends on names or on the order stakeholders were read in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

#: scores, normalised values and points are rounded to this many decimals (the database
#: keeps three); ranks compare the rounded score so what is shown equal is a real tie
DECIMALS = 3

MINMAX = "minmax"
ZSCORE = "zscore"
NORMALISATIONS = (MINMAX, ZSCORE)

WORST = "worst"
EXCLUDE = "exclude"
MISSING_RULES = (WORST, EXCLUDE)

#: a tie key sorts ascending; ``tie_key`` in selectors builds (DANE code, NIT, id)
TieKey = tuple[object, ...]


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
    mean: float | None = None
    #: population standard deviation (divide by n) of the values used
    std: float | None = None

    @property
    def all_equal(self) -> bool:
        """True when the criterion cannot tell the stakeholders apart (everyone gets 0)."""
        return self.minimum is None or self.minimum == self.maximum


@dataclass(frozen=True)
class CriterionScore:
    """One stakeholder on one criterion: raw value, normalised value, weight and points."""

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
    #: best first, ranks 1..n
    scored: list[Scored]
    stats: dict[str, CriterionStats]
    #: stakeholders left out by the ``exclude`` rule (ids, ascending)
    excluded: list[int]


def _finite(value: object) -> bool:
    return value is not None and math.isfinite(float(value))  # type: ignore[arg-type]


def population_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and population standard deviation (√(Σ(x − mean)² / n))."""
    n = len(values)
    mean = math.fsum(values) / n
    return mean, math.sqrt(math.fsum((v - mean) ** 2 for v in values) / n)


def normalise(
    values: Mapping[int, float | None],
    *,
    higher_means_priority: bool,
    method: str = MINMAX,
) -> tuple[dict[int, float], CriterionStats]:
    """Normalise the values present (see the module docstring); the stats used beside.

    All equal (or a single value) → 0 for everyone. ``stats.key`` is left empty (the
    caller knows the criterion) and ``without_value`` 0.
    """
    finite = {sid: float(v) for sid, v in values.items() if _finite(v)}  # type: ignore[arg-type]
    if not finite:
        return {}, CriterionStats(key="", minimum=None, maximum=None, with_value=0, without_value=0)
    numbers = list(finite.values())
    low, high = min(numbers), max(numbers)
    mean, std = population_std(numbers)
    stats = CriterionStats(
        key="",
        minimum=low,
        maximum=high,
        with_value=len(finite),
        without_value=0,
        mean=mean,
        std=std,
    )
    if high == low or (method == ZSCORE and std == 0):
        return dict.fromkeys(finite, 0.0), stats
    sign = 1.0 if higher_means_priority else -1.0
    if method == ZSCORE:
        return {sid: sign * (v - mean) / std for sid, v in finite.items()}, stats
    span = high - low
    if higher_means_priority:
        result = {sid: 100.0 * (v - low) / span for sid, v in finite.items()}
    else:
        result = {sid: 100.0 * (high - v) / span for sid, v in finite.items()}
    # float rounding must never leave the scale
    return {sid: min(100.0, max(0.0, n)) for sid, n in result.items()}, stats


def unique_ranks(
    scores: Mapping[int, float], tie_keys: Mapping[int, TieKey] | None = None
) -> dict[int, int]:
    """Rank 1 for the highest score; equal scores ordered by tie key, then id: 1..n."""
    keys = tie_keys or {}
    ordered = sorted(scores, key=lambda sid: (-scores[sid], keys.get(sid, ()), sid))
    return {sid: position for position, sid in enumerate(ordered, start=1)}


def score_stakeholders(
    *,
    stakeholder_ids: Iterable[int],
    criteria: Sequence[Criterion],
    raw: Mapping[str, Mapping[int, float | None]],
    method: str = MINMAX,
    missing: str = WORST,
    tie_keys: Mapping[int, TieKey] | None = None,
) -> ScoringResult:
    """Score every stakeholder of ``stakeholder_ids`` on ``criteria``.

    ``raw[criterion.key][stakeholder_id]`` is the raw value; a stakeholder absent from it
    has no value for that criterion (``missing`` decides). Values of stakeholders outside
    ``stakeholder_ids`` are ignored. Weights must be positive (the services refuse anything
    else); with no criteria every score is 0.
    """
    if any(not c.weight > 0 for c in criteria):
        raise ValueError("Criterion weights must be positive.")
    if method not in NORMALISATIONS:
        raise ValueError(f"Unknown normalisation {method!r}.")
    if missing not in MISSING_RULES:
        raise ValueError(f"Unknown missing-value rule {missing!r}.")
    ids = sorted(set(stakeholder_ids))
    present: dict[str, dict[int, float]] = {}
    for criterion in criteria:
        source = raw.get(criterion.key, {})
        present[criterion.key] = {
            sid: float(source[sid])  # type: ignore[arg-type]
            for sid in ids
            if sid in source and _finite(source[sid])
        }
    excluded: list[int] = []
    if missing == EXCLUDE:
        excluded = [sid for sid in ids if any(sid not in present[c.key] for c in criteria)]
        if excluded:
            gone = set(excluded)
            ids = [sid for sid in ids if sid not in gone]
            present = {k: {s: v for s, v in d.items() if s not in gone} for k, d in present.items()}
    total_weight = sum(c.weight for c in criteria)
    normalised: dict[str, dict[int, float]] = {}
    worst: dict[str, float] = {}
    stats: dict[str, CriterionStats] = {}
    for criterion in criteria:
        values = present[criterion.key]
        normalised[criterion.key], base = normalise(
            values, higher_means_priority=criterion.higher_means_priority, method=method
        )
        worst[criterion.key] = min(normalised[criterion.key].values(), default=0.0)
        stats[criterion.key] = CriterionStats(
            key=criterion.key,
            minimum=base.minimum,
            maximum=base.maximum,
            with_value=len(values),
            without_value=len(ids) - len(values),
            mean=base.mean,
            std=base.std,
        )
    scores: dict[int, float] = {}
    breakdowns: dict[int, dict[str, CriterionScore]] = {}
    for sid in ids:
        breakdown: dict[str, CriterionScore] = {}
        total = 0.0
        for criterion in criteria:
            value = present[criterion.key].get(sid)
            norm = normalised[criterion.key].get(sid, worst[criterion.key])
            contribution = criterion.weight * norm / total_weight
            total += contribution
            breakdown[criterion.key] = CriterionScore(
                raw=value,
                normalised=round(norm, DECIMALS),
                weight=criterion.weight,
                points=round(contribution, DECIMALS),
            )
        score = round(total, DECIMALS)
        if method == MINMAX:
            score = min(100.0, max(0.0, score))
        scores[sid] = score + 0.0  # never -0.0
        breakdowns[sid] = breakdown
    ranks = unique_ranks(scores, tie_keys)
    scored = [
        Scored(stakeholder_id=sid, score=scores[sid], rank=ranks[sid], breakdown=breakdowns[sid])
        for sid in sorted(ids, key=lambda s: ranks[s])
    ]
    return ScoringResult(scored=scored, stats=stats, excluded=excluded)
