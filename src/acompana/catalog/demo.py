"""Demo portfolio: 2-4 services per unit with 2-4 milestones each, per official procedure.

Called by ``core.demo.load_demo`` for each demo organization (after its units exist).
Idempotent: the seeds add only missing values, and a service already present in its unit
(same name) is left as it is, milestones included. Services are written through the
catalogue services by the demo administrator (``core.demo.demo_actor``: the services check
its role, as for anyone), so the audit trail shows them; an organization without an
administrator gets the seeded values only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from acompana.catalog import services
from acompana.catalog.models import (
    CatalogValue,
    Mechanism,
    Modality,
    Service,
    ServiceType,
    Topic,
)
from acompana.catalog.seeds import seed_organization
from acompana.core.choices import Role
from acompana.core.demo import demo_actor
from acompana.core.models import Organization, Unit


@dataclass(frozen=True)
class M:
    """A milestone: name, expected evidence, due days after start, required."""

    name: str
    evidence: str
    due: int | None
    required: bool = True
    description: str = ""


@dataclass(frozen=True)
class S:
    """A demo service. ``milestones`` is how many of the procedure's standard ones it has."""

    name: str
    type: str
    topics: tuple[str, ...]
    mechanisms: tuple[str, ...]
    modalities: tuple[str, ...]
    kinds: tuple[str, ...]
    origin: str = "both"
    hours: int | None = None
    days: int | None = None
    description: str = ""
    milestones: int = 4


#: The standard milestones of each procedure, taken from its steps and records.
MILESTONES: dict[str, list[M]] = {
    "SAL": [
        M(
            "Convocatoria comunicada a los actores",
            "Carta AP-AI-RG-110, circular o correo con agenda, lugar y fecha",
            0,
            description="SAL-4: comunicación firmada por el secretario, director o coordinador.",
        ),
        M(
            "Asistencia técnica ejecutada",
            "Acta de asistencia técnica MI-GS-RG-557 y registro de asistencia MI-GS-RG-867",
            15,
        ),
        M("Evaluación de la calidad aplicada", "Encuesta de percepción MI-GS-RG-578", 15),
        M("Seguimiento a los compromisos", "Acta de seguimiento MI-GS-RG-557", 60),
    ],
    "FP": [
        M("Plan de trabajo concertado con la entidad", "Plan de trabajo aprobado", 10),
        M(
            "Sesiones de asistencia ejecutadas",
            "Listas de asistencia con los compromisos de cada sesión",
            60,
        ),
        M(
            "Evaluación de satisfacción aplicada",
            "Instrumento de satisfacción aplicado al 100 % el día que termina el plan",
            60,
        ),
        M("Informe o concepto final registrado", "Informe, concepto o registro en el sistema", 75),
    ],
    "EDU": [
        M(
            "Planeación de compromisos y actividades",
            "Agenda de la visita y compromisos previstos",
            0,
            description="EDU-14: primera etapa de la metodología de la asistencia.",
        ),
        M("Sensibilización", "Registro de asistencia de la jornada", 10, required=False),
        M("Puesta en marcha", "Acta AP-AI-RG-111 con objetivo, actividades y compromisos", 20),
        M(
            "Verificación de compromisos y actividades",
            "Informe de ejecución MI-GE-RG-22",
            45,
        ),
    ],
    "DNP": [
        M(
            "Contacto con el grupo de valor",
            "Comunicación oficial o acta de reunión con responsabilidades acordadas",
            5,
        ),
        M("Plan de trabajo concertado", "Plan de trabajo", 15),
        M(
            "Acompañamiento ejecutado",
            "Evidencias, listados de asistencia y reportes parciales",
            90,
        ),
        M(
            "Evaluación de percepción aplicada",
            "Consolidado de la evaluación (solo quienes consienten)",
            100,
            required=False,
        ),
    ],
}

NAT, TER = "public_entity_national", "public_entity_territorial"
MUN, DEP = "municipality", "department"
SCHOOL, SITE, HEALTH, SOCIAL = "school", "school_site", "health_actor", "social_organisation"

