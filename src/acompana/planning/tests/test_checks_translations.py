"""The Spanish of the checks area (``checks/translations_es.json``, merged by the integrator
into the planning catalogue): every msgid that ``makemessages`` extracts from the area's
modules and templates is there, translated, with the same placeholders."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

PLANNING = Path(__file__).resolve().parents[1]
CATALOGUE = json.loads((PLANNING / "checks" / "translations_es.json").read_text(encoding="utf-8"))
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _po_entries(po: str) -> list[tuple[str, str | None]]:
    """(msgid, msgid_plural) of every entry but the header."""

    def joined(block: str, key: str) -> str | None:
        match = re.search(rf'^{key} ((?:".*"\n?)+)', block, re.MULTILINE)
        if match is None:
            return None
        raw = "".join(re.findall(r'"(.*)"', match.group(1)))
        return raw.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")

    entries = []
    for block in po.split("\n\n")[1:]:
        msgid = joined(block, "msgid")
        if msgid:
            entries.append((msgid, joined(block, "msgid_plural")))
    return entries


def test_every_entry_is_translated_with_the_same_placeholders():
    for msgid, translation in CATALOGUE.items():
        forms = translation if isinstance(translation, list) else [translation]
        assert len(forms) in (1, 2) and all(f.strip() for f in forms), msgid
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) == set(PLACEHOLDER.findall(msgid)), msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools not installed")
def test_every_extracted_msgid_is_in_the_catalogue(tmp_path, monkeypatch):
    shutil.copytree(
        PLANNING / "checks", tmp_path / "checks", ignore=shutil.ignore_patterns("*.pyc")
    )
    shutil.copytree(PLANNING / "templates" / "planning" / "checks", tmp_path / "templates")
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["es"], verbosity=0)
    po = (tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = _po_entries(po)
    assert len(entries) > 100
    missing = [msgid for msgid, _plural in entries if msgid not in CATALOGUE]
    assert not missing, missing
    plurals = [
        msgid for msgid, plural in entries if plural and not isinstance(CATALOGUE[msgid], list)
    ]
    assert not plurals, plurals
