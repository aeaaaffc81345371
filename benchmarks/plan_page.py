"""Benchmark of the plan page (issue 11, section 10; DESIGN section 8).

The page a unit opens every day must not slow down as its plan grows: the server time and the
number of queries of ``planning:plan_detail`` are measured for a plan of 5 lines and one of
500 lines (each line with stakeholders, a need, catalogue values, a municipality and a
responsible person), as its unit's professional sees it (the editable grid).

Pass: the two plans take the same number of queries, and the 500-line page answers in less
than ``MAX_MS`` milliseconds (the best of ``--repeat`` requests, after one warm-up request).
The figures and the ratios are printed.

Run it with ``make bench`` (``python -m benchmarks.run``) or on its own,
``python -m benchmarks.plan_page``; the database is the benchmarks' ``acompana_bench``
(``benchmarks.consolidation.prepare_database``). ``build_plan`` and ``measure`` work on
whatever database Django is connected to, so a test runs them at a tiny size.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MAX_MS = 150.0
SIZES = (5, 500)


@dataclass(frozen=True)
class Measure:
    lines: int
    milliseconds: float
    queries: int


def build_plan(*, lines: int, label: str = "") -> tuple[Any, Any]:
    """A new FP organization (every FP column on the page) with one unit plan of ``lines``
    complete lines; returns ``(plan, professional)``. Everything is bulk-created."""
    from acompana.catalog.models import Mechanism, Modality, ServiceType, Topic
    from acompana.core.choices import GovernmentOrder, ProcedureCode, Role, UnitKind
    from acompana.core.models import FiscalYear, Membership, Organization, Unit, User
    from acompana.core.validators import nit_with_check_digit
    from acompana.geo.models import Municipality
    from acompana.planning.models import Need, Plan, PlanLine, PlanLineNeed, PlanLineStakeholder
    from acompana.registry.models import Stakeholder

    tag = label or f"{lines}-{time.time_ns()}"
    serial = 800_000_000 + (hash(tag) % 90_000_000)
    org = Organization.objects.create(
        name=f"Función Pública Sintética {tag}",
        short_name="FPS",
        slug=f"plan-bench-{tag}".lower()[:60],
        nit=nit_with_check_digit(f"{serial:09d}"),
        order=GovernmentOrder.NATIONAL,
        procedure_code=ProcedureCode.FP,
    )
    year = 2026
    fiscal = FiscalYear.objects.create(
        organization=org,
        year=year,
        start_date=datetime.date(year, 1, 1),
        end_date=datetime.date(year, 12, 31),
        is_current=True,
    )
    unit = Unit.objects.create(
        organization=org, name="Dirección Técnica", kind=UnitKind.DIRECTORATE
    )
    professional = User.objects.create(
        email=f"profesional-{tag}@sintetica.gov.co".lower(), full_name="Profesional Sintética"
    )
    Membership.objects.create(
        organization=org, user=professional, unit=unit, roles=[Role.PROFESSIONAL]
    )
    topic = Topic.objects.create(organization=org, name="Gestión del conocimiento", code="gc")
    mechanism = Mechanism.objects.create(organization=org, name="Taller", code="taller")
    modality = Modality.objects.create(organization=org, name="Presencial", code="presencial")
    service_type = ServiceType.objects.create(organization=org, name="Asesoría", code="asesoria")
    municipality = Municipality.objects.order_by("code").first()
    stakeholders = Stakeholder.objects.bulk_create(
        Stakeholder(
            organization=org,
            kind="national_entity" if s % 3 == 0 else "municipality",
            name=f"Entidad {s + 1}",
            search_name=f"entidad {s + 1}",
            nit=nit_with_check_digit(f"{serial + s + 1:09d}"),
        )
        for s in range(40)
    )
    needs = Need.objects.bulk_create(
        Need(
            organization=org,
            fiscal_year=fiscal,
            unit=unit,
            title=f"Necesidad {n + 1}",
            description="Fortalecer la gestión.",
            origin="demand",
            source="request",
        )
        for n in range(20)
    )
    plan = Plan.objects.create(
        organization=org,
        unit=unit,
        fiscal_year=fiscal,
        title="Plan integral",
        created_by=professional,
    )
    created = PlanLine.objects.bulk_create(
        PlanLine(
            organization=org,
            plan=plan,
            position=i + 1,
            activity=f"Asistencia técnica {i + 1}",
            objective="Mejorar la gestión institucional.",
            programme="Programa 1",
            topic=topic,
            mechanism=mechanism,
            modality=modality,
            service_type=service_type,
            months=[1 + i % 12],
            place="Sede principal",
            municipality=municipality,
            responsible=professional,
            budget=Decimal(250_000 * (1 + i % 7)),
            needs_travel=i % 4 == 0,
            legal_obligation=i % 3 == 0,
            legal_basis="Ley 1955 de 2019, art. 8" if i % 3 == 0 else "",
            territorial_manager="Gestor territorial",
        )
        for i in range(lines)
    )
    PlanLineStakeholder.objects.bulk_create(
        PlanLineStakeholder(organization=org, line=line, stakeholder=stakeholders[(i + k) % 40])
        for i, line in enumerate(created)
        for k in range(2)
    )
    PlanLineNeed.objects.bulk_create(
        PlanLineNeed(organization=org, line=line, need=needs[i % 20])
        for i, line in enumerate(created)
    )
    return plan, professional


def measure(plan: Any, user: Any, *, repeat: int = 5) -> Measure:
    """``GET`` the plan page as ``user``: one warm-up request (caches, templates), then the
    best time of ``repeat`` requests and the queries of the last one."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    url = reverse("planning:plan_detail", args=[plan.pk])
    best = float("inf")
    queries = 0
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        for _ in range(max(1, repeat)):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            best = min(best, elapsed)
            queries = len(captured.captured_queries)
    lines = plan.lines.count()
    return Measure(lines=lines, milliseconds=best * 1000, queries=queries)


