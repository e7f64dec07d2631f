"""vCards in and out, through vobject (a maintained parser of vCard 2.1, 3.0 and 4.0).

In: a file of one or many cards, streamed card by card. Each card is cut from the file
here and parsed alone, so a broken card is refused by its number and the next one is
read. vobject unfolds lines and decodes quoted-printable with the card's CHARSET, as
phones write them. A card's fields become a lead's; a card's other phone numbers and
addresses go into the notes, so nothing on the card is lost.

Out: one card per lead, vCard 3.0 (what phones read best) or 4.0.
"""

from __future__ import annotations

import base64
import io
import quopri
import re
from collections.abc import Iterator, Mapping
from typing import Any

from funnel_tui.core import formats
from funnel_tui.core.countries import country_code
from funnel_tui.core.i18n import _
from funnel_tui.core.person_names import is_cjk, join_name, split_name
from funnel_tui.transfer.csvfile import RawRow
from funnel_tui.transfer.textfile import FileFacts, Lines, most_readable

# What a card becomes, in the order the reject file lists it.
CARD_FIELDS = ("name", "company", "title", "phone", "email", "country", "source", "notes")
# Properties funnel does not import and would only slow the parser: pictures, sounds
# and keys are long base64 blocks.
_SKIPPED = re.compile(r"^(?:[\w-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]", re.IGNORECASE)
# A card longer than this (without its pictures) is not a business card.
MAX_CARD_CHARS = 1_000_000
SOURCE_PROPERTY = "x-funnel-source"


class VCardRows:
    """The cards of a vCard file as rows: `number` counts cards from 1, `cells` are
    CARD_FIELDS. `header` is CARD_FIELDS, so reject files and mapping treat a card
    like a CSV row."""

    delimiter = ""

    def __init__(self, facts: FileFacts):
        self.header = list(CARD_FIELDS)
        self.facts = facts
        self.lines = Lines(facts)

    @property
    def position(self) -> int:
        return self.lines.position

    def __iter__(self) -> Iterator[RawRow]:
        number = 0
        for text, problems in self._cards():
            number += 1
            if problems:
                yield RawRow(number, [""] * len(CARD_FIELDS), problems)
                continue
            try:
                fields = card_fields(text)
            except Exception as exc:  # vobject raises many kinds on a broken card
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                yield RawRow(
                    number,
                    [""] * len(CARD_FIELDS),
                    [_("could not be read: {reason}").format(reason=reason)],
                )
                continue
            yield RawRow(number, [fields.get(f, "") for f in CARD_FIELDS])

    def _cards(self) -> Iterator[tuple[str, list[str]]]:
        """Each card's text (BEGIN to END) with the problems met reading it."""
        lines: list[str] = []
        size, inside, skipping = 0, False, False
        used, known = True, 0  # whether the property being read is one funnel uses
        for line in self.lines:
            if _PROPERTY.match(line):
                used = _property_name(line) in _USED
            if not used:
                # A bad byte in a property funnel does not read costs nothing.
                del self.lines.problems[known:]
            known = len(self.lines.problems)
            upper = line[:12].upper()
            if not inside:
                if upper.startswith("BEGIN:VCARD"):
                    lines, size, inside, skipping = [line], len(line), True, False
                    self.lines.problems, known = [], 0
                continue
            if upper.startswith("END:VCARD"):
                lines.append(line)
                problems, self.lines.problems, known = self.lines.problems, [], 0
                if size > MAX_CARD_CHARS:
                    problems.append(
                        _("is longer than {count} characters").format(
                            count=formats.number(MAX_CARD_CHARS)
                        )
                    )
                yield "".join(lines), problems
                inside, lines = False, []
                continue
            if line[:1] in " \t" and skipping:
                continue  # a folded line of a skipped property
            skipping = bool(_SKIPPED.match(line))
            if skipping:
                continue
            size += len(line)
            if size <= MAX_CARD_CHARS:
                lines.append(line)
        if inside:
            yield "".join(lines), [_("has no END:VCARD (the file is cut off?)")]


