"""The catalogs are whole and the language is chosen as the issue says: every message of
the source translated in every language, nothing stale, placeholders kept; lookups of
literal strings only; `_` never shadowed; the language from --lang, funnel.toml or the
environment, with no OS locale needed."""

from __future__ import annotations

import io
import tomllib

import pytest

from funnel_tui.config import DEFAULT_CONFIG
from funnel_tui.core import catalog_tool
from funnel_tui.core.i18n import (
    LANGUAGES,
    _,
    catalog_files,
    choose_language,
    format_locale,
    language_of,
    ngettext,
    plural_rule,
    set_language,
    use_language,
)
from funnel_tui.core.labels import DEFAULT_NAMES, shown_name, typed_name
from funnel_tui.core.po_files import parse


def test_every_catalog_holds_every_message_translated_and_nothing_stale():
    problems = catalog_tool.check()
    assert problems == [], "\n".join(problems[:40]) + f"\n… {len(problems)} in all"


def test_every_lookup_is_of_a_literal_and_underscore_is_never_a_variable():
    problems = []
    for path in catalog_tool._python_files(None):
        problems += catalog_tool.unliteral_calls(path) + catalog_tool.shadowed_underscore(path)
    assert problems == []


def test_the_checks_catch_what_they_are_for(tmp_path):
    source = tmp_path / "bad.py"
    source.write_text(
        "from funnel_tui.core.i18n import _\n"
        "def f(x):\n"
        "    for _ in x:\n"
        "        pass\n"
        "    return _(f'{x}')\n",
        "utf-8",
    )
    catalog_tool.ROOT, root = tmp_path, catalog_tool.ROOT
    try:
        assert len(catalog_tool.shadowed_underscore(source)) == 1
        assert len(catalog_tool.unliteral_calls(source)) == 1
    finally:
        catalog_tool.ROOT = root
    message = catalog_tool.Message("{field} is required", locations=["x.py"])
    entry = parse('msgid "{field} is required"\nmsgstr "{feld} ist Pflicht"\n')[1][0]
    assert catalog_tool._entry_problems(message, entry)
    fuzzy = parse('#, fuzzy\nmsgid "Save"\nmsgstr "Speichern"\n')[1][0]
    assert not fuzzy.translated


def test_our_po_reader_reads_each_catalog_as_babel_does():
    from babel.messages.pofile import read_po

    for language in LANGUAGES[1:]:
        for path in catalog_files(language):
            ours = {e.key: e.msgstr for e in parse(path.read_text("utf-8"))[1]}
            theirs = {}
            for message in read_po(io.BytesIO(path.read_bytes())):
                if not message.id:
                    continue
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                key = f"{message.context}\x04{msgid}" if message.context else msgid
                strings = message.string
                theirs[key] = list(strings) if isinstance(strings, tuple) else [strings]
            assert ours == theirs, path


def test_po_reader_handles_context_plurals_escapes_and_continuations():
    header, entries = parse(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : 1);\\n"\n\n'
        '#: a.py\nmsgctxt "deal"\nmsgid "Open"\nmsgstr "Offen"\n\n'
        'msgid "{count} lead"\nmsgid_plural "{count} leads"\n'
        'msgstr[0] "{count} lead"\nmsgstr[1] "{count} leady"\nmsgstr[2] "{count} leadów"\n\n'
        'msgid ""\n"a \\"quoted\\"\\n"\n"line"\nmsgstr "b"\n'
        '#~ msgid "gone"\n#~ msgstr "weg"\n'
    )
    assert header["Plural-Forms"].startswith("nplurals=3")
    assert [e.key for e in entries] == ["deal\x04Open", "{count} lead", 'a "quoted"\nline']
    assert entries[1].msgstr == ["{count} lead", "{count} leady", "{count} leadów"]


def test_polish_plural_rule_has_three_forms():
    rule = plural_rule(
        "n == 1 ? 0 : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14) ? 1 : 2"
    )
    assert [rule(n) for n in (1, 2, 4, 5, 12, 22, 25, 112, 122)] == [0, 1, 1, 2, 2, 1, 2, 2, 1]


def test_english_needs_no_catalog_and_plurals_follow_the_count():
    assert _("Save") == "Save"
    assert ngettext("{count} lead", "{count} leads", 1) == "{count} lead"
    assert ngettext("{count} lead", "{count} leads", 3) == "{count} leads"


