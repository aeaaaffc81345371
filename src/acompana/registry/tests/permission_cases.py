"""One ``ViewCase`` per registry URL name and method (tests/test_permissions_generic.py)."""

from __future__ import annotations

from acompana.core.tests.cases import ApiListCase, ViewCase, unique_text
from acompana.registry.tests.factories import ConsentFactory, PersonFactory, StakeholderFactory


def _stakeholder(world):
    return StakeholderFactory(organization=world.org, name="Grupo de valor del caso")


def _inactive_stakeholder(world):
    return StakeholderFactory(organization=world.org, name="Grupo inactivo", is_active=False)


def _person(world):
    return PersonFactory(organization=world.org)


def _consent(world):
    return ConsentFactory(person=PersonFactory(organization=world.org), collected_by=world.admin)


def _consent_with_evidence(world):
    from django.core.files.base import ContentFile

    consent = _consent(world)
    consent.evidence.save("autorizacion.pdf", ContentFile(b"%PDF-1.4 prueba"))
    return consent


def _stakeholder_rows(world, organization, parent, n):
    return [
        StakeholderFactory(organization=organization, name=unique_text("Grupo de valor"))
        for _ in range(n)
    ]


def _person_rows(world, organization, parent, n):
    return [
        PersonFactory(organization=organization, first_name=unique_text("Persona"))
        for _ in range(n)
    ]


def _same_pk(world, obj):
    return {"pk": obj.pk}


def _stakeholder_data(world, obj):
    return {
        "kind": "territorial_entity",
        "name": "Nuevo grupo del caso",
        "department_code": "41",
        "municipality_code": "41298",
        "version": obj.version if obj is not None else 1,
    }


CASES = [
    ViewCase("registry:stakeholder_list", rows=_stakeholder_rows),
    ViewCase("registry:stakeholder_create"),
    ViewCase(
        "registry:stakeholder_create",
        method="post",
        data=_stakeholder_data,
        redirect="registry:stakeholder_detail",
    ),
    ViewCase("registry:stakeholder_detail", obj=_stakeholder),
    ViewCase("registry:stakeholder_edit", obj=_stakeholder),
    ViewCase(
        "registry:stakeholder_edit",
        obj=_stakeholder,
        method="post",
        data=_stakeholder_data,
        redirect="registry:stakeholder_detail",
        redirect_kwargs=_same_pk,
    ),
    ViewCase(
        "registry:stakeholder_deactivate",
        obj=_stakeholder,
        method="post",
        redirect="registry:stakeholder_detail",
        redirect_kwargs=_same_pk,
    ),
    ViewCase(
        "registry:stakeholder_reactivate",
        obj=_inactive_stakeholder,
        method="post",
        redirect="registry:stakeholder_detail",
        redirect_kwargs=_same_pk,
    ),
    ViewCase("registry:stakeholder_export"),
    ViewCase("registry:municipality_options"),
    ViewCase("registry:import_upload"),
    # no file: the form comes back with the error
    ViewCase("registry:import_upload", method="post", data=lambda w, o: {}, status=200),
    ViewCase("registry:import_template"),
    # without a pending upload in the session both redirect to the upload page
    ViewCase("registry:import_preview", redirect="registry:import_upload"),
    ViewCase("registry:import_confirm", method="post", redirect="registry:import_upload"),
    ViewCase("registry:person_list", rows=_person_rows, marker=lambda p: p.first_name),
    ViewCase("registry:person_create"),
    ViewCase(
        "registry:person_create",
        method="post",
        data=lambda w, o: {
            "document_type": "CC",
            "document_number": "79555111",
            "first_name": "Ana",
            "last_name": "Caso",
        },
        redirect="registry:person_detail",
    ),
    ViewCase("registry:person_detail", obj=_person),
    ViewCase("registry:person_edit", obj=_person),
    ViewCase(
        "registry:person_edit",
        obj=_person,
        method="post",
        data=lambda w, o: {
            "document_type": o.document_type,
            "document_number": o.document_number,
            "first_name": "Cambiado",
            "last_name": o.last_name,
            "version": o.version,
        },
        redirect="registry:person_detail",
        redirect_kwargs=_same_pk,
    ),
    ViewCase("registry:person_export"),
    ViewCase("registry:consent_create", obj=_person),
    ViewCase(
        "registry:consent_create",
        obj=_person,
        method="post",
        data=lambda w, o: {
            "purposes": ["contact"],
            "channel": "paper",
            "granted_at": "2026-01-15T10:00",
        },
        redirect="registry:person_detail",
        redirect_kwargs=_same_pk,
    ),
    ViewCase("registry:consent_revoke", obj=_consent),
    ViewCase(
        "registry:consent_revoke",
        obj=_consent,
        method="post",
        data=lambda w, o: {"reason": "Solicitud de la persona"},
        redirect="registry:person_detail",
        redirect_kwargs=lambda w, o: {"pk": o.person_id},
    ),
    ViewCase("registry:consent_evidence", obj=_consent_with_evidence),
    ViewCase("registry:consent_notice"),
]


def _consent_rows(world, organization, parent, n):
    """Consents of ``parent`` (a person of ``world.org``) or of a new person."""
    person = parent or PersonFactory(organization=organization)
    collector = world.admin if organization == world.org else world.outsider
    return [ConsentFactory(person=person, collected_by=collector) for _ in range(n)]


REFERENCE = "DIVIPOLA reference data: the same for every organization"

#: API lists (tests/test_api_lists_generic.py)
API_LISTS = [
    ApiListCase("stakeholder_list", rows=_stakeholder_rows),
    ApiListCase("person_list", rows=_person_rows),
    ApiListCase(
        "consent_list", rows=_consent_rows, obj=_person, kwargs=lambda o: {"person_id": o.pk}
    ),
    ApiListCase("department_list", shared=REFERENCE),
    ApiListCase("municipality_list", shared=REFERENCE),
]
