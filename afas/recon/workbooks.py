"""Workbooks (.xlsx, .xls, .ods) read into a :class:`~afas.recon.tables.TextTable`, guarded first.

calamine (Rust) reads a sheet into one dense block from its first to its last cell holding a value,
32 bytes a cell. A 1.5 KB .xlsx with one value at XFD1048576 asks for 16,384 x 1,048,576 cells
(512 GB) and calamine aborts the whole process, every user's session with it; a 3 MB .xlsx can hold
hundreds of megabytes of sheet XML. So before calamine sees a workbook:

- the ZIP container is checked from its directory: the unpacked size of every part and of all of
  them together, and each large part's compression ratio (zip bombs pack 1,000 to 1);
- the sheet's XML is streamed once with a byte counter that stops at the limit (a part may lie about
  its size) and every cell that may hold a value is placed the way calamine places it (by its r="B7"
  reference, or counting when a writer leaves it out; ODS repeats expanded), which gives the block
  calamine would allocate. The ``<dimension ref>`` a sheet declares is only reported: Excel often
  declares A1:XFD1048576 for formatting far below the table, which costs calamine nothing.

A sheet whose values span more than :data:`MAX_SHEET_CELLS` is refused in words
that name the far cell, nothing read; a sheet whose declared range is huge but whose values are not
is read as it is. .xls (BIFF) is bounded by its format (65,536 x 256 cells); it is read in a
separate process when uploaded (see :mod:`afas.recon.staging`).

Numbers in workbooks: Excel stores numbers as binary doubles, which carry 15 significant decimal
digits. A numeric cell is written back as text rounded to 15 significant digits, which recovers the
value the user typed (0.1 + 0.2 becomes "0.3", 1234.56 stays "1234.56").
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afas.i18n import number, tr
from afas.recon.ledgerformat import LedgerFormat
from afas.recon.tables import LedgerFileError, TextTable, clean_headers
from afas.recon.textfiles import mb, value_text

__all__ = [
    "WorkbookFormat",
    "MAX_PART_RATIO",
    "MAX_SHEET_CELLS",
    "MAX_UNPACKED_BYTES",
    "RATIO_CHECKED_FROM",
    "cannot_open",
    "check_container",
    "excel_text",
    "read_workbook",
    "sheet_names",
    "zip_kind",
]

MAX_UNPACKED_BYTES = 250 * 1024 * 1024
"""All parts of a workbook together, unpacked (a 25 MB .xlsx of plain cells unpacks to about 250 MB)."""
MAX_PART_RATIO = 100
"""Unpacked / packed size of one part; real sheets pack 5 to 20 times, zip bombs a thousand."""
RATIO_CHECKED_FROM = 1024 * 1024
"""Parts smaller than this unpacked are not held to the ratio (tiny parts pack oddly)."""
MAX_SHEET_CELLS = 5_000_000
"""The block of cells calamine allocates for one sheet (32 bytes a cell: 160 MB)."""

_CHUNK = 1024 * 1024
_MAX_COLUMNS = 16384
_MAX_ROWS = 1048576


# --- the container --------------------------------------------------------------------------------------


def zip_kind(data: bytes) -> str | None:
    """'xlsx' (also .xlsm, .xlsb) or 'ods' for a workbook in a ZIP container, None for any other ZIP.

    Read from the archive's table of contents and the first bytes of the ODS mimetype part only: this
    is how the formats recognise a workbook, before any guard has looked at the parts' sizes.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return "xlsx"
            if "content.xml" in names and "mimetype" in names:
                with archive.open("mimetype") as part:
                    mimetype = part.read(100)  # never the whole part: it may unpack to gigabytes
                if b"spreadsheet" in mimetype:
                    return "ods"
    except Exception:  # zipfile raises many kinds (BadZipFile, NotImplementedError, RuntimeError...)
        return None
    return None


