"""The UI is Spanish through gettext: every msgid in the code has a Spanish translation.

One path for every app: its catalogue ``<app>/locale/es/LC_MESSAGES/django.po``, extracted and
compiled by ``make messages``. The apps are found on disk (every package of ``src/acompana``
with an ``apps.py``), so a new stage is checked without being listed here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = sorted(p.parent.name for p in (ROOT / "src" / "acompana").glob("*/apps.py"))
IGNORE: dict[str, list[str]] = {}


def po_path(app: str, root: Path = ROOT / "src" / "acompana") -> Path:
    return root / app / "locale" / "es" / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> dict[str, str]:
    entries: dict[str, str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""' not in block:
            entries[_field(block, "msgid")] = ""  # fuzzy counts as untranslated
            continue
        msgid = _field(block, "msgid")
        if not msgid:
            continue
        entries[msgid] = _field(block, "msgstr") or _field(block, r"msgstr\[0\]")
    return entries


def _field(block: str, name: str) -> str:
    match = re.search(rf"^{name} ((?:\".*\"\n?)+)", block, re.M)
    if not match:
        return ""
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1)))


@pytest.mark.parametrize("app", APPS)
def test_catalogue_exists_and_is_fully_translated(app):
    path = po_path(app)
    assert path.exists(), f"{app} has no Spanish catalogue at {path}"
    missing = [msgid for msgid, msgstr in parse_po(path).items() if not msgstr]
    assert not missing, f"Untranslated msgids in {app}: {missing[:20]}"


@pytest.mark.parametrize("app", APPS)
def test_compiled_catalogue_is_up_to_date(app, tmp_path):
    if not shutil.which("msgfmt"):
        pytest.fail("msgfmt (Debian package gettext) is required")
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(po_path(app))], check=True)
    committed = po_path(app).with_suffix(".mo")
    assert committed.exists() and committed.read_bytes() == compiled.read_bytes(), (
        f"Run `make messages`: {committed} does not match {po_path(app)}"
    )


@pytest.mark.parametrize("app", APPS)
def test_every_string_in_the_code_is_in_the_catalogue(app, tmp_path):
    if not shutil.which("xgettext"):
        pytest.fail("xgettext (Debian package gettext) is required")
    assert po_path(app).exists(), f"{app} has no Spanish catalogue"
    copy = tmp_path / app
    shutil.copytree(ROOT / "src" / "acompana" / app, copy, ignore=shutil.ignore_patterns("*.mo"))
    env = dict(os.environ, DATABASE_URL="postgres://unused/unused", ACOMPANA_TESTING="1")
    args = [sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "es", "-v", "0"]
    for pattern in ["tests/*", *IGNORE.get(app, [])]:
        args += ["--ignore", pattern]
    subprocess.run(args, cwd=copy, env=env, check=True)
    current = set(parse_po(po_path(app)))
    extracted = set(parse_po(po_path(app, tmp_path)))
    new = sorted(extracted - current)
    assert not new, f"Strings in {app} missing from its catalogue (run `make messages`): {new[:20]}"
