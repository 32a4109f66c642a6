"""Keep the message catalogs (``locales/<lang>/LC_MESSAGES/messages.po``) in step with the code.

    python scripts/i18n.py update     # extract every _() / N_() / ngettext() string from the app and
                                      # merge it into each catalog (new ones empty, gone ones dropped)
    python scripts/i18n.py check      # CI: fails when a catalog is out of date with the code, a message
                                      # has no translation, or a translation's placeholders differ
    python scripts/i18n.py missing ko # list the messages that still need a Korean translation

Babel does the work (extraction from Python source, .po reading/writing); this script only fixes the
options so that everyone runs it the same way. English is the source language: its catalog is the code.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
TRANSLATED = ["ko"]  # every language but the English source
# where user-visible strings live; nnlib's own messages stay English, except the exercises' texts, which the
# Exercises page shows (marked N_ in nnlib/exercises, translated by the page)
SOURCES = ["streamlit_app.py", "pages", "ui", "nnlib/exercises"]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
# {name} / {name:.1f}, and printf's %s / %(name)d (no space flag: "20 % faster" is prose, not a placeholder)
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%(?:\([^)]*\))?[#0+-]?\d*(?:\.\d+)?[sdifrxXeEgGc%]")


def po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / "messages.po"


def extract() -> Catalog:
    """Every translatable message in the app's source, with where it is used."""
    # a fixed date: the catalog changes when a message does, not each time it is updated
    catalog = Catalog(project="nnlib lessons", fuzzy=False, creation_date=datetime(2026, 1, 1, tzinfo=UTC))
    method_map = [("**.py", "python")]
    for source in SOURCES:
        path = ROOT / source
        if path.is_file():
            items = _extract_file(path)
        else:
            items = ((path / name, *rest) for name, *rest in extract_from_dir(
                str(path), method_map, keywords=KEYWORDS, comment_tags=("i18n:",)))
        for filename, lineno, message, comments, context in items:
            rel = Path(filename).resolve().relative_to(ROOT).as_posix()
            catalog.add(message, locations=[(rel, lineno)], auto_comments=comments, context=context)
    return catalog


def _extract_file(path: Path):
    from babel.messages.extract import extract

    with path.open("rb") as f:
        for lineno, message, comments, context in extract("python", f, keywords=KEYWORDS, comment_tags=("i18n:",)):
            yield path, lineno, message, comments, context


def load(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, project="nnlib lessons", copyright_holder="nnlib contributors", fuzzy=False)
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def save(catalog: Catalog, lang: str) -> None:
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        # no line numbers: a catalog should change when a message does, not when code moves
        write_po(f, catalog, width=100, sort_output=True, ignore_obsolete=True, include_previous=False,
                 include_lineno=False)


def update() -> None:
    template = extract()
    for lang in TRANSLATED:
        catalog = load(lang)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        save(catalog, lang)
        todo = sum(1 for m in catalog if m.id and not _translated(m))
        print(f"{po_path(lang).relative_to(ROOT)}: {len(catalog)} messages, {todo} without a translation")


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return bool(message.string) and all(strings) and not message.fuzzy


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text or ""))


def problems(lang: str) -> list[str]:
    """What is wrong with ``lang``'s catalog, one line per message (empty when all is well)."""
    template = extract()
    catalog = load(lang)
    out = []
    wanted = {(m.id if isinstance(m.id, str) else m.id[0]) for m in template if m.id}
    have = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}
    for msgid in sorted(wanted - have):
        out.append(f"not in the catalog (run `python scripts/i18n.py update`): {msgid!r}")
    for msgid in sorted(have - wanted):
        out.append(f"no longer in the code (run `python scripts/i18n.py update`): {msgid!r}")
    for m in catalog:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string or [])
        if not _translated(m):
            out.append(f"no {lang} translation{' (fuzzy)' if m.fuzzy else ''}: {ids[0]!r}")
            continue
        for s in strings:
            if placeholders(s) != placeholders(ids[0]):
                out.append(f"placeholders differ ({placeholders(ids[0])} vs {placeholders(s)}): {ids[0]!r}")
    return out


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
        return 0
    if command == "missing":
        lang = argv[2] if len(argv) > 2 else TRANSLATED[0]
        for m in load(lang):
            if m.id and not _translated(m):
                print(repr(m.id))
        return 0
    if command == "check":
        bad = [f"{lang}: {line}" for lang in TRANSLATED for line in problems(lang)]
        for line in bad[:200]:
            print(line)
        ok = f"catalogs OK: {', '.join(TRANSLATED)} complete and up to date"
        print(f"{len(bad)} catalog problems" if bad else ok)
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
