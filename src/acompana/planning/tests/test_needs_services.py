"""Services of the needs: SAL-1 and EDU-1 (identify and register the needs), the demand side
of FP-1 (requests of the grupos de valor), triage and status rules, optimistic locking."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from acompana.catalog.tests.factories import ModalityFactory, TopicFactory
from acompana.core.actors import is_system_actor, system_actor
from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.models import Event
from acompana.core.procedures.trail import procedure_trail
from acompana.core.tests.factories import UnitFactory, build_world
from acompana.geo.models import Municipality
from acompana.planning.choices import NeedOrigin, NeedSource, NeedStatus, Priority
from acompana.planning.models import Need
from acompana.planning.needs import selectors as need_selectors
from acompana.planning.needs import services
from acompana.planning.tests.factories import NeedFactory, fiscal_year
from acompana.registry.models import Stakeholder
from acompana.registry.notice import CURRENT_NOTICE_VERSION, notice_hash, notice_text
from acompana.registry.tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _data(world, **extra):
    return {
        "title": "Ajustar las metas del plan territorial de salud",
        "description": "La alcaldía pidió por correo acompañamiento para ajustar las metas.",
        "origin": NeedOrigin.DEMAND,
        "source": NeedSource.EMAIL,
        "priority": Priority.HIGH,
        "unit": world.unit,
        **extra,
    }


def _request_data(world, **extra):
    return {
        "requester_name": "Ana Pérez",
        "requester_email": "Ana.Perez@Garzon-Huila.gov.co",
        "requester_phone": "608 833 2000",
        "requester_position": "Secretaria de Salud municipal",
        "requester_entity": "Alcaldía de Garzón",
        "requester_municipality": None,
        "topic": None,
        "description": "Necesitamos apoyo para formular el plan de intervenciones colectivas.",
        **extra,
    }


# --- create ----------------------------------------------------------------------------------


def test_sal1_director_registers_a_need_with_the_email_screenshot(world):
    """SAL-1: a director registers the need brought by an e-mail, with its screenshot; the
    event ``need.registered`` completes SAL-1 in the need's procedure trail."""
    topic = TopicFactory(organization=world.org, name="Salud pública")
    a, b = StakeholderFactory.create_batch(2, organization=world.org)
    screenshot = SimpleUploadedFile("correo de la alcaldía.png", PNG, "image/png")
    need = services.need_create(
        actor=world.unit_head,
        organization=world.org,
        data=_data(world, topic=topic, stakeholders=[a, b, a]),
        evidence=screenshot,
    )
    assert need.status == NeedStatus.OPEN
    assert need.fiscal_year == fiscal_year(world.org)
    assert set(need.stakeholder_links.values_list("stakeholder_id", flat=True)) == {a.pk, b.pk}
    assert need.evidence_filename == "correo de la alcaldía.png"
    # stored under a random name, not the (possibly personal) original one
    assert "alcald" not in need.evidence.name and need.evidence.name.endswith(".png")
    event = Event.objects.get(step_key="need.registered", object_id=str(need.pk))
    assert event.actor == world.unit_head
    assert event.record == "correo de la alcaldía.png"
    trail = procedure_trail(user=world.unit_head, obj=need)
    sal1 = next(step for step in trail if step.id == "SAL-1")
    assert sal1.done and sal1.actor == world.unit_head


def test_edu1_need_from_the_improvement_plan_completes_edu1():
    """EDU-1: a group leader identifies a need from the improvement support plan (PAM)."""
    world = build_world(procedure_code="EDU")
    need = services.need_create(
        actor=world.professional,
        organization=world.org,
        data=_data(world, origin=NeedOrigin.OFFER, source=NeedSource.PAM),
    )
    trail = procedure_trail(user=world.professional, obj=need)
    assert next(step for step in trail if step.id == "EDU-1").done


def test_create_validates_every_field_in_spanish_terms(world):
    with pytest.raises(ValidationError) as exc:
        services.need_create(
            actor=world.planner,
            organization=world.org,
            data={"title": " ", "description": "", "origin": "x", "source": "y", "priority": "z"},
        )
    assert set(exc.value.message_dict) == {"title", "description", "origin", "source", "priority"}
    assert not Need.objects.exists()


