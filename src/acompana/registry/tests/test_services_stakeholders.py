import pytest
from django.core.exceptions import ValidationError

from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.models import Event
from acompana.core.validators import nit_with_check_digit
from acompana.registry import services
from acompana.registry.models import Stakeholder
from acompana.registry.tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def _alcaldia(world, **extra):
    data = {
        "kind": "municipality",
        "name": "Alcaldía de Garzón",
        "nit": nit_with_check_digit("891180008"),
        "dane_code": "41298",
        "category": "sexta",
    }
    data.update(extra)
    return services.stakeholder_create(actor=world.admin, organization=world.org, data=data)


def test_create_municipality_places_it_and_records_event(world):
    s = _alcaldia(world)
    assert s.municipality.code == "41298"
    assert s.department.code == "41"
    assert s.category == "6"
    assert s.search_name == "alcaldia de garzon"
    event = Event.objects.get(step_key="stakeholder.created", object_id=str(s.pk))
    assert event.organization == world.org
    assert event.actor == world.admin


def test_municipality_needs_a_divipola_code(world):
    with pytest.raises(ValidationError) as info:
        _alcaldia(world, dane_code="99999")
    assert "dane_code" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        _alcaldia(world, dane_code="")
    assert "dane_code" in info.value.message_dict
    assert not Stakeholder.objects.exists()


def test_bad_nit_check_digit_is_refused(world):
    good = nit_with_check_digit("891180008")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as info:
        _alcaldia(world, nit=bad)
    assert "nit" in info.value.message_dict


def test_duplicate_identifiers_name_the_existing_record(world):
    first = _alcaldia(world)
    with pytest.raises(ValidationError) as info:
        services.stakeholder_create(
            actor=world.admin,
            organization=world.org,
            data={"kind": "territorial_entity", "name": "Otra", "nit": first.nit},
        )
    message = info.value.message_dict["nit"][0]
    assert "Alcaldía de Garzón" in message
    assert first.nit in message
    with pytest.raises(ValidationError) as info:
        _alcaldia(world, name="Alcaldía repetida", nit="")
    assert "Alcaldía de Garzón" in info.value.message_dict["dane_code"][0]


def test_the_same_identifier_in_another_organization_is_fine(world):
    _alcaldia(world)
    other = services.stakeholder_create(
        actor=world.outsider,
        organization=world.other,
        data={"kind": "municipality", "name": "Alcaldía de Garzón", "dane_code": "41298"},
    )
    assert other.organization == world.other


def test_school_and_site(world):
    school = services.stakeholder_create(
        actor=world.admin,
        organization=world.org,
        data={"kind": "school", "name": "I. E. Técnica de Garzón", "school_code": "141298000123"},
    )
    assert school.municipality.code == "41298"
    site = services.stakeholder_create(
        actor=world.admin,
        organization=world.org,
        data={
            "kind": "school_site",
            "name": "Sede principal",
            "school_code": "141298000123",  # the principal site shares the school's code
            "parent_school_code": "141298000123",
        },
    )
    assert site.parent == school
    with pytest.raises(ValidationError) as info:
        services.stakeholder_create(
            actor=world.admin,
            organization=world.org,
            data={"kind": "school_site", "name": "Huérfana", "school_code": "241298000999"},
        )
    assert "parent_school_code" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.stakeholder_create(
            actor=world.admin,
            organization=world.org,
            data={"kind": "school", "name": "Mal ubicada", "school_code": "199999000123"},
        )
    assert "school_code" in info.value.message_dict


def test_health_actor_needs_subtype_and_a_good_reps_code(world):
    with pytest.raises(ValidationError) as info:
        services.stakeholder_create(
            actor=world.admin,
            organization=world.org,
            data={"kind": "health_actor", "name": "ESE", "reps_code": "99999001"},
        )
    assert {"health_subtype", "reps_code"} <= set(info.value.message_dict)
    ese = services.stakeholder_create(
        actor=world.admin,
        organization=world.org,
        data={
            "kind": "health_actor",
            "health_subtype": "ese",
            "name": "E.S.E. Hospital Municipal",
            "reps_code": "4129800123",
            "municipality_code": "41298",
        },
    )
    assert ese.reps_code == "4129800123"
    with pytest.raises(ValidationError) as info:
        services.stakeholder_create(
            actor=world.admin,
            organization=world.org,
            data={
                "kind": "school",
                "name": "x",
                "school_code": "141298000124",
                "reps_code": "4129800124",
            },
        )
    assert "reps_code" in info.value.message_dict


