"""Benchmark of the prioritisation ranking (issue 11, sections 3 and 10; DESIGN section 8).

FP-1 and DNP-1 rank the country's municipalities: the ranking of all 1,121 DIVIPOLA
municipalities on 6 criteria (3 indicators with some values missing, open requests, court
actions and the assistance of the previous year) must be computed in less than ``MAX_SECONDS``
(``selectors.ranking_compute``: the loading queries and the scoring), with min–max and with
z-score. The same ranking over a tenth of the municipalities is measured too: the number of
queries must not grow with the number of stakeholders. The figures and the ratios are printed.

Run it with ``make bench`` (``python -m benchmarks.run``) or on its own,
``python -m benchmarks.prioritisation``; the database is the benchmarks' ``acompana_bench``
(``benchmarks.consolidation.prepare_database``). ``build_ranking`` and ``measure`` work on
whatever database Django is connected to, so a test runs them at a tiny size.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
import zlib
from dataclasses import dataclass
from typing import Any

MAX_SECONDS = 1.0
#: every DIVIPOLA municipality, and a tenth of them
SIZES = (112, 1121)
CRITERIA = 6


@dataclass(frozen=True)
class Measure:
    stakeholders: int
    criteria: int
    normalisation: str
    seconds: float
    queries: int


def build_ranking(*, stakeholders: int, label: str = "", seed: int = 2026) -> Any:
    """A new FP organization whose registry holds ``stakeholders`` municipalities (one
    alcaldía per DIVIPOLA municipality, in code order), with a model of 6 criteria and the
    data they read; returns the model. Everything is bulk-created.

    Indicators: a 0–100 index (10 % missing), a 0/1 flag and a count (5 % missing). Open
    requests: about two per municipality, a quarter of them from the previous year, a tenth
    court actions, some addressed or discarded (not counted). Previous assistance: plan
    lines of the previous year for a third of the municipalities.
    """
    from decimal import Decimal

    from acompana.core.choices import GovernmentOrder, ProcedureCode, Role, UnitKind
    from acompana.core.models import FiscalYear, Membership, Organization, Unit, User
    from acompana.core.validators import nit_with_check_digit, normalize_search
    from acompana.geo.models import Municipality
    from acompana.planning.choices import (
        CriterionKind,
        IndicatorScale,
        NeedOrigin,
        NeedSource,
        NeedStatus,
    )
    from acompana.planning.models import (
        Indicator,
        IndicatorValue,
        Need,
        NeedStakeholder,
        Plan,
        PlanLine,
        PlanLineStakeholder,
        PrioritisationCriterion,
        PrioritisationModel,
    )
    from acompana.registry.choices import StakeholderKind
    from acompana.registry.models import Stakeholder

    rng = random.Random(seed)
    tag = label or f"{stakeholders}-{time.time_ns()}"
    serial = 700_000_000 + zlib.crc32(tag.encode()) % 90_000_000
    org = Organization.objects.create(
        name=f"Priorización Sintética {tag}",
        short_name="PS",
        slug=f"priorizacion-{tag}".lower()[:60],
        nit=nit_with_check_digit(f"{serial:09d}"),
        order=GovernmentOrder.NATIONAL,
        procedure_code=ProcedureCode.FP,
    )
    year = 2026
    fiscal, previous = FiscalYear.objects.bulk_create(
        FiscalYear(
            organization=org,
            year=y,
            start_date=datetime.date(y, 1, 1),
            end_date=datetime.date(y, 12, 31),
            is_current=y == year,
        )
        for y in (year, year - 1)
    )
    unit = Unit.objects.create(organization=org, name="Dirección", kind=UnitKind.DIRECTORATE)
    planner = User.objects.create(email=f"planeacion-{tag}@sintetica.gov.co", password="!")
    Membership.objects.create(organization=org, user=planner, roles=[Role.PLANNER])

    places = list(Municipality.objects.select_related("department").order_by("code")[:stakeholders])
    registry = Stakeholder.objects.bulk_create(
        Stakeholder(
            organization=org,
            kind=StakeholderKind.TERRITORIAL_ENTITY,
            name=f"Alcaldía de {m.name.title()}",
            search_name=normalize_search(f"Alcaldía de {m.name}"),
            nit=nit_with_check_digit(f"{800_000_000 + n:09d}"),
            dane_code=m.code,
            municipality=m,
            department=m.department,
        )
        for n, m in enumerate(places)
    )

    indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                organization=org,
                code="IDI",
                name="Índice de desempeño",
                source="furag",
                scale=IndicatorScale.PERCENT,
            ),
            Indicator(
                organization=org,
                code="PDT",
                name="Plan de desarrollo aprobado",
                source="other",
                scale=IndicatorScale.BINARY,
            ),
            Indicator(
                organization=org,
                code="VIC",
                name="Víctimas registradas",
                source="other",
                scale=IndicatorScale.COUNT,
                higher_is_better=False,
            ),
        ]
    )
    values = []
    for s in registry:
        if rng.random() > 0.10:
            values.append((indicators[0], s, Decimal(rng.randint(2000, 9800)) / 100))
        values.append((indicators[1], s, Decimal(rng.randint(0, 1))))
        if rng.random() > 0.05:
            values.append((indicators[2], s, Decimal(rng.randint(0, 5000))))
    IndicatorValue.objects.bulk_create(
        IndicatorValue(organization=org, indicator=i, stakeholder=s, year=year - 1, value=v)
        for i, s, v in values
    )

    statuses = [NeedStatus.OPEN] * 6 + [NeedStatus.PLANNED, NeedStatus.ADDRESSED]
    statuses += [NeedStatus.DISCARDED]
    needs = Need.objects.bulk_create(
        Need(
            organization=org,
            fiscal_year=previous if rng.random() < 0.25 else fiscal,
            unit=unit,
            title=f"Solicitud {n}",
            description="Asistencia técnica",
            origin=NeedOrigin.DEMAND,
            source=NeedSource.COURT_ACTION if rng.random() < 0.1 else NeedSource.EMAIL,
            status=rng.choice(statuses),
            created_at=datetime.datetime(year - 1, 6, 1, tzinfo=datetime.UTC)
            + datetime.timedelta(days=rng.randint(0, 300)),
        )
        for n in range(2 * len(registry))
    )
    NeedStakeholder.objects.bulk_create(
        NeedStakeholder(organization=org, need=need, stakeholder=rng.choice(registry))
        for need in needs
    )
    plan = Plan.objects.create(
        organization=org, unit=unit, fiscal_year=previous, created_by=planner
    )
    served = registry[::3]
    lines = PlanLine.objects.bulk_create(
        PlanLine(organization=org, plan=plan, position=n + 1, activity=f"Asistencia {n}")
        for n in range(len(served))
    )
    PlanLineStakeholder.objects.bulk_create(
        PlanLineStakeholder(organization=org, line=line, stakeholder=s)
        for line, s in zip(lines, served, strict=True)
    )

    model = PrioritisationModel.objects.create(
        organization=org,
        fiscal_year=fiscal,
        name="Priorización territorial",
        created_by=planner,
        reference_date=datetime.date(year, 1, 15),
    )
    specs = [
        (CriterionKind.INDICATOR, indicators[0], Decimal(3), False),
        (CriterionKind.INDICATOR, indicators[1], Decimal(1), False),
        (CriterionKind.INDICATOR, indicators[2], Decimal(2), True),
        (CriterionKind.NEEDS_COUNT, None, Decimal(2), True),
        (CriterionKind.COURT_ACTIONS, None, Decimal(3), True),
        (CriterionKind.PREVIOUS_ASSISTANCE, None, Decimal(1), False),
    ]
    PrioritisationCriterion.objects.bulk_create(
        PrioritisationCriterion(
            organization=org,
            model=model,
            kind=kind,
            indicator=indicator,
            indicator_year=year - 1 if indicator else None,
            weight=weight,
            higher_raw_means_priority=direction,
            label=f"{kind} {indicator.code if indicator else ''}".strip(),
            position=position,
        )
        for position, (kind, indicator, weight, direction) in enumerate(specs)
    )
    return model


def measure(model: Any, *, normalisation: str = "minmax", repeat: int = 3) -> Measure:
    """The best of ``repeat`` ``ranking_compute`` calls (after one warm-up): time, queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from acompana.planning.prioritisation.selectors import ranking_compute

    model.normalisation = normalisation
    model.save(update_fields=["normalisation"])
    ranking = ranking_compute(model=model)
    best = float("inf")
    queries = 0
    for _ in range(max(1, repeat)):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            ranking = ranking_compute(model=model)
            best = min(best, time.perf_counter() - started)
        queries = len(captured.captured_queries)
    assert [row.rank for row in ranking.rows] == list(range(1, len(ranking.rows) + 1))
    return Measure(
        stakeholders=len(ranking.rows) + len(ranking.excluded),
        criteria=len(ranking.criteria),
        normalisation=normalisation,
        seconds=best,
        queries=queries,
    )