def test_objects_of_another_organization_are_refused(world):
    foreign_topic = TopicFactory(organization=world.other)
    foreign_unit = UnitFactory(organization=world.other)
    foreign_stakeholder = StakeholderFactory(organization=world.other)
    with pytest.raises(ValidationError) as exc:
        services.need_create(
            actor=world.planner,
            organization=world.org,
            data=_data(
                world,
                topic=foreign_topic,
                unit=foreign_unit,
                fiscal_year=fiscal_year(world.other, 2026),
                stakeholders=[foreign_stakeholder],
            ),
        )
    assert {"topic", "unit", "fiscal_year", "stakeholders"} <= set(exc.value.message_dict)


def test_inactive_topic_and_stakeholder_are_refused_for_new_needs(world):
    topic = TopicFactory(organization=world.org, is_active=False)
    stakeholder = StakeholderFactory(organization=world.org, is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.need_create(
            actor=world.planner,
            organization=world.org,
            data=_data(world, topic=topic, stakeholders=[stakeholder]),
        )
    assert {"topic", "stakeholders"} <= set(exc.value.message_dict)


def test_a_professional_registers_needs_of_its_own_unit_only(world):
    with pytest.raises(ValidationError) as exc:
        services.need_create(
            actor=world.professional,
            organization=world.org,
            data=_data(world, unit=world.sibling_unit),
        )
    assert "unit" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.need_create(
            actor=world.professional, organization=world.org, data=_data(world, unit=None)
        )
    child = UnitFactory(organization=world.org, parent=world.unit)
    need = services.need_create(
        actor=world.professional, organization=world.org, data=_data(world, unit=child)
    )
    assert need.unit == child
    # the planner is not limited to a unit
    assert services.need_create(
        actor=world.planner, organization=world.org, data=_data(world, unit=None)
    )


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("pantallazo.png", PNG, True),
        ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, True),
        ("oficio.pdf", b"%PDF-1.7\n", True),
        ("correo.eml", b"From: alcaldia@garzon.gov.co\nSubject: Solicitud\n\nTexto", True),
        ("correo.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16, True),
        ("oficio.docx", b"PK\x03\x04" + b"\x00" * 16, True),
        ("programa.exe", b"MZ\x90\x00", False),
        ("pantallazo.png", b"MZ\x90\x00 not a png", False),
        ("pagina.html", b"<script>alert(1)</script>", False),
        ("vacio.pdf", b"", False),
    ],
)
def test_evidence_types_are_checked_by_extension_and_content(world, name, content, ok):
    upload = SimpleUploadedFile(name, content)
    assert (services.evidence_problem(upload) is None) is ok


def test_evidence_larger_than_10_mb_is_refused(world):
    upload = SimpleUploadedFile("grande.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        services.need_create(
            actor=world.planner, organization=world.org, data=_data(world), evidence=upload
        )
    assert "evidence" in exc.value.message_dict
    assert not Need.objects.exists()


# --- update ----------------------------------------------------------------------------------


def test_update_changes_fields_and_stakeholders_and_records_what_changed(world):
    a, b = StakeholderFactory.create_batch(2, organization=world.org)
    need = services.need_create(
        actor=world.planner, organization=world.org, data=_data(world, stakeholders=[a])
    )
    services.need_update(
        actor=world.planner,
        need=need,
        expected_version=1,
        data={"title": "Título corregido", "stakeholders": [b], "priority": Priority.LOW},
    )
    need.refresh_from_db()
    assert (need.title, need.priority, need.version) == ("Título corregido", "low", 2)
    assert list(need.stakeholder_links.values_list("stakeholder_id", flat=True)) == [b.pk]
    event = Event.objects.get(step_key="need.updated", object_id=str(need.pk))
    assert event.before["title"] == "Ajustar las metas del plan territorial de salud"
    assert event.after["stakeholders"] == [b.name]
    assert "description" not in event.after  # only what changed


