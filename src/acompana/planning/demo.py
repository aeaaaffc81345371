"""Demo planning year: each demo organization plans its current vigencia its own way.

Called by ``core.demo.load_demo`` for each demo organization (after its units, people,
registry and catalogue exist). Everything is written through the planning services, acting
as the demo user the organization's procedure names for each step (the services check the
roles from the profile), so the procedure trails and the audit log read as a real year:

* every organization: ~55 needs (more than a page of ``ACOMPANA_PAGE_SIZE``), most registered
  by the professionals of the two working units, some sent through the public form (one
  discarded at triage, some still to triage) and accepted by a unit head;
* FP and DNP: indicators, a prioritisation model and the saved priority list (FP-1, DNP-1);
* FP: the strategy, returned by the committee in its first round and approved in the second
  (FP-2..FP-4), then the plans: one returned by planning with comments and submitted again,
  both gathered, approved by the committee in an acta and published (FP-5, FP-6);
* EDU: one plan returned by the unit head and approved after the adjustment, one still under
  review; the consolidated plan with its findings (one accepted), verified, reviewed and
  approved by the committee in an acta and published (EDU-2..EDU-8);
* SAL and DNP: one plan finalised in one action (published), one still a draft.

The vigencia is the organization's current fiscal year (the year being planned is left free
for people to try the cycle themselves). Idempotent: when the first working unit already has
its plan for that year the organization is left as it is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from acompana.catalog.models import Mechanism, Modality, Service
from acompana.core.actors import system_actor
from acompana.core.choices import ProcedureCode, Role, UnitKind
from acompana.core.demo import demo_actor
from acompana.core.models import FiscalYear, Membership, Organization, Unit, User
from acompana.planning.choices import DecisionOutcome, FindingSeverity, NeedOrigin, NeedSource
from acompana.planning.models import (
    ConsolidatedPlan,
    Need,
    Plan,
    StrategyProposal,
)
from acompana.planning.needs import services as need_services
from acompana.planning.plans import services as plan_services
from acompana.planning.plans.validation import LineInput
from acompana.planning.prioritisation import services as prioritisation_services
from acompana.planning.prioritisation.services import CriterionInput
from acompana.planning.strategy import services as strategy_services
from acompana.registry.models import Stakeholder
from acompana.registry.notice import NOTICE_VERSIONS

#: Needs registered by staff per organization (plus the public requests below): more than
#: one page of the lists.
STAFF_NEEDS = 50

#: What the needs are about, per procedure (the grupo de valor is added to the title).
SUBJECTS: dict[str, list[str]] = {
    ProcedureCode.SAL: [
        "Habilitación de servicios de urgencias",
        "Vigilancia en salud pública de eventos de interés",
        "Programa ampliado de inmunizaciones",
        "Atención integral en salud mental",
        "Calidad del dato en el RIPS",
        "Plan de intervenciones colectivas",
        "Gestión del riesgo en salud materno-perinatal",
        "Prevención de enfermedades transmitidas por vectores",
    ],
    ProcedureCode.FP: [
        "Implementación del MIPG",
        "Autodiagnóstico de gestión del conocimiento",
        "Plan de participación ciudadana",
        "Rediseño institucional",
        "Gestión estratégica del talento humano",
        "Política de racionalización de trámites",
        "Rendición de cuentas",
        "Control interno y gestión del riesgo",
    ],
    ProcedureCode.EDU: [
        "Resignificación del PEI",
        "Plan de mejoramiento institucional",
        "Educación inclusiva",
        "Evaluación de desempeño docente",
        "Convivencia escolar",
        "Jornada única",
        "Alimentación escolar",
        "Pruebas Saber: uso de resultados",
    ],
    ProcedureCode.DNP: [
        "Formulación de proyectos de inversión",
        "Fortalecimiento fiscal",
        "Kit de planeación territorial",
        "Sistema General de Regalías",
        "Seguimiento al plan de desarrollo",
        "Catastro multipropósito",
        "Estratificación socioeconómica",
        "Ordenamiento territorial",
    ],
}

#: (entity, requester, description) of the requests that arrive through the public form.
PUBLIC_REQUESTS = [
    ("Alcaldía municipal", "Luz Adriana Torres", "Necesitamos orientación para el plan de acción."),
    ("Concejo municipal", "Óscar Iván Rueda", "Solicitamos una capacitación para los concejales."),
    ("Personería municipal", "Yolanda Beltrán", "Requerimos apoyo con el informe anual."),
    ("Empresa de servicios públicos", "Fabio Lozano", "Pedimos asistencia sobre la tarifa."),
    ("Junta de acción comunal", "Rosa Elena Díaz", "Queremos conocer la oferta de este año."),
    (
        "Secretaría de planeación municipal",
        "Hernán Darío Ruiz",
        "Solicitamos acompañamiento técnico en sitio.",
    ),
]
ACCEPTED_REQUESTS = 3  # accepted by a unit head; the next one discarded, the rest to triage

_PRIORITIES = ("high", "medium", "medium", "low")
_SOURCES = (
    NeedSource.EMAIL,
    NeedSource.DEVELOPMENT_PLAN,
    NeedSource.ACTION_PLAN,
    NeedSource.INDICATOR_RESULT,
    NeedSource.EVALUATION_RESULT,
    NeedSource.COURT_ACTION,
)


@dataclass
class _Year:
    """The demo people of one organization and what the loader made so far."""

    organization: Organization
    fiscal_year: FiscalYear
    units: list[Unit]
    planner: User
    committee: User
    leadership: User | None
    heads: list[User]
    professionals: list[User]
    needs: dict[int, list[Need]] = field(default_factory=dict)
    acta: int = 0
    _stakeholders: list[Stakeholder] | None = None
    _services: dict[int, list[Service]] = field(default_factory=dict)

    def stakeholders(self) -> list[Stakeholder]:
        if self._stakeholders is None:
            self._stakeholders = list(
                Stakeholder.objects.filter(organization=self.organization, is_active=True).order_by(
                    "pk"
                )[:40]
            )
        return self._stakeholders

    def services(self, unit: Unit) -> list[Service]:
        """The unit's active catalogue services (read once: the demo does not change them)."""
        if unit.pk not in self._services:
            self._services[unit.pk] = list(
                Service.objects.filter(unit=unit, is_active=True)
                .select_related("service_type")
                .prefetch_related("topics", "mechanisms", "modalities")
                .order_by("pk")
            )
        return self._services[unit.pk]

    def next_acta(self) -> str:
        self.acta += 1
        return f"DEMO-{self.fiscal_year.year}-{self.acta:02d}"