def check_container(data: bytes, file_name: str) -> zipfile.ZipFile:
    """The workbook's ZIP archive, after its declared sizes and compression ratios passed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception:  # zipfile raises many kinds (BadZipFile, NotImplementedError, ValueError...)
        raise cannot_open(file_name) from None
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_CHECKED_FROM and ratio > MAX_PART_RATIO:
            raise LedgerFileError(
                tr(
                    "{name} is refused: one of its parts ({part}) unpacks to {unpacked} from {packed}, "
                    "{ratio} times its packed size; real workbooks pack at most about 20 to 1. Open it in "
                    "Excel, save a copy as .xlsx and upload that copy."
                ).format(
                    name=file_name,
                    part=info.filename[:60],
                    unpacked=mb(info.file_size),
                    packed=mb(info.compress_size),
                    ratio=number(ratio, 0),
                )
            )
    if total > MAX_UNPACKED_BYTES:
        raise _too_big_unpacked(file_name, total)
    return archive


def cannot_open(file_name: str) -> LedgerFileError:
    """The refusal of a file the workbook reader cannot open (damaged, or no workbook at all)."""
    return LedgerFileError(
        tr(
            "The workbook {name} cannot be opened (it is damaged or not a workbook); open it in Excel, "
            "save a copy as .xlsx and upload that copy."
        ).format(name=file_name)
    )


def _too_big_unpacked(file_name: str, size: int) -> LedgerFileError:
    return LedgerFileError(
        tr(
            "{name} is refused: unpacked it holds {size} or more of spreadsheet data, more than the "
            "{limit} the dashboard reads. Export the ledger as CSV (no size problem there), "
            "or split the workbook."
        ).format(name=file_name, size=mb(size), limit=mb(MAX_UNPACKED_BYTES))
    )


class _Budget:
    """The unpacked bytes still allowed, shared by every part streamed for one workbook."""

    def __init__(self) -> None:
        self.left = MAX_UNPACKED_BYTES


def _stream(archive: zipfile.ZipFile, name: str, file_name: str, budget: _Budget):
    """The part's bytes in chunks, counted: stops at the unpacked-size limit whatever the part declares."""
    try:
        with archive.open(name) as part:
            while chunk := part.read(_CHUNK):
                budget.left -= len(chunk)
                if budget.left < 0:
                    raise _too_big_unpacked(file_name, MAX_UNPACKED_BYTES - budget.left)
                yield chunk
    except LedgerFileError:
        raise
    except Exception:  # a damaged part: bad CRC, bad deflate data, truncated archive
        raise cannot_open(file_name) from None


def _xml_chunks(archive: zipfile.ZipFile, name: str, file_name: str, budget: _Budget):
    """The part's text in pieces that end at a tag's end, so no tag is cut in two."""
    rest = b""
    for chunk in _stream(archive, name, file_name, budget):
        chunk = rest + chunk
        cut = chunk.rfind(b">") + 1
        rest = chunk[cut:]
        if len(rest) > _CHUNK:  # no '>' for a megabyte: no tag to cut; keep memory bounded
            rest = rest[-1024:]
        yield chunk[:cut]
    yield rest


