import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.models import Event
from acompana.registry import selectors, services
from acompana.registry.models import Consent, Person
from acompana.registry.notice import CURRENT_NOTICE_VERSION, notice_hash, notice_text
from acompana.registry.tests.factories import ConsentFactory, PersonFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

SENSITIVE = {
    "age_group": "youth",
    "gender": "woman",
    "ethnicity": "afro",
    "disability": "none",
    "conflict_victim": "prefer_not",
}


def _person_data(**extra):
    data = {
        "document_type": "CC",
        "document_number": "1.075.214.301",
        "first_name": "María  Fernanda",
        "last_name": "López",
        "email": "Maria@Correo.co",
    }
    data.update(extra)
    return data


def test_create_person_normalises_and_records_event(world):
    stakeholder = StakeholderFactory(organization=world.org)
    person = services.person_create(
        actor=world.professional,
        organization=world.org,
        data=_person_data(stakeholder=stakeholder),
    )
    assert person.document_number == "1075214301"
    assert person.first_name == "María Fernanda"
    assert person.email == "maria@correo.co"
    assert Event.objects.filter(step_key="person.created", object_id=str(person.pk)).exists()


def test_duplicate_document_names_the_existing_person(world):
    services.person_create(actor=world.professional, organization=world.org, data=_person_data())
    with pytest.raises(ValidationError) as info:
        services.person_create(
            actor=world.professional,
            organization=world.org,
            data=_person_data(first_name="Otra", document_number="1075214301"),
        )
    assert "María Fernanda López" in info.value.message_dict["document_number"][0]


def test_document_number_is_validated_per_type(world):
    with pytest.raises(ValidationError) as info:
        services.person_create(
            actor=world.professional,
            organization=world.org,
            data=_person_data(document_type="TI", document_number="12345"),
        )
    assert "document_number" in info.value.message_dict


def test_stakeholder_of_another_organization_is_refused(world):
    foreign = StakeholderFactory(organization=world.other)
    with pytest.raises(ValidationError) as info:
        services.person_create(
            actor=world.professional,
            organization=world.org,
            data=_person_data(stakeholder=foreign),
        )
    assert "stakeholder" in info.value.message_dict


def test_sensitive_data_is_refused_without_consent(world):
    with pytest.raises(ValidationError) as info:
        services.person_create(
            actor=world.professional, organization=world.org, data=_person_data(**SENSITIVE)
        )
    assert set(info.value.message_dict) == set(SENSITIVE)
    assert not Person.objects.exists()  # one transaction: nothing half-saved


def test_sensitive_data_with_consent_given_in_the_same_step(world):
    person = services.person_create(
        actor=world.professional,
        organization=world.org,
        data=_person_data(**SENSITIVE),
        consent=services.ConsentInput(purposes=["contact", "sensitive_data"], channel="paper"),
    )
    person.refresh_from_db()
    assert person.ethnicity == "afro"
    consent = Consent.objects.get(person=person)
    assert consent.notice_version == CURRENT_NOTICE_VERSION
    assert consent.notice_hash == notice_hash(notice_text(organization=world.org))
    assert consent.collected_by == world.professional
    assert selectors.sensitive_data(user=world.professional, person=person)["gender"] == "woman"


def test_a_consent_without_sensitive_purpose_does_not_allow_sensitive_data(world):
    with pytest.raises(ValidationError):
        services.person_create(
            actor=world.professional,
            organization=world.org,
            data=_person_data(gender="man"),
            consent=services.ConsentInput(purposes=["contact"], channel="paper"),
        )


def test_roles_without_personal_data_permission_cannot_write_it(world):
    person = PersonFactory(organization=world.org)
    ConsentFactory(person=person, collected_by=world.professional)
    with pytest.raises(PermissionDenied):
        services.person_update(
            actor=world.admin, person=person, expected_version=1, data={"gender": "man"}
        )


def test_prefer_not_to_answer_is_an_answer(world):
    person = PersonFactory(organization=world.org)
    ConsentFactory(person=person, collected_by=world.professional)
    services.person_update(
        actor=world.professional,
        person=person,
        expected_version=1,
        data={"gender": "prefer_not", "ethnicity": "prefer_not"},
    )
    person.refresh_from_db()
    assert person.gender == "prefer_not"
    event = Event.objects.get(step_key="person.updated")
    # the audit row says which sensitive attributes changed, never their values
    assert event.after == {"sensitive_fields_changed": ["ethnicity", "gender"]}
    assert "prefer_not" not in str(event.before) + str(event.after)


