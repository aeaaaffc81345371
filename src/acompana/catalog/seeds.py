"""Seed values of the catalogue, taken from the four official procedures (shared/procedures).

``seed_organization(organization)`` runs when an organization is created (and from the demo);
``load_reference_values()`` runs from ``manage.py load_reference_data`` for every organization.
Both are idempotent: a seeded value is recognised by its ``code`` (or, failing that, by its
name), so a value the admin renamed, described differently or deactivated is left exactly as
the admin left it, and a seeded value the admin deactivated is never reactivated. Only
missing values are added.

Each value says which procedures it comes from (``SAL``, ``FP``, ``EDU``, ``DNP``; ``ALL``
for every organization). An organization gets the values of its own procedure, so a health
secretariat sees "suministro de tecnología blanda" while Función Pública sees "periodo de
asistencia"; the admin adds anything else from the catalogue pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from acompana.catalog.models import CatalogValue, Mechanism, Modality, ServiceType, Topic
from acompana.core.actors import system_actor
from acompana.core.events import event_record
from acompana.core.models import Organization

ALL = ("SAL", "FP", "EDU", "DNP")


@dataclass(frozen=True)
class Seed:
    code: str
    name: str
    description: str = ""
    procedures: tuple[str, ...] = ALL
    #: code of the parent topic (topics only)
    parent: str = ""
    children: tuple[Seed, ...] = field(default_factory=tuple)


SERVICE_TYPES = [
    Seed(
        "asistencia_tecnica",
        "Asistencia técnica",
        "Acompañamiento sistemático, programado y documentado para fortalecer la capacidad de "
        "las entidades (oferta o demanda); puede abordar varias temáticas o dependencias, "
        "inicia con una oferta o petición y finaliza con un registro o informe.",
    ),
    Seed(
        "capacitacion",
        "Capacitación",
        "Conjunto de actividades orientadas a ampliar los conocimientos, aptitudes y "
        "habilidades de las entidades y sus servidores; inicia con una solicitud u oferta y "
        "finaliza con un registro o informe.",
    ),
    Seed(
        "asesoria",
        "Asesoría",
        "Acompañamiento sistemático y documentado (por oferta o demanda) para fortalecer la "
        "capacidad técnica de los grupos de valor; culmina con un concepto, registro o informe.",
    ),
    Seed(
        "orientacion",
        "Orientación",
        "Atención de primer nivel a los grupos de valor que no requiere análisis técnico o "
        "jurídico ni programación; inicia con una petición y culmina con el registro de la "
        "atención.",
    ),
    Seed(
        "acompanamiento",
        "Acompañamiento",
        "Conjunto de acciones articuladas, permanentes y programadas mediante las cuales "
        "interactúan los grupos de valor para fortalecer conocimientos, competencias y "
        "habilidades en los temas abordados.",
        procedures=("DNP",),
    ),
]

MODALITIES = [
    Seed("presencial", "Presencial", "En el lugar acordado con el grupo de valor."),
    Seed("virtual", "Virtual", "Por videoconferencia, aula virtual u otro medio remoto."),
    Seed("hibrida", "Híbrida", "Combina participantes presenciales y remotos."),
]

MECHANISMS = [
    # SAL-2/SAL-3: talleres, visitas, trabajo de campo, asesorías, reuniones, conceptos
    # escritos, suministro de tecnología blanda y/o dura, conferencias.
    Seed("taller", "Taller", "Sesión práctica de trabajo con los participantes.", ALL),
    Seed("visita", "Visita", "Visita de asistencia técnica al grupo de valor.", ("SAL", "DNP")),
    Seed(
        "trabajo_campo",
        "Trabajo de campo",
        "Actividades en el territorio del grupo de valor.",
        ("SAL", "DNP"),
    ),
    Seed("asesoria", "Asesoría", "Asesoría especializada puntual.", ("SAL",)),
    Seed("reunion", "Reunión", "Reunión de trabajo con el grupo de valor.", ALL),
    Seed(
        "concepto_escrito",
        "Concepto escrito",
        "Respuesta o concepto técnico por escrito.",
        ("SAL", "FP"),
    ),
    Seed(
        "tecnologia_blanda",
        "Suministro de tecnología blanda",
        "Entrega de conocimiento aplicado: guías, protocolos, metodologías, lineamientos.",
        ("SAL",),
    ),
    Seed(
        "tecnologia_dura",
        "Suministro de tecnología dura",
        "Entrega de equipos, herramientas o insumos tecnológicos.",
        ("SAL",),
    ),
    Seed("conferencia", "Conferencia", "Exposición a un grupo amplio de participantes.", ALL),
    Seed(
        "videoconferencia",
        "Videoconferencia",
        "Sesión sincrónica por medios virtuales.",
        ("SAL", "FP", "DNP"),
    ),
    Seed("conversatorio", "Conversatorio", "Diálogo abierto sobre un tema.", ("SAL",)),
    Seed("seminario_taller", "Seminario taller", "Seminario con trabajo práctico.", ("SAL",)),
    Seed(
        "jornada_departamental",
        "Jornada departamental",
        "Encuentro de los actores del departamento.",
        ("SAL",),
    ),
    Seed(
        "lineamiento_tecnico",
        "Elaboración de lineamientos técnicos",
        "Documento de lineamientos técnicos para los actores.",
        ("SAL",),
    ),
    Seed("capacitacion", "Capacitación", "Formación dirigida a servidores públicos.", ALL),
    # FP objective and FP-8: talleres, eventos, laboratorios, mesas de trabajo; capacitación
    # con enfoque de generación de capacidades, acompañamiento, periodos de asistencia.
    Seed(
        "fortalecimiento_capacidades",
        "Capacitación con enfoque de generación de capacidades",
        "Capacitación / fortalecimiento de capacidades (ver guía de labores de asistencia "
        "técnica).",
        ("FP",),
    ),
    Seed(
        "acompanamiento",
        "Acompañamiento",
        "Acompañamiento continuo a la entidad durante la ejecución.",
        ("FP", "DNP"),
    ),
    Seed(
        "periodo_asistencia",
        "Periodo de asistencia",
        "Periodo programado de asistencia técnica en la entidad.",
        ("FP",),
    ),
    Seed(
        "laboratorio",
        "Laboratorio",
        "Espacio de experimentación y co-creación de soluciones.",
        ("FP",),
    ),
    Seed("evento", "Evento", "Evento de divulgación o encuentro de entidades.", ("FP",)),
    Seed(
        "mesa_trabajo",
        "Mesa de trabajo",
        "Mesa técnica con el grupo de valor para concertar y avanzar compromisos.",
        ("FP", "EDU", "DNP"),
    ),
    # EDU-2/EDU-14: visitas a los establecimientos educativos, mecanismos o instrumentos
    # técnicos; metodología: sensibilización, puesta en marcha, verificación de compromisos.
    Seed(
        "visita_establecimiento",
        "Visita a establecimiento educativo",
        "Visita de asistencia técnica al establecimiento educativo con acta AP-AI-RG-111.",
        ("EDU",),
    ),
    Seed(
        "sensibilizacion",
        "Jornada de sensibilización",
        "Sensibilización de la comunidad educativa cuando se requiera.",
        ("EDU",),
    ),
    Seed(
        "instrumento_tecnico",
        "Instrumento técnico",
        "Instrumento, guía o herramienta técnica aplicada con el establecimiento.",
        ("EDU",),
    ),
    # DNP-2..DNP-4: contacto virtual o presencial, plan de trabajo, entrenamiento.
    Seed(
        "entrenamiento",
        "Entrenamiento",
        "Entrenamiento práctico en herramientas y sistemas de información.",
        ("DNP",),
    ),
]

TOPICS = [
    # SAL-1: temas, planes, programas, metas, manuales, guías de salud, componente financiero;
    # Plan Decenal de Salud Pública 2022-2031.
    Seed(
        "pdsp",
        "Plan Decenal de Salud Pública 2022-2031",
        "Comprensión y apropiación del PDSP y su ejecución territorial.",
        ("SAL",),
        children=(
            Seed("pts", "Plan Territorial de Salud", "", ("SAL",)),
            Seed("pas", "Plan de Acción en Salud", "", ("SAL",)),
        ),
    ),
    Seed("componente_financiero", "Componente financiero", "", ("SAL",)),
    Seed("ivc_salud", "Inspección, vigilancia y control (IVC)", "", ("SAL",)),
    Seed("vigilancia_salud_publica", "Vigilancia en salud pública", "", ("SAL",)),
    Seed("aseguramiento", "Aseguramiento en salud", "", ("SAL",)),
    Seed(
        "prestacion_servicios",
        "Prestación de servicios de salud",
        "",
        ("SAL",),
        children=(Seed("habilitacion", "Habilitación de servicios (REPS)", "", ("SAL",)),),
    ),
    Seed("salud_integral", "Salud integral y curso de vida", "", ("SAL",)),
    Seed("guias_protocolos", "Guías, manuales y protocolos de salud", "", ("SAL",)),
    Seed("participacion_social_salud", "Participación social en salud", "", ("SAL",)),
    # FP-1: resultados FURAG, PORS, PND; competencias de Función Pública.
    Seed(
        "mipg",
        "Modelo Integrado de Planeación y Gestión (MIPG)",
        "",
        ("FP",),
        children=(
            Seed("furag", "Medición del desempeño (FURAG)", "", ("FP",)),
            Seed("control_interno", "Control interno (MECI)", "", ("FP",)),
        ),
    ),
    Seed(
        "empleo_publico",
        "Empleo público y gestión del talento humano",
        "",
        ("FP",),
        children=(
            Seed("evaluacion_desempeno_laboral", "Evaluación del desempeño laboral", "", ("FP",)),
        ),
    ),
    Seed("participacion_ciudadana", "Participación ciudadana", "", ("FP",)),
    Seed("rendicion_cuentas", "Rendición de cuentas", "", ("FP",)),
    Seed("transparencia", "Transparencia y acceso a la información", "", ("FP",)),
    Seed("servicio_ciudadano", "Servicio al ciudadano", "", ("FP",)),
    Seed("racionalizacion_tramites", "Racionalización de trámites", "", ("FP",)),
    Seed(
        "desarrollo_organizacional",
        "Desarrollo organizacional (estructuras y plantas)",
        "",
        ("FP",),
    ),
    Seed("integridad", "Integridad pública", "", ("FP",)),
    Seed("gestion_conocimiento", "Gestión del conocimiento y la innovación", "", ("FP",)),
    # EDU-1..EDU-5: plan de desarrollo educativo, planes de acción, PAM, inspección y
    # vigilancia; gestión de los establecimientos educativos.
    Seed("pei", "Proyecto Educativo Institucional (PEI)", "", ("EDU",)),
    Seed("pmi", "Plan de Mejoramiento Institucional (PMI)", "", ("EDU",)),
    Seed("pam", "Plan de Apoyo al Mejoramiento (PAM)", "", ("EDU",)),
    Seed(
        "evaluacion_educativa",
        "Evaluación educativa",
        "",
        ("EDU",),
        children=(
            Seed("autoevaluacion", "Autoevaluación institucional", "", ("EDU",)),
            Seed("pruebas_saber", "Pruebas Saber", "", ("EDU",)),
        ),
    ),
    Seed("cobertura", "Cobertura educativa y matrícula", "", ("EDU",)),
    Seed("convivencia_escolar", "Convivencia escolar", "", ("EDU",)),
    Seed("educacion_inclusiva", "Educación inclusiva", "", ("EDU",)),
    Seed("gestion_directiva", "Gestión directiva y administrativa", "", ("EDU",)),
    Seed("fondos_servicios_educativos", "Fondos de servicios educativos", "", ("EDU",)),
    Seed("inspeccion_vigilancia_edu", "Inspección y vigilancia educativa", "", ("EDU",)),
    # DNP: Estrategia de Llegada a Territorio, SGR (M-SP-01), inversión pública.
    Seed(
        "sgr",
        "Sistema General de Regalías (SGR)",
        "",
        ("DNP",),
        children=(Seed("seguimiento_sgr", "Seguimiento a las inversiones del SGR", "", ("DNP",)),),
    ),
    Seed(
        "inversion_publica",
        "Inversión pública",
        "",
        ("DNP",),
        children=(
            Seed(
                "proyectos_inversion", "Formulación de proyectos de inversión (MGA)", "", ("DNP",)
            ),
        ),
    ),
    Seed("ordenamiento_territorial", "Ordenamiento territorial", "", ("DNP",)),
    Seed("finanzas_territoriales", "Finanzas territoriales", "", ("DNP",)),
    Seed("planes_desarrollo", "Planes de desarrollo territorial", "", ("DNP",)),
    Seed("desempeno_municipal", "Medición del desempeño municipal", "", ("DNP",)),
    Seed("descentralizacion", "Descentralización y fortalecimiento fiscal", "", ("DNP",)),
    # every organization
    Seed("enfoque_diferencial", "Enfoque diferencial", "", ALL),
]


def _flatten(seeds: list[Seed]) -> list[Seed]:
    """Parents before their children, children pointing at their parent's code."""
    result: list[Seed] = []
    for seed in seeds:
        result.append(seed)
        for child in seed.children:
            result.append(
                Seed(child.code, child.name, child.description, child.procedures, parent=seed.code)
            )
    return result