def test_stale_edit_is_refused_and_changes_nothing(world):
    """Two people open the same need; the second save must not overwrite the first."""
    need = services.need_create(actor=world.planner, organization=world.org, data=_data(world))
    first = Need.objects.get(pk=need.pk)
    second = Need.objects.get(pk=need.pk)
    services.need_update(
        actor=world.planner, need=first, expected_version=1, data={"title": "Primera"}
    )
    with pytest.raises(StaleObjectError):
        services.need_update(
            actor=world.admin, need=second, expected_version=1, data={"title": "Segunda"}
        )
    need.refresh_from_db()
    assert need.title == "Primera"


def test_an_inactive_topic_already_chosen_can_be_kept(world):
    topic = TopicFactory(organization=world.org)
    need = services.need_create(
        actor=world.planner, organization=world.org, data=_data(world, topic=topic)
    )
    topic.is_active = False
    topic.save()
    services.need_update(
        actor=world.planner, need=need, expected_version=1, data={"title": "Otro título"}
    )
    assert Need.objects.get(pk=need.pk).topic == topic


def test_evidence_can_be_replaced_and_removed(world):
    need = services.need_create(actor=world.planner, organization=world.org, data=_data(world))
    services.need_update(
        actor=world.planner,
        need=need,
        expected_version=1,
        data={},
        evidence=SimpleUploadedFile("oficio.pdf", b"%PDF-1.4"),
    )
    assert Need.objects.get(pk=need.pk).evidence_filename == "oficio.pdf"
    services.need_update(
        actor=world.planner, need=need, expected_version=2, data={}, clear_evidence=True
    )
    need.refresh_from_db()
    assert not need.evidence and need.evidence_filename == ""


# --- public request, triage ------------------------------------------------------------------


def test_request_lands_as_demand_to_triage_with_consent_proof(world):
    """FP-1 (demand): a stakeholder's request through the public form lands to triage."""
    topic = TopicFactory(organization=world.org, name="Vacunación")
    need = services.need_request_submit(
        actor=system_actor(),
        organization=world.org,
        data=_request_data(world, topic=topic),
        consent=True,
        notice_version=CURRENT_NOTICE_VERSION,
    )
    assert (need.origin, need.source, need.status) == ("demand", "request", "to_triage")
    assert need.requester_email == "ana.perez@garzon-huila.gov.co"
    assert need.consent_notice_version == CURRENT_NOTICE_VERSION
    assert need.consent_notice_sha256 == notice_hash(notice_text(organization=world.org))
    assert need.consent_at is not None
    assert need.reference.startswith("SOL-") and need.reference.endswith("-0001")
    assert "Vacunación" in need.title and "Alcaldía de Garzón" in need.title
    assert need.requester_position == "Secretaria de Salud municipal"
    # the submission is audit-only, by the system (nobody is signed in): SAL-1 / EDU-1 wait
    # for a person to accept the request at triage
    event = Event.objects.get(step_key="need.requested", object_id=str(need.pk))
    assert is_system_actor(event.actor)
    assert "Ana" not in str(event.after) and "ana.perez" not in str(event.after)
    assert not Event.objects.filter(step_key="need.registered").exists()
    sal1 = next(s for s in procedure_trail(user=world.planner, obj=need) if s.id == "SAL-1")
    assert not sal1.done


def test_request_without_consent_stores_nothing(world):
    with pytest.raises(ValidationError) as exc:
        services.need_request_submit(
            actor=system_actor(),
            organization=world.org,
            data=_request_data(world),
            consent=False,
            notice_version=CURRENT_NOTICE_VERSION,
        )
    assert "consent" in exc.value.message_dict
    assert not Need.objects.exists()


def test_request_validates_contact_data(world):
    with pytest.raises(ValidationError) as exc:
        services.need_request_submit(
            actor=system_actor(),
            organization=world.org,
            data=_request_data(
                world, requester_name="", requester_email="no-es-correo", description="corto"
            ),
            consent=True,
            notice_version="1999.9",
        )
    assert {"requester_name", "requester_email", "description", "consent"} <= set(
        exc.value.message_dict
    )


def test_references_count_per_organization(world):
    refs = [
        services.need_request_submit(
            actor=system_actor(),
            organization=org,
            data=_request_data(world),
            consent=True,
            notice_version=CURRENT_NOTICE_VERSION,
        ).reference
        for org in (world.org, world.org, world.other)
    ]
    assert [r[-4:] for r in refs] == ["0001", "0002", "0001"]
    with pytest.raises(IntegrityError):
        NeedFactory(organization=world.org, reference=refs[0])


