"""Byte-stable writers: CSV in a chosen encoding, xlsx with fixed properties, zip archives.

Same inputs give the same bytes: no timestamps from the clock, no platform-dependent zip
headers. CSV text is encoded in large chunks (Python's GB18030 codec is fast per call, slow
per row), so a multi-million-row ledger streams through bounded memory.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable
from pathlib import Path

import polars as pl
import xlsxwriter

UTF8_BOM = b"\xef\xbb\xbf"
FIXED_TIMESTAMP = dt.datetime(2025, 1, 1, 0, 0, 0)
ZIP_LEVEL = 1  # fast deflate: feeds at scale 10 hold millions of stop times


def csv_text(frame: pl.DataFrame, header: bool = True, crlf: bool = False) -> str:
    return frame.write_csv(include_header=header, line_terminator="\r\n" if crlf else "\n")


def write_csv(path: Path, chunks: Iterable[pl.DataFrame], encoding: str, crlf: bool = False) -> int:
    """Write frames as one CSV (header once); encoding 'gb18030', 'utf-8' or 'utf-8-sig'."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with open(path, "wb") as handle:
        if encoding == "utf-8-sig":
            handle.write(UTF8_BOM)
        codec = "utf-8" if encoding == "utf-8-sig" else encoding
        for index, chunk in enumerate(chunks):
            handle.write(csv_text(chunk, header=index == 0, crlf=crlf).encode(codec))
            rows += chunk.height
    return rows


def write_xlsx(path: Path, sheet: str, headers: list[str], rows: list[list]) -> None:
    """One sheet; cells keep their Python type (date → date cell, int → number, str → text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    workbook.set_properties({"created": FIXED_TIMESTAMP, "author": "greentrack generate"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    worksheet = workbook.add_worksheet(sheet)
    worksheet.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                worksheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, str):
                worksheet.write_string(r, c, value)
            else:
                worksheet.write_number(r, c, value)
    workbook.close()


def write_zip(path: Path, members: Iterable[tuple[str, bytes]], timestamp: dt.date) -> None:
    """A zip whose bytes depend only on its members and `timestamp`; members are written as
    they come, so a large feed never holds all its tables as bytes at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(
                name, date_time=(timestamp.year, timestamp.month, timestamp.day, 0, 0, 0)
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=ZIP_LEVEL)
