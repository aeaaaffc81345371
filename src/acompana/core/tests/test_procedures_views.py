"""The Procedimiento page and the admin's adjustments (service and page)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from acompana.core.choices import ProcedureCode
from acompana.core.errors import StaleObjectError
from acompana.core.events_display import key_label
from acompana.core.models import Event, Organization
from acompana.core.procedures import get_profile
from acompana.core.procedures.forms import adjustments_post_data
from acompana.core.procedures.services import procedure_overrides_update
from acompana.core.tests.factories import build_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # SAL-2 plan MI-GS-RG-869, SAL-3 quarterly schedule, SAL-6 perception survey
        (
            "SAL",
            [
                "SAL-1",
                "SAL-8",
                "MI-GS-RG-869",
                "MI-GS-RG-577",
                "MI-GS-RG-578",
                "Cronograma trimestral",
            ],
        ),
        # FP-1 prioritisation … FP-13 retention table; two evaluation stages
        ("FP", ["FP-1", "FP-13", "Director técnico", "Último bimestre de cada vigencia", "FP-11"]),
        # EDU-7 acta AP-AI-RG-111, EDU-15 MI-GE-RG-22, EDU-3 Líder de grupo
        (
            "EDU",
            ["EDU-1", "EDU-17", "AP-AI-RG-111", "MI-GE-RG-22", "MI-GE-PR-16", "Líder de grupo"],
        ),
        # DNP-5 V/A, DNP-6 register of accompaniments
        ("DNP", ["DNP-1", "DNP-6", "V/A", "Registro de los acompañamientos realizados"]),
    ],
)
def test_procedure_page_shows_steps_and_records(client_for, code, expected):
    world = build_world(procedure_code=code)
    response = client_for(world.auditor).get(reverse("core:procedure"))
    assert response.status_code == 200
    html = response.content.decode()
    profile = get_profile(world.org)
    assert profile.title in html
    assert profile.version in html
    for step in profile.steps:
        # what completes each step, as people read it: the key's label, never the key
        assert step.id in html and key_label(step.step_keys[0]) in html
        assert all(key not in html for key in step.step_keys)
    for text in expected:
        assert text in html, text
    # auditors read but do not adjust
    assert reverse("core:procedure_edit") not in html


def test_procedure_page_explains_switches_in_spanish(client_for):
    world = build_world(procedure_code=ProcedureCode.EDU)
    client = client_for(world.admin)
    response = client.get(reverse("core:procedure"), HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert reverse("core:procedure_edit") in html
    assert "Mensual" in html or "Monthly" in html


def test_procedure_page_query_count(client_for, django_assert_max_num_queries):
    world = build_world()
    client = client_for(world.professional)
    client.get(reverse("core:procedure"))
    with django_assert_max_num_queries(8):
        client.get(reverse("core:procedure"))


# --- the service ---------------------------------------------------------------------------


def test_service_saves_adjustments_and_records_an_event():
    """Adjusting SAL-2's plan format MI-GS-RG-869 to version 3 and naming the unit head."""
    world = build_world()
    org = world.org
    procedure_overrides_update(
        actor=world.admin,
        organization=org,
        expected_version=org.version,
        overrides={
            "records": {"MI-GS-RG-869": {"code": "MI-GS-RG-869", "version": "3", "date": ""}},
            "role_names": {"unit_head": "Jefe de dependencia", "planner": ""},
        },
    )
    org.refresh_from_db()
    assert org.version == 2
    assert org.procedure_overrides == {
        "records": {"MI-GS-RG-869": {"code": "MI-GS-RG-869", "version": "3", "date": None}},
        "role_names": {"unit_head": "Jefe de dependencia"},
    }
    assert get_profile(org).step("SAL-2").records[0].version == "3"
    event = Event.objects.get(organization=org, step_key="procedure.adjusted")
    assert event.actor == world.admin
    assert event.before == {"procedure_overrides": {}}
    assert event.after["procedure_overrides"]["role_names"] == {"unit_head": "Jefe de dependencia"}