_PROPERTY = re.compile(r"[A-Za-z0-9.-]+[;:]")
_USED = frozenset(
    {"BEGIN", "END", "VERSION", "FN", "N", "ORG", "TITLE", "TEL", "EMAIL", "ADR", "NOTE"}
    | {SOURCE_PROPERTY.upper()}
)


def _property_name(line: str) -> str:
    name = re.split(r"[;:]", line, maxsplit=1)[0].upper()
    return name.rpartition(".")[2]  # "item1.EMAIL" is an EMAIL


def card_fields(text: str) -> dict[str, str]:
    """A card's text as lead fields (empty ones left out).

    vobject unfolds the lines and decodes quoted-printable; the values are unescaped
    here, not by vobject's vCard 3.0 rules, which cut a text at its first unescaped
    comma ("Director, Procurement" read as "Director"), a comma phones do not escape.
    """
    from vobject.base import ParseError, getLogicalLines, textLineToContentLine

    props: dict[str, list[Any]] = {}
    for line, number in getLogicalLines(io.StringIO(text), allowQP=True):
        try:
            prop = textLineToContentLine(_with_charset(line), number)
        except ParseError:
            # A line vobject cannot read ("X-SOCIALPROFILE;type=twitter", no value)
            # costs the card only when it is one of the properties a lead is made of.
            if _property_name(line) in _USED:
                raise
            continue
        props.setdefault(prop.name.lower(), []).append(prop)
    out: dict[str, str] = {}
    if "fn" in props:
        out["name"] = _value(props["fn"][0])
    if "org" in props:
        out["company"] = _parts(props["org"][0])[0]
    if "title" in props:
        out["title"] = _value(props["title"][0])
    extra: list[str] = []
    phones = sorted(props.get("tel", []), key=_preference)
    if phones:
        out["phone"] = _phone(_value(phones[0]))
        extra += [f"Other phone{_kinds(p)}: {_phone(_value(p))}" for p in phones[1:]]
    emails = sorted(props.get("email", []), key=_preference)
    if emails:
        out["email"] = _value(emails[0])
        extra += [f"Other email{_kinds(e)}: {_value(e)}" for e in emails[1:]]
    for adr in props.get("adr", []):
        parts = _parts(adr)
        country = parts[6] if len(parts) > 6 else ""
        if not country:
            continue
        # An address's country never costs the card: one funnel does not know goes into
        # the notes, as written.
        code = country_code(country)
        if code and "country" not in out:
            out["country"] = code
        elif not code:
            extra.append(f"Address country{_kinds(adr)}: {country}")
    if "n" in props:
        family, given, additional, prefix, suffix = (_parts(props["n"][0]) + [""] * 5)[:5]
        joined = join_name(given, family, additional, prefix, suffix, out.get("country", ""))
        western = " ".join(p for p in (prefix, given, additional, family, suffix) if p)
        # No FN, or an FN a phone joined given name first ("伟 李") from a CJK N.
        if not out.get("name") or (out["name"] == western and is_cjk(family + given)):
            out["name"] = joined
    if SOURCE_PROPERTY in props:
        out["source"] = _value(props[SOURCE_PROPERTY][0])
    notes = [_value(note) for note in props.get("note", [])]
    out["notes"] = "\n".join(n for n in [*notes, *extra] if n)
    return {k: val.strip() for k, val in out.items() if val and val.strip()}


# Code pages a quoted-printable value without a CHARSET may be in: old phones wrote
# their own (ISO-8859-2 in Poland, Windows code pages from Outlook).
_QP_CHARSETS = ("iso8859_2", "cp1250", "cp1252", "iso8859_15", "cp1251", "cp932", "cp936", "cp950")


def _with_charset(line: str) -> str:
    """A quoted-printable property line given the CHARSET its bytes read best in, when
    it names none: vobject would read them as UTF-8 and refuse the card."""
    head, sep, value = line.partition(":")
    upper = head.upper()
    if not sep or "QUOTED-PRINTABLE" not in upper or "CHARSET=" in upper:
        return line
    data = quopri.decodestring(value.encode("ascii", errors="replace"))
    try:
        data.decode("utf-8")
        return line
    except UnicodeDecodeError:
        pass
    return f"{head};CHARSET={most_readable(data, _QP_CHARSETS[0], _QP_CHARSETS)}:{value}"


