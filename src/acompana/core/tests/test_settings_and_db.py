"""Deployment settings, the append-only audit table, the embedded database module."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from acompana.core.events import event_record
from acompana.core.models import Event

ROOT = Path(__file__).resolve().parents[4]


def test_production_settings_pass_check_deploy():
    # the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their own process only
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        ACOMPANA_TESTING="0",
        DJANGO_DEBUG="0",
        ACOMPANA_HTTPS="1",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="acompana.example.gov.co",
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update(ACOMPANA_TESTING="0", DJANGO_DEBUG="0")
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_audit_rows_cannot_be_updated_or_deleted_by_the_app_database_user(world):
    event = event_record(
        actor=world.admin, organization=world.org, step_key="unit.created", obj=world.unit
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(summary="alterado")
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_event SET step_key = 'x' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.summary == "" and event.step_key == "unit.created"


def test_embedded_database_url_uses_var_dir_and_port(monkeypatch, tmp_path):
    from acompana.config import embedded_db

    monkeypatch.setenv("ACOMPANA_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ACOMPANA_EMBEDDED_PG_PORT", "54999")
    assert embedded_db.pgdata() == tmp_path / "pgdata"
    assert embedded_db.url() == "postgres://postgres@127.0.0.1:54999/acompana"
    assert embedded_db.is_running() is False