#: procedure → unit code → services of that unit (the demo units of ``core.demo``)
PORTFOLIO: dict[str, dict[str, list[S]]] = {
    "SAL": {
        "DS": [
            S(
                "Socialización de lineamientos del Plan Decenal de Salud Pública",
                "asistencia_tecnica",
                ("pdsp",),
                ("conferencia", "jornada_departamental"),
                ("presencial", "virtual"),
                (MUN, HEALTH),
                "offer",
                8,
                30,
                "Jornadas departamentales para la apropiación del PDSP 2022-2031.",
            ),
            S(
                "Orientación a alcaldías en la gestión de la salud pública",
                "orientacion",
                ("pts",),
                ("reunion", "videoconferencia"),
                ("virtual",),
                (MUN,),
                "demand",
                2,
                5,
                milestones=2,
            ),
        ],
        "DDS": [
            S(
                "Asistencia técnica en habilitación de servicios de salud",
                "asistencia_tecnica",
                ("habilitacion",),
                ("visita", "taller"),
                ("presencial",),
                (HEALTH,),
                "both",
                16,
                60,
            ),
            S(
                "Asesoría en inspección, vigilancia y control a prestadores",
                "asesoria",
                ("ivc_salud",),
                ("visita", "concepto_escrito"),
                ("presencial",),
                (HEALTH,),
                "demand",
                6,
                30,
                milestones=3,
            ),
            S(
                "Capacitación en el Registro Especial de Prestadores (REPS)",
                "capacitacion",
                ("habilitacion",),
                ("taller", "videoconferencia"),
                ("virtual", "hibrida"),
                (HEALTH,),
                "offer",
                12,
                20,
                milestones=3,
            ),
        ],
        "SI": [
            S(
                "Asistencia técnica en el Plan Territorial de Salud",
                "asistencia_tecnica",
                ("pts", "pdsp"),
                ("taller", "trabajo_campo", "visita"),
                ("presencial",),
                (MUN,),
                "offer",
                24,
                90,
            ),
            S(
                "Capacitación en curso de vida y enfoque diferencial",
                "capacitacion",
                ("salud_integral", "enfoque_diferencial"),
                ("seminario_taller", "conferencia"),
                ("hibrida",),
                (MUN, HEALTH, SOCIAL),
                "offer",
                8,
                15,
                milestones=3,
            ),
        ],
        "GSP": [
            S(
                "Asistencia técnica en vigilancia en salud pública (SIVIGILA)",
                "asistencia_tecnica",
                ("vigilancia_salud_publica",),
                ("visita", "trabajo_campo", "tecnologia_blanda"),
                ("presencial",),
                (MUN, HEALTH),
                "both",
                16,
                45,
            ),
            S(
                "Suministro de tecnologías para programas de salud pública",
                "asistencia_tecnica",
                ("guias_protocolos",),
                ("tecnologia_dura", "tecnologia_blanda"),
                ("presencial",),
                (MUN, HEALTH),
                "offer",
                4,
                30,
                milestones=3,
            ),
            S(
                "Asesoría en guías y protocolos de atención",
                "asesoria",
                ("guias_protocolos",),
                ("concepto_escrito", "reunion"),
                ("virtual",),
                (HEALTH,),
                "demand",
                4,
                15,
                milestones=2,
            ),
        ],
        "DACF": [
            S(
                "Asistencia técnica en el componente financiero de la salud",
                "asistencia_tecnica",
                ("componente_financiero",),
                ("taller", "reunion"),
                ("hibrida",),
                (MUN, HEALTH),
                "offer",
                12,
                45,
            ),
            S(
                "Asesoría en flujo de recursos y aseguramiento",
                "asesoria",
                ("aseguramiento", "componente_financiero"),
                ("reunion", "concepto_escrito"),
                ("virtual",),
                (MUN,),
                "demand",
                4,
                20,
                milestones=2,
            ),
        ],
        "DPMS": [
            S(
                "Asistencia técnica en la formulación del Plan de Acción en Salud",
                "asistencia_tecnica",
                ("pas", "pts"),
                ("taller", "asesoria"),
                ("hibrida",),
                (MUN,),
                "offer",
                16,
                60,
            ),
            S(
                "Capacitación en participación social en salud",
                "capacitacion",
                ("participacion_social_salud",),
                ("taller", "conversatorio"),
                ("presencial",),
                (SOCIAL, MUN),
                "offer",
                8,
                15,
                milestones=3,
            ),
        ],
    },
    "FP": {
        "DGDI": [
            S(
                "Asistencia técnica en la implementación de MIPG",
                "asistencia_tecnica",
                ("mipg",),
                ("fortalecimiento_capacidades", "acompanamiento", "mesa_trabajo"),
                ("presencial", "virtual"),
                (NAT, TER),
                "both",
                40,
                90,
                "Acompañamiento a las entidades en las dimensiones y políticas de MIPG.",
            ),
            S(
                "Asesoría en la interpretación de resultados FURAG",
                "asesoria",
                ("furag",),
                ("mesa_trabajo", "concepto_escrito"),
                ("virtual",),
                (NAT, TER),
                "demand",
                6,
                20,
                milestones=3,
            ),
            S(
                "Capacitación en control interno (MECI)",
                "capacitacion",
                ("control_interno",),
                ("fortalecimiento_capacidades", "taller"),
                ("virtual", "hibrida"),
                (NAT, TER),
                "offer",
                16,
                30,
            ),
        ],
        "DPTSC": [
            S(
                "Asistencia técnica en participación ciudadana y rendición de cuentas",
                "asistencia_tecnica",
                ("participacion_ciudadana", "rendicion_cuentas"),
                ("laboratorio", "taller", "acompanamiento"),
                ("hibrida",),
                (TER, MUN),
                "offer",
                24,
                60,
            ),
            S(
                "Asistencia técnica en racionalización de trámites",
                "asistencia_tecnica",
                ("racionalizacion_tramites",),
                ("mesa_trabajo", "periodo_asistencia"),
                ("presencial", "virtual"),
                (NAT, TER),
                "both",
                20,
                60,
            ),
            S(
                "Orientación en servicio al ciudadano",
                "orientacion",
                ("servicio_ciudadano", "transparencia"),
                ("reunion",),
                ("virtual",),
                (NAT, TER, MUN),
                "demand",
                2,
                5,
                milestones=2,
            ),
        ],
        "DEP": [
            S(
                "Asesoría en gestión del talento humano y empleo público",
                "asesoria",
                ("empleo_publico",),
                ("mesa_trabajo", "concepto_escrito"),
                ("virtual", "presencial"),
                (NAT, TER),
                "demand",
                8,
                30,
                milestones=3,
            ),
            S(
                "Capacitación en evaluación del desempeño laboral",
                "capacitacion",
                ("evaluacion_desempeno_laboral",),
                ("fortalecimiento_capacidades", "taller", "videoconferencia"),
                ("virtual",),
                (NAT, TER),
                "offer",
                12,
                30,
            ),
        ],
        "DDO": [
            S(
                "Asistencia técnica en rediseño institucional (estructuras y plantas)",
                "asistencia_tecnica",
                ("desarrollo_organizacional",),
                ("periodo_asistencia", "mesa_trabajo", "concepto_escrito"),
                ("presencial",),
                (NAT, TER),
                "demand",
                40,
                120,
            ),
            S(
                "Capacitación en gestión del conocimiento y la innovación",
                "capacitacion",
                ("gestion_conocimiento",),
                ("laboratorio", "taller"),
                ("hibrida",),
                (NAT, TER),
                "offer",
                12,
                30,
                milestones=3,
            ),
        ],
        "DJ": [
            S(
                "Asesoría jurídica en empleo público",
                "asesoria",
                ("empleo_publico",),
                ("concepto_escrito", "reunion"),
                ("virtual",),
                (NAT, TER),
                "demand",
                4,
                15,
                milestones=2,
            ),
            S(
                "Orientación normativa a entidades territoriales",
                "orientacion",
                ("empleo_publico", "integridad"),
                ("reunion", "videoconferencia"),
                ("virtual",),
                (TER, MUN),
                "demand",
                2,
                5,
                milestones=2,
            ),
        ],
        "OAP": [
            S(
                "Asistencia técnica en integridad pública",
                "asistencia_tecnica",
                ("integridad",),
                ("taller", "evento"),
                ("hibrida",),
                (NAT, TER),
                "offer",
                12,
                45,
            ),
            S(
                "Capacitación en transparencia y acceso a la información",
                "capacitacion",
                ("transparencia",),
                ("fortalecimiento_capacidades", "videoconferencia"),
                ("virtual",),
                (NAT, TER, MUN),
                "offer",
                8,
                20,
                milestones=3,
            ),
        ],
        "GGF": [
            S(
                "Orientación en costeo de plantas de personal",
                "orientacion",
                ("desarrollo_organizacional",),
                ("reunion", "concepto_escrito"),
                ("virtual",),
                (TER,),
                "demand",
                2,
                10,
                milestones=2,
            ),
            S(
                "Capacitación en gestión presupuestal del talento humano",
                "capacitacion",
                ("empleo_publico",),
                ("videoconferencia", "taller"),
                ("virtual",),
                (NAT, TER),
                "offer",
                8,
                20,
                milestones=3,
            ),
        ],
    },
    "EDU": {
        "DSE": [
            S(
                "Socialización del plan de desarrollo educativo con rectores",
                "asistencia_tecnica",
                ("gestion_directiva",),
                ("mesa_trabajo", "taller"),
                ("presencial",),
                (SCHOOL,),
                "offer",
                8,
                30,
                milestones=3,
            ),
            S(
                "Mesa de trabajo con alcaldías sobre la prestación del servicio educativo",
                "asistencia_tecnica",
                ("cobertura",),
                ("mesa_trabajo",),
                ("presencial", "virtual"),
                (MUN,),
                "both",
                6,
                30,
                milestones=2,
            ),
        ],
        "GCE": [
            S(
                "Asistencia técnica en la resignificación del PEI",
                "asistencia_tecnica",
                ("pei",),
                ("visita_establecimiento", "taller", "instrumento_tecnico"),
                ("presencial",),
                (SCHOOL, SITE),
                "offer",
                16,
                90,
                "Acompañamiento a los establecimientos para actualizar su PEI.",
            ),
            S(
                "Acompañamiento a la formulación del Plan de Mejoramiento Institucional",
                "asistencia_tecnica",
                ("pmi", "autoevaluacion"),
                ("visita_establecimiento", "mesa_trabajo"),
                ("presencial",),
                (SCHOOL,),
                "offer",
                12,
                60,
            ),
            S(
                "Capacitación en uso pedagógico de los resultados de Pruebas Saber",
                "capacitacion",
                ("pruebas_saber",),
                ("taller", "capacitacion"),
                ("hibrida",),
                (SCHOOL,),
                "offer",
                8,
                20,
                milestones=3,
            ),
            S(
                "Asistencia técnica en educación inclusiva",
                "asistencia_tecnica",
                ("educacion_inclusiva", "enfoque_diferencial"),
                ("visita_establecimiento", "sensibilizacion"),
                ("presencial",),
                (SCHOOL, SITE),
                "both",
                12,
                60,
            ),
        ],
        "GCO": [
            S(
                "Asistencia técnica en gestión de la matrícula (SIMAT)",
                "asistencia_tecnica",
                ("cobertura",),
                ("visita_establecimiento", "capacitacion"),
                ("presencial", "virtual"),
                (SCHOOL,),
                "offer",
                8,
                30,
            ),
            S(
                "Capacitación en estrategias de permanencia escolar",
                "capacitacion",
                ("cobertura", "convivencia_escolar"),
                ("taller",),
                ("hibrida",),
                (SCHOOL, MUN),
                "offer",
                8,
                20,
                milestones=3,
            ),
        ],
        "GIV": [
            S(
                "Asistencia técnica en convivencia escolar",
                "asistencia_tecnica",
                ("convivencia_escolar",),
                ("visita_establecimiento", "sensibilizacion"),
                ("presencial",),
                (SCHOOL, SITE),
                "both",
                8,
                45,
            ),
            S(
                "Asesoría en legalización de establecimientos educativos",
                "asesoria",
                ("inspeccion_vigilancia_edu",),
                ("visita_establecimiento", "instrumento_tecnico"),
                ("presencial",),
                (SCHOOL,),
                "demand",
                6,
                30,
                milestones=3,
            ),
        ],
        "GPE": [
            S(
                "Asistencia técnica en el Plan de Apoyo al Mejoramiento (PAM)",
                "asistencia_tecnica",
                ("pam", "pmi"),
                ("mesa_trabajo", "taller"),
                ("presencial",),
                (SCHOOL,),
                "offer",
                12,
                60,
            ),
            S(
                "Capacitación en autoevaluación institucional",
                "capacitacion",
                ("autoevaluacion",),
                ("taller", "instrumento_tecnico"),
                ("virtual",),
                (SCHOOL,),
                "offer",
                6,
                15,
                milestones=3,
            ),
        ],
        "GF": [
            S(
                "Asistencia técnica en gestión de los fondos de servicios educativos",
                "asistencia_tecnica",
                ("fondos_servicios_educativos",),
                ("visita_establecimiento", "capacitacion"),
                ("presencial",),
                (SCHOOL,),
                "offer",
                8,
                45,
            ),
            S(
                "Orientación en la rendición de cuentas de los fondos educativos",
                "orientacion",
                ("fondos_servicios_educativos",),
                ("mesa_trabajo",),
                ("virtual",),
                (SCHOOL,),
                "demand",
                2,
                10,
                milestones=2,
            ),
        ],
    },
    "DNP": {
        "DDFF": [
            S(
                "Acompañamiento en descentralización y fortalecimiento fiscal",
                "acompanamiento",
                ("descentralizacion", "finanzas_territoriales"),
                ("acompanamiento", "mesa_trabajo"),
                ("presencial", "virtual"),
                (MUN, DEP),
                "offer",
                24,
                90,
            ),
            S(
                "Capacitación en la medición del desempeño municipal",
                "capacitacion",
                ("desempeno_municipal",),
                ("taller", "videoconferencia"),
                ("virtual",),
                (MUN,),
                "offer",
                6,
                20,
                milestones=3,
            ),
        ],
        "ST": [
            S(
                "Acompañamiento a la formulación de planes de desarrollo territorial",
                "acompanamiento",
                ("planes_desarrollo",),
                ("acompanamiento", "taller", "visita"),
                ("hibrida",),
                (MUN, DEP),
                "offer",
                32,
                120,
                "Según la Estrategia de Llegada a Territorio del DNP.",
            ),
            S(
                "Asistencia técnica en ordenamiento territorial",
                "asistencia_tecnica",
                ("ordenamiento_territorial",),
                ("mesa_trabajo", "trabajo_campo"),
                ("presencial",),
                (MUN,),
                "both",
                16,
                60,
            ),
            S(
                "Asesoría en finanzas territoriales",
                "asesoria",
                ("finanzas_territoriales",),
                ("reunion", "videoconferencia"),
                ("virtual",),
                (MUN, DEP),
                "demand",
                4,
                20,
                milestones=2,
            ),
        ],
        "DPIP": [
            S(
                "Acompañamiento en la formulación de proyectos de inversión (MGA)",
                "acompanamiento",
                ("proyectos_inversion", "inversion_publica"),
                ("taller", "entrenamiento", "acompanamiento"),
                ("hibrida",),
                (MUN, DEP, TER),
                "both",
                24,
                90,
            ),
            S(
                "Acompañamiento a entidades ejecutoras de recursos del SGR",
                "acompanamiento",
                ("seguimiento_sgr", "sgr"),
                ("visita", "mesa_trabajo"),
                ("presencial",),
                (MUN, DEP),
                "offer",
                16,
                90,
                "Entidades seleccionadas según la priorización anual (Manual M-SP-01).",
            ),
        ],
        "OAP": [
            S(
                "Orientación en el uso de la oferta institucional del DNP",
                "orientacion",
                ("planes_desarrollo",),
                ("reunion", "videoconferencia"),
                ("virtual",),
                (TER, MUN),
                "demand",
                2,
                5,
                milestones=2,
            ),
            S(
                "Capacitación en seguimiento a las inversiones del SGR",
                "capacitacion",
                ("seguimiento_sgr",),
                ("entrenamiento", "videoconferencia"),
                ("virtual",),
                (MUN, DEP),
                "offer",
                8,
                20,
                milestones=3,
            ),
        ],
        "SF": [
            S(
                "Asistencia técnica en programación presupuestal del SGR",
                "asistencia_tecnica",
                ("sgr", "finanzas_territoriales"),
                ("mesa_trabajo", "reunion"),
                ("virtual",),
                (MUN, DEP),
                "both",
                8,
                30,
                milestones=3,
            ),
            S(
                "Orientación en el ciclo de las regalías",
                "orientacion",
                ("sgr",),
                ("videoconferencia",),
                ("virtual",),
                (MUN, DEP),
                "demand",
                2,
                5,
                milestones=2,
            ),
        ],
    },
}