def _working_units(organization: Organization) -> list[Unit]:
    """The units whose unit head is a demo person, in the order ``core.demo`` gave them."""
    unit_ids = (
        Membership.objects.filter(
            organization=organization, roles__contains=[Role.UNIT_HEAD.value], unit__isnull=False
        )
        .order_by("pk")
        .values_list("unit_id", flat=True)
    )
    units = {u.pk: u for u in Unit.objects.filter(pk__in=list(unit_ids))}
    return [units[pk] for pk in dict.fromkeys(unit_ids) if units[pk].kind != UnitKind.OFFICE]


def load(*, organization: Organization, spec: Any = None) -> int:
    """Load the demo planning year of ``organization``; returns the plans it opened."""
    fiscal_year = FiscalYear.objects.filter(organization=organization, is_current=True).first()
    units = _working_units(organization)
    if fiscal_year is None or len(units) < 2:
        return 0
    if Plan.objects.filter(
        organization=organization, unit=units[0], fiscal_year=fiscal_year
    ).exists():
        return 0  # already loaded
    people = {
        role: demo_actor(organization, role)
        for role in (Role.PLANNER, Role.COMMITTEE, Role.LEADERSHIP)
    }
    heads = [demo_actor(organization, Role.UNIT_HEAD, unit=unit) for unit in units[:2]]
    professionals = [demo_actor(organization, Role.PROFESSIONAL, unit=unit) for unit in units[:2]]
    planner, committee = people[Role.PLANNER], people[Role.COMMITTEE]
    if planner is None or committee is None or None in heads or None in professionals:
        return 0
    year = _Year(
        organization=organization,
        fiscal_year=fiscal_year,
        units=units[:2],
        planner=planner,
        committee=committee,
        leadership=people[Role.LEADERSHIP],
        heads=[h for h in heads if h is not None],
        professionals=[p for p in professionals if p is not None],
    )
    _needs(year)
    procedure = organization.procedure_code
    if procedure == ProcedureCode.EDU:
        return _edu(year)
    if procedure == ProcedureCode.FP:
        _priority_list(year, actor=planner)
        _strategy(year)
        return _fp(year)
    if procedure == ProcedureCode.DNP:
        _priority_list(year, actor=year.professionals[0])
    return _finalised(year)