def test_service_drops_values_equal_to_the_shipped_file():
    world = build_world()
    profile = get_profile(world.org)
    procedure_overrides_update(
        actor=world.admin,
        organization=world.org,
        expected_version=world.org.version,
        overrides={
            "records": {r.key: {"code": r.code, "version": r.version} for r in profile.formats},
            "role_names": dict(profile.role_names),
        },
    )
    world.org.refresh_from_db()
    assert world.org.procedure_overrides == {}
    assert world.org.version == 1  # nothing changed, nothing written
    assert not Event.objects.filter(step_key="procedure.adjusted").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "MI GS RG 869", "version": "1"}, "record__MI-GS-RG-869__code"),
        ({"code": "MI-GS-RG-869;DROP", "version": "1"}, "record__MI-GS-RG-869__code"),
        ({"code": "X" * 41, "version": "1"}, "record__MI-GS-RG-869__code"),
        ({"code": "MI-GS-RG-869", "version": ""}, "record__MI-GS-RG-869__version"),
        ({"code": "MI-GS-RG-869", "version": "1" * 21}, "record__MI-GS-RG-869__version"),
        (
            {"code": "MI-GS-RG-869", "version": "1", "date": "31/12/2025"},
            "record__MI-GS-RG-869__date",
        ),
    ],
)
def test_service_refuses_bad_codes_and_versions(change, field):
    world = build_world()
    with pytest.raises(ValidationError) as info:
        procedure_overrides_update(
            actor=world.admin,
            organization=world.org,
            expected_version=world.org.version,
            overrides={"records": {"MI-GS-RG-869": change}},
        )
    assert field in info.value.error_dict
    world.org.refresh_from_db()
    assert world.org.procedure_overrides == {}


def test_service_refuses_unknown_records_and_roles():
    world = build_world()
    with pytest.raises(ValidationError) as info:
        procedure_overrides_update(
            actor=world.admin,
            organization=world.org,
            expected_version=world.org.version,
            overrides={"records": {"NO-EXISTE": {"code": "A"}}, "role_names": {"rey": "Rey"}},
        )
    assert set(info.value.error_dict) == {"records", "role_names"}


def test_service_refuses_a_stale_version():
    world = build_world()
    org = world.org
    Organization.objects.filter(pk=org.pk).update(version=5)  # someone saved meanwhile
    with pytest.raises(StaleObjectError):
        procedure_overrides_update(
            actor=world.admin,
            organization=org,
            expected_version=1,
            overrides={"role_names": {"unit_head": "Otro nombre"}},
        )
    org.refresh_from_db()
    assert org.procedure_overrides == {}
    assert not Event.objects.filter(step_key="procedure.adjusted").exists()


# --- the admin page ------------------------------------------------------------------------


def test_admin_edit_page_saves(client_for):
    """EDU: the acta AP-AI-RG-111 (EDU-7, EDU-14) gets version 2 and a date."""
    world = build_world(procedure_code=ProcedureCode.EDU)
    client = client_for(world.admin)
    page = client.get(reverse("core:procedure_edit"))
    assert page.status_code == 200
    assert "AP-AI-RG-111" in page.content.decode()
    data = adjustments_post_data(
        get_profile(world.org),
        world.org.version,
        **{
            "record__AP-AI-RG-111__version": "2",
            "record__AP-AI-RG-111__date": "2025-06-30",
            "role__unit_head": "Coordinador de grupo",
        },
    )
    response = client.post(reverse("core:procedure_edit"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:procedure")
    world.org.refresh_from_db()
    profile = get_profile(world.org)
    assert profile.step("EDU-14").records[0].version == "2"
    assert profile.step("EDU-7").records[0].date == "2025-06-30"
    assert profile.step("EDU-3").role_names == ("Coordinador de grupo",)
    html = client.get(reverse("core:procedure")).content.decode()
    assert "Coordinador de grupo" in html
    assert "2025-06-30" in html


def test_admin_edit_page_refuses_bad_code(client_for):
    world = build_world()
    client = client_for(world.admin)
    data = adjustments_post_data(
        get_profile(world.org), world.org.version, **{"record__MI-GS-RG-869__code": "MI/GS/869"}
    )
    response = client.post(reverse("core:procedure_edit"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html
    assert 'aria-describedby="id_record__MI-GS-RG-869__code_help"' in html
    world.org.refresh_from_db()
    assert world.org.procedure_overrides == {}


def test_admin_edit_page_refuses_stale_version(client_for):
    world = build_world()
    client = client_for(world.admin)
    data = adjustments_post_data(
        get_profile(world.org), world.org.version, **{"role__planner": "Oficina de Planeación"}
    )
    Organization.objects.filter(pk=world.org.pk).update(version=world.org.version + 1)
    response = client.post(reverse("core:procedure_edit"), data)
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    world.org.refresh_from_db()
    assert world.org.procedure_overrides == {}


def test_admin_edit_page_is_for_admins_only(client_for):
    world = build_world()
    assert client_for(world.unit_head).get(reverse("core:procedure_edit")).status_code == 403
    assert client_for(world.auditor).get(reverse("core:procedure_edit")).status_code == 403
