"""The Spanish of the needs area (``needs/translations_es.json``, merged into the planning
catalogue): every literal msgid of its templates and modules is there, translated, with the
same placeholders."""

from __future__ import annotations

import json
import re
from pathlib import Path

PLANNING = Path(__file__).resolve().parents[1]
CATALOGUE = json.loads((PLANNING / "needs" / "translations_es.json").read_text(encoding="utf-8"))
TEMPLATES = sorted((PLANNING / "templates" / "planning" / "needs").glob("*.html"))
MODULES = sorted((PLANNING / "needs").glob("*.py"))

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
TEMPLATE_LITERAL = re.compile(r'{%\s*translate\s+"([^"]+)"(\s+context)?')
PYTHON_LITERAL = re.compile(r'(?<![\w.])(?:_|gettext_lazy|gettext)\(\s*"((?:[^"\\]|\\.)+)"\s*\)')


def test_every_entry_is_translated_with_the_same_placeholders():
    for msgid, translation in CATALOGUE.items():
        forms = translation if isinstance(translation, list) else [translation]
        assert len(forms) in (1, 2) and all(f.strip() for f in forms), msgid
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) == set(PLACEHOLDER.findall(msgid)), msgid


def test_every_template_literal_is_in_the_catalogue():
    missing, found = [], 0
    for template in TEMPLATES:
        for msgid, context in TEMPLATE_LITERAL.findall(template.read_text(encoding="utf-8")):
            found += 1
            if not context and msgid not in CATALOGUE:
                missing.append((template.name, msgid))
    assert found > 100 and not missing, missing


def test_every_single_line_python_literal_is_in_the_catalogue():
    missing, found = [], 0
    for module in MODULES:
        for msgid in PYTHON_LITERAL.findall(module.read_text(encoding="utf-8")):
            found += 1
            if msgid not in CATALOGUE:
                missing.append((module.name, msgid))
    assert found > 100 and not missing, missing