# --- needs -----------------------------------------------------------------------------------


def _needs(year: _Year) -> None:
    """SAL-1 / EDU-1 / FP-1 / DNP-1 inputs: staff register needs, the public asks for some."""
    org = year.organization
    stakeholders = year.stakeholders()
    subjects = SUBJECTS.get(org.procedure_code) or SUBJECTS[ProcedureCode.SAL]
    today = datetime.date.today()
    for index in range(STAFF_NEEDS):
        slot = index % 2
        unit = year.units[slot]
        services = year.services(unit)
        service = services[index % len(services)] if services else None
        topics = list(service.topics.all()) if service is not None else []
        stakeholder = stakeholders[index % len(stakeholders)] if stakeholders else None
        subject = subjects[index % len(subjects)]
        title = subject if stakeholder is None else f"{subject} — {stakeholder.name}"
        need = need_services.need_create(
            actor=year.professionals[slot],
            organization=org,
            data={
                "title": title[:250],
                "description": f"{subject}: la entidad pide acompañamiento técnico en el tema.",
                "origin": NeedOrigin.DEMAND if index % 3 else NeedOrigin.OFFER,
                "source": _SOURCES[index % len(_SOURCES)],
                "priority": _PRIORITIES[index % len(_PRIORITIES)],
                "topic": topics[0] if topics else None,
                "unit": unit,
                "fiscal_year": year.fiscal_year,
                "received_on": today - datetime.timedelta(days=3 + index),
                "stakeholders": [stakeholder] if stakeholder is not None else [],
            },
        )
        year.needs.setdefault(unit.pk, []).append(need)
    visitor = system_actor()
    notice = max(NOTICE_VERSIONS)
    slug = org.slug.replace("-", ".")
    for index, (entity, name, description) in enumerate(PUBLIC_REQUESTS):
        place = stakeholders[-1 - index] if stakeholders else None
        requested = need_services.need_request_submit(
            actor=visitor,
            organization=org,
            data={
                "requester_name": name,
                "requester_position": "Secretario(a) de despacho",
                "requester_email": f"solicitante{index + 1}@{slug}.correo.demo.co",
                "requester_entity": entity,
                "description": description,
            },
            consent=True,
            notice_version=notice,
        )
        slot = index % 2
        if index < ACCEPTED_REQUESTS:
            need_services.need_triage(
                actor=year.heads[slot],
                need=requested,
                decision=need_services.TRIAGE_ACCEPT,
                data={
                    "unit": year.units[slot],
                    "priority": "high",
                    "stakeholders": [place] if place is not None else [],
                },
            )
            year.needs.setdefault(year.units[slot].pk, []).append(requested)
        elif index == ACCEPTED_REQUESTS:
            need_services.need_triage(
                actor=year.heads[slot],
                need=requested,
                decision=need_services.TRIAGE_DISCARD,
                reason="La entidad no está en el ámbito de la asistencia técnica.",
            )


# --- prioritisation (FP-1, DNP-1) -----------------------------------------------------------


