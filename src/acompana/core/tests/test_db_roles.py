"""The application's database role cannot erase or alter the audit (issue 11 §9)."""

from __future__ import annotations

import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from acompana.core.dbroles import grant_application_role
from acompana.core.events import event_record


@pytest.fixture
def app_role(db):
    role = f"acompana_app_test_{uuid.uuid4().hex[:8]}"
    grant_application_role(connection, role)
    yield role
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


def _refused(sql: str) -> str:
    """Run ``sql`` in a savepoint; return the database's refusal (fails if it was accepted)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as exc:
        return str(exc)
    raise AssertionError(f"The application role was allowed to run: {sql}")


def test_application_role_only_inserts_and_reads_the_audit(world, app_role):
    event = event_record(
        actor=world.admin, organization=world.org, step_key="organization.updated", obj=world.org
    )
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{app_role}"')
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False,)
        # reading and appending work: the application records events
        cursor.execute("SELECT count(*) FROM core_event WHERE id = %s", [event.pk])
        assert cursor.fetchone() == (1,)
    assert event_record(
        actor=world.admin, organization=world.org, step_key="organization.updated", obj=world.org
    ).pk
    assert "permission denied" in _refused(
        f"UPDATE core_event SET summary = 'x' WHERE id = {event.pk}"
    )
    assert "permission denied" in _refused(f"DELETE FROM core_event WHERE id = {event.pk}")
    assert "permission denied" in _refused("TRUNCATE core_event")
    assert "owner" in _refused("ALTER TABLE core_event DISABLE TRIGGER ALL")
    assert "owner" in _refused("DROP TRIGGER core_event_no_update_delete ON core_event")
    assert "owner" in _refused("DROP TABLE core_event")
    # the rest of the product stays writable for it
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_organization SET name = name WHERE id = %s", [world.org.pk])
        cursor.execute("RESET ROLE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_event WHERE id = %s", [event.pk])
        assert cursor.fetchone() == (1,)


def test_granting_is_idempotent(app_role):
    grant_application_role(connection, app_role)  # a second run after a migrate changes nothing
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_name = 'core_event' ORDER BY 1",
            [app_role],
        )
        assert [row[0] for row in cursor.fetchall()] == ["INSERT", "SELECT"]