def _request(world):
    return services.need_request_submit(
        actor=system_actor(),
        organization=world.org,
        data=_request_data(world),
        consent=True,
        notice_version=CURRENT_NOTICE_VERSION,
    )


def test_triage_accepts_a_request_completing_unit_topic_and_stakeholders(world):
    need = _request(world)
    topic = TopicFactory(organization=world.org)
    stakeholder = StakeholderFactory(organization=world.org, name="Alcaldía de Garzón")
    services.need_triage(
        actor=world.planner,
        need=need,
        decision="accept",
        expected_version=1,
        data={
            "unit": world.unit,
            "topic": topic,
            "priority": "high",
            "stakeholders": [stakeholder],
        },
    )
    need.refresh_from_db()
    assert (need.status, need.unit, need.topic, need.priority) == (
        "open",
        world.unit,
        topic,
        "high",
    )
    assert need.triaged_by == world.planner and need.triaged_at is not None
    assert list(need.stakeholder_links.values_list("stakeholder_id", flat=True)) == [stakeholder.pk]
    assert Event.objects.filter(step_key="need.triaged", object_id=str(need.pk)).exists()


def test_triage_discard_needs_a_reason(world):
    need = _request(world)
    with pytest.raises(ValidationError) as exc:
        services.need_triage(actor=world.planner, need=need, decision="discard", reason=" ")
    assert "reason" in exc.value.message_dict
    services.need_triage(
        actor=world.planner, need=need, decision="discard", reason="Es competencia del municipio."
    )
    need.refresh_from_db()
    assert need.status == "discarded"
    assert need.discard_reason == "Es competencia del municipio."


def test_triage_only_from_to_triage_and_only_once(world):
    need = _request(world)
    stale = Need.objects.get(pk=need.pk)
    services.need_triage(actor=world.planner, need=need, decision="accept", expected_version=1)
    with pytest.raises(TransitionError):
        services.need_triage(actor=world.admin, need=need, decision="accept")
    # a second person with the page open before the first decision: the row moved on
    with pytest.raises(TransitionError):
        services.need_triage(
            actor=world.admin, need=stale, decision="discard", reason="x", expected_version=1
        )
    open_need = NeedFactory(organization=world.org)
    with pytest.raises(TransitionError):
        services.need_triage(actor=world.planner, need=open_need, decision="accept")


# --- status ----------------------------------------------------------------------------------


def test_status_moves_along_the_table(world):
    need = services.need_create(actor=world.planner, organization=world.org, data=_data(world))
    services.need_set_status(actor=world.planner, need=need, status="planned")
    services.need_set_status(actor=world.planner, need=need, status="addressed")
    with pytest.raises(TransitionError):
        services.need_set_status(actor=world.planner, need=need, status="planned")
    services.need_set_status(actor=world.planner, need=need, status="open")
    with pytest.raises(ValidationError) as exc:
        services.need_set_status(actor=world.planner, need=need, status="discarded")
    assert "reason" in exc.value.message_dict
    services.need_set_status(
        actor=world.planner, need=need, status="discarded", reason="Duplicada de otra necesidad."
    )
    need.refresh_from_db()
    assert (need.status, need.discard_reason) == ("discarded", "Duplicada de otra necesidad.")
    services.need_set_status(actor=world.planner, need=need, status="open")
    need.refresh_from_db()
    assert (need.status, need.discard_reason) == ("open", "")
    assert Event.objects.filter(step_key="need.status_changed").count() == 5


def test_the_status_table_offers_the_moves_of_each_state():
    """``needs.workflow``: the moves ``need_set_status`` accepts (the form offers them)."""
    from acompana.planning.needs.workflow import next_statuses

    assert next_statuses("open") == {"planned", "addressed", "discarded"}
    assert next_statuses("planned") == {"open", "addressed", "discarded"}
    assert next_statuses("addressed") == {"open"}
    assert next_statuses("discarded") == {"open"}
    assert next_statuses("to_triage") == set()


