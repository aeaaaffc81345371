"""Benchmark of the consolidation checks (issue 3, section 7; DESIGN section 8).

Builds a synthetic organization — 40 units, 5,000 stakeholders, 20,000 plan lines with their
stakeholder and need links, realistic duplicates across units and a share of incomplete or
inconsistent lines — in a throw-away PostgreSQL database, then runs
``acompana.planning.checks.engine.run_checks`` and prints its time, its number of queries and
its number of findings. It runs again on the same organization shape with 2,000 lines and
prints the ratios: the number of queries must not grow with the number of lines.

Each size is measured twice: the first run (every finding is new: one INSERT) and a rerun
(the usual case: the findings exist, nothing changed).

Exit status 1 when a 20,000-line run takes more than 5 s or when the query counts of the two
sizes differ by more than 2. Run it with ``make bench`` (``python -m benchmarks.run``).

The database: ``acompana_bench`` on the server of ``DATABASE_URL`` when it is set, else on
the embedded server (``acompana.config.embedded_db``, started and stopped here when it was
not running). It is dropped and created again, migrated, and dropped at the end (``--keep``
keeps it).

``build_synthetic`` and ``measure`` work on whatever database Django is connected to, so a
test runs them at a tiny size to keep this script from rotting.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DB = "acompana_bench"
MAX_SECONDS = 5.0
MAX_QUERY_DIFFERENCE = 2


@dataclass(frozen=True)
class Measure:
    lines: int
    seconds: float
    queries: int
    findings: int
    by_severity: dict[str, int]


# --- synthetic data --------------------------------------------------------------------------


def build_synthetic(
    *,
    lines: int,
    units: int = 40,
    stakeholders: int = 5000,
    seed: int = 2026,
    label: str = "",
) -> tuple[Any, Any]:
    """A new organization (EDU procedure: the strictest field list) with one plan per unit,
    all consolidated; returns ``(consolidated_plan, planner)``. Everything is bulk-created.

    About 5 % of the lines miss a field, 2 % need travel without budget, 1 % have dates
    outside the fiscal year, 5 % have a responsible from another unit, 3 % duplicate
    (stakeholder, topic, month) of a line of another unit, 2 % of the stakeholders are
    inactive; 70 % of the lines are in person, so some visits could be joined.
    """
    from django.db import connection

    from acompana.catalog.models import Mechanism, Modality, ServiceType, Topic
    from acompana.core.choices import GovernmentOrder, ProcedureCode, Role, UnitKind
    from acompana.core.models import FiscalYear, Membership, Organization, Unit, User
    from acompana.core.validators import nit_with_check_digit
    from acompana.planning.choices import (
        ConsolidatedStatus,
        PlanStatus,
        StrategyStatus,
    )
    from acompana.planning.models import (
        ConsolidatedPlan,
        Need,
        Plan,
        PlanLine,
        PlanLineNeed,
        PlanLineStakeholder,
        PrioritisationModel,
        PriorityList,
        PriorityListEntry,
        Strategy,
        StrategyProposal,
    )
    from acompana.registry.models import Stakeholder

    rng = random.Random(seed)
    tag = label or f"{lines}-{rng.randrange(10**9)}"
    serial = 900_000_000 + zlib.crc32(tag.encode()) % 90_000_000
    org = Organization.objects.create(
        name=f"Secretaría de Educación Sintética {tag}",
        short_name="SES",
        slug=f"sintetica-{tag}".lower()[:60],
        nit=nit_with_check_digit(f"{serial:09d}"),
        order=GovernmentOrder.TERRITORIAL,
        procedure_code=ProcedureCode.EDU,
    )
    year = 2026
    fiscal = FiscalYear.objects.create(
        organization=org,
        year=year,
        start_date=datetime.date(year, 1, 1),
        end_date=datetime.date(year, 12, 31),
        is_current=True,
    )

    # units: a few directorates with their working groups
    directorates = Unit.objects.bulk_create(
        Unit(organization=org, name=f"Dirección {d + 1}", kind=UnitKind.DIRECTORATE)
        for d in range(max(1, units // 5))
    )
    groups = Unit.objects.bulk_create(
        Unit(
            organization=org,
            parent=directorates[g % len(directorates)],
            name=f"Grupo de trabajo {g + 1}",
            kind=UnitKind.GROUP,
        )
        for g in range(units - len(directorates))
    )
    all_units = directorates + groups

    users = User.objects.bulk_create(
        User(email=f"persona{u}-{tag}@sintetica.gov.co", full_name=f"Profesional {u}", password="!")
        for u in range(len(all_units) * 3 + 1)
    )
    planner, staff = users[0], users[1:]
    Membership.objects.bulk_create(
        [Membership(organization=org, user=planner, roles=[Role.PLANNER])]
        + [
            Membership(
                organization=org,
                user=user,
                unit=all_units[i // 3],
                roles=[Role.PROFESSIONAL],
            )
            for i, user in enumerate(staff)
        ]
    )
    staff_by_unit: dict[int, list[Any]] = {}
    for i, user in enumerate(staff):
        staff_by_unit.setdefault(all_units[i // 3].pk, []).append(user)

    topics = Topic.objects.bulk_create(
        Topic(organization=org, name=f"Temática {t + 1}", code=f"tema-{t + 1}") for t in range(30)
    )
    mechanisms = Mechanism.objects.bulk_create(
        Mechanism(organization=org, name=name, code=code)
        for code, name in [
            ("visita", "Visita"),
            ("taller", "Taller"),
            ("mesa_trabajo", "Mesa de trabajo"),
            ("videoconferencia", "Videoconferencia"),
        ]
    )
    in_person, virtual = Modality.objects.bulk_create(
        [
            Modality(organization=org, name="Presencial", code="presencial"),
            Modality(organization=org, name="Virtual", code="virtual"),
        ]
    )
    service_type = ServiceType.objects.create(
        organization=org, name="Asistencia técnica", code="asistencia_tecnica"
    )

    registry = Stakeholder.objects.bulk_create(
        (
            Stakeholder(
                organization=org,
                kind="national_entity" if s % 50 == 0 else "school",
                name=f"Institución Educativa {s + 1}",
                search_name=f"institucion educativa {s + 1}",
                school_code=f"{100000000000 + s}",
                is_active=rng.random() > 0.02,
            )
            for s in range(stakeholders)
        ),
        batch_size=2000,
    )
    needs = Need.objects.bulk_create(
        (
            Need(
                organization=org,
                fiscal_year=fiscal,
                unit=all_units[n % len(all_units)],
                title=f"Necesidad {n + 1}",
                description="Fortalecer la gestión escolar.",
                origin="offer",
                source="action_plan",
            )
            for n in range(max(10, lines // 10))
        ),
        batch_size=2000,
    )

    consolidated = ConsolidatedPlan.objects.create(
        organization=org,
        fiscal_year=fiscal,
        title=f"Plan consolidado {year}",
        status=ConsolidatedStatus.DRAFT,
    )
    plans = Plan.objects.bulk_create(
        Plan(
            organization=org,
            unit=unit,
            fiscal_year=fiscal,
            title=f"Plan de asistencia técnica — {unit.name}",
            status=PlanStatus.CONSOLIDATED,
            consolidated=consolidated,
            created_by=planner,
        )
        for unit in all_units
    )

    line_objects: list[Any] = []
    stakeholder_sets: list[list[Any]] = []
    for i in range(lines):
        plan = plans[i % len(plans)]
        unit_id = plan.unit_id
        months = sorted(rng.sample(range(1, 13), rng.choice((1, 1, 2, 3))))
        chosen = rng.sample(registry, rng.choice((1, 1, 2, 3)))
        topic = rng.choice(topics)
        if line_objects and rng.random() < 0.03:  # a duplicate of another unit's line
            j = rng.randrange(len(line_objects))
            if line_objects[j].plan.unit_id != unit_id:
                topic = line_objects[j].topic
                months = list(line_objects[j].months)
                chosen = stakeholder_sets[j][:1] + chosen[1:]
        start = end = None
        if rng.random() < 0.1:
            day = datetime.date(year, months[0], rng.randint(1, 25))
            start, end = day, day + datetime.timedelta(days=rng.randint(0, 3))
        if rng.random() < 0.01:
            start, end = datetime.date(year + 1, 1, 10), datetime.date(year + 1, 1, 12)
        remote = rng.random() > 0.7
        responsible_pool = staff_by_unit[unit_id]
        if rng.random() < 0.05:
            responsible_pool = staff_by_unit[rng.choice(all_units).pk]
        needs_travel = rng.random() < 0.2
        budget = Decimal(rng.randrange(0, 20)) * 250_000 if rng.random() > 0.1 else Decimal(0)
        if needs_travel and rng.random() > 0.1:
            budget = max(budget, Decimal(500_000))
        incomplete = rng.random() < 0.05
        line_objects.append(
            PlanLine(
                organization=org,
                plan=plan,
                position=i // len(plans) + 1,
                programme="" if incomplete else f"Programa {1 + i % 8}",
                activity=f"Asistencia técnica {i + 1}",
                objective="Mejorar los resultados de la gestión escolar.",
                topic=topic,
                service_type=service_type,
                mechanism=mechanisms[3] if remote else rng.choice(mechanisms[:3]),
                modality=virtual if remote else in_person,
                months=months,
                start_date=start,
                end_date=end,
                place="" if incomplete and rng.random() < 0.5 else "Sede principal",
                responsible=rng.choice(responsible_pool),
                budget=budget,
                needs_travel=needs_travel,
                needs_logistics=rng.random() < 0.3,
                legal_obligation=rng.random() < 0.01,
            )
        )
        stakeholder_sets.append(chosen)
    created_lines = PlanLine.objects.bulk_create(line_objects, batch_size=2000)
    PlanLineStakeholder.objects.bulk_create(
        (
            PlanLineStakeholder(organization=org, line=line, stakeholder=s)
            for line, chosen in zip(created_lines, stakeholder_sets, strict=True)
            for s in chosen
        ),
        batch_size=5000,
    )
    PlanLineNeed.objects.bulk_create(
        (
            PlanLineNeed(organization=org, line=line, need=rng.choice(needs))
            for line in created_lines
            if rng.random() < 0.95
        ),
        batch_size=5000,
    )

    model = PrioritisationModel.objects.create(
        organization=org, fiscal_year=fiscal, name="Modelo de priorización", created_by=planner
    )
    priority_list = PriorityList.objects.create(
        organization=org,
        model=model,
        fiscal_year=fiscal,
        name=f"Priorización {year}",
        saved_by=planner,
    )
    PriorityListEntry.objects.bulk_create(
        PriorityListEntry(
            organization=org,
            priority_list=priority_list,
            stakeholder=s,
            rank=rank,
            score=Decimal(100) - Decimal(rank) / 10,
            selected=True,
        )
        for rank, s in enumerate(rng.sample(registry, min(300, len(registry))), start=1)
    )
    strategy = Strategy.objects.create(
        organization=org,
        fiscal_year=fiscal,
        title=f"Estrategia integral {year}",
        status=StrategyStatus.APPROVED,
    )
    per_unit = Decimal(lines) * 2_500_000 / max(1, len(all_units))
    StrategyProposal.objects.bulk_create(
        StrategyProposal(
            organization=org,
            strategy=strategy,
            unit=unit,
            resources=per_unit * Decimal("0.9" if n % 4 == 0 else "1.5"),
        )
        for n, unit in enumerate(all_units)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return consolidated, planner


def measure(consolidated: Any, actor: Any) -> Measure:
    """One ``run_checks``: wall time, queries (CaptureQueriesContext), findings."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from acompana.planning.checks.engine import run_checks
    from acompana.planning.models import PlanLine

    lines = PlanLine.objects.filter(plan__consolidated=consolidated).count()
    # the event's content type is cached per process: load it before counting, so the
    # first size measured does not pay one query more than the second
    ContentType.objects.get_for_model(consolidated)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        findings = run_checks(actor=actor, consolidated=consolidated)
        seconds = time.perf_counter() - started
    by_severity: dict[str, int] = {}
    for finding in findings:
        by_severity[finding.severity] = by_severity.get(finding.severity, 0) + 1
    return Measure(lines, seconds, len(queries.captured_queries), len(findings), by_severity)


