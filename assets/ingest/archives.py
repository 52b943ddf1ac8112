"""Check a zip archive (a GTFS feed, an xlsx workbook) before anything is extracted from it.

A zip says in its central directory how large each member will be once inflated, so a bomb
(a few megabytes that inflate to gigabytes) is refused on those numbers alone: total declared
size, the compression ratio of each member and of the whole, and the member count (read from
the end record before Python builds an object per member). A header may lie, declaring less
than its stream holds, so members are only ever read through `read_member`, which inflates
at most CHUNK_BYTES at a time and stops at the declared size (zipfile then checks the CRC of
what it returned, so a short declaration is caught as a corrupt member, not believed).

Limits come from `pipelines.project.archive_limits()` (GREENTRACK_MAX_ARCHIVE_BYTES,
GREENTRACK_MAX_COMPRESSION_RATIO); a breach raises ArchiveRejected naming the member and the
limit, which each reader turns into a rejected file.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

# Members smaller than this cannot hurt, whatever their ratio: a short, repetitive
# calendar_dates.txt may well compress 200 times.
RATIO_FLOOR_BYTES = 1 << 20
CHUNK_BYTES = 1 << 20
_END_RECORD = b"PK\x05\x06"
_ZIP64_END_RECORD = b"PK\x06\x06"
_END_RECORD_SIZE = 22
_ZIP64_LOCATOR_SIZE = 20


@dataclass(frozen=True)
class ArchiveLimits:
    max_bytes: int  # declared uncompressed bytes, of any member and of all members together
    max_ratio: float  # uncompressed ÷ compressed, of any member and of all members together
    max_members: int


class ArchiveRejected(ValueError):
    """The archive breaks a limit, or a member does not match its header; says which."""


def open_checked(data: bytes, limits: ArchiveLimits) -> zipfile.ZipFile:
    """The archive, once its declared sizes, ratios and member count are within `limits`.

    Raises ArchiveRejected (a limit) or zipfile.BadZipFile (not a zip)."""
    count = declared_member_count(data)
    if count is not None and count > limits.max_members:
        raise ArchiveRejected(
            f"the archive declares {count:,} members, above the limit of {limits.max_members:,}"
        )
    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        check_declared_sizes(archive.infolist(), limits)
    except ArchiveRejected:
        archive.close()
        raise
    return archive


def check_declared_sizes(members: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    """Raise ArchiveRejected when the central directory promises more than the limits allow."""
    if len(members) > limits.max_members:
        raise ArchiveRejected(
            f"the archive holds {len(members):,} members, above the limit of {limits.max_members:,}"
        )
    for info in members:
        if info.file_size > limits.max_bytes:
            raise ArchiveRejected(
                f"member {info.filename} declares {info.file_size:,} bytes uncompressed, above "
                f"the limit of {limits.max_bytes:,} (GREENTRACK_MAX_ARCHIVE_BYTES)"
            )
        _check_ratio(f"member {info.filename}", info.file_size, info.compress_size, limits)
    total = sum(info.file_size for info in members)
    if total > limits.max_bytes:
        largest = max(members, key=lambda info: info.file_size)
        raise ArchiveRejected(
            f"members declare {total:,} bytes uncompressed in all (largest: {largest.filename}, "
            f"{largest.file_size:,}), above the limit of {limits.max_bytes:,} "
            "(GREENTRACK_MAX_ARCHIVE_BYTES)"
        )
    _check_ratio("the archive as a whole", total, sum(i.compress_size for i in members), limits)


def _check_ratio(what: str, size: int, compressed: int, limits: ArchiveLimits) -> None:
    if size < RATIO_FLOOR_BYTES:
        return
    ratio = size / max(compressed, 1)
    if ratio > limits.max_ratio:
        raise ArchiveRejected(
            f"{what} inflates {ratio:,.0f}-fold ({compressed:,} → {size:,} bytes), above the "
            f"compression ratio limit of {limits.max_ratio:g} (GREENTRACK_MAX_COMPRESSION_RATIO)"
        )


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ArchiveLimits) -> bytes:
    """The member's bytes, inflated chunk by chunk and never past its declared size or the
    byte limit; a stream that disagrees with its header raises ArchiveRejected."""
    return b"".join(_member_chunks(archive, info, limits))


def verify_members(archive: zipfile.ZipFile, limits: ArchiveLimits) -> None:
    """Inflate every member once, discarding the bytes, so that a reader which opens members
    itself (openpyxl) only meets members whose streams match their headers."""
    for info in archive.infolist():
        for _ in _member_chunks(archive, info, limits):
            pass


def _member_chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ArchiveLimits
) -> Iterator[bytes]:
    cap = min(info.file_size, limits.max_bytes)
    seen = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                seen += len(chunk)
                if seen > cap:
                    raise ArchiveRejected(
                        f"member {info.filename} inflates past {cap:,} bytes, its declared "
                        "size or the limit (GREENTRACK_MAX_ARCHIVE_BYTES)"
                    )
                yield chunk
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ArchiveRejected(
            f"member {info.filename} does not match its header (declared {info.file_size:,} "
            f"bytes): {error}"
        ) from error


def declared_member_count(data: bytes) -> int | None:
    """Members the end-of-central-directory record declares (zip64 too); None when no end
    record is found (zipfile will then say the file is not a zip)."""
    search_from = max(0, len(data) - _END_RECORD_SIZE - 0xFFFF)
    end = data.rfind(_END_RECORD, search_from)
    if end < 0 or end + _END_RECORD_SIZE > len(data):
        return None
    (count,) = struct.unpack_from("<H", data, end + 10)
    if count != 0xFFFF:
        return count
    locator = end - _ZIP64_LOCATOR_SIZE
    if locator < 0:
        return None
    (record,) = struct.unpack_from("<Q", data, locator + 8)
    if record + 40 > len(data) or data[record : record + 4] != _ZIP64_END_RECORD:
        return None
    (count,) = struct.unpack_from("<Q", data, record + 32)
    return count