def test_status_moves_need_the_role_that_changes_needs(world):
    need = services.need_create(actor=world.planner, organization=world.org, data=_data(world))
    with pytest.raises(PermissionDenied):
        services.need_set_status(actor=world.auditor, need=need, status="planned")
    assert Need.objects.get(pk=need.pk).status == "open"


def test_status_change_refuses_to_triage_and_stale_versions(world):
    request_need = _request(world)
    with pytest.raises(TransitionError):
        services.need_set_status(actor=world.planner, need=request_need, status="open")
    need = services.need_create(actor=world.planner, organization=world.org, data=_data(world))
    with pytest.raises(TransitionError):
        services.need_set_status(actor=world.planner, need=need, status="to_triage")
    with pytest.raises(StaleObjectError):
        services.need_set_status(
            actor=world.planner, need=need, status="planned", expected_version=7
        )
    assert Need.objects.get(pk=need.pk).status == "open"


def test_unit_head_triages_a_public_request_into_its_own_unit(world, client_for):
    """SAL-1: a request of the public form has no unit; the unit head (a unit-scoped role)
    may take it, assigning it to its own unit, but not to another unit."""
    from django.urls import reverse

    from acompana.planning.choices import NeedOrigin, NeedSource, NeedStatus
    from acompana.planning.models import Need
    from acompana.planning.needs import selectors as need_selectors

    need = Need.objects.create(
        organization=world.org,
        title="Solicitud pública",
        description="Asistencia en vigilancia epidemiológica",
        origin=NeedOrigin.DEMAND,
        source=NeedSource.REQUEST,
        status=NeedStatus.TO_TRIAGE,
    )
    assert need_selectors.can_triage_need(user=world.unit_head, need=need)
    page = client_for(world.unit_head).get(reverse("planning:need_detail", args=[need.pk]))
    assert reverse("planning:need_triage", args=[need.pk]) in page.content.decode()
    with pytest.raises(ValidationError):
        services.need_triage(
            actor=world.unit_head,
            need=need,
            decision=services.TRIAGE_ACCEPT,
            data={"unit": world.sibling_unit},
        )
    services.need_triage(
        actor=world.unit_head, need=need, decision=services.TRIAGE_ACCEPT, data={"unit": world.unit}
    )
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN and need.unit == world.unit
    # once in a unit, only that unit's scope writes it
    assert not need_selectors.can_triage_need(user=world.unit_head, need=need)


# --- public request: what the form asks, the confirmation, SAL-1 at triage (issue 11 §8) -----


