"""Decode government text exports (UTF-8, UTF-8 with BOM, GB18030) and parse them as CSV.

GB18030 is decoded in one process, in slices split at newlines (a newline byte never occurs
inside a GB18030 character), so the decoded text is never held twice. Not a process pool:
shipping the bytes to the workers and back costs more than the decode (benchmarks/README.md),
and forking a process that runs threads (Dagster, the import warm-up) risks a child stuck on
a lock.
"""

from __future__ import annotations

import io

import polars as pl

from assets.ingest.outcome import FileRejected

UTF8_BOM = b"\xef\xbb\xbf"
DECODE_SLICE_BYTES = 32 * 1024 * 1024
NOT_UTF8_NOR_GB18030 = (
    "unreadable: neither UTF-8 nor GB18030 (invalid byte sequence; broken encoding or "
    "truncated file)"
)


class Undecodable(FileRejected):
    """The bytes are neither UTF-8 nor GB18030: no encoding can be recorded for the file."""

    def __init__(self, file_name: str):
        super().__init__(file_name, NOT_UTF8_NOR_GB18030)


def gb18030_to_utf8(data: bytes) -> bytes:
    """GB18030 bytes as UTF-8 bytes; raises UnicodeDecodeError on an invalid sequence."""
    if len(data) <= DECODE_SLICE_BYTES:
        return data.decode("gb18030").encode("utf-8")
    parts, start = [], 0
    while start < len(data):
        cut = data.find(b"\n", start + DECODE_SLICE_BYTES)
        end = len(data) if cut < 0 else cut + 1
        parts.append(data[start:end].decode("gb18030").encode("utf-8"))
        start = end
    return b"".join(parts)


def to_utf8(data: bytes, file_name: str) -> tuple[bytes, str]:
    """Return UTF-8 bytes without BOM and the encoding found; reject undecodable files."""
    if data.startswith(UTF8_BOM):
        body = data[len(UTF8_BOM) :]
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FileRejected(
                file_name, f"unreadable: UTF-8 BOM but invalid UTF-8 at byte {error.start + 3}"
            ) from error
        return body, "utf-8-sig"
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return gb18030_to_utf8(data), "gb18030"
    except UnicodeDecodeError as error:
        raise Undecodable(file_name) from error


def parse_csv(utf8: bytes, file_name: str) -> pl.DataFrame:
    """Parse UTF-8 CSV bytes (header first) into an all-text frame; values stay as written."""
    if not utf8.strip():
        raise FileRejected(file_name, "unreadable: the file is empty")
    try:
        return pl.read_csv(
            io.BytesIO(utf8),
            infer_schema=False,
            has_header=True,
            raise_if_empty=True,
        )
    except Exception as error:  # polars raises several error types for malformed CSV
        raise FileRejected(file_name, f"unreadable CSV: {error}".splitlines()[0]) from error


def read_csv_text(data: bytes, file_name: str) -> tuple[pl.DataFrame, str]:
    """Parse a CSV export into an all-text frame; every value stays as written."""
    utf8, encoding = to_utf8(data, file_name)
    return parse_csv(utf8, file_name), encoding
