import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from acompana.core.models import Event
from acompana.registry import services
from acompana.registry.models import Consent, Stakeholder
from acompana.registry.tests.factories import (
    ConsentFactory,
    PersonFactory,
    StakeholderFactory,
    municipality,
)

pytestmark = pytest.mark.django_db


def _csv_rows(response):
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content), delimiter=";"))


def test_stakeholder_csv_export_is_filtered_and_escaped(world, client_for):
    StakeholderFactory(organization=world.org, name='=HYPERLINK("http://x")', phone="+57 300")
    StakeholderFactory(
        organization=world.org,
        name="Hospital de Medellín",
        kind="other",
        municipality=municipality("05001"),
    )
    StakeholderFactory(organization=world.other, name="De otra entidad")
    client = client_for(world.auditor)
    response = client.get(
        reverse("registry:stakeholder_export"), {"department": "41", "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = _csv_rows(response)
    assert rows[0][:2] == ["Tipo", "Nombre"]
    assert len(rows) == 2
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    assert "'+57 300" in rows[1]
    event = Event.objects.get(step_key="registry.exported")
    assert event.actor == world.auditor
    assert event.after["filters"] == {"department": "41"}
    assert event.after["count"] == 1


def test_stakeholder_export_reimports(world, client_for):
    existing = StakeholderFactory(organization=world.org, name="Entidad exportada")
    response = client_for(world.planner).get(reverse("registry:stakeholder_export"))
    content = b"".join(response.streaming_content)
    # same NIT: the export is parsed and its row updates the stakeholder it came from
    # (issue 11 §5: imports match existing records by identifier), never a second one
    result = services.stakeholders_import(
        actor=world.planner, organization=world.org, content=content, filename="e.csv"
    )
    assert (result.created, result.updated) == (0, 1)
    existing.refresh_from_db()
    assert existing.name == "Entidad exportada"
    assert Stakeholder.objects.filter(organization=world.org).count() == 1


def test_xlsx_export(world, client_for):
    StakeholderFactory(organization=world.org, name="@SUM(1)")
    response = client_for(world.admin).get(
        reverse("registry:stakeholder_export"), {"format": "xlsx"}
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    assert sheet.cell(row=2, column=2).value == "'@SUM(1)"


def test_unknown_format_is_404(world, client_for):
    response = client_for(world.admin).get(
        reverse("registry:stakeholder_export"), {"format": "pdf"}
    )
    assert response.status_code == 404


def test_people_export_is_logged_and_omits_revoked_sensitive_data(world, client_for):
    allowed = PersonFactory(organization=world.org, first_name="Ana", gender="woman")
    ConsentFactory(person=allowed, collected_by=world.professional)
    revoked = PersonFactory(organization=world.org, first_name="Beto", gender="man")
    consent = ConsentFactory(person=revoked, collected_by=world.professional)
    services.consent_revoke(actor=world.professional, consent=consent, reason="Lo pidió")
    PersonFactory(organization=world.org, first_name="-cmd", gender="")

    rows = _csv_rows(client_for(world.planner).get(reverse("registry:person_export")))
    header = rows[0]
    by_name = {r[2]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    gender_column = header[10]
    assert by_name["Ana"][gender_column] != ""
    assert by_name["Beto"][gender_column] == ""  # revoked: blocked from the export
    assert "'-cmd" in by_name
    event = Event.objects.filter(step_key="registry.exported").latest("id")
    assert event.after["personal_data"] is True
    assert event.after["sensitive_data"] is True
    assert Consent.objects.filter(person=revoked).exists()  # kept, not deleted


def test_people_export_without_personal_data_permission(world, client_for):
    person = PersonFactory(organization=world.org, gender="woman")
    ConsentFactory(person=person, collected_by=world.professional)
    rows = _csv_rows(
        client_for(world.auditor).get(reverse("registry:person_export"), {"format": "csv"})
    )
    assert len(rows[0]) == 9  # no sensitive columns at all
    event = Event.objects.get(step_key="registry.exported")
    assert event.after["sensitive_data"] is False