@pytest.mark.parametrize(
    ("value", "language"),
    [
        ("de_DE.UTF-8", "de"),
        ("de-AT", "de"),
        ("pl_PL.utf8", "pl"),
        ("zh_TW.UTF-8", "zh_TW"),
        ("zh_HK", "zh_TW"),
        ("zh_Hant", "zh_TW"),
        ("zh_CN.GB18030", "zh_CN"),
        ("zh", "zh_CN"),
        ("C", "en"),
        ("POSIX", "en"),
        ("en_US.UTF-8", "en"),
        ("fr_FR.UTF-8", ""),
        ("", ""),
    ],
)
def test_language_of_reads_locale_names_without_the_os_having_them(value, language):
    assert language_of(value) == language


def test_the_language_is_chosen_by_option_then_config_then_environment():
    env = {"LANG": "pl_PL.UTF-8"}
    assert choose_language("de", "zh_TW", env) == "de"
    assert choose_language("", "zh_TW", env) == "zh_TW"
    assert choose_language("", "", env) == "pl"
    assert choose_language("", "", {"LANGUAGE": "fr:de", "LANG": "pl_PL.UTF-8"}) == "de"
    assert choose_language("", "", {"LC_ALL": "C", "LANGUAGE": "de"}) == "en"
    assert choose_language("", "", {"LC_MESSAGES": "zh_TW.UTF-8", "LANG": "de_DE"}) == "zh_TW"
    assert choose_language("", "", {"LANG": "fr_FR.UTF-8"}) == "en"
    assert choose_language("", "", {}) == "en"


def test_dates_and_money_follow_the_language_unless_a_locale_says_otherwise():
    assert format_locale("de", "", {"LANG": "C.UTF-8"}) == "de_DE"
    assert format_locale("de", "", {"LANG": "de_AT.UTF-8"}) == "de_AT"
    assert format_locale("de", "", {"LANG": "en_US.UTF-8"}) == "de_DE"
    assert format_locale("de", "de_CH", {"LANG": "de_AT.UTF-8"}) == "de_CH"
    assert format_locale("zh_TW", "", {}) == "zh_Hant_TW"


def test_an_unknown_language_is_refused_and_english_comes_back_after_a_block():
    with pytest.raises(ValueError):
        set_language("fr")
    with use_language("de"):
        pass
    assert _("Save") == "Save"


def test_the_shipped_names_are_exactly_those_of_the_default_config():
    data = tomllib.loads(DEFAULT_CONFIG.read_text("utf-8"))
    shipped = {stage["name"] for stage in data["stages"]}
    shipped |= set(data["lead_sources"]) | set(data["unqualified_reasons"])
    shipped |= set(data["loss_reasons"]) | {c["label"] for c in data["icp"] if c.get("label")}
    assert shipped == DEFAULT_NAMES


def test_a_renamed_stage_reads_as_written_and_a_default_one_is_typed_either_way():
    with use_language("de"):
        assert shown_name("Angebot 2026") == "Angebot 2026"
        proposal = shown_name("Proposal")
        assert typed_name(proposal.upper(), ["Qualification", "Proposal"]) == "Proposal"
        assert typed_name("proposal", ["Qualification", "Proposal"]) == "Proposal"
        assert typed_name("nothing", ["Proposal"]) is None


def test_a_catalogs_parse_is_kept_and_never_served_for_other_files(tmp_path, monkeypatch):
    """The parse kept in the cache folder reads back as the files say; a catalog edited
    since (another size or time) is parsed again, and a damaged cache is ignored."""
    import shutil

    from funnel_tui.core import i18n

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    locales = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES_DIR / "de", locales / "de")
    monkeypatch.setattr(i18n, "LOCALES_DIR", locales)
    parsed = i18n.load_catalog("de")
    cache = i18n._cache_file("de")
    assert cache.is_file()
    again = i18n.load_catalog("de")
    assert again[:2] == parsed[:2] and again[2](5) == parsed[2](5)

    po = locales / "de" / "LC_MESSAGES" / "funnel.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Gesamt"', 'msgstr "Insgesamt"'), encoding="utf-8")
    assert i18n.load_catalog("de")[0]["all"] == "Insgesamt"

    cache.write_bytes(b"not marshal at all")
    assert i18n.load_catalog("de")[0]["all"] == "Insgesamt"


def test_a_message_inside_an_f_string_is_named_as_hidden_from_the_catalog(tmp_path):
    from funnel_tui.core.catalog_tool import hidden_messages

    source = tmp_path / "screen.py"
    source.write_text(
        "from funnel_tui.core.i18n import _\n"
        "said = f\"{_('Saved')} at {when}\"\n"
        'fine = _("Saved at {when}").format(when=when)\n',
        encoding="utf-8",
    )
    (found,) = hidden_messages([source])
    assert found.startswith(f"{source}:2: _('Saved') inside an f-string")
    assert hidden_messages() == []  # and none in funnel itself
