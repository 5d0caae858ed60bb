"""The translation catalogues are complete, consistent and up to date with the code.

When a test here fails after you added or changed a user-facing string: run
`make update-translations`, translate the new entries in app/translations/nl/LC_MESSAGES/messages.po
(the en catalogue is filled from the msgids) and run the tests again.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import PYTHON_FORMAT, Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from config import Config

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "app" / "translations"
LANGUAGES = tuple(Config.LANGUAGES)
FIX = "Run `make update-translations`, then translate the new entries (see tests/test_translations.py)."


def catalogue_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def load(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]  # without the header


def key(message: Message) -> tuple:
    return (message.context, message.id if isinstance(message.id, str) else tuple(message.id))


def show(message: Message) -> str:
    shown = repr(message.id if isinstance(message.id, str) else tuple(message.id))
    return f"{shown} (context {message.context!r})" if message.context else shown


def placeholders(text: str) -> tuple[frozenset, tuple]:
    """The python-format placeholders of a string: named ones as a set, positional ones in order."""
    named, positional = set(), []
    for name, _spec, conversion in PYTHON_FORMAT.findall(text):
        if conversion == "%" and not name:
            continue  # a literal %%
        if name:
            named.add((name, conversion))
        else:
            positional.append(conversion)
    return frozenset(named), tuple(positional)


def makefile_extract_args(output: Path) -> list[str]:
    """The arguments of the Makefile's own `pybabel extract`, so this test extracts exactly as it does."""
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if "pybabel extract" in line:
            words = shlex.split(line)
            break
    else:
        pytest.fail("The Makefile has no `pybabel extract` line: update makefile_extract_args in this test.")
    args, rest = [], iter(words[words.index("extract") + 1 :])
    for word in rest:
        if word in ("-o", "--output-file"):
            next(rest, None)
        elif not word.startswith(("-o", "--output-file=")):
            args.append(word)
    if any("$" in word for word in args):
        pytest.fail(f"The Makefile's `pybabel extract` uses make variables this test cannot expand: {args}")
    return [*args, "-o", str(output)]


@pytest.fixture(autouse=True)
def _clean_database():
    """These tests read files only: override conftest's autouse fixture so they need no database."""
    yield


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[tuple, Message]:
    """The messages the code holds now."""
    output = tmp_path_factory.mktemp("babel") / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", *makefile_extract_args(output)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stderr}"
    return {key(message): message for message in entries(load(output))}


def test_every_language_has_a_catalogue():
    missing = [lang for lang in LANGUAGES if not catalogue_path(lang).is_file()]
    init = "`.venv/bin/pybabel init -i app/translations/messages.pot -d app/translations -l <lang>`"
    assert not missing, f"No catalogue for {missing}: run {init}, then `make update-translations`."


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_header(lang):
    catalog = load(catalogue_path(lang))
    assert str(catalog.locale) == lang, f"{lang}: the header says Language: {catalog.locale}"
    expected = get_plural(lang)
    assert (catalog.num_plurals, catalog.plural_expr) == (expected.num_plurals, expected.plural_expr), (
        f"{lang}: Plural-Forms should be 'nplurals={expected.num_plurals}; plural={expected.plural_expr};'"
    )
    assert not catalog.fuzzy, f"{lang}: the catalogue header is marked fuzzy"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_complete(lang):
    catalog = load(catalogue_path(lang))
    untranslated, fuzzy = [], []
    for message in entries(catalog):
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.pluralizable:
            forms += [""] * (catalog.num_plurals - len(forms))
        if not all(form.strip() for form in forms):
            untranslated.append(show(message))
        if message.fuzzy:
            fuzzy.append(show(message))
    problems = []
    if untranslated:
        problems.append("untranslated:\n  " + "\n  ".join(untranslated))
    if fuzzy:
        problems.append("fuzzy (check the translation, then remove the fuzzy flag):\n  " + "\n  ".join(fuzzy))
    hint = "For en, run `.venv/bin/python app/translations/sync_en.py`." if lang == "en" else ""
    assert not problems, f"{catalogue_path(lang).relative_to(ROOT)}:\n" + "\n".join(problems) + f"\n{hint}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang):
    catalog = load(catalogue_path(lang))
    problems = []
    for message in entries(catalog):
        if message.pluralizable:
            singular, plural = message.id[0], message.id[1]
            sources = [singular if i == 0 and catalog.num_plurals > 1 else plural for i in range(len(message.string))]
            pairs = list(zip(sources, message.string, strict=True))
        else:
            pairs = [(message.id, message.string)]
        for source, translation in pairs:
            if translation and placeholders(translation) != placeholders(source):
                problems.append(f"{source!r} -> {translation!r}")
    # Babel's own checks: what `pybabel compile` warns about.
    for message, errors in catalog.check():
        problems += [f"{show(message)}: {error}" for error in errors]
    assert not problems, (
        f"{catalogue_path(lang).relative_to(ROOT)}: placeholders differ from the msgid:\n  " + "\n  ".join(problems)
    )


@pytest.mark.parametrize("path", [*(catalogue_path(lang) for lang in LANGUAGES), TRANSLATIONS / "messages.pot"])
def test_catalogue_is_up_to_date_with_the_code(path, extracted):
    if not path.is_file():
        pytest.skip(f"{path} does not exist")
    held = {key(message): message for message in entries(load(path))}
    missing = sorted((show(extracted[k]) for k in extracted.keys() - held.keys()), key=str.lower)
    extra = sorted((show(held[k]) for k in held.keys() - extracted.keys()), key=str.lower)
    problems = []
    if missing:
        problems.append("in the code but not in the catalogue:\n  " + "\n  ".join(missing))
    if extra:
        problems.append("in the catalogue but no longer in the code:\n  " + "\n  ".join(extra))
    assert not problems, f"{path.relative_to(ROOT)} is out of date with the code. {FIX}\n" + "\n".join(problems)