def _priority_list(year: _Year, *, actor: User) -> None:
    org = year.organization
    for code, name, source in (
        ("FURAG-IDI", "Índice de desempeño institucional (FURAG)", "furag"),
        ("MDM-GESTION", "Medición de desempeño municipal: gestión", "other"),
    ):
        prioritisation_services.indicator_create(
            actor=actor, organization=org, data={"code": code, "name": name, "source": source}
        )
    model = prioritisation_services.prioritisation_model_create(
        actor=actor,
        organization=org,
        fiscal_year=year.fiscal_year,
        name=f"Priorización de grupos de valor {year.fiscal_year.year}",
        description="Escenario de intervención: necesidades abiertas y acciones judiciales.",
        criteria=[
            CriterionInput(kind="needs_count", weight=2, label="Necesidades abiertas"),
            CriterionInput(kind="court_actions", weight=1, label="Acciones judiciales"),
        ],
    )
    from acompana.planning.prioritisation import selectors as prioritisation_selectors

    ranking = prioritisation_selectors.ranking_compute(model=model)
    selected = [row.stakeholder.id for row in ranking.rows[:10]]
    if selected:
        prioritisation_services.priority_list_save(
            actor=actor,
            model=model,
            selected_ids=selected,
            name=f"Grupos de valor priorizados {year.fiscal_year.year}",
            notes="Capacidad del equipo: diez grupos de valor en la vigencia.",
        )


# --- strategy (FP-2..FP-4) ------------------------------------------------------------------


def _strategy(year: _Year) -> None:
    """FP-2..FP-4: the committee returns the first round with comments, approves the second."""
    org = year.organization
    strategy = strategy_services.strategy_open(
        actor=year.planner, organization=org, fiscal_year=year.fiscal_year
    )
    proposals = list(
        StrategyProposal.objects.filter(strategy=strategy).select_related("strategy", "unit")
    )
    modality = Modality.objects.filter(organization=org, is_active=True).order_by("pk").first()
    ours = {}
    for proposal in proposals:
        if proposal.unit_id in {u.pk for u in year.units}:
            ours[proposal.unit_id] = proposal
        else:
            strategy_services.strategy_proposal_exclude(
                actor=year.planner,
                proposal=proposal,
                reason="La dependencia no presta asistencia técnica en esta vigencia.",
            )
    for resources in ("250000000", "180000000"):
        for slot, unit in enumerate(year.units):
            proposal = StrategyProposal.objects.select_related("strategy", "unit").get(
                pk=ours[unit.pk].pk
            )
            strategy_services.strategy_proposal_update(
                actor=year.heads[slot],
                proposal=proposal,
                expected_version=proposal.version,
                data={
                    "services": year.services(unit)[:2],
                    "resources": resources,
                    "modality": modality,
                    "people": "Equipo de asistencia técnica: cuatro asesores",
                    "alliances": "ESAP",
                    "milestones": "Autodiagnóstico en marzo, plan de acción en abril",
                },
            )
            proposal.refresh_from_db()
            strategy_services.strategy_proposal_submit(actor=year.heads[slot], proposal=proposal)
        strategy.refresh_from_db()
        strategy_services.strategy_consolidate(
            actor=year.planner, strategy=strategy, notes="Oferta y demanda consolidadas."
        )
        strategy.refresh_from_db()
        strategy_services.strategy_present(actor=year.planner, strategy=strategy)
        strategy.refresh_from_db()
        first = resources == "250000000"
        strategy_services.strategy_committee_decide(
            actor=year.committee,
            strategy=strategy,
            acta_number=year.next_acta(),
            date=datetime.date(year.fiscal_year.year, 1 if first else 2, 30 if first else 13),
            attendees="Martha Lucía Quintero, Directora\nLuis Fernando Cárdenas, Subdirector",
            decision=DecisionOutcome.REJECTED if first else DecisionOutcome.APPROVED,
            comments="Los recursos superan el tope de la vigencia." if first else "",
            proposal_comments={ours[year.units[1].pk].pk: "Reduzca los recursos a 180 millones."}
            if first
            else None,
        )
        strategy.refresh_from_db()