def compare(small: Measure, big: Measure, *, max_ms: float = MAX_MS) -> list[str]:
    """The failures (empty: the benchmark passes)."""
    failures = []
    if big.queries != small.queries:
        failures.append(
            f"{big.queries} consultas con {big.lines} líneas y {small.queries} con "
            f"{small.lines}: el número de consultas crece con las líneas"
        )
    if big.milliseconds > max_ms:
        failures.append(
            f"la página con {big.lines} líneas tarda {big.milliseconds:.0f} ms "
            f"(máximo {max_ms:.0f} ms)"
        )
    return failures


def report(small: Measure, big: Measure) -> list[str]:
    rows = [
        f"  {m.lines:>5} líneas  {m.milliseconds:7.1f} ms  {m.queries:>3} consultas"
        for m in (small, big)
    ]
    rows.append(
        f"  razón {big.lines}/{small.lines}: consultas {big.queries / max(1, small.queries):.2f}, "
        f"tiempo {big.milliseconds / max(small.milliseconds, 1e-6):.2f}"
    )
    return rows


def run(*, sizes: tuple[int, int] = SIZES, repeat: int = 5, max_ms: float = MAX_MS) -> int:
    """Build both plans, measure, print; 1 when a target is missed (Django is set up)."""
    print("\nAcompaña — benchmark de la página del plan (planning:plan_detail)")
    measures = []
    for size in sizes:
        plan, user = build_plan(lines=size, label=f"page-{size}")
        measures.append(measure(plan, user, repeat=repeat))
    small, big = measures
    for row in report(small, big):
        print(row)
    failures = compare(small, big, max_ms=max_ms)
    if failures:
        print("FALLA:")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    print(
        f"OK: mismas consultas con {small.lines} y {big.lines} líneas; {big.lines} líneas en "
        f"menos de {max_ms:.0f} ms."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    from benchmarks.consolidation import drop_database, prepare_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=SIZES[0])
    parser.add_argument("--big", type=int, default=SIZES[1])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--max-ms", type=float, default=MAX_MS)
    parser.add_argument("--keep", action="store_true", help="keep the acompana_bench database")
    args = parser.parse_args(argv)
    server_url, started_here = prepare_database(migrations=True)
    try:
        return run(sizes=(args.small, args.big), repeat=args.repeat, max_ms=args.max_ms)
    finally:
        if not args.keep:
            drop_database(server_url, stop_embedded=started_here)


if __name__ == "__main__":
    sys.exit(main())