# --- where the values are -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Extent:
    """The block of cells calamine would allocate for a sheet (0-based, inclusive), and the far cell."""

    top: int
    left: int
    bottom: int
    right: int
    declared: str | None

    @property
    def cells(self) -> int:
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _cell_name(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
_XLSX_TAG = re.compile(_PREFIX + rb"(row|c|dimension)\b([^>]*)>")
_WITHOUT_REF = re.compile(_PREFIX + rb"(?:c|row)(?:\s(?![^>]*\br=)[^>]*)?>")
_VALUED_REF = re.compile(_PREFIX + rb'c\s[^>]*?\br="\$?([A-Za-z]{1,3})\$?([0-9]{1,7})"[^>]*(?<!/)>')
_REF = re.compile(rb'\br="\$?([A-Za-z]{1,3})\$?([0-9]{1,7})"')
_ROW_NUMBER = re.compile(rb'\br="([0-9]{1,7})"')
_DIMENSION = re.compile(rb'\bref="([^"]{1,40})"')


def _xlsx_extent_by_refs(chunks) -> _Extent | None | bool:
    """The extent when every row and cell carries its reference (Excel and most writers: r="B7"),
    found with a few regular-expression passes; False when some do not (then they must be counted)."""
    top = left = 1 << 40
    bottom = right = -1
    declared = None
    for chunk in chunks:
        if _WITHOUT_REF.search(chunk):
            return False
        if declared is None and (dimension := re.search(_PREFIX + rb"dimension\b([^>]*)>", chunk)):
            found = _DIMENSION.search(dimension.group(1))
            declared = found.group(1).decode("ascii", "replace") if found else None
        refs = _VALUED_REF.findall(chunk)
        if refs:
            rows = [int(r) for _, r in refs]
            top, bottom = min(top, min(rows) - 1), max(bottom, max(rows) - 1)
            columns = [_column_number(c.upper()) - 1 for c in {c for c, _ in refs}]
            left, right = min(left, min(columns)), max(right, max(columns))
    if bottom < 0:
        return None
    return _Extent(top, left, bottom, right, declared)


def _xlsx_extent(chunks) -> _Extent | None:
    """Place every cell that may hold a value the way calamine does: by its reference, else counting."""
    top = left = 1 << 40
    bottom = right = -1
    row, col = -1, 0
    declared = None
    for chunk in chunks:
        for match in _XLSX_TAG.finditer(chunk):
            kind, attrs = match.group(1), match.group(2)
            if kind == b"c":
                ref = _REF.search(attrs)
                if ref is not None:
                    r, c = int(ref.group(2)) - 1, _column_number(ref.group(1).upper()) - 1
                    col = max(col, c)  # counting goes on from here, never below calamine's count
                else:
                    r, c = max(row, 0), col
                col += 1
                if not attrs.endswith(b"/"):  # <c .../> holds no value; <c ...>...</c> may
                    top, left = min(top, r), min(left, c)
                    bottom, right = max(bottom, r), max(right, c)
            elif kind == b"row":
                number = _ROW_NUMBER.search(attrs)
                row = int(number.group(1)) - 1 if number is not None else row + 1
                col = 0
            elif declared is None:
                found = _DIMENSION.search(attrs)
                declared = found.group(1).decode("ascii", "replace") if found else None
    if bottom < 0:
        return None
    return _Extent(top, left, bottom, right, declared)


_ODS_TAG = re.compile(rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)\b([^>]*)>")
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="([0-9]{1,9})"')
_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="([0-9]{1,9})"')
_TABLE_NAME = re.compile(rb'table:name="([^"]{0,100})"')


def _ods_extents(chunks) -> list[tuple[str, _Extent | None]]:
    """Per sheet, its name and the block calamine allocates for it: from A1 to the farthest value,
    repeats expanded."""
    extents: list[tuple[str, _Extent | None]] = []
    name = ""
    row, col, repeat = 0, 0, 1
    row_has_value = False
    bottom = right = -1
    open_cell: tuple[int, int] | None = None  # (column, repeat) of a <table:table-cell> not yet closed
    for chunk in chunks:
        for match in _ODS_TAG.finditer(chunk):
            closing, kind, attrs = match.group(1), match.group(2), match.group(3)
            if kind == b"table":
                if closing:
                    extent = _Extent(0, 0, bottom, right, None) if bottom >= 0 and right >= 0 else None
                    extents.append((name, extent))
                else:
                    row, bottom, right = 0, -1, -1
                    found = _TABLE_NAME.search(attrs)
                    name = found.group(1).decode("utf-8", "replace") if found else f"{len(extents) + 1}"
            elif kind == b"table-row":
                if closing:
                    if row_has_value:
                        bottom = max(bottom, row + repeat - 1)
                    row += repeat
                else:
                    found = _ROWS_REPEATED.search(attrs)
                    repeat = int(found.group(1)) if found else 1
                    col, row_has_value = 0, False
                    if attrs.endswith(b"/"):
                        row += repeat
            elif closing:
                if open_cell is not None:
                    start, span = open_cell
                    right = max(right, start + span - 1)
                    row_has_value = True
                    open_cell = None
            else:
                found = _COLUMNS_REPEATED.search(attrs)
                span = int(found.group(1)) if found else 1
                if attrs.endswith(b"/"):
                    if b"value-type" in attrs:
                        right, row_has_value = max(right, col + span - 1), True
                else:
                    open_cell = (col, span)  # content (text) counts as a value, to be safe
                col += span
    return extents


# --- which part holds which sheet ---------------------------------------------------------------------


def _xlsx_sheet_part(archive: zipfile.ZipFile, sheet_index: int, file_name: str) -> str | None:
    """The ZIP path of the n-th sheet of an .xlsx, from xl/workbook.xml and its relationships."""
    from defusedxml.ElementTree import fromstring

    try:
        workbook = fromstring(archive.read("xl/workbook.xml"), forbid_dtd=True)
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    except Exception:  # no such part, damaged, or a DTD: the caller then checks every sheet part
        return None
    sheets = [e for e in workbook.iter() if e.tag.rsplit("}", 1)[-1] == "sheet"]
    if not 0 <= sheet_index < len(sheets):
        return None
    rel_id = next((v for k, v in sheets[sheet_index].attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
    target = next(
        (
            e.get("Target")
            for e in rels.iter()
            if e.tag.rsplit("}", 1)[-1] == "Relationship" and e.get("Id") == rel_id
        ),
        None,
    )
    if not target:
        return None
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return path if path in archive.namelist() else None


def _is_sheet_part(name: str, kind: str) -> bool:
    return name == "content.xml" if kind == "ods" else name.startswith(("xl/worksheets/", "xl/chartsheets/"))


def _check_parts(data: bytes, file_name: str, kind: str) -> None:
    """Before calamine opens the workbook: declared sizes and ratios, then the real unpacked size of
    every part it reads on opening (a part may lie about its size), and for ODS, which calamine reads
    whole on opening, every sheet's extent."""
    archive = check_container(data, file_name)
    budget = _Budget()
    for info in archive.infolist():
        if info.is_dir():
            continue
        if kind == "ods" and info.filename == "content.xml":
            chunks = _xml_chunks(archive, info.filename, file_name, budget)
            for name, extent in _ods_extents(chunks):
                if extent is not None and extent.cells > MAX_SHEET_CELLS:
                    raise _too_many_cells(file_name, name, extent)
        elif not _is_sheet_part(info.filename, kind):
            for _ in _stream(archive, info.filename, file_name, budget):
                pass


def _check_sheet(data: bytes, file_name: str, kind: str, sheet_index: int, sheet_name: str) -> None:
    """Refuse an .xlsx sheet before calamine reads it when its values span more cells than the limit."""
    if kind != "xlsx":
        return
    archive = check_container(data, file_name)
    part = _xlsx_sheet_part(archive, sheet_index, file_name)
    parts = [part] if part else sorted(n for n in archive.namelist() if _is_sheet_part(n, kind))
    for name in parts:
        extent = _xlsx_extent_by_refs(_xml_chunks(archive, name, file_name, _Budget()))
        if extent is False:  # cells or rows without their reference: place them one by one
            extent = _xlsx_extent(_xml_chunks(archive, name, file_name, _Budget()))
        if extent is not None and extent.cells > MAX_SHEET_CELLS:
            raise _too_many_cells(file_name, sheet_name, extent)


def _too_many_cells(file_name: str, sheet_name: str, extent: _Extent) -> LedgerFileError:
    first, far = _cell_name(extent.top, extent.left), _cell_name(extent.bottom, extent.right)
    declared = (
        " " + tr("(it declares {range})").format(range=extent.declared)
        if extent.declared and extent.declared != f"{first}:{far}"
        else ""
    )
    return LedgerFileError(
        tr(
            "Sheet {sheet} of {name} has values from {first} as far as cell {far}{declared}: "
            "{cells} cells, more than the {limit} the dashboard reads. Nothing was read. "
            "If {far} (or whatever is far below or right of your table) is a stray value, select the rows "
            "below and the columns right of your table in Excel, delete them, save and upload again."
        ).format(
            sheet=repr(sheet_name),
            name=file_name,
            first=first,
            far=far,
            declared=declared,
            cells=number(extent.cells),
            limit=number(MAX_SHEET_CELLS),
        )
    )


# --- reading --------------------------------------------------------------------------------------------


excel_text = value_text
"""A workbook cell's value as text (:func:`afas.recon.textfiles.value_text`)."""


def _open(data: bytes, file_name: str, kind: str):
    from python_calamine import CalamineWorkbook, PasswordError

    if kind in ("xlsx", "ods"):
        _check_parts(data, file_name, kind)
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several unrelated classes for a damaged workbook
        protected = isinstance(exc, PasswordError) or "password" in str(exc).lower()
        reason = tr("it is password-protected") if protected else tr("it is damaged or not a workbook")
        raise LedgerFileError(
            tr(
                "The workbook cannot be opened ({reason}); open it in Excel, save a copy as .xlsx without "
                "a password and upload that copy."
            ).format(reason=reason)
        ) from None


def sheet_names(data: bytes, kind: str = "xlsx", file_name: str = "") -> list[str]:
    """The sheet names of a workbook (.xlsx, .xls, .ods), in order."""
    return list(_open(data, file_name or tr("The workbook"), kind).sheet_names)


def read_workbook(data: bytes, file_name: str, kind: str, sheet: str | int | None) -> TextTable:
    """Read one sheet (name or 0-based index; the first by default) after the guards above."""
    workbook = _open(data, file_name, kind)
    names = list(workbook.sheet_names)
    if not names:
        raise LedgerFileError(tr("{name} has no sheets.").format(name=file_name))
    if sheet is None:
        sheet = 0
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise LedgerFileError(
                tr("{name} has {n} sheet(s); sheet number {number} does not exist.").format(
                    name=file_name, n=len(names), number=sheet + 1
                )
            )
        index = sheet
    else:
        if sheet not in names:
            raise LedgerFileError(
                tr("{name} has no sheet {sheet}; its sheets are: {sheets}.").format(
                    name=file_name, sheet=repr(sheet), sheets=", ".join(names)
                )
            )
        index = names.index(sheet)
    sheet_name = names[index]
    _check_sheet(data, file_name, kind, index, sheet_name)
    try:
        found = workbook.get_sheet_by_name(sheet_name)
        # Only the block that holds values (skip_empty_area): rows above it are numbered from its start.
        values = found.to_python(skip_empty_area=True)
        first_row = found.start[0] if found.start is not None else 0
    except Exception as exc:  # calamine's XmlError/ZipError and others for a damaged sheet
        if "limit" in str(exc).lower():
            raise LedgerFileError(
                tr("Sheet {sheet} of {name} is too large to read ({error}); export it as CSV.").format(
                    sheet=repr(sheet_name), name=file_name, error=str(exc)[:120]
                )
            ) from None
        raise LedgerFileError(
            tr(
                "Sheet {sheet} of {name} is damaged and cannot be read; open the workbook in Excel, "
                "save a copy as .xlsx and upload that copy."
            ).format(sheet=repr(sheet_name), name=file_name)
        ) from None
    return _table(values, first_row, file_name, sheet_name, names)


def _table(
    values: list[list[Any]], first_row: int, file_name: str, sheet_name: str, names: list[str]
) -> TextTable:
    records = [
        (number, cells)
        for number, cells in (
            (first_row + i, [excel_text(v) for v in row]) for i, row in enumerate(values, start=1)
        )
        if any(c is not None for c in cells)
    ]
    if len(records) < 2:
        raise LedgerFileError(
            tr(
                "Sheet {sheet} of {name} has no rows below a header; choose the sheet that holds "
                "the ledger (sheets: {sheets})."
            ).format(sheet=repr(sheet_name), name=file_name, sheets=", ".join(names))
        )
    # Columns empty in every row (left of the table, or Excel's formatting residue) are dropped.
    used = [
        i
        for i in range(max(len(cells) for _, cells in records))
        if any(_at(cells, i) for _, cells in records)
    ]
    first, last = used[0], used[-1] + 1
    records = [(number, [_at(cells, i) for i in range(first, last)]) for number, cells in records]
    # The header is the first row filled at least half as wide as the widest of the first rows;
    # rows above it are a title block.
    filled = [sum(c is not None for c in cells) for _, cells in records[:30]]
    header_index = next(i for i, n in enumerate(filled) if n >= max(filled) / 2)
    if header_index == len(records) - 1:
        raise LedgerFileError(
            tr(
                "Sheet {sheet} of {name} has no rows below its header; choose the sheet that holds "
                "the ledger (sheets: {sheets})."
            ).format(sheet=repr(sheet_name), name=file_name, sheets=", ".join(names))
        )
    headers = clean_headers(records[header_index][1])
    body = records[header_index + 1 :]
    return TextTable.from_rows(
        headers,
        [cells for _, cells in body],
        [n for n, _ in body],
        "xlsx",
        sheet=sheet_name,
        header_line=records[header_index][0],
        header_cells=tuple(records[header_index][1]),
    )


def _at(cells: list[str | None], index: int) -> str | None:
    return cells[index] if index < len(cells) else None


class WorkbookFormat(LedgerFormat):
    """What the workbook formats (.xlsx, .xls, .ods) share: calamine reads them, sheet by sheet."""

    def read(
        self, data: bytes, file_name: str, *, sheet: str | int | None = None, into: Path | None = None
    ) -> TextTable:
        return read_workbook(data, file_name, self.name, sheet)

    def sheet_names(self, data: bytes, file_name: str) -> list[str]:
        return sheet_names(data, self.name, file_name)
