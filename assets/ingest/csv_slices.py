"""Read a large CSV export as slices of whole records, so memory is bounded by the slice.

A provincial registrations export holds tens of millions of records (GB); read whole, the
bytes, the decoded text and the parsed, checked and hashed frames would each be held at once.
Read in slices, each slice is decoded, parsed, checked and written before the next is read.

A slice ends at a newline outside quotes (an even number of `"` since the slice began, as in
RFC 4180, where a quoted value may hold a newline), never inside a record. GB18030 and UTF-8
never use the bytes `"` or `\\n` inside a multi-byte character, so the same cut is right
before and after decoding.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from assets.ingest.outcome import FileRejected
from assets.ingest.text_files import UTF8_BOM, Undecodable, gb18030_to_utf8

_READ_BYTES = 16 * 1024 * 1024


def last_record_end(block: bytes) -> int:
    """Offset just past the last newline of `block` that ends a record, or 0 if none does.

    `block` must begin at a record boundary (outside quotes)."""
    cut = block.rfind(b"\n")
    if cut < 0:
        return 0
    inside_quotes = block.count(b'"', 0, cut + 1) % 2
    while inside_quotes:  # this newline is inside a quoted value: try the one before
        previous = block.rfind(b"\n", 0, cut)
        if previous < 0:
            return 0
        inside_quotes ^= block.count(b'"', previous + 1, cut + 1) % 2
        cut = previous
    return cut + 1


def first_record_end(block: bytes) -> int:
    """Offset just past the first newline of `block` that ends a record (the header line)."""
    quotes, start = 0, 0
    while True:
        cut = block.find(b"\n", start)
        if cut < 0:
            return len(block)
        quotes += block.count(b'"', start, cut + 1)
        if quotes % 2 == 0:
            return cut + 1
        start = cut + 1


def record_slices(path: Path, slice_bytes: int) -> Iterator[bytes]:
    """The file's bytes as consecutive slices of whole records (about `slice_bytes` each).

    Joined, the slices are the file. A record longer than a slice makes its slice longer."""
    with open(path, "rb") as handle:
        carry = b""
        while block := handle.read(slice_bytes):
            data = carry + block
            end = last_record_end(data)
            if end == 0:
                carry = data
                continue
            yield data[:end]
            carry = data[end:]
        if carry:
            yield carry  # the last record may end without a newline


def file_encoding(path: Path, file_name: str) -> str:
    """The file's encoding by the same test as `text_files.to_utf8`, reading it in pieces:
    UTF-8 with BOM (must be valid), UTF-8 if the whole file is valid UTF-8, else GB18030
    (checked slice by slice as it is decoded)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        has_bom = handle.read(len(UTF8_BOM)) == UTF8_BOM
        if not has_bom:
            handle.seek(0)
        offset = handle.tell()
        try:
            while block := handle.read(_READ_BYTES):
                decoder.decode(block)
                offset += len(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            if has_bom:
                at = offset + error.start
                raise FileRejected(
                    file_name, f"unreadable: UTF-8 BOM but invalid UTF-8 at byte {at}"
                ) from error
            return "gb18030"
    return "utf-8-sig" if has_bom else "utf-8"


def slice_to_utf8(data: bytes, encoding: str, file_name: str, first: bool) -> bytes:
    """One slice as UTF-8 without BOM; an undecodable GB18030 slice rejects the file."""
    if encoding == "utf-8-sig" and first:
        return data[len(UTF8_BOM) :]
    if encoding != "gb18030":
        return data
    try:
        return gb18030_to_utf8(data)
    except UnicodeDecodeError as error:
        raise Undecodable(file_name) from error


def utf8_record_slices(
    path: Path, file_name: str, encoding: str, slice_bytes: int
) -> Iterator[bytes]:
    """UTF-8 slices of whole records, each starting with the file's header line."""
    header = b""
    for number, data in enumerate(record_slices(path, slice_bytes)):
        utf8 = slice_to_utf8(data, encoding, file_name, first=number == 0)
        if number == 0:
            header = utf8[: first_record_end(utf8)]
            if not header.endswith(b"\n"):
                header += b"\n"
            yield utf8
        else:
            yield header + utf8
