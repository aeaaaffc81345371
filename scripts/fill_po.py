"""Developer tool: fill a gettext catalogue from a JSON {msgid: msgstr | [singular, plural]}.

Usage: python scripts/fill_po.py path/to/django.po translations.json
Entries already translated are kept unless the JSON gives a new text; fuzzy flags are removed
for the entries filled. Prints the msgids still untranslated.
"""

from __future__ import annotations

import json
import re
import sys


def unquote(block: str) -> str:
    return "".join(json.loads(f'"{s}"') for s in re.findall(r'"((?:[^"\\]|\\.)*)"', block))


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main(po_path: str, json_path: str) -> int:
    translations = json.load(open(json_path, encoding="utf-8"))
    content = open(po_path, encoding="utf-8").read()
    entries = content.split("\n\n")
    missing = []
    out = []
    for entry in entries:
        m = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if not m or unquote(m.group(1)) == "":
            out.append(entry)
            continue
        msgid = unquote(m.group(1))
        ctx = re.search(r'^msgctxt ((?:".*"\n?)+)', entry, re.M)
        if ctx:
            msgid = unquote(ctx.group(1)) + "\x04" + msgid
        plural = re.search(r'^msgid_plural ((?:".*"\n?)+)', entry, re.M)
        value = translations.get(msgid)
        lines = entry.split("\n")
        head = [
            line
            for line in lines
            if not line.startswith("msgstr") and not (line.startswith('"') and False)
        ]
        # rebuild: keep comments and msgid/msgid_plural blocks, replace msgstr blocks
        kept = []
        in_msgstr = False
        for line in lines:
            if line.startswith("msgstr"):
                in_msgstr = True
                continue
            if in_msgstr and line.startswith('"'):
                continue
            in_msgstr = False
            kept.append(line)
        while kept and kept[-1] == "":
            kept.pop()
        head = kept
        if value is None:
            existing = re.search(r'^msgstr ((?:".*"\n?)+)', entry, re.M)
            existing_plural = re.search(r'^msgstr\[0\] ((?:".*"\n?)+)', entry, re.M)
            if (existing and unquote(existing.group(1))) or (
                existing_plural and unquote(existing_plural.group(1))
            ):
                out.append(entry)
                continue
            missing.append(msgid)
            out.append(entry)
            continue
        head = [line for line in head if not line.startswith("#, fuzzy") and line != "#| "]
        head = [re.sub(r"^#, fuzzy, ", "#, ", line) for line in head]
        head = [line for line in head if not line.startswith("#| msgid")]
        if plural:
            singular, plural_text = value if isinstance(value, list) else (value, value)
            head += [f"msgstr[0] {quote(singular)}", f"msgstr[1] {quote(plural_text)}"]
        else:
            head.append(f"msgstr {quote(value)}")
        out.append("\n".join(head))
    result = "\n\n".join(out)
    result = re.sub(
        r'"Plural-Forms: [^"]*"\n(?:"[^"]*"\n)*?(?="MIME|"Content|msgid|#|\n)',
        "",
        result,
        count=1,
    )
    result = result.replace(
        '"Content-Transfer-Encoding: 8bit\\n"\n',
        '"Content-Transfer-Encoding: 8bit\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n',
        1,
    )
    result = result.rstrip("\n") + "\n"
    result = result.replace('"Language: \\n"', '"Language: es\\n"')
    result = result.replace(
        '"Project-Id-Version: PACKAGE VERSION\\n"', '"Project-Id-Version: Acompaña\\n"'
    )
    result = result.replace('"Last-Translator: FULL NAME <EMAIL@ADDRESS>\\n"', '"Last-Translator: Acompaña\\n"')
    result = result.replace('"Language-Team: LANGUAGE <LL@li.org>\\n"', '"Language-Team: es-CO\\n"')
    result = result.replace("#, fuzzy\nmsgid \"\"", "msgid \"\"", 1)
    open(po_path, "w", encoding="utf-8").write(result)
    for msgid in missing:
        print("UNTRANSLATED:", msgid)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
