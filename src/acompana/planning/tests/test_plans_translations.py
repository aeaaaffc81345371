"""Every msgid of the plans area has its es-CO translation in ``translations_es.json``
(the integrator merges it into the planning catalogue)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from django.utils.translation.template import templatize

AREA = Path(__file__).resolve().parents[1] / "plans"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "planning" / "plans"
CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "gettext_noop"}
LITERAL = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""


def _msgids() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for path in sorted(AREA.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in CALLS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                plural = None
                if name.startswith("ngettext") and isinstance(node.args[1], ast.Constant):
                    plural = node.args[1].value
                found.setdefault(first.value, plural)
    for path in sorted(TEMPLATES.glob("*.html")):
        text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for match in re.finditer(rf"\bngettext\(({LITERAL}),\s*({LITERAL}),", text):
            singular = ast.literal_eval(match.group(1).lstrip("u"))
            found.setdefault(singular, ast.literal_eval(match.group(2).lstrip("u")))
        for match in re.finditer(rf"(?:(?<![nph])gettext|\b_)\(({LITERAL})\)", text):
            found.setdefault(ast.literal_eval(match.group(1).lstrip("u")), None)
    return found


def test_every_msgid_has_a_spanish_translation():
    catalogue = json.loads((AREA / "translations_es.json").read_text(encoding="utf-8"))
    msgids = _msgids()
    assert len(msgids) > 300
    missing = sorted(k for k in msgids if not catalogue.get(k))
    assert not missing, missing[:10]
    plurals = sorted(k for k, v in msgids.items() if v and not isinstance(catalogue[k], list))
    assert not plurals, plurals
    for msgid, translation in catalogue.items():
        placeholders = sorted(set(re.findall(r"%\(\w+\)s", msgid)))
        for text in translation if isinstance(translation, list) else [translation]:
            assert sorted(set(re.findall(r"%\(\w+\)s", text))) == placeholders, msgid
