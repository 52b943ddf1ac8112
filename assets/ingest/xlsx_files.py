"""Read one sheet of an .xlsx export as all-text records, keeping sheet row numbers.

openpyxl gives each cell its own type, which the ledgers need: a 投运日期 column mixes real
date cells, Excel serial numbers and typed-in text. Dates become ISO text and integral floats
lose their `.0`, so the same date/number rules apply as to CSV sources.

An xlsx is a zip: before openpyxl opens it, its declared sizes and ratios are checked and
every member is inflated once through the bounded reader (assets/ingest/archives.py), so a
workbook bomb or a lying header rejects the file instead of exhausting memory.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import polars as pl

from assets.ingest.archives import ArchiveRejected, open_checked, verify_members
from assets.ingest.outcome import FileRejected
from pipelines import project


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unique_headers(headers: list[str]) -> list[str]:
    """A repeated header renamed the way polars' CSV reader renames it (`x_duplicated_0`), so
    the records can be framed and `columns.map_columns` rejects the file for both readers."""
    unique: list[str] = []
    for header in headers:
        name, repeat = header, 0
        while name in unique:
            name, repeat = f"{header}_duplicated_{repeat}", repeat + 1
        unique.append(name)
    return unique


def check_workbook_archive(data: bytes, file_name: str) -> None:
    """Raise FileRejected unless the workbook's zip is within the archive limits and every
    member's stream matches its header."""
    limits = project.archive_limits()
    try:
        with open_checked(data, limits) as archive:
            verify_members(archive, limits)
    except ArchiveRejected as error:
        raise FileRejected(file_name, f"archive limit: {error}") from error
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        raise FileRejected(
            file_name, f"unreadable xlsx ({type(error).__name__}: {error})"
        ) from error


def read_xlsx_sheet(data: bytes, file_name: str, sheet: str) -> tuple[pl.DataFrame, pl.Series, int]:
    """Records of `sheet` as text, their row numbers (header = row 0), and how many rows
    without any cell value were skipped. Rows whose cells hold only blanks are kept: the
    common blank-record rule (`blank_records`) drops and counts them like a CSV line."""
    check_workbook_archive(data, file_name)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise FileRejected(
            file_name, f"unreadable xlsx ({type(error).__name__}: {error})"
        ) from error
    try:
        if sheet not in book.sheetnames:
            found = ", ".join(book.sheetnames)
            raise FileRejected(file_name, f"sheet '{sheet}' not found (sheets: {found})")
        if book[sheet].sheet_state != "visible":  # 'hidden' or 'veryHidden': not the export
            state = book[sheet].sheet_state
            raise FileRejected(file_name, f"sheet '{sheet}' is hidden ({state})")
        rows = book[sheet].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise FileRejected(file_name, f"sheet '{sheet}' is empty")
        headers = _unique_headers([_cell_text(h) or f"_blank_{i}" for i, h in enumerate(header)])
        records, numbers, empty = [], [], 0
        for number, row in enumerate(rows, start=1):
            texts = [_cell_text(v) for v in row]
            if all(t is None for t in texts):
                empty += 1  # formatting, not a record: never held, however many there are
                continue
            records.append((texts + [None] * len(headers))[: len(headers)])
            numbers.append(number)
    finally:
        book.close()
    frame = pl.DataFrame(records, schema={h: pl.String for h in headers}, orient="row")
    return frame, pl.Series("_row_number", numbers, dtype=pl.Int64), empty
