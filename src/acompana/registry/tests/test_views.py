import pytest
from django.urls import reverse

from acompana.core.models import Event
from acompana.registry.models import Consent, Person, Stakeholder
from acompana.registry.tests.factories import (
    ConsentFactory,
    PersonFactory,
    StakeholderFactory,
    municipality,
)

pytestmark = pytest.mark.django_db


def _list(client, **params):
    return client.get(reverse("registry:stakeholder_list"), params)


def test_list_empty_state(world, client_for):
    response = _list(client_for(world.professional))
    assert response.status_code == 200
    assert reverse("registry:stakeholder_create").encode() in response.content


def test_list_search_and_filters(world, client_for):
    StakeholderFactory(
        organization=world.org, name="Alcaldía de Garzón", kind="municipality", dane_code="41298"
    )
    StakeholderFactory(
        organization=world.org,
        name="Hospital de Medellín",
        municipality=municipality("05001"),
        kind="other",
    )
    inactive = StakeholderFactory(organization=world.org, name="Entidad inactiva", is_active=False)
    StakeholderFactory(organization=world.other, name="Alcaldía de Garzón (otra entidad)")
    client = client_for(world.auditor)

    def names(**params):
        page = _list(client, **params).context["page"]
        return sorted(s.name for s in page.object_list)

    assert names(q="garzon") == ["Alcaldía de Garzón"]  # accent-insensitive, own org only
    assert names(q=inactive.nit.split("-")[0]) == ["Entidad inactiva"]
    assert names(department="05") == ["Hospital de Medellín"]
    assert names(municipality="41298") == ["Alcaldía de Garzón", "Entidad inactiva"]
    assert names(kind="municipality") == ["Alcaldía de Garzón"]
    assert names(active="no") == ["Entidad inactiva"]
    assert len(names(active="yes")) == 2
    # a municipality of another department is dropped when the department changes
    assert names(department="05", municipality="41298") == ["Hospital de Medellín"]
    response = _list(client, kind="planeta")
    assert list(response.context["page"].object_list) == []
    assert response.context["form"].errors["kind"]


