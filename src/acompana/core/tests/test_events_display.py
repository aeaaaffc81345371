"""How people read an event (``core.events_display``): labels, actors, formatted values."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from acompana.core.actors import SYSTEM_NAME, system_actor
from acompana.core.events import event_record
from acompana.core.events_display import (
    EMPTY,
    actor_label,
    event_changes,
    field_label,
    format_value,
    key_label,
    object_label,
)
from acompana.core.models import Unit
from acompana.core.procedures.keys import AUDIT_KEYS, KEY_LABELS, STEP_KEYS
from acompana.core.tests.factories import build_world


def test_every_declared_key_has_a_label_and_no_label_is_a_key():
    """A new key gets its label next to it: the trail and the audit never print the key."""
    declared = set(STEP_KEYS) | set(AUDIT_KEYS)
    assert declared - set(KEY_LABELS) == set()
    assert set(KEY_LABELS) - declared == set()
    for key, label in KEY_LABELS.items():
        assert str(label) and "." not in str(label) and "_" not in str(label), key


def test_key_label_never_returns_the_key():
    assert key_label("plan.submitted") == str(KEY_LABELS["plan.submitted"])
    assert key_label("no.such_key") != "no.such_key"
    assert "." not in key_label("no.such_key")


@pytest.mark.parametrize(
    ("value", "name", "expected"),
    [
        (None, "", EMPTY),
        ("", "", EMPTY),
        ([], "", EMPTY),
        ("1250000.00", "budget", "$ 1.250.000"),
        (Decimal("1234567"), "resources", "$ 1.234.567"),
        (1000, "budget", "$ 1.000"),
        ("2026-12-02", "date", "02/12/2026"),
        (datetime.date(2026, 12, 2), "", "02/12/2026"),
        (True, "", "Sí"),
        (False, "", "No"),
        (["a", "b"], "", "a, b"),
        (3, "round", "3"),
    ],
)
def test_format_value(value, name, expected):
    assert format_value(value, name=name) == expected


def test_format_value_never_prints_python_reprs():
    text = format_value({"budget": "1000.00", "comments": None})
    assert "{" not in text and "None" not in text and "'" not in text
    assert "$ 1.000" in text and EMPTY in text


def test_field_labels_come_from_the_model_then_the_table():
    assert field_label("name", model=Unit) == "Nombre"
    assert field_label("comments") == str(field_label("comments"))
    assert field_label("comments") != "comments"
    assert field_label("some_field") == "Some field"


@pytest.mark.django_db
def test_event_changes_and_actor():
    world = build_world()
    event = event_record(
        actor=world.planner,
        organization=world.org,
        step_key="unit.updated",
        obj=world.unit,
        before={"name": "Antes", "is_active": True, "budget": None},
        after={"name": "Después", "is_active": False, "budget": "2500000.00"},
    )
    changes = {c.name: c for c in event_changes(event)}
    assert changes["name"].label == "Nombre"
    assert (changes["name"].before, changes["name"].after) == ("Antes", "Después")
    assert (changes["is_active"].before, changes["is_active"].after) == ("Sí", "No")
    assert (changes["budget"].before, changes["budget"].after) == (EMPTY, "$ 2.500.000")
    assert actor_label(event) == world.planner.full_name
    system = event_record(
        actor=system_actor(), organization=world.org, step_key="need.registered", obj=world.unit
    )
    assert actor_label(system) == SYSTEM_NAME
    nobody = event_record(actor=None, organization=world.org, step_key="unit.updated")
    assert actor_label(nobody) == SYSTEM_NAME
    assert event_changes(nobody) == []
    created = event_record(
        actor=world.admin,
        organization=world.org,
        step_key="membership.created",
        obj=world.admin.memberships.get(),
    )
    assert " @ " not in object_label(created)


@pytest.mark.django_db
def test_home_feed_reads_labels_and_names_not_stored_english_or_keys(client_for):
    """The feed shows the event's label (read now, in Spanish) and who did it; a summary
    stored in another language ("linked with the roles planner") never reaches it."""
    from django.urls import reverse

    world = build_world()
    event_record(
        actor=world.admin,
        organization=world.org,
        step_key="membership.created",
        obj=world.admin.memberships.get(),
        summary="someone@example.com linked with the roles planner",
    )
    html = client_for(world.admin).get(reverse("core:home")).content.decode()
    assert str(KEY_LABELS["membership.created"]) in html
    assert world.admin.full_name in html
    assert "linked with the roles" not in html and "membership.created" not in html
