"""Keyed-hash pseudonyms (HMAC-SHA256) for plates, VINs and survey respondent ids.

Computed vectorised inside DuckDB, following RFC 2104 exactly:
HMAC(K, m) = SHA256((K' ⊕ opad) ‖ SHA256((K' ⊕ ipad) ‖ m)), so any HMAC-SHA256
implementation (Python's `hmac`, openssl) reproduces the values for the same key.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

import duckdb
import polars as pl

from pipelines import project
from pipelines.sql_text import identifier
from pipelines.warehouse import fetch_frame

log = logging.getLogger(__name__)
BLOCK_SIZE = 64


def _pads(key: bytes) -> tuple[bytes, bytes]:
    if len(key) > BLOCK_SIZE:
        key = hashlib.sha256(key).digest()
    key = key.ljust(BLOCK_SIZE, b"\0")
    return bytes(b ^ 0x5C for b in key), bytes(b ^ 0x36 for b in key)


_warned_demo_key = False


def current_key() -> bytes:
    global _warned_demo_key
    key, is_demo = project.pseudonym_key()
    if is_demo and not _warned_demo_key:
        _warned_demo_key = True
        log.warning(
            "GREENTRACK_PSEUDONYM_KEY is not set: using the PUBLIC DEMO KEY. Pseudonyms made "
            "with it can be reversed by anyone with a plate list. Set the variable in production."
        )
    return key


def pseudonymise(frame: pl.DataFrame, columns: list[str], key: bytes) -> pl.DataFrame:
    """Replace each named text column by its HMAC-SHA256 hex digest (nulls stay null)."""
    present = [c for c in columns if c in frame.columns]
    if not present or frame.height == 0:
        return frame
    opad, ipad = _pads(key)
    expressions = ", ".join(
        f"sha256($opad || unhex(sha256($ipad || encode({identifier(c)})))) as {identifier(c)}"
        for c in present
    )
    with duckdb.connect() as con:
        con.register("source", frame.select(present).to_arrow())
        hashed = fetch_frame(con, f"select {expressions} from source", {"opad": opad, "ipad": ipad})
    return frame.with_columns(hashed.get_column(c).alias(c) for c in present)


def pseudonym_of(value: str, key: bytes) -> str:
    """Scalar HMAC-SHA256, the reference the vectorised version is tested against."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