# --- the database ----------------------------------------------------------------------------


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _admin_execute(server_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(_with_database(server_url, "postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def prepare_database(*, migrations: bool) -> tuple[str, bool]:
    """Create ``acompana_bench`` (dropping an old one), point Django at it and build the
    schema. Returns the server URL and whether the embedded server was started here."""
    started_here = False
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url:
        from acompana.config import embedded_db

        started_here = not embedded_db.is_running()
        server_url = embedded_db.start()
    _admin_execute(
        server_url,
        f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)',
        f'CREATE DATABASE "{BENCH_DB}"',
    )
    os.environ["DATABASE_URL"] = _with_database(server_url, BENCH_DB)
    os.environ.setdefault("ACOMPANA_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acompana.config.settings")

    import django
    from django.conf import settings

    if not migrations:

        class _NoMigrations(dict):  # type: ignore[type-arg]
            def __contains__(self, item: object) -> bool:
                return True

            def __getitem__(self, item: str) -> None:
                return None

        settings.MIGRATION_MODULES = _NoMigrations()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False, run_syncdb=not migrations)
    return server_url, started_here


def drop_database(server_url: str, *, stop_embedded: bool) -> None:
    from django.db import connections

    connections.close_all()
    _admin_execute(server_url, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    if stop_embedded:
        from acompana.config import embedded_db

        embedded_db.stop()


# --- report ----------------------------------------------------------------------------------


SEVERITY_NAMES = {"blocking": "bloqueantes", "warning": "advertencias", "suggestion": "sugerencias"}


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _row(name: str, m: Measure) -> str:
    severities = ", ".join(
        f"{_thousands(m.by_severity.get(code, 0))} {label}"
        for code, label in SEVERITY_NAMES.items()
    )
    return (
        f"  {name:<20} {_thousands(m.lines):>7} líneas  {m.seconds:6.2f} s  "
        f"{m.queries:>3} consultas  {_thousands(m.findings):>7} hallazgos ({severities})"
    )


def compare(
    big: tuple[Measure, Measure],
    small: tuple[Measure, Measure],
    *,
    max_seconds: float = MAX_SECONDS,
    max_query_difference: int = MAX_QUERY_DIFFERENCE,
) -> list[str]:
    """The failures (empty: the benchmark passes)."""
    failures = []
    for name, m in (("primera ejecución", big[0]), ("nueva ejecución", big[1])):
        if m.seconds > max_seconds:
            failures.append(
                f"{name} con {m.lines} líneas: {m.seconds:.2f} s (máximo {max_seconds:.1f} s)"
            )
    for name, b, s in (
        ("primera ejecución", big[0], small[0]),
        ("nueva ejecución", big[1], small[1]),
    ):
        if abs(b.queries - s.queries) > max_query_difference:
            failures.append(
                f"{name}: {b.queries} consultas con {b.lines} líneas y {s.queries} con "
                f"{s.lines}: el número de consultas crece con las líneas"
            )
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--small-lines", type=int, default=2_000)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--stakeholders", type=int, default=5_000)
    parser.add_argument("--max-seconds", type=float, default=MAX_SECONDS)
    parser.add_argument("--keep", action="store_true", help="keep the acompana_bench database")
    parser.add_argument(
        "--no-migrations",
        action="store_true",
        help="build the schema from the models instead of the migrations",
    )
    args = parser.parse_args(argv)

    print("Acompaña — benchmark de las verificaciones de consolidación (EDU-4, EDU-5)")
    server_url, started_here = prepare_database(migrations=not args.no_migrations)
    try:
        results: dict[int, tuple[Measure, Measure]] = {}
        for lines in (args.lines, args.small_lines):
            began = time.perf_counter()
            consolidated, planner = build_synthetic(
                lines=lines, units=args.units, stakeholders=args.stakeholders, label=str(lines)
            )
            built = time.perf_counter() - began
            print(
                f"\nOrganización sintética: {args.units} dependencias, {args.stakeholders} "
                f"grupos de valor, {lines} líneas (creada en {built:.1f} s)"
            )
            first = measure(consolidated, planner)
            again = measure(consolidated, planner)
            print(_row("primera ejecución", first))
            print(_row("nueva ejecución", again))
            results[lines] = (first, again)
        big, small = results[args.lines], results[args.small_lines]
        print(f"\nComparación {args.lines} / {args.small_lines} líneas:")
        for name, b, s in (
            ("primera ejecución", big[0], small[0]),
            ("nueva ejecución", big[1], small[1]),
        ):
            print(
                f"  {name:<24} consultas {b.queries} / {s.queries} (razón "
                f"{b.queries / max(1, s.queries):.2f}); tiempo {b.seconds:.2f} s / "
                f"{s.seconds:.2f} s (razón {b.seconds / max(s.seconds, 1e-6):.1f})"
            )
        failures = compare(big, small, max_seconds=args.max_seconds)
        if failures:
            print("\nFALLA:")
            for failure in failures:
                print(f"  - {failure}")
            return 1
        print(
            f"\nOK: {args.lines} líneas en menos de {args.max_seconds:.0f} s y el número de "
            "consultas no crece con el número de líneas."
        )
        return 0
    finally:
        if args.keep:
            print(f"\nBase de datos conservada: {BENCH_DB}")
        else:
            drop_database(server_url, stop_embedded=started_here)


if __name__ == "__main__":
    sys.exit(main())
