"""``make run``: one process that runs the whole product on a fresh machine.

1. starts the embedded PostgreSQL under ``var/`` unless ``DATABASE_URL`` is set;
2. migrates, loads reference data (DIVIPOLA, catalogue seeds) and the demo as the owner,
   then grants the application role (``grant_app_role``) the web and worker connect as;
3. starts the web server (gunicorn) and a Celery worker (filesystem broker when no
   ``REDIS_URL``/``CELERY_BROKER_URL``), prints the URL and the demo logins;
4. on Ctrl-C or SIGTERM stops the worker, the web server and the database, and exits 0.

A second run reuses the data (the demo loader is idempotent).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from acompana.config import embedded_db

ROOT = Path(__file__).resolve().parents[3]


class Launcher:
    def __init__(self) -> None:
        self.children: list[subprocess.Popen[bytes]] = []
        self.embedded = False
        self.stopping = False

    # -- environment ---------------------------------------------------------------------------
    def prepare_environment(self) -> dict[str, str]:
        var = embedded_db.var_dir()
        var.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "acompana.config.settings")
        key_file = var / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        env.setdefault("DJANGO_SECRET_KEY", key_file.read_text().strip())
        # make run serves plain HTTP on localhost: no secure-only cookies or redirect.
        env.setdefault("ACOMPANA_HTTPS", "0")
        env.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
        if not env.get("DATABASE_URL"):
            print("Iniciando PostgreSQL embebido en var/pgdata …", flush=True)
            env["DATABASE_URL"] = embedded_db.start()
            self.embedded = True
        for folder in (
            "media",
            "mail",
            "broker/out",
            "broker/processed",
            "broker/control",
            "static",
        ):
            (var / folder).mkdir(parents=True, exist_ok=True)
        return env

    def application_environment(self, env: dict[str, str]) -> dict[str, str]:
        """The web and the worker connect as the application role, not as the owner.

        On the embedded database the owner is the superuser ``postgres``; the application
        role (``acompana_app``) may only insert and read the audit table (``core.dbroles``).
        With an external ``DATABASE_URL`` the operator chooses the roles (docs/deployment.md).
        """
        if not self.embedded:
            return env
        self.manage(env, "grant_app_role", embedded_db.APP_ROLE)
        return {**env, "DATABASE_URL": embedded_db.url(user=embedded_db.APP_ROLE)}

    def manage(self, env: dict[str, str], *args: str) -> None:
        subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, env=env)

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> int:
        signal.signal(signal.SIGTERM, self.handle_signal)
        signal.signal(signal.SIGINT, self.handle_signal)
        try:
            env = self.prepare_environment()
            self.manage(env, "migrate", "--no-input", "-v", "0")
            self.manage(env, "createcachetable")
            self.manage(env, "collectstatic", "--no-input", "-v", "0")
            self.manage(env, "load_reference_data")
            self.manage(env, "load_demo")
            env = self.application_environment(env)
            host = env.get("ACOMPANA_HOST", "127.0.0.1")
            port = env.get("ACOMPANA_PORT", "8000")
            self.children.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "acompana.config",
                        "worker",
                        "--loglevel",
                        "WARNING",
                        "--concurrency",
                        "1",
                        "--pool",
                        "solo",
                    ],
                    env=env,
                )
            )
            self.children.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "acompana.config.wsgi:application",
                        "--bind",
                        f"{host}:{port}",
                        "--workers",
                        env.get("WEB_CONCURRENCY", "2"),
                        "--timeout",
                        "120",
                        "--access-logfile",
                        "-",
                    ],
                    env=env,
                )
            )
            print(f"\nAcompaña está en http://{host}:{port}/  (Ctrl-C para detener)\n", flush=True)
            self.manage(env, "demo_logins")
            while not self.stopping:
                for child in self.children:
                    if child.poll() is not None and not self.stopping:
                        print(f"Un proceso terminó inesperadamente: {child.args!r}", flush=True)
                        self.stopping = True
                time.sleep(0.5)
        except subprocess.CalledProcessError as exc:
            print(f"Error al preparar Acompaña: {exc}", file=sys.stderr)
            self.shutdown()
            return 1
        self.shutdown()
        return 0

    def handle_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def shutdown(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for child in self.children:
            if child.poll() is None:
                child.terminate()
        deadline = time.time() + 15
        for child in self.children:
            try:
                child.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                child.kill()
        if self.embedded:
            print("Deteniendo PostgreSQL embebido …", flush=True)
            embedded_db.stop()
        print("Acompaña se detuvo.", flush=True)


def main() -> int:
    return Launcher().start()


if __name__ == "__main__":
    raise SystemExit(main())