def test_municipality_must_be_in_the_department(world):
    with pytest.raises(ValidationError) as info:
        services.stakeholder_create(
            actor=world.admin,
            organization=world.org,
            data={
                "kind": "other",
                "name": "Fundación",
                "department_code": "05",
                "municipality_code": "41298",
            },
        )
    assert "municipality_code" in info.value.message_dict


def test_update_with_version_and_stale_edit(world):
    s = _alcaldia(world)
    services.stakeholder_update(
        actor=world.admin, stakeholder=s, expected_version=1, data={"phone": "608 833 2000"}
    )
    s.refresh_from_db()
    assert s.version == 2
    assert s.phone == "608 833 2000"
    assert s.municipality.code == "41298"  # untouched keys keep their value
    event = Event.objects.get(step_key="stakeholder.updated")
    assert event.before == {"phone": ""}
    assert event.after == {"phone": "608 833 2000"}
    stale = Stakeholder.objects.get(pk=s.pk)
    with pytest.raises(StaleObjectError):
        services.stakeholder_update(
            actor=world.admin, stakeholder=stale, expected_version=1, data={"phone": "1"}
        )
    s.refresh_from_db()
    assert s.phone == "608 833 2000"


def test_update_refuses_taking_another_records_identifier(world):
    a = _alcaldia(world)
    b = StakeholderFactory(organization=world.org, name="Entidad B")
    with pytest.raises(ValidationError) as info:
        services.stakeholder_update(
            actor=world.admin, stakeholder=b, expected_version=b.version, data={"nit": a.nit}
        )
    assert "Alcaldía de Garzón" in info.value.message_dict["nit"][0]


def test_deactivate_and_reactivate(world):
    s = _alcaldia(world)
    services.stakeholder_deactivate(actor=world.admin, stakeholder=s)
    s.refresh_from_db()
    assert not s.is_active
    with pytest.raises(TransitionError):
        services.stakeholder_deactivate(actor=world.admin, stakeholder=s)
    services.stakeholder_reactivate(actor=world.admin, stakeholder=s)
    s.refresh_from_db()
    assert s.is_active
    keys = list(Event.objects.filter(object_id=str(s.pk)).values_list("step_key", flat=True))
    assert "stakeholder.deactivated" in keys
    assert "stakeholder.reactivated" in keys


def test_stakeholders_are_not_unit_scoped(world, client_for):
    """A unit-scoped professional writes stakeholders of the whole organization."""
    assert Stakeholder.unit_path is None
    s = StakeholderFactory(organization=world.org)
    assert Stakeholder.objects.for_user(world.professional, "change").filter(pk=s.pk).exists()


def test_stakeholder_services_check_the_role_of_the_actor(world):
    """The same permissions as the pages and the API, for every caller (403 before anything)."""
    from django.core.exceptions import PermissionDenied

    stakeholder = StakeholderFactory(organization=world.org)
    for actor in (world.auditor, world.finance, world.committee):
        with pytest.raises(PermissionDenied):
            services.stakeholder_create(
                actor=actor, organization=world.org, data={"kind": "municipality"}
            )
        with pytest.raises(PermissionDenied):
            services.stakeholder_update(
                actor=actor, stakeholder=stakeholder, expected_version=1, data={"name": "Otro"}
            )
        with pytest.raises(PermissionDenied):
            services.stakeholder_deactivate(actor=actor, stakeholder=stakeholder)
    with pytest.raises(PermissionDenied):  # a professional registers but does not import
        services.stakeholders_import(
            actor=world.professional, organization=world.org, content=b"", filename="x.csv"
        )
    stakeholder.refresh_from_db()
    assert stakeholder.is_active and stakeholder.version == 1
    assert not Event.objects.filter(organization=world.org).exists()