def compare(small: Measure, big: Measure, *, max_seconds: float = MAX_SECONDS) -> list[str]:
    """The failures (empty: the benchmark passes)."""
    failures = []
    if big.queries != small.queries:
        failures.append(
            f"{big.queries} consultas con {big.stakeholders} grupos de valor y {small.queries} "
            f"con {small.stakeholders}: el número de consultas crece con los grupos de valor"
        )
    if big.seconds > max_seconds:
        failures.append(
            f"la priorización de {big.stakeholders} grupos de valor ({big.normalisation}) tarda "
            f"{big.seconds:.2f} s (máximo {max_seconds:.1f} s)"
        )
    return failures


def report(small: Measure, big: Measure) -> list[str]:
    rows = [
        f"  {m.normalisation:<7} {m.stakeholders:>5} grupos de valor × {m.criteria} criterios  "
        f"{m.seconds * 1000:8.1f} ms  {m.queries:>2} consultas"
        for m in (small, big)
    ]
    rows.append(
        f"  razón {big.stakeholders}/{small.stakeholders}: consultas "
        f"{big.queries / max(1, small.queries):.2f}, tiempo "
        f"{big.seconds / max(small.seconds, 1e-9):.2f} (máximo {MAX_SECONDS:.1f} s con "
        f"{big.stakeholders}: {big.seconds / MAX_SECONDS:.0%} del límite)"
    )
    return rows


