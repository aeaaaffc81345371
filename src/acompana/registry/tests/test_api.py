import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from acompana.api.auth import hash_token
from acompana.api.models import ApiToken
from acompana.core.models import Event
from acompana.registry.models import Consent, Stakeholder
from acompana.registry.tests.factories import (
    ConsentFactory,
    PersonFactory,
    StakeholderFactory,
    municipality,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/registro"


def api_client(user):
    raw = f"acp_prueba_{user.pk}_token"
    ApiToken.objects.create(user=user, name="pruebas", prefix=raw[:8], key_hash=hash_token(raw))
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_requires_authentication(world):
    response = Client().get(f"{BASE}/grupos-de-valor")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_list_filters_and_cursor_pagination(world):
    for i in range(5):
        StakeholderFactory(organization=world.org, name=f"Entidad {i}")
    StakeholderFactory(
        organization=world.org, name="Hospital antioqueño", municipality=municipality("05001")
    )
    StakeholderFactory(organization=world.other, name="Entidad ajena")
    client = api_client(world.auditor)
    first = client.get(f"{BASE}/grupos-de-valor", {"department": "41", "limit": 2}).json()
    assert first["count"] == 5
    assert [r["name"] for r in first["results"]] == ["Entidad 0", "Entidad 1"]
    seen = [r["name"] for r in first["results"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(
            f"{BASE}/grupos-de-valor", {"department": "41", "limit": 2, "cursor": cursor}
        ).json()
        seen += [r["name"] for r in page["results"]]
        cursor = page["next_cursor"]
    assert seen == [f"Entidad {i}" for i in range(5)]
    assert client.get(f"{BASE}/grupos-de-valor", {"q": "antioque"}).json()["count"] == 1
    bad = client.get(f"{BASE}/grupos-de-valor", {"kind": "planeta"})
    assert bad.status_code == 422  # the OpenAPI lists the kinds: outside them, schema error
    assert "kind" in bad.json()["error"]["fields"]
    assert client.get(f"{BASE}/grupos-de-valor", {"cursor": "%%%"}).status_code == 422


def test_other_organization_is_404(world):
    foreign = StakeholderFactory(organization=world.other)
    client = api_client(world.admin)
    response = client.get(f"{BASE}/grupos-de-valor/{foreign.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    response = client.patch(
        f"{BASE}/grupos-de-valor/{foreign.pk}",
        {"version": 1, "name": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_auditor_cannot_write(world):
    s = StakeholderFactory(organization=world.org)
    client = api_client(world.auditor)
    response = client.post(
        f"{BASE}/grupos-de-valor", {"kind": "other", "name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert client.post(f"{BASE}/grupos-de-valor/{s.pk}/desactivar").status_code == 403
    assert Stakeholder.objects.filter(organization=world.org).count() == 1


def test_create_update_stale_deactivate(world):
    client = api_client(world.professional)
    response = client.post(
        f"{BASE}/grupos-de-valor",
        {"kind": "municipality", "name": "Alcaldía de Garzón", "dane_code": "41298"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["municipality_code"] == "41298"
    assert body["department_code"] == "41"
    duplicate = client.post(
        f"{BASE}/grupos-de-valor",
        {"kind": "municipality", "name": "Otra", "dane_code": "41298"},
        content_type="application/json",
    )
    assert duplicate.status_code == 400
    assert "Alcaldía de Garzón" in duplicate.json()["error"]["fields"]["dane_code"][0]
    url = f"{BASE}/grupos-de-valor/{body['id']}"
    updated = client.patch(
        url, {"version": 1, "phone": "608 833 2000"}, content_type="application/json"
    )
    assert updated.status_code == 200
    assert updated.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "phone": "1"}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale"
    assert client.post(f"{url}/desactivar").json()["is_active"] is False
    assert client.post(f"{url}/desactivar").status_code == 409
    assert client.post(f"{url}/reactivar").json()["is_active"] is True


def test_import_all_or_nothing(world):
    client = api_client(world.planner)
    bad = SimpleUploadedFile(
        "g.csv", "Tipo,Nombre,Municipio\notro,Fundación,41298\notro,Mala,99999\n".encode()
    )
    response = client.post(f"{BASE}/grupos-de-valor/importar", {"file": bad})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "import_rejected"
    assert "row_3" in error["fields"]
    assert not Stakeholder.objects.filter(organization=world.org).exists()
    good = SimpleUploadedFile("g.csv", "Tipo,Nombre,Municipio\notro,Fundación,41298\n".encode())
    response = client.post(f"{BASE}/grupos-de-valor/importar", {"file": good})
    assert response.status_code == 200
    assert response.json() == {"created": 1, "filename": "g.csv"}
    professional = api_client(world.professional)
    again = SimpleUploadedFile("g.csv", io.BytesIO(b"Tipo,Nombre\notro,X\n").read())
    assert professional.post(f"{BASE}/grupos-de-valor/importar", {"file": again}).status_code == 403


def test_people_and_consent_rules(world):
    stakeholder = StakeholderFactory(organization=world.org)
    client = api_client(world.professional)
    refused = client.post(
        f"{BASE}/personas",
        {
            "document_type": "CC",
            "document_number": "79555111",
            "first_name": "Ana",
            "last_name": "Pérez",
            "sensitive": {"gender": "woman"},
        },
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "gender" in refused.json()["error"]["fields"]
    created = client.post(
        f"{BASE}/personas",
        {
            "document_type": "CC",
            "document_number": "79555111",
            "first_name": "Ana",
            "last_name": "Pérez",
            "stakeholder_id": stakeholder.pk,
            "sensitive": {"gender": "woman"},
            "consent": {"purposes": ["contact", "sensitive_data"], "channel": "web_form"},
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    person = created.json()
    assert person["sensitive"]["gender"] == "woman"
    assert person["has_sensitive_consent"] is True
    # roles without the personal-data permission never see sensitive values
    seen_by_admin = api_client(world.admin).get(f"{BASE}/personas/{person['id']}").json()
    assert seen_by_admin["sensitive"] is None
    consents = client.get(f"{BASE}/personas/{person['id']}/consentimientos").json()
    assert len(consents) == 1
    revoked = client.post(
        f"{BASE}/consentimientos/{consents[0]['id']}/revocar",
        {"reason": "Lo pidió"},
        content_type="application/json",
    )
    assert revoked.status_code == 200
    assert revoked.json()["is_valid"] is False
    again = client.post(
        f"{BASE}/consentimientos/{consents[0]['id']}/revocar",
        {"reason": "x"},
        content_type="application/json",
    )
    assert again.status_code == 409
    after = client.get(f"{BASE}/personas/{person['id']}").json()
    assert after["sensitive"] is None
    new = client.post(
        f"{BASE}/personas/{person['id']}/consentimientos",
        {"purposes": ["contact"], "channel": "email"},
        content_type="application/json",
    )
    assert new.status_code == 201
    assert len(new.json()["notice_hash"]) == 64
    patched = client.patch(
        f"{BASE}/personas/{person['id']}",
        {"version": after["version"], "position": "Rectora"},
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert patched.json()["position"] == "Rectora"
    stale = client.patch(
        f"{BASE}/personas/{person['id']}",
        {"version": after["version"], "position": "x"},
        content_type="application/json",
    )
    assert stale.status_code == 409


def test_admin_sending_sensitive_data_is_403(world):
    person = PersonFactory(organization=world.org)
    ConsentFactory(person=person, collected_by=world.professional)
    response = api_client(world.admin).patch(
        f"{BASE}/personas/{person.pk}",
        {"version": person.version, "sensitive": {"gender": "man"}},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_people_list_and_scoping(world):
    PersonFactory(organization=world.org, first_name="Propia")
    foreign = PersonFactory(organization=world.other, first_name="Ajena")
    client = api_client(world.finance)
    body = client.get(f"{BASE}/personas").json()
    assert [p["first_name"] for p in body["results"]] == ["Propia"]
    assert client.get(f"{BASE}/personas/{foreign.pk}").status_code == 404
    foreign_consent = ConsentFactory(person=foreign, collected_by=world.outsider)
    response = api_client(world.professional).post(
        f"{BASE}/consentimientos/{foreign_consent.pk}/revocar",
        {"reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Consent.objects.get(pk=foreign_consent.pk).revoked_at is None


def test_divipola_endpoints(world):
    client = api_client(world.auditor)
    departments = client.get(f"{BASE}/departamentos").json()
    assert len(departments) == 33
    municipalities = client.get(f"{BASE}/municipios", {"departamento": "41"}).json()
    assert {"code": "41298", "name": "GARZÓN", "department_code": "41"} in municipalities


def test_session_auth_needs_csrf_for_writes(world, client_for):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"{BASE}/grupos-de-valor").status_code == 200
    response = client.post(
        f"{BASE}/grupos-de-valor", {"kind": "other", "name": "x"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert not Event.objects.filter(step_key="stakeholder.created").exists()


def test_api_lists_do_not_grow_in_queries(world, django_assert_max_num_queries):
    client = api_client(world.planner)
    client.get(f"{BASE}/grupos-de-valor")
    StakeholderFactory(organization=world.org)
    PersonFactory(organization=world.org)
    with django_assert_max_num_queries(20) as few_s:
        client.get(f"{BASE}/grupos-de-valor")
    with django_assert_max_num_queries(20) as few_p:
        client.get(f"{BASE}/personas")
    school = StakeholderFactory(organization=world.org, kind="school", school_code="141298000001")
    for i in range(25):
        StakeholderFactory(
            organization=world.org, kind="school_site", parent=school, school_code=f"2412980{i:05d}"
        )
        person = PersonFactory(organization=world.org, stakeholder=school)
        ConsentFactory(person=person, collected_by=world.professional)
    with django_assert_max_num_queries(len(few_s.captured_queries)):
        assert len(client.get(f"{BASE}/grupos-de-valor").json()["results"]) == 27
    with django_assert_max_num_queries(len(few_p.captured_queries)):
        assert len(client.get(f"{BASE}/personas").json()["results"]) == 26