_ESCAPED = re.compile(r"\\(.)")
_UNESCAPED = {"n": "\n", "N": "\n"}


def _raw(prop: Any) -> str:
    """A property's value as written (quoted-printable already decoded), base64 decoded."""
    value = prop.value
    encoding = [e.lower() for e in prop.params.get("ENCODING", [])]
    if "b" in encoding or "base64" in encoding or "base64" in _types(prop):
        charset = (prop.params.get("CHARSET") or ["utf-8"])[0]
        try:
            value = base64.b64decode(str(value).strip()).decode(charset, errors="replace")
        except (ValueError, LookupError):
            return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return str(value)


def _unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), text)


def _value(prop: Any) -> str:
    return _unescape(_raw(prop)).strip()


def _parts(prop: Any) -> list[str]:
    """The components of a structured value (N, ORG, ADR), split at unescaped ";"."""
    return [_unescape(part).strip() for part in re.split(r"(?<!\\);", _raw(prop))]


def _phone(value: str) -> str:
    """A TEL value as a number: vCard 4.0 writes it as a tel: URI."""
    text = value.strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
        number, _sep, params = text.partition(";")
        ext = re.search(r"ext=([0-9]+)", params)
        text = f"{number} ext. {ext.group(1)}" if ext else number
    return text


def _types(prop: Any) -> set[str]:
    kinds = {s.lower() for s in getattr(prop, "singletonparams", [])}
    for value in prop.params.get("TYPE", []):
        kinds |= {part.strip().lower() for part in value.split(",")}
    return kinds


def _preference(prop: Any) -> tuple[int, int]:
    """Sort key: the card's preferred value first, then a mobile number."""
    kinds = _types(prop)
    pref = prop.params.get("PREF", [""])[0]  # vCard 4.0: PREF=1 is the most preferred
    preferred = "pref" in kinds or pref.isdigit()
    rank = int(pref) if pref.isdigit() else (1 if preferred else 101)
    return (rank, 0 if kinds & {"cell", "mobile"} else 1)


def _kinds(prop: Any) -> str:
    kinds = sorted(_types(prop) - {"pref", "internet", "voice", "x400"})
    return f" ({', '.join(kinds)})" if kinds else ""


# ----------------------------------------------------------------------------- out

VCARD_VERSIONS = ("3.0", "4.0")


def lead_card(lead: Mapping[str, Any], version: str = "3.0") -> str:
    """One lead as a vCard; `lead` has the export's columns."""
    import vobject

    card = vobject.vCard()
    card.add("version").value = version
    name = lead.get("name") or ""
    card.add("fn").value = name
    family, given, additional, prefix, suffix = split_name(name, lead.get("country") or "")
    card.add("n").value = vobject.vcard.Name(
        family=family, given=given, additional=additional, prefix=prefix, suffix=suffix
    )
    if lead.get("company"):
        card.add("org").value = [lead["company"]]
    if lead.get("title"):
        card.add("title").value = lead["title"]
    if lead.get("phone"):
        tel = card.add("tel")
        kind = "cell" if lead.get("phone_type") == "mobile" else "work"
        if version == "4.0":
            number, _sep, ext = str(lead["phone"]).partition(" ext. ")
            tel.value = f"tel:{number}" + (f";ext={ext}" if ext else "")
            tel.params["VALUE"] = ["uri"]
            tel.params["TYPE"] = [kind, "voice"]
        else:
            tel.value = lead["phone"]
            tel.params["TYPE"] = [kind, "voice"]
    if lead.get("email"):
        email = card.add("email")
        email.value = lead["email"]
        email.params["TYPE"] = ["work"] if version == "4.0" else ["internet", "work"]
    if lead.get("country_name"):
        card.add("adr").value = vobject.vcard.Address(country=lead["country_name"])
    if lead.get("notes"):
        card.add("note").value = lead["notes"]
    if lead.get("source"):
        card.add(SOURCE_PROPERTY).value = lead["source"]
    if lead.get("id"):
        card.add("uid").value = f"funnel-lead-{lead['id']}"
    return card.serialize()