# --- plans -----------------------------------------------------------------------------------


def _line(year: _Year, plan: Plan, slot: int, index: int, **values: Any) -> None:
    """A plan line with every field the procedure asks for (the checks pass on it)."""
    org = year.organization
    unit = year.units[slot]
    services = year.services(unit)
    service = services[index % len(services)] if services else None
    stakeholders = year.stakeholders()
    needs = year.needs.get(unit.pk, [])[index * 2 : index * 2 + 2]
    start_month = 2 + (index * 2 + slot) % 9
    fy = year.fiscal_year.year
    data = LineInput(
        activity=(f"{service.name}" if service else "Asistencia técnica")
        + f" — jornada {index + 1}",
        programme="Fortalecimiento institucional para el desarrollo territorial",
        objective="Fortalecer las capacidades técnicas de los grupos de valor atendidos.",
        topic=_first(service.topics.all()) if service else None,
        service=service,
        service_type=(service.service_type if service else None),
        mechanism=(_first(service.mechanisms.all()) if service else None)
        or Mechanism.objects.filter(organization=org, is_active=True).first(),
        modality=(_first(service.modalities.all()) if service else None)
        or Modality.objects.filter(organization=org, is_active=True).first(),
        months=[start_month, start_month + 1],
        start_date=datetime.date(fy, start_month, 2),
        end_date=datetime.date(fy, start_month + 1, 27),
        place="Sede de la entidad atendida",
        municipality=org.municipality,
        responsible=year.professionals[slot],
        responsible_team="Equipo de asistencia técnica",
        budget=Decimal(1_500_000 + 250_000 * index),
        needs_travel=True,
        legal_obligation=True if org.procedure_code == ProcedureCode.FP else None,
        legal_basis="Decreto 1499 de 2017" if org.procedure_code == ProcedureCode.FP else "",
        territorial_manager="Paula Andrea Restrepo"
        if org.procedure_code == ProcedureCode.FP
        else "",
        stakeholders=stakeholders[index : index + 2],
        needs=needs,
    )
    for name, value in values.items():
        setattr(data, name, value)
    plan_services.plan_line_create(actor=year.professionals[slot], plan=plan, data=data)


def _first(items: Any) -> Any:
    """The first of a prefetched relation (``.first()`` would query again)."""
    return next(iter(items), None)


def _plan(year: _Year, slot: int, lines: int = 3) -> Plan:
    plan = plan_services.plan_create(
        actor=year.professionals[slot],
        organization=year.organization,
        unit=year.units[slot],
        fiscal_year=year.fiscal_year,
    )
    for index in range(lines):
        _line(year, plan, slot, index)
    return plan


def _fresh(plan: Plan) -> Plan:
    return Plan.objects.get(pk=plan.pk)


def _finalised(year: _Year) -> int:
    """SAL-2 / DNP-3: whoever the step names finalises the plan in one action (no review)."""
    published = _plan(year, 0)
    finaliser = (
        year.heads[0] if year.organization.procedure_code == ProcedureCode.SAL else None
    ) or year.professionals[0]
    plan_services.plan_finalise(
        actor=finaliser, plan=published, comments="Plan concertado con el equipo."
    )
    _plan(year, 1, lines=2)  # the second unit is still writing its plan
    return 2