VOCABULARIES: list[tuple[type[CatalogValue], list[Seed]]] = [
    (ServiceType, SERVICE_TYPES),
    (Modality, MODALITIES),
    (Mechanism, MECHANISMS),
    (Topic, _flatten(TOPICS)),
]


def seeds_for(procedure_code: str, seeds: list[Seed]) -> list[Seed]:
    return [s for s in seeds if procedure_code in s.procedures]


def seed_organization(organization: Organization) -> int:
    """Add the organization's missing seeded values; return how many were added."""
    added = 0
    with transaction.atomic():
        for model, seeds in VOCABULARIES:
            added += _seed_model(organization, model, seeds_for(organization.procedure_code, seeds))
        if added:
            event_record(
                actor=system_actor(),  # reference data: no person's write
                organization=organization,
                step_key="catalog.seeded",
                obj=organization,
                summary=_("Catalogue: %(count)s reference values added") % {"count": added},
            )
    return added


def _seed_model(organization: Organization, model: type[CatalogValue], seeds: list[Seed]) -> int:
    existing = model.objects.filter(organization=organization)
    by_code = {obj.code: obj for obj in existing if obj.code}
    names = {obj.name.lower() for obj in existing}
    added = 0
    for position, seed in enumerate(seeds, start=1):
        if seed.code in by_code or seed.name.lower() in names:
            continue  # present, possibly edited by the admin: never overwritten
        fields: dict[str, object] = {
            "organization": organization,
            "code": seed.code,
            "name": seed.name,
            "description": seed.description,
            "sort_order": position * 10,
        }
        if model is Topic:
            fields["parent"] = by_code.get(seed.parent) if seed.parent else None
        obj = model.objects.create(**fields)
        by_code[seed.code] = obj
        names.add(seed.name.lower())
        added += 1
    return added


def load_reference_values() -> int:
    """Seed every organization (``manage.py load_reference_data``); returns values added."""
    return sum(seed_organization(org) for org in Organization.objects.order_by("pk"))
