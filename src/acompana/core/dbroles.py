"""The application's database role: everything it needs, and nothing that could erase the audit.

Two roles (DESIGN section 7; issue "control interno can sign"):

* the **owner** runs migrations and reference loads (``manage.py migrate``); it owns the tables;
* the **application role** serves the web and the jobs: it may read and write every table but
  may only ``INSERT`` and ``SELECT`` on ``core_event``. It owns nothing, so it cannot
  ``TRUNCATE`` the audit, disable or drop its trigger, or alter the table; the append-only
  trigger (migration ``core.0002``) refuses ``UPDATE`` and ``DELETE`` for everyone besides.

``grant_application_role`` is idempotent: ``manage.py grant_app_role <role>`` runs it as the
owner after every ``migrate`` (``make run`` does it on the embedded database; see
``docs/deployment.md`` for a real server).
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

AUDIT_TABLE = "core_event"


def grant_application_role(connection: Any, role: str, password: str | None = None) -> None:
    """Create ``role`` if missing (login, no superuser, no create) and set its privileges.

    ``connection`` is a Django connection of the owner, on the product's database.
    """
    ident = sql.Identifier(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(
                sql.SQL(
                    "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
                ).format(ident)
            )
        else:
            cursor.execute(
                sql.SQL("ALTER ROLE {} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION").format(
                    ident
                )
            )
        if password:
            cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD %s").format(ident), [password])
        database = sql.Identifier(connection.settings_dict["NAME"])
        for statement in (
            "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}",
            "GRANT USAGE ON SCHEMA public TO {role}",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
            "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role}",
            "REVOKE UPDATE, DELETE ON {audit} FROM {role}",
        ):
            cursor.execute(
                sql.SQL(statement).format(
                    db=database, role=ident, audit=sql.Identifier(AUDIT_TABLE)
                )
            )