def _edu(year: _Year) -> int:
    """EDU-2..EDU-8, with a return at EDU-3 and the findings of EDU-5."""
    first = _plan(year, 0)
    # a line led by someone outside the unit: a warning finding planning accepts at EDU-5
    _line(year, first, 0, 3, responsible=year.planner)
    plan_services.plan_submit(actor=year.professionals[0], plan=first)
    plan_services.plan_return(
        actor=year.heads[0],
        plan=_fresh(first),
        comments="Falta precisar la sede de cada jornada: ajústela y envíe de nuevo.",
    )
    line = _fresh(first).lines.order_by("position").first()
    assert line is not None
    data = LineInput.from_line(line)
    data.place = "Institución educativa sede principal"
    plan_services.plan_line_update(
        actor=year.professionals[0], line=line, expected_version=line.version, data=data
    )
    plan_services.plan_submit(actor=year.professionals[0], plan=_fresh(first))
    plan_services.plan_approve(actor=year.heads[0], plan=_fresh(first))
    second = _plan(year, 1, lines=2)
    plan_services.plan_submit(actor=year.professionals[1], plan=second)
    plan_services.plan_return(
        actor=year.heads[1],
        plan=_fresh(second),
        comments="Incluya las necesidades de las instituciones rurales antes de aprobarlo.",
    )
    consolidated = plan_services.consolidated_plan_create(
        actor=year.planner,
        organization=year.organization,
        fiscal_year=year.fiscal_year,
        title=f"Plan de asistencia técnica consolidado {year.fiscal_year.year}",
    )
    from acompana.planning.checks import services as check_services

    outcome = check_services.checks_run(actor=year.planner, consolidated=consolidated)
    for finding in outcome.findings or []:
        if finding.severity != FindingSeverity.SUGGESTION:
            check_services.finding_accept(
                actor=year.planner,
                finding=finding,
                justification="Revisado con la dependencia: la línea se mantiene así.",
            )
            break
    _publish(year, consolidated, verify=True)
    return 2


def _fp(year: _Year) -> int:
    """FP-5, FP-4 applied to the plan and FP-6: planning returns one plan with comments, the
    directorate adjusts it and planning gathers it again before the committee."""
    first = _plan(year, 0)
    plan_services.plan_submit(actor=year.professionals[0], plan=first)
    second = _plan(year, 1, lines=2)
    plan_services.plan_submit(actor=year.professionals[1], plan=second)
    consolidated = plan_services.consolidated_plan_create(
        actor=year.planner,
        organization=year.organization,
        fiscal_year=year.fiscal_year,
        title=f"Plan de asistencia técnica integral {year.fiscal_year.year}",
    )
    plan_services.consolidated_plan_return(
        actor=year.planner,
        consolidated=_consolidated(consolidated),
        comments="Precise el lugar de cada jornada antes de presentarlo al comité.",
        plans=[_fresh(second)],
    )
    line = _fresh(second).lines.order_by("position").first()
    assert line is not None
    data = LineInput.from_line(line)
    data.place = "Sede de la gobernación"
    plan_services.plan_line_update(
        actor=year.professionals[1], line=line, expected_version=line.version, data=data
    )
    plan_services.plan_submit(actor=year.professionals[1], plan=_fresh(second))
    plan_services.consolidated_plan_gather(
        actor=year.planner, consolidated=_consolidated(consolidated)
    )
    _publish(year, consolidated, verify=False)
    return 2


def _consolidated(consolidated: ConsolidatedPlan) -> ConsolidatedPlan:
    return ConsolidatedPlan.objects.get(pk=consolidated.pk)


def _publish(year: _Year, consolidated: ConsolidatedPlan, *, verify: bool) -> None:
    if verify:
        plan_services.consolidated_plan_verify(
            actor=year.planner, consolidated=_consolidated(consolidated)
        )
        plan_services.consolidated_plan_send_to_committee(
            actor=year.planner, consolidated=_consolidated(consolidated)
        )
        plan_services.consolidated_plan_committee_review(
            actor=year.committee,
            consolidated=_consolidated(consolidated),
            comments="Cada servicio de la cadena de valor tiene líneas que lo cubren.",
        )
    plan_services.consolidated_plan_committee_decide(
        actor=year.committee,
        consolidated=_consolidated(consolidated),
        acta_number=year.next_acta(),
        date=datetime.date(year.fiscal_year.year, 2, 20),
        attendees="Martha Lucía Quintero, presidenta del comité\nDiana Marcela Rincón, planeación",
        decision=DecisionOutcome.APPROVED,
        comments="Se aprueba el plan de la vigencia.",
    )
    plan_services.consolidated_plan_publish(
        actor=year.planner, consolidated=_consolidated(consolidated)
    )
