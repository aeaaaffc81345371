"""Browser paths of planning for the EDU and FP procedures, on their demo organizations.

EDU (MI-GE-PR-16): need (EDU-1) → unit plan with a line in the grid (EDU-2) → the group
leader returns it and approves it after the adjustment (EDU-3) → planning consolidates
(EDU-4), checks and verifies (EDU-5) → planning sends it to the Comité Directivo, which
records its coverage review (EDU-6) and approves it in an acta (EDU-7) → planning publishes
it (EDU-8).

FP: the year's strategy (FP-2 proposals, FP-3 consolidation, FP-4 committee, with one
rejection round) → unit plan with the FP-5 fields → consolidation, committee, publication
(FP-6).

Both run the cycle for the vigencia being planned (2027), the one every year picker offers
first; the demo's own planning year is the current one (2026).
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from acompana.core.demo import DEMO_PASSWORD, load_demo
from acompana.core.models import User
from acompana.planning.choices import (
    ConsolidatedStatus,
    DecisionOutcome,
    PlanStatus,
    StrategyStatus,
)
from acompana.planning.models import CommitteeDecision, ConsolidatedPlan, Need, Plan, Strategy

pytestmark = pytest.mark.browser

EDU = "educacion.demo.gov.co"
FP = "funcionpublica.demo.gov.co"


def label(text: str) -> re.Pattern[str]:
    """A form label, with or without the required-field asterisk."""
    return re.compile(rf"^{re.escape(text)}( \*)?$")


def status_text(page: Page, text: str):
    return page.get_by_role("status").filter(has_text=text)


@pytest.fixture
def demo(transactional_db):
    load_demo()


@pytest.fixture
def act_as(page, login):
    """Log in as the demo user ``local@domain`` (logging out whoever was in)."""
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm on publish

    def switch(local: str, domain: str) -> Page:
        page.context.clear_cookies()
        login(User.objects.get(email=f"{local}@{domain}"), password=DEMO_PASSWORD)
        return page

    return switch


def plan_badge(page: Page):
    """The state badge next to the plan's unit and fiscal year."""
    return page.locator("h1 + p .badge")


def open_planning_menu(page: Page, item: str) -> None:
    page.get_by_role("button", name="Planeación").click()
    menu = page.get_by_role("list", name="Planeación")
    menu.get_by_role("link", name=item, exact=True).click()


def open_new_line_form(page: Page):
    """Add a line inline in the grid (an htmx row) and return its form.

    Waits for the page to finish loading first: a click before htmx is ready follows the
    link's no-script fallback, the full-page form, whose heading is outside the form."""
    page.wait_for_load_state()
    page.get_by_role("link", name="+ Agregar línea").click()
    return page.locator("form").filter(has=page.get_by_role("heading", name="Línea nueva"))


