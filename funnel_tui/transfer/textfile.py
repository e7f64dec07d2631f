"""What a file of leads is (CSV, vCard, an Excel workbook) and how its text is encoded;
its lines, streamed.

A file is never read whole. Its kind and encoding are judged on its first 64 KiB and
its lines are read one block at a time, so a 1 GB file costs the memory of a block and
a line. A line that cannot be decoded, or is too long to be a row, is still yielded
(as well as it can be read) with a problem noted, so the row it belongs to is refused
by name and the rest of the file goes on.
"""

from __future__ import annotations

import codecs
import io
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from funnel_tui.core.errors import FileRefused
from funnel_tui.core.i18n import N_, _

CSV = "csv"
VCARD = "vcard"
XLSX = "xlsx"

SAMPLE_BYTES = 64 * 1024
BLOCK_BYTES = 1024 * 1024
# No row of leads is this long: a longer line is an unclosed quote, a blob or a file
# that is not text. It is skipped (its row refused), never held in memory.
MAX_LINE_BYTES = 4 * 1024 * 1024

# Legacy encodings a file that is not UTF-8 may be in: Windows code pages first, as
# Excel on Windows writes "CSV" in the system's ANSI code page.
LEGACY_CODECS = (
    "cp1252",  # Western European
    "cp1250",  # Central European
    "cp1251",  # Cyrillic
    "cp1253",  # Greek
    "cp1254",  # Turkish
    "cp1257",  # Baltic
    "cp932",  # Japanese (Shift JIS)
    "cp936",  # Simplified Chinese (GBK)
    "cp949",  # Korean
    "cp950",  # Traditional Chinese (Big5)
    "mac_roman",
)
_LABELS = {
    "utf-8": "UTF-8",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16 (big-endian)",
    "utf-32-le": "UTF-32",
    "utf-32-be": "UTF-32 (big-endian)",
    "cp1252": "Windows-1252 (Western European)",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "cp1257": "Windows-1257 (Baltic)",
    "cp932": "Shift JIS (Japanese)",
    "cp936": "GBK (Simplified Chinese)",
    "cp949": "Windows-949 (Korean)",
    "cp950": "Big5 (Traditional Chinese)",
    "mac_roman": "Mac Roman",
    "xlsx": "Excel workbook",
}
_BOMS = (
    # UTF-32 first: its little-endian mark begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Files people pick by mistake, known by their first bytes.
_MAGIC = (
    (b"PK\x03\x04", N_("a zip archive (an .ods workbook?): save it as CSV or .xlsx first")),
    (b"\xd0\xcf\x11\xe0", N_("an Excel .xls workbook: save it as CSV first")),
    (b"%PDF", N_("a PDF document")),
    (b"\x89PNG", N_("a PNG image")),
    (b"\xff\xd8\xff", N_("a JPEG image")),
    (b"GIF8", N_("a GIF image")),
    (b"\x1f\x8b", N_("a gzip archive: unpack it first")),
    (b"SQLite format 3\x00", N_("a SQLite database (funnel migrate copies databases)")),
)
_WIDE_CODECS = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


@dataclass(frozen=True)
class Encoding:
    codec: str
    bom: int = 0  # bytes of byte-order mark at the start, skipped

    @property
    def label(self) -> str:
        name = _LABELS.get(self.codec, self.codec)
        return f"{name} with BOM" if self.bom and self.codec == "utf-8" else name


@dataclass(frozen=True)
class FileFacts:
    path: Path
    size: int
    kind: str  # CSV or VCARD
    encoding: Encoding
    newline: str  # "\n", or "\r" for files from old Macs
    notes: tuple[str, ...] = ()  # said before the import: e.g. the name says another type


def inspect_file(path: str | Path, encoding: str | None = None) -> FileFacts:
    """The kind and encoding of a file, judged on its start; FileRefused when it is
    missing, empty, binary or not in the encoding given."""
    path = Path(path)
    try:
        info = path.stat()
        size = info.st_size
        if path.is_dir():
            raise FileRefused(_("{path} is a folder, not a file").format(path=path))
        if not stat.S_ISREG(info.st_mode):
            # A pipe or /dev/stdin would be read to its end before a single row could be
            # shown, and read twice (checked, then imported): it would hang, or fail late.
            raise FileRefused(
                _(
                    "{path} is not a file but a pipe or a device: save what it gives into "
                    "a file first (… > leads.csv) and import that"
                ).format(path=path)
            )
        with path.open("rb") as raw:
            sample = raw.read(SAMPLE_BYTES)
    except FileRefused:
        raise
    except OSError as exc:
        raise FileRefused(
            _("{path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from exc
    if not sample.strip():
        raise FileRefused(_("{file} is empty").format(file=path.name))
    if sample.startswith(b"PK\x03\x04") and _is_workbook(path):
        notes = ()
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            notes = (
                _("{file} is named like another type but holds an Excel workbook").format(
                    file=path.name
                ),
            )
        return FileFacts(path, size, XLSX, Encoding("xlsx"), "\n", notes)
    for magic, what in _MAGIC:
        if sample.startswith(magic):
            raise FileRefused(
                _("{file} is {what}, not CSV or vCard").format(file=path.name, what=_(what))
            )
    vcard = sample.lstrip().upper().startswith(b"BEGIN:VCARD")
    found = _given_encoding(encoding) if encoding else detect_encoding(sample, vcard)
    text = _decode_sample(sample, found, complete=len(sample) == size)
    if text is None and not encoding and found.codec == "utf-8":
        text = sample.decode("utf-8", errors="replace")  # a bad byte or a split fold
    if text is None and encoding:
        raise FileRefused(
            _("{file} is not {encoding} text").format(file=path.name, encoding=found.label)
        )
    # Undecodable with the encoding detection fell back on: bytes of no text.
    if text is None or _looks_binary(text):
        raise FileRefused(
            _("{file} is a binary file, not CSV or vCard text").format(file=path.name)
        )
    if not text.strip():
        raise FileRefused(_("{file} is empty").format(file=path.name))
    kind = VCARD if text.lstrip().upper().startswith("BEGIN:VCARD") else CSV
    notes = []
    suffix = path.suffix.lower()
    if kind == CSV and suffix in (".vcf", ".vcard"):
        notes.append(
            _("{file} is named like a vCard file but holds CSV: read as CSV").format(file=path.name)
        )
    if kind == VCARD and suffix in (".csv", ".tsv", ".txt"):
        notes.append(
            _("{file} is named like a CSV file but holds vCards: read as vCards").format(
                file=path.name
            )
        )
    newline = "\r" if "\n" not in text and "\r" in text else "\n"
    return FileFacts(path, size, kind, found, newline, tuple(notes))


def _is_workbook(path: Path) -> bool:
    """Whether a zip file is an Excel .xlsx workbook (Office Open XML)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _given_encoding(name: str) -> Encoding:
    try:
        codec = codecs.lookup(name).name
    except LookupError as exc:
        raise FileRefused(
            _("encoding: {name!r} is not an encoding Python knows").format(name=name)
        ) from exc
    codec = {"utf-16": "utf-16-le", "utf-32": "utf-32-le", "utf-8-sig": "utf-8"}.get(codec, codec)
    return Encoding(codec)


def detect_encoding(sample: bytes, vcard: bool = False) -> Encoding:
    """The encoding of a file from its first bytes: a byte-order mark; else UTF-16 by its
    zero bytes; else UTF-8 if the bytes are valid UTF-8 (a vCard's folds taken out:
    a fold may split a character; and for vCards, whose default is UTF-8, if they are
    UTF-8 but for a few bad bytes); else the legacy code page that reads them best
    (charset-normalizer, then the script of its words), Windows-1252 when nothing is
    sure."""
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return Encoding(codec, len(bom))
    if b"\x00" in sample:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        # ASCII text in UTF-16 has a zero in every other byte.
        if odd > len(sample) // 4 and even < odd // 8:
            return Encoding("utf-16-le")
        if even > len(sample) // 4 and odd < even // 8:
            return Encoding("utf-16-be")
        return Encoding("utf-8")  # binary: refused once decoded
    unfolded = re.sub(rb"\r?\n[ \t]", b"", sample) if vcard else sample
    try:
        codecs.getincrementaldecoder("utf-8")().decode(unfolded, final=False)
        return Encoding("utf-8")
    except UnicodeDecodeError:
        pass
    if vcard and _mostly_utf8(unfolded):
        return Encoding("utf-8")
    if not vcard and _utf8_with_a_pasted_line(sample):
        # Its lines not in UTF-8 are read as Windows-1252 and their rows refused, to be
        # checked (Lines._decode), as past the start; the rest are not garbled with them.
        return Encoding("utf-8")
    from charset_normalizer import from_bytes

    # charset-normalizer's readings, likeliest first: of equally readable code pages
    # (Korean read as GBK is Han, as readable as the Hangul), its order decides.
    ranked = [
        codecs.lookup(m.encoding).name for m in from_bytes(sample, cp_isolation=list(LEGACY_CODECS))
    ]
    ranked = [codec for codec in ranked if codec in _LABELS] or ["cp1252"]
    return Encoding(most_readable(sample, ranked[0], (*ranked, *LEGACY_CODECS)))


def most_readable(sample: bytes, guessed: str, candidates: tuple[str, ...] = LEGACY_CODECS) -> str:
    """Of the legacy code pages the sample decodes in, the one under which its words
    with letters beyond ASCII come out as letters of one script ("山田太郎", not
    "ŽR“c‘¾˜Y"); `guessed` (charset-normalizer's) unless another reads clearly better.
    A mostly-ASCII file with a few Japanese names is too little for a statistical guess,
    and one wrong letter a word is enough for this."""
    scores: dict[str, tuple[int, float]] = {}
    for codec in dict.fromkeys((guessed, *candidates)):
        try:
            text = codecs.getincrementaldecoder(codec)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        scores[codec] = (_readability(text), _common_share(text, codec))
    best = max(scores, key=lambda c: scores[c], default=guessed)
    return best if scores.get(best, (0, 0.0)) > scores.get(guessed, (0, 0.0)) else guessed


# The common core of the East Asian code pages. Bytes of one read as another often come
# out as letters of one script too (Korean Hangul as GBK's Han, Shift JIS kanji as
# Hangul), but as rare ones, beyond this core: the reading with more common characters
# is the likelier.
_COMMON = {"cp932": "shift_jis", "cp936": "gb2312", "cp949": "euc_kr", "cp950": "big5"}


def _common_share(text: str, codec: str) -> float:
    """The share of the characters beyond ASCII that are in the code page's core."""
    core = _COMMON.get(codec)
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if core is None or not wide:
        return 1.0
    common = 0
    for ch in wide:
        try:
            encoded = ch.encode(core)
        except UnicodeEncodeError:
            continue
        # Python's EUC-KR spells a syllable beyond KS X 1001 in 8 bytes; Big5's frequent
        # characters are those of lead bytes A4-C6 (the rest: rare ones).
        common += len(encoded) <= 2 and (core != "big5" or 0xA4 <= encoded[0] <= 0xC6)
    return common / len(wide)


_WORD_EDGES = "\"'()[]{}<>.,;:!?*&/\\|-_+=#@%$~`^"


def _readability(text: str) -> int:
    """Words beyond ASCII that are letters of one script, less those that are not."""
    score = 0
    for word in text.split():
        if word.isascii():
            continue
        for part in re.split(r"[,;\t|\"]+", word):
            part = part.strip(_WORD_EDGES)
            if not part or part.isascii():
                continue
            score += 1 if _one_script(part) else -1
    return score


def _one_script(word: str) -> bool:
    scripts = set()
    previous = ""
    for ch in word:
        category = unicodedata.category(ch)
        if category.startswith("M"):
            continue
        if not category.startswith("L"):
            return False
        if category == "Lu" and previous == "Ll" and not ch.isascii():
            return False  # "ŁódĽ": a capital inside a word is a letter misread
        previous = category
        name = unicodedata.name(ch, "")
        script = name.split(" ")[0]
        if script in ("CJK", "HIRAGANA", "KATAKANA", "HALFWIDTH", "FULLWIDTH", "IDEOGRAPHIC"):
            script = "CJK"
        scripts.add(script)
    return len(scripts) == 1


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 but for a few bad bytes: fewer than its characters beyond ASCII, or three."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return bad < max(3, sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd"))


def _utf8_with_a_pasted_line(data: bytes) -> bool:
    """A UTF-8 file with a line or two from a legacy one: characters of several bytes
    in UTF-8 (which text in a code page hardly ever forms) outnumbering bytes that are
    not UTF-8."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    wide = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    return wide >= 4 and bad * 2 <= wide


def _decode_sample(sample: bytes, encoding: Encoding, complete: bool) -> str | None:
    try:
        decoder = codecs.getincrementaldecoder(encoding.codec)()
        return decoder.decode(sample[encoding.bom :], final=complete)
    except UnicodeDecodeError:
        return None


def _looks_binary(text: str) -> bool:
    """Text with NULs or many control characters is not a spreadsheet or a card."""
    if "\x00" in text:
        return True
    controls = sum(
        1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v\x1a"
    )
    return controls > max(8, len(text) // 100)


def _mend_folds(lines: list[bytes]) -> None:
    """Lines folded inside a UTF-8 character, whole again: the bytes of the character
    cut off at the end of a line move to the start of its continuation, after the
    fold's space, so each line decodes (unfolding joins them as they were)."""
    for i in range(len(lines) - 1):
        line, following = lines[i], lines[i + 1]
        if following[:1] not in (b" ", b"\t"):
            continue
        body, cr = (line[:-1], b"\r") if line.endswith(b"\r") else (line, b"")
        cut = _cut_character(body)
        if cut:
            lines[i] = body[:-cut] + cr
            lines[i + 1] = following[:1] + body[-cut:] + following[1:]


def _cut_character(data: bytes) -> int:
    """How many bytes at the end of `data` begin a UTF-8 character they do not finish."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:
            continue  # a continuation byte: look further back for the lead
        need = (
            2
            if byte & 0xE0 == 0xC0
            else 3
            if byte & 0xF0 == 0xE0
            else 4
            if byte & 0xF8 == 0xF0
            else 1
        )
        return back if need > back else 0
    return 0


class Lines:
    """The lines of a file, decoded, each ending in "\\n", read one block at a time.

    `position` is the bytes read so far (for progress). `problems` collects why lines
    read since it was last emptied are suspect: not in the file's encoding, or too long
    to be part of a row. Whoever turns lines into rows takes them for the row.
    """

    def __init__(self, facts: FileFacts):
        self.facts = facts
        self.position = 0
        self.problems: list[str] = []
        # A vCard's line folded in the middle of a UTF-8 character is mended first.
        self._mend = facts.kind == VCARD and facts.encoding.codec == "utf-8"

    def __iter__(self) -> Iterator[str]:
        with self.facts.path.open("rb") as raw:
            raw.seek(self.facts.encoding.bom)
            self.position = self.facts.encoding.bom
            if self.facts.encoding.codec in _WIDE_CODECS:
                yield from self._wide_lines(raw)
            else:
                yield from self._byte_lines(raw)

    def _byte_lines(self, raw: io.BufferedReader) -> Iterator[str]:
        """Byte encodings (UTF-8, the code pages): a newline byte always ends a line,
        whatever characters the encoding builds from several bytes."""
        newline = self.facts.newline.encode()
        pending, skipping = b"", False
        for block in iter(lambda: raw.read(BLOCK_BYTES), b""):
            if skipping:
                cut = block.find(newline)
                if cut < 0:
                    self.position += len(block)
                    continue
                self.position += cut + 1
                block, skipping = block[cut + 1 :], False
                yield self._too_long()
            lines = (pending + block).split(newline) if pending else block.split(newline)
            pending = lines.pop()
            if self._mend:
                _mend_folds(lines)
            for line in lines:
                self.position += len(line) + 1
                yield self._decode(line)
            if len(pending) > MAX_LINE_BYTES:
                self.position += len(pending)
                pending, skipping = b"", True
        if skipping:
            yield self._too_long()
        elif pending:
            self.position += len(pending)
            yield self._decode(pending)

    def _decode(self, line: bytes) -> str:
        codec = self.facts.encoding.codec
        try:
            return line.decode(codec) + "\n"
        except UnicodeDecodeError:
            pass
        if codec == "utf-8":
            # A line pasted in from a legacy file: readable as Windows-1252, but which
            # letters were meant is the user's to confirm.
            self.problems.append(_("is not UTF-8 text (read as Windows-1252: check its letters)"))
            return line.decode("cp1252", errors="replace") + "\n"
        self.problems.append(self._not_text())
        return line.decode(codec, errors="replace") + "\n"

    def _not_text(self) -> str:
        return _("has bytes that are not {encoding} text").format(
            encoding=self.facts.encoding.label
        )

    def _too_long(self) -> str:
        limit = MAX_LINE_BYTES // (1024 * 1024)
        self.problems.append(
            _("has a line longer than {limit} MB, which was not read").format(limit=limit)
        )
        return "\n"

    def _wide_lines(self, raw: io.BufferedReader) -> Iterator[str]:
        """UTF-16 and UTF-32, whose newline is several bytes: decoded as a stream."""
        text = io.TextIOWrapper(raw, encoding=self.facts.encoding.codec, errors="replace")
        limit = MAX_LINE_BYTES // 2
        while True:
            line = text.readline(limit)
            if not line:
                return
            self.position = raw.tell()
            if "\ufffd" in line:
                self.problems.append(self._not_text())
            if len(line) >= limit and not line.endswith("\n"):
                while (more := text.readline(limit)) and not more.endswith("\n"):
                    pass
                self.position = raw.tell()
                yield self._too_long()
                continue
            yield line if line.endswith("\n") else line + "\n"