def run(
    *, sizes: tuple[int, int] = SIZES, repeat: int = 3, max_seconds: float = MAX_SECONDS
) -> int:
    """Build both organizations, measure both normalisations, print; 1 when a target is
    missed (Django is set up)."""
    print("\nAcompaña — benchmark de la priorización (FP-1, DNP-1: ranking_compute)")
    models = [build_ranking(stakeholders=size, label=f"rank-{size}") for size in sizes]
    failures: list[str] = []
    for normalisation in ("minmax", "zscore"):
        small, big = (measure(m, normalisation=normalisation, repeat=repeat) for m in models)
        for row in report(small, big):
            print(row)
        failures += compare(small, big, max_seconds=max_seconds)
    if failures:
        print("FALLA:")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    print(
        f"OK: {sizes[1]} grupos de valor × {CRITERIA} criterios en menos de "
        f"{max_seconds:.0f} s, con las mismas consultas que {sizes[0]}."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    from benchmarks.consolidation import drop_database, prepare_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=SIZES[0])
    parser.add_argument("--big", type=int, default=SIZES[1])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=MAX_SECONDS)
    parser.add_argument("--keep", action="store_true", help="keep the acompana_bench database")
    args = parser.parse_args(argv)
    server_url, started_here = prepare_database(migrations=True)
    try:
        return run(sizes=(args.small, args.big), repeat=args.repeat, max_seconds=args.max_seconds)
    finally:
        if not args.keep:
            drop_database(server_url, stop_embedded=started_here)


if __name__ == "__main__":
    sys.exit(main())
