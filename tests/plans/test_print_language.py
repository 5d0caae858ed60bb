"""The print's fixed Dutch texts are plain Dutch (B1): measured with the Flesch-Douma reading ease.

What is measured: the Dutch msgstr of every msgid that the print's template and printing.py use, as the
parents read them (docs/plain-language-review.md, issue 16). Only the texts that are sentences (ending in
. ? or !) count: a heading such as "Wat goed gaat" is no sentence, and counting it as one would make the
average sentence look shorter than the parents' sentences are. Placeholders become a short number.
What the worker types (goals, agreements, moments) is not fixed text and is not measured.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (("jinja2", "app/templates/plans/print.html"), ("python", "app/plans/printing.py"))
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}

# Flesch-Douma (the Dutch Flesch: 206.835 - 0.93 x words per sentence - 77 x syllables per word) reads
# 60-70 as "normal", 70-80 as "fairly easy" and 80+ as "easy"; B1 texts for a wide public score 60 or more.
# 60 is the floor, not the aim: the print scored 89 when this test was written.
MIN_DOUMA = 60
MAX_WORDS_PER_SENTENCE = 15  # the plain-language standard of DOMAIN.md: short sentences


def print_msgids() -> list[str]:
    found: dict[str, None] = {}
    for method, path in SOURCES:
        with (ROOT / path).open("rb") as source:
            for _line, msgid, _comments, _context in extract_from_file(method, source.name, keywords=KEYWORDS):
                found[msgid if isinstance(msgid, str) else msgid[0]] = None
    return list(found)


def dutch_sentences() -> list[str]:
    with (ROOT / "app/translations/nl/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    texts = [catalog[msgid].string for msgid in print_msgids()]
    return [re.sub(r"%\(\w+\)[ds]", "3", text) for text in texts if text.rstrip().endswith((".", "?", "!"))]


@pytest.fixture
def dutch_textstat():
    textstat.set_lang("nl")  # Flesch-Douma and Dutch syllables (pyphen's nl_NL)
    yield textstat
    textstat.set_lang("en")


def test_the_print_s_texts_are_found():
    msgids = print_msgids()
    # Headings, the warm line of a goal that went down, and the chart's words are all among them.
    for msgid in ("What goes well", "Your own score", "That happens sometimes.", "Your own scores, from old to new"):
        assert any(m.startswith(msgid) for m in msgids), msgid
    assert len(dutch_sentences()) >= 20


def test_the_fixed_dutch_texts_of_the_print_are_plain_dutch(dutch_textstat):
    text = " ".join(dutch_sentences())
    douma = dutch_textstat.flesch_reading_ease(text)
    words_per_sentence = dutch_textstat.words_per_sentence(text)
    assert douma >= MIN_DOUMA, f"Flesch-Douma {douma:.0f}"
    assert words_per_sentence <= MAX_WORDS_PER_SENTENCE, f"{words_per_sentence:.1f} words per sentence"