def test_request_stores_position_identifier_and_modality_and_mails_the_radicado(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    modality = ModalityFactory(organization=world.org, name="Virtual")
    municipality = Municipality.objects.get(code="41298")
    with django_capture_on_commit_callbacks(execute=True):
        need = services.need_request_submit(
            actor=system_actor(),
            organization=world.org,
            data=_request_data(
                world,
                requester_identifier="891.180.084-1",
                preferred_modality=modality,
                requester_municipality=municipality,
            ),
            consent=True,
            notice_version=CURRENT_NOTICE_VERSION,
            base_url="https://acompana.example.gov.co",
        )
    assert (need.requester_identifier, need.preferred_modality) == ("891180084-1", modality)
    assert need.radicado == need.reference and need.received_on is not None
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ana.perez@garzon-huila.gov.co"]
    assert need.reference in mail.subject and need.reference in mail.body
    policy = reverse("core:organization_data_policy", args=[world.org.slug])
    assert f"https://acompana.example.gov.co{policy}" in mail.body


def test_request_refuses_a_bad_identifier_a_foreign_modality_and_no_position(world):
    foreign = ModalityFactory(organization=world.other)
    with pytest.raises(ValidationError) as exc:
        services.need_request_submit(
            actor=system_actor(),
            organization=world.org,
            data=_request_data(
                world,
                requester_position=" ",
                requester_identifier="NIT ABC",
                preferred_modality=foreign,
            ),
            consent=True,
            notice_version=CURRENT_NOTICE_VERSION,
        )
    assert {"requester_position", "requester_identifier", "preferred_modality"} <= set(
        exc.value.message_dict
    )
    assert not Need.objects.exists()


def _garzon_request(world, **extra):
    return services.need_request_submit(
        actor=system_actor(),
        organization=world.org,
        data=_request_data(
            world, requester_municipality=Municipality.objects.get(code="41298"), **extra
        ),
        consent=True,
        notice_version=CURRENT_NOTICE_VERSION,
    )


def test_triage_matches_the_alcaldia_sets_title_and_vigencia_and_records_sal1_by_the_person(
    world,
):
    need = _garzon_request(world)
    alcaldia = StakeholderFactory(
        organization=world.org,
        kind="municipality",
        name="Alcaldía de Garzón",
        dane_code="41298",
        municipality=Municipality.objects.get(code="41298"),
    )
    StakeholderFactory(organization=world.org, name="Otra entidad")
    assert need_selectors.requester_matches(user=world.unit_head, need=need) == [alcaldia]
    next_year = fiscal_year(world.org, 2099)
    services.need_triage(
        actor=world.unit_head,
        need=need,
        decision=services.TRIAGE_ACCEPT,
        expected_version=1,
        data={
            "unit": world.unit,
            "title": "Plan de intervenciones colectivas de Garzón",
            "fiscal_year": next_year,
            "requester_stakeholder": alcaldia,
        },
    )
    need.refresh_from_db()
    assert need.title == "Plan de intervenciones colectivas de Garzón"
    assert need.fiscal_year == next_year
    assert list(need.stakeholder_links.values_list("stakeholder_id", flat=True)) == [alcaldia.pk]
    registered = Event.objects.get(step_key="need.registered", object_id=str(need.pk))
    assert registered.actor == world.unit_head
    sal1 = next(s for s in procedure_trail(user=world.unit_head, obj=need) if s.id == "SAL-1")
    assert sal1.done and sal1.actor == world.unit_head


def test_triage_matches_the_entity_by_nit():
    world = build_world(procedure_code="EDU")
    need = _garzon_request(world, requester_identifier="891180084")
    hospital = StakeholderFactory(organization=world.org, name="E.S.E. Hospital", nit="891180084-1")
    StakeholderFactory(organization=world.other, name="Ajena", nit="891180084-1")
    assert need_selectors.requester_matches(user=world.planner, need=need) == [hospital]
    services.need_triage(
        actor=world.planner,
        need=need,
        decision=services.TRIAGE_ACCEPT,
        data={"requester_stakeholder": hospital},
    )
    edu1 = next(s for s in procedure_trail(user=world.planner, obj=need) if s.id == "EDU-1")
    assert edu1.done and edu1.actor == world.planner


def test_triage_registers_the_requesting_alcaldia_when_it_is_not_in_the_registry(world):
    need = _garzon_request(world)
    assert need_selectors.requester_matches(user=world.planner, need=need) == []
    services.need_triage(
        actor=world.planner,
        need=need,
        decision=services.TRIAGE_ACCEPT,
        data={"new_stakeholder": {"kind": "municipality", "name": "Alcaldía de Garzón"}},
    )
    created = Stakeholder.objects.get(organization=world.org, dane_code="41298")
    assert (created.kind, created.name, created.municipality.code) == (
        "municipality",
        "Alcaldía de Garzón",
        "41298",
    )
    assert list(need.stakeholder_links.values_list("stakeholder_id", flat=True)) == [created.pk]
    assert Event.objects.filter(step_key="stakeholder.created", actor=world.planner).exists()


def test_a_refused_new_stakeholder_leaves_the_request_untouched(world):
    need = _garzon_request(world, requester_identifier="891180084-7")  # wrong check digit
    with pytest.raises(ValidationError) as exc:
        services.need_triage(
            actor=world.planner,
            need=need,
            decision=services.TRIAGE_ACCEPT,
            data={"new_stakeholder": {"kind": "territorial_entity", "name": "Entidad"}},
        )
    assert "requester_stakeholder" in exc.value.message_dict
    need.refresh_from_db()
    assert need.status == "to_triage"
    assert not Stakeholder.objects.filter(organization=world.org, name="Entidad").exists()
    assert not Event.objects.filter(step_key="need.registered").exists()


def test_a_discarded_request_completes_no_step(world):
    need = _request(world)
    services.need_triage(
        actor=world.planner, need=need, decision="discard", reason="Fuera de competencia."
    )
    assert not Event.objects.filter(step_key="need.registered").exists()