def test_htmx_renders_only_the_results(world, client_for):
    StakeholderFactory(organization=world.org, name="Alcaldía de Garzón")
    response = client_for(world.professional).get(
        reverse("registry:stakeholder_list"),
        {"q": "garz", "department": "41"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Alcald\xc3\xada de Garz\xc3\xb3n" in response.content
    assert b'hx-swap-oob="true"' in response.content  # the municipality select follows


def test_list_queries_do_not_grow_with_rows(world, client_for, django_assert_max_num_queries):
    client = client_for(world.professional)
    _list(client)  # warm caches (content types, sessions)
    for i in range(3):
        StakeholderFactory(organization=world.org, name=f"Entidad {i}")
    with django_assert_max_num_queries(12) as few:
        _list(client)
    for i in range(3, 40):
        school = StakeholderFactory(
            organization=world.org,
            name=f"Colegio {i}",
            kind="school",
            school_code=f"1412980{i:05d}",
        )
        StakeholderFactory(
            organization=world.org,
            name=f"Sede {i}",
            kind="school_site",
            parent=school,
            school_code=f"2412980{i:05d}",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        _list(client)


def test_person_list_queries_do_not_grow(world, client_for, django_assert_max_num_queries):
    client = client_for(world.professional)
    url = reverse("registry:person_list")
    client.get(url)
    PersonFactory(organization=world.org, stakeholder=StakeholderFactory(organization=world.org))
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    stakeholder = StakeholderFactory(organization=world.org)
    for _ in range(30):
        person = PersonFactory(organization=world.org, stakeholder=stakeholder)
        ConsentFactory(person=person, collected_by=world.professional)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 31


def test_detail_page(world, client_for):
    s = StakeholderFactory(organization=world.org, name="Alcaldía de Garzón")
    PersonFactory(organization=world.org, stakeholder=s, first_name="Contacto")
    response = client_for(world.admin).get(reverse("registry:stakeholder_detail", args=[s.pk]))
    assert response.status_code == 200
    assert b"Contacto" in response.content
    assert response.context["history_url"] == reverse(
        "core:audit_object", args=["registry", "stakeholder", s.pk]
    )
    # the trail page may not exist yet: the page works without it
    assert "trail_url" in response.context
    response = client_for(world.professional).get(
        reverse("registry:stakeholder_detail", args=[s.pk])
    )
    assert response.context["history_url"] is None


def test_create_through_the_page(world, client_for):
    client = client_for(world.professional)
    response = client.post(
        reverse("registry:stakeholder_create"),
        {
            "kind": "municipality",
            "name": "Alcaldía de Garzón",
            "dane_code": "41298",
            "department_code": "41",
            "municipality_code": "41298",
        },
    )
    s = Stakeholder.objects.get(organization=world.org)
    assert response["Location"] == reverse("registry:stakeholder_detail", args=[s.pk])
    response = client.post(
        reverse("registry:stakeholder_create"),
        {"kind": "municipality", "name": "Repetida", "dane_code": "41298"},
    )
    assert response.status_code == 200
    assert "Alcaldía de Garzón" in str(response.context["form"].errors["dane_code"])


def test_stale_edit_is_refused_with_a_message(world, client_for):
    s = StakeholderFactory(organization=world.org, name="Original")
    client = client_for(world.professional)
    data = {
        "kind": s.kind,
        "name": "Primera edición",
        "version": s.version,
        "department_code": "41",
        "municipality_code": "41298",
    }
    assert client.post(reverse("registry:stakeholder_edit", args=[s.pk]), data).status_code == 302
    data["name"] = "Segunda edición con versión vieja"
    response = client.post(reverse("registry:stakeholder_edit", args=[s.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors
    s.refresh_from_db()
    assert s.name == "Primera edición"


def test_edit_form_shows_the_current_values(world, client_for):
    s = StakeholderFactory(organization=world.org, name="Con municipio")
    response = client_for(world.professional).get(reverse("registry:stakeholder_edit", args=[s.pk]))
    assert response.context["form"].initial["municipality_code"] == "41298"
    assert b'value="41298" selected' in response.content


def test_deactivate_and_reactivate_pages(world, client_for):
    s = StakeholderFactory(organization=world.org)
    client = client_for(world.professional)
    client.post(reverse("registry:stakeholder_deactivate", args=[s.pk]))
    s.refresh_from_db()
    assert not s.is_active
    response = client.post(reverse("registry:stakeholder_deactivate", args=[s.pk]), follow=True)
    assert response.status_code == 200  # already inactive: a message, not an error page
    client.post(reverse("registry:stakeholder_reactivate", args=[s.pk]))
    s.refresh_from_db()
    assert s.is_active
    assert client.get(reverse("registry:stakeholder_deactivate", args=[s.pk])).status_code == 405


def test_municipality_options(world, client_for):
    client = client_for(world.professional)
    response = client.get(reverse("registry:municipality_options"), {"department_code": "41"})
    assert b'value="41298"' in response.content
    assert b'value="05001"' not in response.content
    response = client.get(reverse("registry:municipality_options"), {"department": ""})
    assert b"41298" not in response.content


def test_people_pages_and_consent_flow(world, client_for):
    s = StakeholderFactory(organization=world.org)
    client = client_for(world.professional)
    response = client.get(reverse("registry:person_create") + f"?stakeholder={s.pk}")
    assert response.status_code == 200
    assert "gender" in response.context["form"].fields  # the professional may record it
    response = client.post(
        reverse("registry:person_create"),
        {
            "document_type": "CC",
            "document_number": "79555111",
            "first_name": "Ana",
            "last_name": "Pérez",
            "stakeholder": s.pk,
            "gender": "woman",
            "consent_purposes": ["contact", "sensitive_data"],
            "consent_channel": "paper",
        },
    )
    person = Person.objects.get(organization=world.org)
    assert response["Location"] == reverse("registry:person_detail", args=[person.pk])
    assert person.gender == "woman"
    detail = client.get(reverse("registry:person_detail", args=[person.pk]))
    assert detail.context["sensitive_rows"] is not None
    consent = Consent.objects.get(person=person)
    response = client.post(
        reverse("registry:consent_revoke", args=[consent.pk]), {"reason": "Lo pidió"}
    )
    assert response.status_code == 302
    detail = client.get(reverse("registry:person_detail", args=[person.pk]))
    assert detail.context["sensitive_rows"] is None
    edit = client.get(reverse("registry:person_edit", args=[person.pk]))
    assert "gender" not in edit.context["form"].fields  # blocked after the revocation
    response = client.post(
        reverse("registry:consent_create", args=[person.pk]),
        {"purposes": ["contact"], "channel": "email", "granted_at": "2026-01-10T09:30"},
    )
    assert response.status_code == 302
    assert person.consents.count() == 2


def test_sensitive_fields_hidden_from_roles_without_permission(world, client_for):
    person = PersonFactory(organization=world.org, gender="woman")
    ConsentFactory(person=person, collected_by=world.professional)
    client = client_for(world.admin)
    assert "gender" not in client.get(reverse("registry:person_create")).context["form"].fields
    detail = client.get(reverse("registry:person_detail", args=[person.pk]))
    assert detail.context["sensitive_rows"] is None
    assert b"Mujer" not in detail.content and b"Woman" not in detail.content


def test_person_without_sensitive_consent_gets_a_clear_refusal(world, client_for):
    client = client_for(world.professional)
    response = client.post(
        reverse("registry:person_create"),
        {
            "document_type": "CC",
            "document_number": "79555112",
            "first_name": "Luis",
            "last_name": "Gómez",
            "gender": "man",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["gender"]
    assert not Person.objects.exists()


def test_person_search(world, client_for):
    PersonFactory(
        organization=world.org, first_name="Ángela", last_name="Núñez", document_number="52123456"
    )
    PersonFactory(organization=world.org, first_name="Pedro", last_name="Soto")
    client = client_for(world.professional)

    def names(q):
        return [
            p.first_name
            for p in client.get(reverse("registry:person_list"), {"q": q})
            .context["page"]
            .object_list
        ]

    assert names("angela nunez") == ["Ángela"]
    assert names("52123") == ["Ángela"]
    response = client.get(reverse("registry:person_list"), {"q": "pedro"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content


def test_consent_notice_page(world, client_for):
    response = client_for(world.finance).get(reverse("registry:consent_notice"))
    assert world.org.name.encode() in response.content


def test_other_organizations_objects_are_404(world, client_for):
    s = StakeholderFactory(organization=world.other)
    p = PersonFactory(organization=world.other)
    client = client_for(world.admin)
    assert client.get(reverse("registry:stakeholder_detail", args=[s.pk])).status_code == 404
    assert client.get(reverse("registry:person_detail", args=[p.pk])).status_code == 404
    assert not Event.objects.filter(organization=world.org).exists()


def test_consent_evidence_is_stored_privately_and_served_with_checks(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    person = PersonFactory(organization=world.org, first_name="Camila")
    client = client_for(world.professional)
    response = client.post(
        reverse("registry:consent_create", args=[person.pk]),
        {
            "purposes": ["contact", "attendance"],
            "channel": "paper",
            "granted_at": "2026-02-01T08:00",
            "evidence": SimpleUploadedFile("Camila Apellido firma.pdf", b"%PDF-1.4 firma"),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(person=person)
    assert "Camila" not in consent.evidence.name  # random name, not the person's
    assert str(world.org.pk) in consent.evidence.name
    download = client.get(reverse("registry:consent_evidence", args=[consent.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 firma"
    assert (
        client_for(world.auditor)
        .get(reverse("registry:consent_evidence", args=[consent.pk]))
        .status_code
        == 403
    )
    assert (
        client_for(world.outsider)
        .get(reverse("registry:consent_evidence", args=[consent.pk]))
        .status_code
        == 404
    )