def _generic_services(unit: Unit, procedure: str) -> list[S]:
    """Two services for a unit the demo table does not know (other unit codes)."""
    first = next(iter(PORTFOLIO[procedure].values()))[0]
    return [
        S(
            f"Asistencia técnica de {unit.name}",
            "asistencia_tecnica",
            first.topics,
            first.mechanisms,
            first.modalities,
            first.kinds,
            "offer",
            8,
            30,
            milestones=3,
        ),
        S(
            f"Orientación de {unit.name}",
            "orientacion" if procedure != "DNP" else "asesoria",
            first.topics[:1],
            ("reunion",),
            ("virtual",),
            first.kinds,
            "demand",
            2,
            5,
            milestones=2,
        ),
    ]


def _by_code(model: type[CatalogValue], organization: Organization) -> dict[str, Any]:
    active = model.objects.filter(organization=organization, is_active=True)
    return {v.code: v for v in active if v.code}


@transaction.atomic
def load(*, organization: Organization, spec: Any = None) -> int:
    """Seed the organization's catalogue and its demo portfolio; return services added."""
    seed_organization(organization)
    procedure = organization.procedure_code
    actor = demo_actor(organization, Role.ADMIN)
    if procedure not in PORTFOLIO or actor is None:
        return 0
    values = {
        "type": _by_code(ServiceType, organization),
        "topics": _by_code(Topic, organization),
        "mechanisms": _by_code(Mechanism, organization),
        "modalities": _by_code(Modality, organization),
    }
    added = 0
    units = Unit.objects.filter(organization=organization, is_active=True).order_by("name")
    for unit in units:
        specs = PORTFOLIO[procedure].get(unit.code) or _generic_services(unit, procedure)
        for item in specs:
            if Service.objects.filter(unit=unit, name__iexact=item.name).exists():
                continue
            service_type = values["type"].get(item.type) or values["type"].get("asistencia_tecnica")
            if service_type is None:
                continue
            service = services.service_create(
                actor=actor,
                organization=organization,
                data={
                    "unit": unit,
                    "name": item.name,
                    "description": item.description,
                    "service_type": service_type,
                    "origin": item.origin,
                    "topics": [values["topics"][c] for c in item.topics if c in values["topics"]],
                    "mechanisms": [
                        values["mechanisms"][c]
                        for c in item.mechanisms
                        if c in values["mechanisms"]
                    ],
                    "modalities": [
                        values["modalities"][c]
                        for c in item.modalities
                        if c in values["modalities"]
                    ],
                    "target_stakeholder_kinds": list(item.kinds),
                    "duration_days": item.days,
                    "estimated_hours": item.hours,
                },
            )
            for milestone in MILESTONES[procedure][: item.milestones]:
                services.milestone_template_create(
                    actor=actor,
                    service=service,
                    data={
                        "name": milestone.name,
                        "description": milestone.description,
                        "expected_evidence": milestone.evidence,
                        "relative_due_days": milestone.due,
                        "required": milestone.required,
                    },
                )
            added += 1
    return added
