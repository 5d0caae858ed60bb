"""Fill the English catalogue from its msgids: the msgids are English, so they are the translation.

Run after `pybabel update`:  .venv/bin/python app/translations/sync_en.py

Only empty and fuzzy entries are filled (a fuzzy entry holds a guess from another msgid);
a deliberate English wording that differs from its msgid is kept. The file is rewritten the
way `pybabel update --no-wrap --ignore-obsolete` writes it, and only when something changed.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parent / "en" / "LC_MESSAGES" / "messages.po"


def sync(path: Path = CATALOGUE) -> int:
    """Copy each msgid into its empty or fuzzy msgstr; return how many entries changed."""
    with path.open("rb") as f:
        catalog = read_po(f)
    changed = 0
    for message in catalog:
        if not message.id:  # the header
            continue
        refill = message.fuzzy
        current: str | tuple[str, ...] | list[str] | None
        new: str | tuple[str, ...] | list[str]
        if message.pluralizable:
            singular, plural = message.id[0], message.id[1]
            wanted = (singular,) + (plural,) * (catalog.num_plurals - 1)
            current = (tuple(message.string or ()) + ("",) * len(wanted))[: len(wanted)]
            new = tuple(old if old and not refill else form for old, form in zip(current, wanted, strict=True))
        else:
            current = message.string
            new = message.string if message.string and not refill else message.id
        if new != current or refill:
            message.string = new
            message.flags.discard("fuzzy")
            changed += 1
    if changed:
        out = io.BytesIO()
        write_po(out, catalog, width=0, ignore_obsolete=True)  # 0 (or None): no wrapping
        path.write_bytes(out.getvalue())
    return changed


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else CATALOGUE
    changed = sync(path)
    print(f"{path}: filled {changed} entr{'y' if changed == 1 else 'ies'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