def test_edu_planning_path_from_need_to_published_plan(page, act_as, demo):
    # EDU-1: a professional of the Grupo de Calidad Educativa registers a need
    act_as("profesional", EDU)
    open_planning_menu(page, "Necesidades")
    page.get_by_role("link", name="Nueva necesidad").click()
    page.get_by_label(label("Título")).fill("Resignificación del PEI en Tunja")
    page.get_by_label(label("Descripción")).fill(
        "El PEI de la institución no incorpora el enfoque de educación inclusiva."
    )
    page.get_by_label(label("Origen")).select_option(label="Oferta")
    page.get_by_label(label("Fuente")).select_option(label="Plan de apoyo al mejoramiento (PAM)")
    page.get_by_label(label("Prioridad")).select_option(label="Alta")
    page.get_by_label(label("Temática")).select_option(
        label="Proyecto Educativo Institucional (PEI)"
    )
    page.get_by_label(label("Dependencia responsable")).select_option(
        label="Grupo de Calidad Educativa"
    )
    page.get_by_label("Agregar grupos de valor").fill("Técnica Tunja")
    page.get_by_label(re.compile("^Institución Educativa Técnica Tunja")).check()
    page.get_by_role("button", name="Guardar").click()
    expect(status_text(page, "registrada")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resignificación del PEI en Tunja")
    need = Need.objects.get(title="Resignificación del PEI en Tunja")
    need_trail = page.get_by_role("region", name=re.compile("Recorrido del procedimiento"))
    expect(need_trail.get_by_role("listitem").filter(has_text="EDU-1").first).to_contain_text(
        "Hecho"
    )

    # EDU-2: the professional opens the unit's plan and writes a line in the grid
    open_planning_menu(page, "Planes")
    page.get_by_role("link", name="Nuevo plan").click()
    expect(page.get_by_label(label("Dependencia"))).to_have_value(str(need.unit_id))
    # the vigencia offered first is the one being planned (2027); the demo's planning year
    # is the current one (2026)
    expect(page.get_by_label(label("Vigencia")).locator("option:checked")).to_have_text("2027")
    page.get_by_label(label("Título")).fill("Plan de asistencia técnica GCE 2027")
    page.get_by_role("button", name="Abrir el plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan de asistencia técnica GCE 2027")
    expect(plan_badge(page)).to_have_text("Borrador")
    line = open_new_line_form(page)
    line.get_by_label(label("Actividad / proyecto")).fill("Taller de resignificación del PEI")
    line.get_by_label("Programa del plan de desarrollo").fill("Boyacá avanza en calidad educativa")
    line.get_by_label("Buscar: Necesidades").fill("PEI en Tunja")
    line.get_by_label(re.compile(r"Resignificación del PEI en Tunja")).check()
    line.get_by_label("Servicio", exact=True).select_option(
        label="Asistencia técnica en la resignificación del PEI"
    )
    # the service fills its type, its only topic and its only modality (plans.js)
    expect(line.get_by_label("Tipo de servicio")).to_have_value(re.compile(r"\d+"))
    expect(line.get_by_label("Modalidad")).to_have_value(re.compile(r"\d+"))
    line.get_by_label("Mecanismo").select_option(label="Taller")
    line.get_by_label("Mar", exact=True).check()
    line.get_by_label("Abr", exact=True).check()
    line.get_by_label("Buscar: Grupos de valor atendidos").fill("Técnica Tunja")
    line.get_by_label(re.compile("^Institución Educativa Técnica Tunja")).check()
    line.get_by_label("Responsable", exact=True).select_option(label="Jorge Iván Ospina")
    line.get_by_label("Presupuesto (COP)").fill("1.500.000")
    line.get_by_label("Viáticos").check()
    line.get_by_role("button", name="Guardar la línea").click()
    lines = page.get_by_role("table", name="Líneas del plan, una actividad por fila")
    expect(lines).to_contain_text("Taller de resignificación del PEI")
    expect(lines).to_contain_text("Institución Educativa Técnica Tunja")
    expect(lines).to_contain_text("1.500.000")
    expect(page.get_by_role("status").filter(has_text="Líneas")).to_contain_text("1")
    plan = Plan.objects.get(title="Plan de asistencia técnica GCE 2027")
    plan_url = page.url
    page.get_by_role("button", name="Enviar a revisión").click()
    expect(status_text(page, "enviado")).to_be_visible()
    expect(plan_badge(page)).to_have_text("Enviado a revisión")
    # the lines are locked while the plan is under review
    expect(page.get_by_role("link", name="+ Agregar línea")).to_have_count(0)

    # EDU-3, "¿requiere ajustes? sí": the group leader returns it with comments
    act_as("jefe", EDU)
    page.goto(plan_url)
    expect(page.get_by_role("button", name="Aprobar")).to_be_visible()
    page.get_by_label("Comentarios para la dependencia (obligatorios para devolverlo)").fill(
        "Falta el objetivo del taller: escríbalo antes de aprobar."
    )
    page.get_by_role("button", name="Devolver con comentarios").click()
    expect(status_text(page, "devuelto")).to_be_visible()
    expect(plan_badge(page)).to_have_text("Devolución con comentarios")
    comments = page.get_by_role("region", name="Comentarios de revisión")
    expect(comments).to_contain_text("Falta el objetivo del taller")

    # EDU-2 again: the professional adjusts the line inline and submits again
    act_as("profesional", EDU)
    page.goto(plan_url)
    expect(page.get_by_role("region", name="Comentarios de revisión")).to_contain_text(
        "Falta el objetivo del taller"
    )
    page.get_by_role("link", name="Editar Taller de resignificación del PEI").click()
    line = page.locator("form").filter(has=page.get_by_role("heading", name="Editar la línea 1"))
    expect(line.get_by_label(label("Actividad / proyecto"))).to_have_value(
        "Taller de resignificación del PEI"
    )
    line.get_by_label("Objetivo").fill(
        "Incorporar el enfoque de educación inclusiva en el PEI de la institución."
    )
    line.get_by_role("button", name="Guardar la línea").click()
    expect(lines).to_contain_text("Incorporar el enfoque de educación inclusiva")
    # the edit kept what the form did not touch
    expect(lines).to_contain_text("Institución Educativa Técnica Tunja")
    expect(lines).to_contain_text("mar, abr")
    expect(lines).to_contain_text("#" + str(need.pk))
    page.get_by_role("button", name="Enviar a revisión").click()
    expect(status_text(page, "enviado")).to_be_visible()
    expect(page.locator("h1 + p")).to_contain_text("ronda 2")

    # EDU-3, "no": the group leader approves
    act_as("jefe", EDU)
    page.goto(plan_url)
    page.get_by_role("button", name="Aprobar").click()
    expect(status_text(page, "aprobado")).to_be_visible()
    expect(plan_badge(page)).to_have_text("Aprobado por el jefe de la dependencia")

    # EDU-4: planning gathers the approved plans in the consolidated plan
    act_as("planeacion", EDU)
    open_planning_menu(page, "Plan consolidado")
    new = page.get_by_role("region", name="Consolidar los planes de una vigencia")
    new.get_by_label(label("Título")).fill("Plan de asistencia técnica SED 2027")
    new.get_by_role("button", name="Consolidar").click()
    expect(status_text(page, "Plan consolidado creado")).to_be_visible()
    expect(plan_badge(page)).to_have_text("En consolidación")
    units = page.get_by_role("table", name=re.compile("Planes de las dependencias"))
    expect(units).to_contain_text("Grupo de Calidad Educativa")
    expect(units).to_contain_text("Consolidado por planeación")
    consolidated_url = page.url

    # EDU-5: the consistency checks; the blocking finding is accepted with a justification
    page.get_by_role("link", name="Verificaciones de consistencia y hallazgos").click()
    page.get_by_role("button", name="Ejecutar las verificaciones").click()
    expect(status_text(page, "Verificaciones ejecutadas")).to_be_visible()
    expect(status_text(page, "1 hallazgo bloqueante no tiene justificación")).to_be_visible()
    finding = page.get_by_role("article").filter(has_text="Taller de resignificación del PEI")
    expect(finding).to_contain_text("Bloqueante")
    expect(finding).to_contain_text("lugar o municipio")
    finding.get_by_role("link", name="Aceptar con una justificación").click()
    finding.get_by_label(label("Justificación")).fill(
        "El lugar se acuerda con la institución al programar la agenda mensual (EDU-9)."
    )
    finding.get_by_role("button", name="Aceptar el hallazgo").click()
    expect(finding).to_contain_text("Aceptado")
    expect(finding).to_contain_text("El lugar se acuerda con la institución")
    # the summary follows (htmx out-of-band swap)
    expect(status_text(page, "No hay hallazgos bloqueantes abiertos")).to_be_visible()

    page.goto(consolidated_url)
    page.get_by_role("button", name="Ejecutar las verificaciones y verificar").click()
    expect(status_text(page, "verificado")).to_be_visible()
    expect(plan_badge(page)).to_have_text("Verificado")
    expect(units).to_contain_text("Verificado")

    # EDU-6: planning sends it to the committee, which records its coverage review (every
    # service of the value chain × the lines covering it) apart from the approval (issue 11)
    page.get_by_role("button", name="Enviar al comité").click()
    expect(status_text(page, "envió al comité")).to_be_visible()
    expect(page.get_by_role("link", name="Registrar la decisión del comité")).to_have_count(0)
    act_as("comite", EDU)
    page.goto(consolidated_url)
    page.get_by_role("link", name="Registrar la revisión de cobertura del comité").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cobertura de la cadena de valor")
    page.get_by_role("button", name="Registrar la revisión de cobertura del comité").click()
    expect(status_text(page, "revisión de cobertura")).to_be_visible()

    # EDU-7: the Comité Directivo approves the plan in an acta (AP-AI-RG-111)
    page.goto(consolidated_url)
    page.get_by_role("link", name="Registrar la decisión del comité").click()
    page.get_by_label(label("Número del acta")).fill("CD-2026-03")
    page.get_by_label(label("Fecha de la sesión")).fill("2026-02-20")
    page.get_by_label(label("Asistentes")).fill(
        "Luis Fernando Cárdenas, Secretario de Educación\n"
        "Martha Lucía Quintero, Líder de Calidad Educativa\n"
        "Diana Marcela Rincón, Planeación Educativa"
    )
    page.get_by_label("Aprobado", exact=True).check()
    page.get_by_role("button", name="Registrar la decisión").click()
    expect(status_text(page, "Decisión del acta CD-2026-03 registrada")).to_be_visible()
    expect(plan_badge(page)).to_have_text("Aprobado por el comité")
    decisions = page.get_by_role("region", name="Decisiones del comité")
    expect(decisions).to_contain_text("Acta CD-2026-03")
    expect(decisions).to_contain_text("20/02/2026")
    # a committee member does not publish
    expect(page.get_by_role("button", name="Publicar y enviar a las dependencias")).to_have_count(0)

    # EDU-8: planning publishes it and every unit is told
    act_as("planeacion", EDU)
    page.goto(consolidated_url)
    page.get_by_role("button", name="Publicar y enviar a las dependencias").click()
    expect(status_text(page, "El plan está publicado")).to_be_visible()
    expect(plan_badge(page)).to_have_text("Publicado")
    expect(units).to_contain_text("Publicado")
    # the acta and the published plan are stored as documents of the consolidated plan
    expect(decisions.get_by_role("link", name=re.compile("^Acta CD-2026-03"))).to_be_visible()
    expect(decisions.get_by_role("link", name=re.compile("publicado$"))).to_be_visible()
    told = {address for message in mail.outbox for address in message.to}
    assert f"jefe@{EDU}" in told or f"profesional@{EDU}" in told, told

    # the unit's plan page: published, with the EDU steps done in its procedure trail
    page.get_by_role("link", name="Plan de asistencia técnica GCE 2027").click()
    expect(plan_badge(page)).to_have_text("Publicado")
    # EDU-1 is done on the need's trail (checked above): the plan's trail does not follow
    # the needs its lines address, so there it stays pending
    trail = page.get_by_role("region", name=re.compile("Recorrido del procedimiento"))
    for step in ("EDU-2", "EDU-3", "EDU-4", "EDU-5", "EDU-6", "EDU-7", "EDU-8"):
        item = trail.get_by_role("listitem").filter(has_text=step)
        expect(item.first).to_contain_text("Hecho")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    assert plan.round == 2
    consolidated = ConsolidatedPlan.objects.get(title="Plan de asistencia técnica SED 2027")
    assert consolidated.status == ConsolidatedStatus.PUBLISHED


FP_UNIT = "Dirección de Gestión y Desempeño Institucional"


def strategy_badge(page: Page):
    """The strategy's state badge under its title."""
    return page.locator("h1 + p .badge")


def proposals_table(page: Page):
    return page.get_by_role("table", name="Una propuesta por dependencia (FP-2)")


def consolidate_and_present(page: Page, strategy_url: str, notes: str) -> None:
    """FP-3 as planning does it: the offer and demand page, consolidate, present."""
    page.goto(strategy_url)
    page.get_by_role("link", name="Oferta y demanda").click()
    offer = page.get_by_role("table", name="Lo que propone cada dependencia")
    expect(offer).to_contain_text(FP_UNIT)
    page.get_by_label("Notas de la consolidación").fill(notes)
    page.get_by_role("button", name="Consolidar", exact=True).click()
    expect(status_text(page, "Estrategia consolidada")).to_be_visible()
    expect(strategy_badge(page)).to_have_text("Consolidada")
    page.get_by_role("button", name="Presentar al comité").first.click()
    expect(status_text(page, "Estrategia presentada al Comité Directivo")).to_be_visible()
    expect(strategy_badge(page)).to_have_text("Presentada al comité")


def test_fp_planning_path_from_strategy_to_published_plan(page, act_as, demo):
    # FP-2 opens: planning opens the year's strategy; every unit gets a proposal
    act_as("planeacion", FP)
    open_planning_menu(page, "Estrategia")
    page.get_by_role("region", name="Abrir la estrategia de una vigencia").get_by_label(
        label("Vigencia")
    ).select_option(label="2027")
    page.get_by_role("button", name="Abrir la estrategia").click()
    expect(status_text(page, "Estrategia abierta")).to_be_visible()
    expect(strategy_badge(page)).to_have_text("Propuestas en preparación")
    strategy_url = page.url
    table = proposals_table(page)
    expect(table.get_by_role("row")).to_have_count(1 + 7 + 1)  # header, 7 units, total
    # the units that do not take part this year are excluded, with the reason
    others = [
        "Dirección Jurídica",
        "Dirección de Desarrollo Organizacional",
        "Dirección de Empleo Público",
        "Dirección de Participación, Transparencia y Servicio al Ciudadano",
        "Grupo de Gestión Financiera",
        "Oficina Asesora de Planeación",
    ]
    for unit in others:
        proposals_table(page).get_by_role("link", name=unit, exact=True).click()
        page.get_by_label(label("Por qué la dependencia queda por fuera")).fill(
            "No ofrece asistencia técnica territorial en 2027."
        )
        page.get_by_role("button", name="Excluir de la estrategia").click()
        expect(status_text(page, f"{unit} queda por fuera de la estrategia")).to_be_visible()
        expect(page.locator("h1 + p .badge")).to_have_text("Excluida")
        # the exclusion stays on the proposal's page: back to the strategy by the breadcrumb
        breadcrumb = page.get_by_role("navigation", name="Ruta de navegación")
        breadcrumb.get_by_role("link", name="2027", exact=True).click()
    expect(page.get_by_role("heading", name="Propuestas de las dependencias")).to_contain_text(
        "0 de 7 enviadas, 6 excluidas"
    )

    # FP-2: the unit head (Director técnico) fills the unit's proposal and submits it
    act_as("jefe", FP)
    open_planning_menu(page, "Estrategia")
    page.get_by_role("link", name="Estrategia integral de asistencia técnica 2027").click()
    proposals_table(page).get_by_role("link", name=f"Diligenciar {FP_UNIT}").click()
    page.get_by_label("Asistencia técnica en la implementación de MIPG").check()
    page.get_by_label("Asesoría en la interpretación de resultados FURAG").check()
    page.get_by_label(label("Recursos (COP)")).fill("250000000")
    page.get_by_label(label("Modalidad (espacio)")).select_option(label="Virtual")
    page.get_by_label(label("Personas y equipos")).fill("Equipo MIPG: 6 asesores")
    page.get_by_label(label("Alianzas")).fill("ESAP")
    page.get_by_label(label("Hitos y lineamientos")).fill("Autodiagnóstico, plan de acción")
    page.get_by_role("button", name="Guardar y enviar a planeación").click()
    expect(status_text(page, "Propuesta guardada y enviada a planeación")).to_be_visible()
    expect(page.locator("h1 + p .badge")).to_have_text("Enviada")

    # FP-3: planning consolidates offer and demand and presents the strategy
    act_as("planeacion", FP)
    consolidate_and_present(page, strategy_url, "Ronda 1: solo la DGDI participa.")

    # FP-4, "no": the committee rejects it with comments for the unit
    act_as("comite", FP)
    page.goto(strategy_url)
    page.get_by_role("link", name="Registrar la decisión del comité").click()
    page.get_by_label(label("Número del acta")).fill("CD-FP-2026-01")
    page.get_by_label(label("Fecha de la sesión")).fill("2026-01-30")
    page.get_by_label(label("Asistentes")).fill("Martha Lucía Quintero, Directora")
    page.get_by_label(label("Decisión")).select_option(
        label="Devolución: ajustar y presentar de nuevo"
    )
    page.get_by_label(label("Comentarios del comité")).fill("Los recursos superan el tope.")
    page.get_by_label(f"Comentario para {FP_UNIT}").fill("Reduzca los recursos a 180 millones.")
    page.get_by_role("button", name="Registrar la decisión y generar el acta").click()
    expect(status_text(page, "la estrategia volvió a las dependencias")).to_be_visible()
    rounds = page.get_by_role("main")
    expect(rounds).to_contain_text("Devolución: ajustar y presentar de nuevo")
    expect(rounds).to_contain_text("Reduzca los recursos a 180 millones.")

    # back to FP-2: the unit head sees the comments, adjusts and submits again
    act_as("jefe", FP)
    page.goto(strategy_url)
    expect(strategy_badge(page)).to_have_text("Devolución con comentarios")
    expect(page.get_by_role("heading", level=1).locator("+ p")).to_contain_text("Ronda 2")
    proposals_table(page).get_by_role("link", name=f"Diligenciar {FP_UNIT}").click()
    expect(status_text(page, "Comentarios por atender")).to_contain_text(
        "Reduzca los recursos a 180 millones."
    )
    resources = page.get_by_label(label("Recursos (COP)"))
    expect(resources).to_have_value("250000000.00")
    resources.fill("180000000")
    page.get_by_role("button", name="Guardar y enviar a planeación").click()
    expect(status_text(page, "Propuesta guardada y enviada a planeación")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("$ 180.000.000,00")

    # FP-3 again, and FP-4 "sí": the committee approves the adjusted strategy
    act_as("planeacion", FP)
    consolidate_and_present(page, strategy_url, "Ronda 2: recursos ajustados a 180 millones.")
    act_as("comite", FP)
    page.goto(strategy_url)
    page.get_by_role("link", name="Registrar la decisión del comité").click()
    page.get_by_label(label("Número del acta")).fill("CD-FP-2026-02")
    page.get_by_label(label("Fecha de la sesión")).fill("2026-02-13")
    page.get_by_label(label("Asistentes")).fill("Martha Lucía Quintero, Directora")
    page.get_by_label(label("Decisión")).select_option(label="Aprobado")
    page.get_by_role("button", name="Registrar la decisión y generar el acta").click()
    expect(status_text(page, "la estrategia quedó aprobada")).to_be_visible()
    page.goto(strategy_url)
    expect(strategy_badge(page)).to_have_text("Aprobado por el comité")
    strategy_trail = page.get_by_role("region", name=re.compile("Recorrido del procedimiento"))
    for step in ("FP-2", "FP-3", "FP-4"):
        item = strategy_trail.get_by_role("listitem").filter(has_text=step)
        expect(item.first).to_contain_text("Hecho")
    page.get_by_role("link", name="Rondas y decisiones").click()
    expect(page.get_by_role("main")).to_contain_text("Ronda 2")
    expect(page.get_by_role("main")).to_contain_text("CD-FP-2026-01")
    expect(page.get_by_role("main")).to_contain_text("CD-FP-2026-02")

    # FP-5: the directorate's professional writes the plan with the FP-5 fields and submits it
    act_as("profesional", FP)
    open_planning_menu(page, "Planes")
    page.get_by_role("link", name="Nuevo plan").click()
    # the vigencia of the approved strategy: the one being planned, offered first
    expect(page.get_by_label(label("Vigencia")).locator("option:checked")).to_have_text("2027")
    page.get_by_label(label("Título")).fill("Plan de asistencia técnica integral DGDI 2027")
    page.get_by_role("button", name="Abrir el plan").click()
    expect(plan_badge(page)).to_have_text("Borrador")
    plan_url = page.url
    line = open_new_line_form(page)
    line.get_by_label(label("Actividad / proyecto")).fill(
        "Acompañamiento a la implementación de MIPG"
    )
    line.get_by_label("Servicio", exact=True).select_option(
        label="Asistencia técnica en la implementación de MIPG"
    )
    expect(line.get_by_label("Temática")).to_have_value(re.compile(r"\d+"))
    line.get_by_label("Mecanismo").select_option(label="Acompañamiento")
    line.get_by_label("Modalidad").select_option(label="Virtual")
    line.get_by_label("Fecha de inicio").fill("2027-03-02")
    line.get_by_label("Fecha de finalización").fill("2027-05-29")
    line.get_by_label("Buscar: Grupos de valor atendidos").fill("Ministerio de Educación")
    line.get_by_label(re.compile("^Ministerio de Educación Nacional")).check()
    line.get_by_label("Presupuesto (COP)").fill("12.000.000")
    # the legal obligation is a choice (not stated / yes / no) with the norm that sets it
    line.get_by_label("Obligación normativa (entidad del orden nacional)").select_option(
        label="Sí, una norma la establece"
    )
    line.get_by_label("Norma que la establece").fill("Decreto 1499 de 2017, art. 2.2.22.3.1")
    line.get_by_label("Gestor territorial").fill("Paula Andrea Restrepo")
    line.get_by_role("button", name="Guardar la línea").click()
    lines = page.get_by_role("table", name="Líneas del plan, una actividad por fila")
    expect(lines).to_contain_text("Acompañamiento a la implementación de MIPG")
    expect(lines).to_contain_text("Ministerio de Educación Nacional")
    expect(lines).to_contain_text("mar, abr, may")
    expect(lines).to_contain_text("Obligación normativa")
    expect(lines).to_contain_text("Decreto 1499 de 2017, art. 2.2.22.3.1")
    expect(lines).to_contain_text("Paula Andrea Restrepo")
    expect(lines).to_contain_text("12.000.000")
    page.get_by_role("button", name="Enviar a revisión").click()
    expect(status_text(page, "enviado")).to_be_visible()
    expect(plan_badge(page)).to_have_text("Enviado a revisión")

    # FP-5's control: planning (the Subdirección) gathers the submitted plans
    act_as("planeacion", FP)
    open_planning_menu(page, "Plan consolidado")
    new = page.get_by_role("region", name="Consolidar los planes de una vigencia")
    expect(new.get_by_label(label("Vigencia")).locator("option:checked")).to_have_text("2027")
    new.get_by_label(label("Título")).fill("Plan de asistencia técnica integral 2027")
    new.get_by_role("button", name="Consolidar").click()
    expect(status_text(page, "Plan consolidado creado")).to_be_visible()
    units = page.get_by_role("table", name=re.compile("Planes de las dependencias"))
    expect(units).to_contain_text(FP_UNIT)
    expect(units).to_contain_text("Consolidado por planeación")
    consolidated_url = page.url

    # FP-4 applied to the plan: the Comité Directivo approves it in an acta
    act_as("comite", FP)
    page.goto(consolidated_url)
    page.get_by_role("link", name="Registrar la decisión del comité").click()
    page.get_by_label(label("Número del acta")).fill("CD-FP-2026-03")
    page.get_by_label(label("Fecha de la sesión")).fill("2026-02-27")
    page.get_by_label(label("Asistentes")).fill("Martha Lucía Quintero, Directora")
    page.get_by_label("Aprobado", exact=True).check()
    page.get_by_role("button", name="Registrar la decisión").click()
    expect(status_text(page, "Decisión del acta CD-FP-2026-03 registrada")).to_be_visible()
    expect(plan_badge(page)).to_have_text("Aprobado por el comité")

    # FP-6: planning publishes the approved plan and tells the units
    act_as("planeacion", FP)
    page.goto(consolidated_url)
    page.get_by_role("button", name="Publicar y enviar a las dependencias").click()
    expect(status_text(page, "El plan está publicado")).to_be_visible()
    expect(plan_badge(page)).to_have_text("Publicado")
    expect(units).to_contain_text("Publicado")

    page.goto(plan_url)
    expect(plan_badge(page)).to_have_text("Publicado")
    # FP-2..FP-4 are done on the strategy's trail (checked above), not on the plan's
    trail = page.get_by_role("region", name=re.compile("Recorrido del procedimiento"))
    for step in ("FP-5", "FP-6"):
        item = trail.get_by_role("listitem").filter(has_text=step)
        expect(item.first).to_contain_text("Hecho")

    strategy = Strategy.objects.get(organization__slug="funcion-publica", fiscal_year__year=2027)
    assert strategy.status == StrategyStatus.APPROVED
    assert strategy.round == 2
    outcomes = CommitteeDecision.objects.filter(
        organization=strategy.organization, acta_number__startswith="CD-FP-"
    ).order_by("created_at")
    assert [(d.acta_number, d.decision) for d in outcomes] == [
        ("CD-FP-2026-01", DecisionOutcome.REJECTED),
        ("CD-FP-2026-02", DecisionOutcome.APPROVED),
        ("CD-FP-2026-03", DecisionOutcome.APPROVED),
    ]
    plan = Plan.objects.get(title="Plan de asistencia técnica integral DGDI 2027")
    assert plan.status == PlanStatus.PUBLISHED
    line = plan.lines.get()
    assert line.legal_obligation is True
    assert line.legal_basis == "Decreto 1499 de 2017, art. 2.2.22.3.1"
    assert line.territorial_manager == "Paula Andrea Restrepo"
    assert plan.consolidated.status == ConsolidatedStatus.PUBLISHED
