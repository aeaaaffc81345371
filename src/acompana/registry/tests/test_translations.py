"""Every msgid of the registry has a Spanish translation (no empty or fuzzy entries)."""

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[1] / "locale" / "es" / "LC_MESSAGES" / "django.po"


def _entries():
    text = PO.read_text(encoding="utf-8")
    return [block for block in text.split("\n\n") if "msgid" in block]


def test_every_msgid_is_translated():
    untranslated = []
    nplurals = int(re.search(r"nplurals=(\d)", _entries()[0]).group(1))
    for block in _entries()[1:]:
        if "msgid_plural" in block and len(re.findall(r"^msgstr\[\d\]", block, re.M)) != nplurals:
            untranslated.append(block)
            continue
        if "#, fuzzy" in block:
            untranslated.append(block)
            continue
        strings = re.findall(r'^msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', block, re.MULTILINE)
        if not strings or any(first == "" and not rest for first, rest in strings):
            untranslated.append(block)
    assert not untranslated, untranslated[:3]
    assert PO.with_suffix(".mo").exists()


def test_the_catalogue_is_used():
    with translation.override("es-co"):
        assert translation.gettext("Registry of grupos de valor") == "Registro de grupos de valor"
        assert translation.gettext("stakeholders") == "grupos de valor"
