"""Seeds: the values named in the four procedures, per procedure, idempotent, never
overwriting an admin's edits."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from acompana.catalog import seeds
from acompana.catalog.models import Mechanism, Modality, ServiceType, Topic
from acompana.core.models import Event
from acompana.core.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def codes(model, org):
    return set(model.objects.filter(organization=org).values_list("code", flat=True))


def test_every_organization_gets_the_service_types_and_modalities():
    for procedure in ("SAL", "FP", "EDU", "DNP"):
        org = OrganizationFactory(procedure_code=procedure)
        seeds.seed_organization(org)
        # FP "Definiciones": asesoría, orientación, asistencia técnica, capacitación
        assert {"asesoria", "orientacion", "asistencia_tecnica", "capacitacion"} <= codes(
            ServiceType, org
        )
        assert codes(Modality, org) == {"presencial", "virtual", "hibrida"}


def test_sal_mechanisms_and_topics_follow_the_health_procedure():
    org = OrganizationFactory(procedure_code="SAL")
    seeds.seed_organization(org)
    names = set(Mechanism.objects.filter(organization=org).values_list("name", flat=True))
    # SAL-3: talleres, visitas, trabajo de campo, asesorías, reuniones, conceptos escritos,
    # suministro de tecnología blanda y/o dura, conferencias
    for expected in (
        "Taller",
        "Visita",
        "Trabajo de campo",
        "Asesoría",
        "Reunión",
        "Concepto escrito",
        "Suministro de tecnología blanda",
        "Suministro de tecnología dura",
        "Conferencia",
    ):
        assert expected in names
    assert "Periodo de asistencia" not in names  # an FP mechanism
    topics = codes(Topic, org)
    assert {"pdsp", "componente_financiero", "ivc_salud"} <= topics
    assert "mipg" not in topics
    pts = Topic.objects.get(organization=org, code="pts")
    assert pts.parent.code == "pdsp"  # sub-topic of the Plan Decenal


def test_fp_edu_dnp_emphasis():
    fp = OrganizationFactory(procedure_code="FP")
    edu = OrganizationFactory(procedure_code="EDU")
    dnp = OrganizationFactory(procedure_code="DNP")
    for org in (fp, edu, dnp):
        seeds.seed_organization(org)
    # FP-8: capacitación (generación de capacidades), acompañamiento, periodos de asistencia
    assert {"fortalecimiento_capacidades", "acompanamiento", "periodo_asistencia"} <= codes(
        Mechanism, fp
    )
    assert {"laboratorio", "mesa_trabajo"} <= codes(Mechanism, fp)
    assert {"mipg", "furag", "empleo_publico", "participacion_ciudadana"} <= codes(Topic, fp)
    # EDU-2/EDU-14: visits to schools, working tables
    assert {"visita_establecimiento", "mesa_trabajo"} <= codes(Mechanism, edu)
    assert {"pei", "pmi", "pam", "evaluacion_educativa", "cobertura"} <= codes(Topic, edu)
    assert {"sgr", "inversion_publica", "ordenamiento_territorial", "finanzas_territoriales"} <= (
        codes(Topic, dnp)
    )
    assert "acompanamiento" in codes(ServiceType, dnp)


def test_the_union_covers_every_mechanism_the_procedures_name():
    union = set()
    for procedure in ("SAL", "FP", "EDU", "DNP"):
        union |= {s.code for s in seeds.seeds_for(procedure, seeds.MECHANISMS)}
    assert {
        "taller",
        "visita",
        "trabajo_campo",
        "mesa_trabajo",
        "reunion",
        "concepto_escrito",
        "conferencia",
        "videoconferencia",
        "laboratorio",
        "tecnologia_blanda",
        "tecnologia_dura",
        "acompanamiento",
        "periodo_asistencia",
        "fortalecimiento_capacidades",
        "capacitacion",
    } <= union


def test_seeding_is_idempotent_and_keeps_admin_edits():
    org = OrganizationFactory(procedure_code="FP")
    added = seeds.seed_organization(org)
    assert added > 30
    assert Event.objects.filter(organization=org, step_key="catalog.seeded").count() == 1
    # the admin renames one value, deactivates another and deletes a third
    taller = Mechanism.objects.get(organization=org, code="taller")
    taller.name = "Taller práctico"
    taller.description = "Descripción propia"
    taller.save()
    Modality.objects.filter(organization=org, code="hibrida").update(is_active=False)
    Topic.objects.filter(organization=org, code="integridad").delete()

    assert seeds.seed_organization(org) == 1  # only the deleted topic comes back
    taller.refresh_from_db()
    assert (taller.name, taller.description) == ("Taller práctico", "Descripción propia")
    assert not Modality.objects.get(organization=org, code="hibrida").is_active
    assert seeds.seed_organization(org) == 0
    assert Event.objects.filter(organization=org, step_key="catalog.seeded").count() == 2


def test_a_value_the_admin_created_with_the_same_name_is_not_duplicated():
    org = OrganizationFactory(procedure_code="SAL")
    Modality.objects.create(organization=org, name="VIRTUAL", code="remota")
    seeds.seed_organization(org)
    assert Modality.objects.filter(organization=org, name__iexact="virtual").count() == 1


def test_load_reference_data_seeds_every_organization():
    first = OrganizationFactory(procedure_code="EDU")
    second = OrganizationFactory(procedure_code="DNP")
    call_command("load_reference_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert ServiceType.objects.filter(organization=first).exists()
    assert Topic.objects.filter(organization=second, code="sgr").exists()
    before = Topic.objects.count()
    assert seeds.load_reference_values() == 0
    assert Topic.objects.count() == before