def test_invalid_sensitive_choice(world):
    person = PersonFactory(organization=world.org)
    ConsentFactory(person=person, collected_by=world.professional)
    with pytest.raises(ValidationError) as info:
        services.person_update(
            actor=world.professional, person=person, expected_version=1, data={"gender": "x"}
        )
    assert "gender" in info.value.message_dict


def test_stale_person_edit(world):
    person = PersonFactory(organization=world.org)
    services.person_update(
        actor=world.professional, person=person, expected_version=1, data={"phone": "300"}
    )
    stale = Person.objects.get(pk=person.pk)
    stale.version = 1
    with pytest.raises(StaleObjectError):
        services.person_update(
            actor=world.professional, person=stale, expected_version=1, data={"phone": "301"}
        )


def test_consent_validation(world):
    person = PersonFactory(organization=world.org)
    with pytest.raises(ValidationError) as info:
        services.consent_record(actor=world.professional, person=person, purposes=[], channel="x")
    assert {"purposes", "channel"} <= set(info.value.message_dict)


def test_revocation_blocks_sensitive_data_but_keeps_rows(world):
    person = services.person_create(
        actor=world.professional,
        organization=world.org,
        data=_person_data(**SENSITIVE),
        consent=services.ConsentInput(purposes=["sensitive_data"], channel="web_form"),
    )
    consent = Consent.objects.get(person=person)
    stats = {b.field: b.rows for b in selectors.differential_statistics(user=world.planner)}
    assert sum(n for _label, n in stats["gender"]) == 1
    services.consent_revoke(actor=world.professional, consent=consent, reason="Lo pidió")
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert consent.revoked_by == world.professional
    person = selectors.person_get(user=world.professional, pk=person.pk)
    assert person.gender == "woman"  # kept (blocked, not deleted)
    assert selectors.sensitive_data(user=world.professional, person=person) is None
    stats = {b.field: b.rows for b in selectors.differential_statistics(user=world.planner)}
    assert stats["gender"] == []
    with pytest.raises(ValidationError):
        services.person_update(
            actor=world.professional,
            person=person,
            expected_version=person.version,
            data={"gender": "man"},
        )
    # clearing blocked data is always allowed
    services.person_update(
        actor=world.professional,
        person=person,
        expected_version=person.version,
        data={"gender": ""},
    )
    with pytest.raises(TransitionError):
        services.consent_revoke(actor=world.professional, consent=consent, reason="otra vez")
    assert Event.objects.filter(step_key="consent.revoked").count() == 1
    assert Event.objects.filter(step_key="consent.recorded").count() == 1


def test_revocation_needs_a_reason(world):
    consent = ConsentFactory(person=PersonFactory(organization=world.org), collected_by=world.admin)
    with pytest.raises(ValidationError) as info:
        services.consent_revoke(actor=world.admin, consent=consent, reason="  ")
    assert "reason" in info.value.message_dict


def test_statistics_are_empty_for_roles_without_permission(world):
    assert selectors.differential_statistics(user=world.auditor) == []


def test_people_consent_and_export_services_check_the_role_of_the_actor(world):
    """``registry.change`` for people and consents, ``registry.export`` for the export log."""
    person = PersonFactory(organization=world.org)
    consent = ConsentFactory(person=person, collected_by=world.professional)
    for actor in (world.auditor, world.finance, world.archivist):
        with pytest.raises(PermissionDenied):
            services.person_create(actor=actor, organization=world.org, data=_person_data())
        with pytest.raises(PermissionDenied):
            services.person_update(
                actor=actor, person=person, expected_version=1, data={"first_name": "Otra"}
            )
        with pytest.raises(PermissionDenied):
            services.consent_record(
                actor=actor, person=person, purposes=["contact"], channel="paper"
            )
        with pytest.raises(PermissionDenied):
            services.consent_revoke(actor=actor, consent=consent, reason="No")
    with pytest.raises(PermissionDenied):
        services.registry_export_record(
            actor=world.finance,
            organization=world.org,
            what="people",
            file_format="csv",
            count=1,
            filters={},
            personal_data=True,
            sensitive_data=False,
        )
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert not Person.objects.filter(organization=world.org).exclude(pk=person.pk).exists()
    assert not Event.objects.filter(organization=world.org).exists()
