"""Reading a spreadsheet saved as CSV: the encodings and separators people's programs
write (UTF-8 with or without a byte-order mark, Excel's Windows-1252; commas, semicolons
as French-language Excel writes them, or tabs), and clear refusals for what is not one."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 60
MAX_CELL = 5_000
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
ENCODINGS = {
    "utf-8-sig": "UTF-8 (with a byte-order mark)",
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252",
}


class TableRefused(ValueError):
    """The file cannot be read as a spreadsheet; the message says why and what to do."""


@dataclass(frozen=True)
class Row:
    line: int  # the spreadsheet's row number: the header is row 1
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    encoding: str
    separator: str
    headers: tuple[str, ...]
    rows: tuple[Row, ...]

    @property
    def described(self) -> str:
        return f"{ENCODINGS[self.encoding]}, {SEPARATORS[self.separator]}-separated"


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 when the bytes are UTF-8, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableRefused(
            "The file is in UTF-16. In Excel, save it as \u201cCSV UTF-8 (Comma delimited)\u201d."
        )
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise TableRefused(
            "This is an Excel workbook, not a CSV file. In Excel, choose File, Save As, "
            "\u201cCSV UTF-8 (Comma delimited)\u201d, and upload that file."
        )
    if b"\x00" in data:
        raise TableRefused("The file holds binary data; upload a spreadsheet saved as CSV.")
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise TableRefused(
            "The file is neither UTF-8 nor Windows-1252 text (the byte at position "
            f"{exc.start} is neither). Save it as \u201cCSV UTF-8\u201d and upload it again."
        ) from None


def separator_of(text: str) -> str:
    """The separator the header line uses most, outside quotes (a comma if none)."""
    first = text.lstrip("\r\n").split("\n", 1)[0]
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_table(data: bytes) -> Table:
    """The header and rows of a CSV file; TableRefused with the reason otherwise."""
    if len(data) > MAX_BYTES:
        raise TableRefused("The file is larger than 10 MB; split it into smaller files.")
    text, encoding = decode(data)
    if not text.strip():
        raise TableRefused("The file is empty.")
    separator = separator_of(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    headers: tuple[str, ...] | None = None
    rows: list[Row] = []
    line = 0
    try:
        for line, cells in enumerate(
            reader, start=1
        ):  # a record is a row, line breaks in cells and all
            cleaned = tuple(
                " ".join(cell.split()) if "\n" not in cell else cell.strip() for cell in cells
            )
            if not any(cleaned):
                continue
            if len(cleaned) > MAX_COLUMNS:
                raise TableRefused(
                    f"Row {line} has {len(cleaned)} columns; at most {MAX_COLUMNS} are read."
                )
            if any(len(cell) > MAX_CELL for cell in cleaned):
                raise TableRefused(f"Row {line} has a cell longer than {MAX_CELL:,} characters.")
            if headers is None:
                headers = cleaned
                continue
            rows.append(Row(line, cleaned))
            if len(rows) > MAX_ROWS:
                raise TableRefused(
                    f"The file has more than {MAX_ROWS:,} rows; split it into smaller files."
                )
    except csv.Error as exc:
        raise TableRefused(
            f"Row {line + 1} cannot be read as CSV ({exc}); a quote may be left open."
        ) from None
    if headers is None:
        raise TableRefused("The file is empty.")
    if not rows:
        raise TableRefused("The file has a header row but no rows under it.")
    return Table(encoding, separator, headers, tuple(rows))
