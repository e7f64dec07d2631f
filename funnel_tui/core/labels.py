"""The names of things the team can rename, as each rep reads them.

Stages, lead sources, reasons and ICP criteria are names in funnel.toml, stored as written
(they are the team's data). While the team keeps a shipped default ("Proposal", "Trade
show", "No budget"), each rep reads it in their own language; a name the team wrote
("Angebot", "Targi Poznań") reads as written, in every language. Typed back (a CLI
option, an import's cell), either the stored name or the rep's translation of it is taken.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from funnel_tui.core.folding import fold
from funnel_tui.core.i18n import ENGLISH, N_, _, current_language, pgettext

# Every name default_config.toml ships (tests/test_catalogs.py keeps the two in step).
DEFAULT_NAMES = frozenset(
    {
        # stages
        N_("Qualification"),
        N_("Needs analysis"),
        N_("Proposal"),
        N_("Negotiation"),
        N_("Won"),
        N_("Lost"),
        # lead sources
        N_("Web form"),
        N_("Trade show"),
        N_("Referral"),
        N_("Business card"),
        N_("Cold list"),
        N_("Inbound call"),
        N_("Partner"),
        N_("Social"),
        # why a lead is unqualified
        N_("No budget"),
        N_("No need"),
        N_("Not the decision maker"),
        N_("Wrong company size"),
        N_("Outside our regions"),
        N_("Competitor or partner"),
        N_("Student or job seeker"),
        N_("Spam or fake contact"),
        N_("Duplicate"),
        # why a deal was lost
        N_("Price"),
        N_("Lost to competitor"),
        N_("No decision"),
        N_("Timing"),
        N_("Went silent"),
        N_("Product fit"),
        N_("Other"),
        # ICP criteria
        N_("Industry"),
        N_("Company size (employees)"),
        N_("Region"),
        N_("Budget (EUR)"),
    }
)


def shown_name(name: str) -> str:
    """`name` as this rep reads it: translated while it is a shipped default."""
    return _(name) if name in DEFAULT_NAMES else name


def typed_name(text: str, names: Iterable[str]) -> str | None:
    """The stored name among `names` that `text` gives, as stored or as any of the five
    languages reads it, whatever the case and accents ("angebot", "Oferta", "提案" →
    "Proposal"); None when none does. Every language, not only the rep's: a script run
    with `--format json` speaks English, and a team shares its files."""
    wanted = fold(text.strip())
    names = list(names)
    for name in names:
        if wanted in (fold(name), fold(shown_name(name))):
            return name
    for name in names:
        if name in DEFAULT_NAMES and wanted in _translations(name):
            return name
    return None


def _translations(name: str) -> set[str]:
    """`name` folded as each language funnel speaks reads it."""
    return {fold(catalog.get(name, name)) for catalog in _catalogs()}


@cache
def _catalogs() -> tuple[dict[str, str], ...]:
    from funnel_tui.core.i18n import LANGUAGES, load_catalog

    return tuple(load_catalog(language)[0] for language in LANGUAGES if language != ENGLISH)


# ------------------------------------------------------------------ fields
#
# The field a refusal names (Problem.field) is a stable key, written as such by
# `--format json`; a person reads it in their language. English reads the key itself,
# as it always has ("phone: …", "close date: …").


@cache
def _field_labels(language: str) -> dict[str, str]:
    """The table for `language` (the key of the cache: lookups happen per list row)."""
    return {
        "name": pgettext("field", "name"),
        "company": pgettext("field", "company"),
        "title": pgettext("field", "title"),
        "phone": pgettext("field", "phone"),
        "email": pgettext("field", "email"),
        "country": pgettext("field", "country"),
        "source": pgettext("field", "source"),
        "notes": pgettext("field", "notes"),
        "owner": pgettext("field", "owner"),
        "user": pgettext("field", "user"),
        "status": pgettext("field", "status"),
        "reason": pgettext("field", "reason"),
        "until": pgettext("field", "until"),
        "due": pgettext("field", "due"),
        "close": pgettext("field", "close"),
        "close date": pgettext("field", "close date"),
        "stage": pgettext("field", "stage"),
        "state": pgettext("field", "state"),
        "amount": pgettext("field", "amount"),
        "currency": pgettext("field", "currency"),
        "industry": pgettext("field", "industry"),
        "employees": pgettext("field", "employees"),
        "website": pgettext("field", "website"),
        "budget": pgettext("field", "budget"),
        "authority": pgettext("field", "authority"),
        "need": pgettext("field", "need"),
        "timeline": pgettext("field", "timeline"),
        "score": pgettext("field", "score"),
        "type": pgettext("field", "type"),
        "direction": pgettext("field", "direction"),
        "outcome": pgettext("field", "outcome"),
        "next action": pgettext("field", "next action"),
        "next_action": pgettext("field", "next action"),  # an activity's, checked as text
        "sort": pgettext("field", "sort"),
        # A hand-over's owners (rules.assign), not a date range: "An" in German, 移交給.
        "from": pgettext("field", "from"),
        "to": pgettext("field", "to"),
        "days": pgettext("field", "days"),
        "record": pgettext("field", "record"),
        "contact": pgettext("field", "contact"),
        "leads": pgettext("field", "leads"),
        "other": pgettext("field", "other"),
        "undo": pgettext("field", "undo"),
        "version": pgettext("field", "version"),
        "id": pgettext("field", "id"),
        "database": pgettext("field", "database"),
        "lead": pgettext("field", "lead"),
        "deals": pgettext("field", "deals"),
        "level": pgettext("field", "level"),
        "bant": pgettext("field", "bant"),
        "item": pgettext("field", "item"),
        "answer": pgettext("field", "answer"),
        # A merge's --take FIELD=SIDE (rules.merge): which side's value to keep.
        "take": pgettext("field", "take"),
        # An erasure's confirmation, the lead's name typed (rules.erasure).
        "confirm": pgettext("field", "confirm"),
    }


def field_label(key: str) -> str:
    """The field `key` as this rep reads it in a refusal ("phone" → "Telefon");
    a key with no label reads as itself, "_" as a space."""
    if current_language() == ENGLISH:
        return key
    return _field_labels(current_language()).get(key) or key.replace("_", " ")


def row_label(row: int) -> str:
    """Where in a file: "row 3", "Zeile 3", "第 3 列" (a row in Taiwan), "第 3 行"."""
    return _("row {row}").format(row=row)


# ------------------------------------------------------------------ stored words
#
# Statuses, levels, deal states, answers, activity kinds and outcomes are stored as keys
# (core.vocab) and written so by `--format json/csv`. English shows the key itself, as
# it always has ("working", "prospect"); other languages their word for it.


@cache
def _vocab_labels(language: str) -> dict[str, str]:
    """The table for `language` (the key of the cache: lookups happen per list row)."""
    return {
        "new": pgettext("status", "new"),
        "working": pgettext("status", "working"),
        "nurturing": pgettext("status", "nurturing"),
        "unqualified": pgettext("status", "unqualified"),
        "lead": pgettext("level", "lead"),
        "prospect": pgettext("level", "prospect"),
        "opportunity": pgettext("level", "opportunity"),
        "customer": pgettext("level", "customer"),
        "open": pgettext("deal state", "open"),
        "won": pgettext("deal state", "won"),
        "lost": pgettext("deal state", "lost"),
        "unknown": pgettext("answer", "unknown"),
        "yes": pgettext("answer", "yes"),
        "no": pgettext("answer", "no"),
        "call": pgettext("activity", "call"),
        "email": pgettext("activity", "email"),
        "meeting": pgettext("activity", "meeting"),
        "sms": pgettext("activity", "sms"),
        "social": pgettext("activity", "social"),
        "in_person": pgettext("activity", "in person"),
        "note": pgettext("activity", "note"),
        "outbound": pgettext("direction", "outbound"),
        "inbound": pgettext("direction", "inbound"),
        "reached": pgettext("outcome", "reached"),
        "no_answer": pgettext("outcome", "no answer"),
        "left_voicemail": pgettext("outcome", "left voicemail"),
        "busy": pgettext("outcome", "busy"),
        "wrong_number": pgettext("outcome", "wrong number"),
        "sent": pgettext("outcome", "sent"),
        "replied": pgettext("outcome", "replied"),
        "bounced": pgettext("outcome", "bounced"),
        "held": pgettext("outcome", "held"),
        "no_show": pgettext("outcome", "no show"),
        "rescheduled": pgettext("outcome", "rescheduled"),
        "connected": pgettext("outcome", "connected"),
        "met": pgettext("outcome", "met"),
        "budget": pgettext("bant", "budget"),
        "authority": pgettext("bant", "authority"),
        "need": pgettext("bant", "need"),
        "timeline": pgettext("bant", "timeline"),
    }


def vocab_label(key: str) -> str:
    """A stored key as this rep reads it ("working" → "In Bearbeitung"); English, and
    a key with no word, read as the key."""
    if current_language() == ENGLISH:
        return key
    return _vocab_labels(current_language()).get(key, key)
