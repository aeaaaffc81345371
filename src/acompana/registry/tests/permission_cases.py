"""One ``ViewCase`` per registry URL name and method (tests/test_permissions_generic.py)."""

from __future__ import annotations

from acompana.core.choices import JobStatus
from acompana.core.models import Job
from acompana.core.tests.cases import ViewCase
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


def _job(world):
    return Job.objects.create(
        organization=world.org,
        user=world.admin,
        kind="registry.stakeholders_import",
        title="Importación del caso",
        status=JobStatus.SUCCEEDED,
        progress=100,
    )


def _stakeholder_data(world, obj):
    return {
        "kind": "territorial_entity",
        "name": "Nuevo grupo del caso",
        "department_code": "41",
        "municipality_code": "41298",
        "version": obj.version if obj is not None else 1,
    }


CASES = [
    ViewCase("registry:stakeholder_list"),
    ViewCase("registry:stakeholder_create"),
    ViewCase("registry:stakeholder_create", method="post", data=_stakeholder_data),
    ViewCase("registry:stakeholder_detail", obj=_stakeholder),
    ViewCase("registry:stakeholder_edit", obj=_stakeholder),
    ViewCase("registry:stakeholder_edit", obj=_stakeholder, method="post", data=_stakeholder_data),
    ViewCase("registry:stakeholder_deactivate", obj=_stakeholder, method="post"),
    ViewCase("registry:stakeholder_reactivate", obj=_inactive_stakeholder, method="post"),
    ViewCase("registry:stakeholder_export"),
    ViewCase("registry:municipality_options"),
    ViewCase("registry:import_upload"),
    ViewCase("registry:import_upload", method="post", data=lambda w, o: {}),
    ViewCase("registry:import_template"),
    ViewCase("registry:import_job", obj=_job),
    # without a pending upload in the session both redirect to the upload page
    ViewCase("registry:import_preview"),
    ViewCase("registry:import_confirm", method="post"),
    ViewCase("registry:person_list"),
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
    ),
    ViewCase("registry:consent_revoke", obj=_consent),
    ViewCase(
        "registry:consent_revoke",
        obj=_consent,
        method="post",
        data=lambda w, o: {"reason": "Solicitud de la persona"},
    ),
    ViewCase("registry:consent_evidence", obj=_consent_with_evidence),
    ViewCase("registry:consent_notice"),
]
