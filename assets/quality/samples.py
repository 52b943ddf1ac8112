"""Samples of unexpected values: short, JSON-safe, and never a plaintext identifier.

The warehouse holds plates, VINs and respondent ids only as 64-hex pseudonyms. A value in an
identifier column that is not a pseudonym may be a plaintext identifier that slipped past
ingest, so samples show only its length.
"""

from __future__ import annotations

import json
import math
import re

SAMPLE_SIZE = 5
MAX_TEXT = 120
PSEUDONYM = re.compile(r"^[0-9a-f]{64}$")


def _short(value):
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_short(v) for v in value]
    if value is None or type(value).__name__ == "NAType":
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def mask_identifier(value):
    """A pseudonym is shown; anything else in an identifier column may be a plaintext plate,
    VIN or respondent id, so only its length is shown."""
    if value is None or PSEUDONYM.match(str(value)):
        return value
    return f"(masked: {len(str(value))} characters, not a pseudonym)"


def mask_sample(values, columns: list[str], identifiers) -> list:
    """Mask the identifier columns of a sample: scalars of one column, tuples of a column
    pair (in `columns` order) or dicts keyed by column (compound keys, query rows)."""
    hidden = set(identifiers)
    if not hidden:
        return list(values)
    out = []
    for value in values:
        if isinstance(value, dict):
            value = {k: mask_identifier(v) if k in hidden else v for k, v in value.items()}
        elif isinstance(value, list | tuple):
            value = [
                mask_identifier(v) if i < len(columns) and columns[i] in hidden else v
                for i, v in enumerate(value)
            ]
        elif columns and columns[0] in hidden:
            value = mask_identifier(value)
        out.append(value)
    return out


def clean_sample(values) -> list:
    """Up to SAMPLE_SIZE distinct values, JSON-safe (dates and decimals as text)."""
    out, seen = [], set()
    for value in values:
        cleaned = _short(value)
        key = json.dumps(cleaned, ensure_ascii=False, default=str, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        out.append(json.loads(json.dumps(cleaned, ensure_ascii=False, default=str)))
        if len(out) == SAMPLE_SIZE:
            break
    return out


def sample_text(sample: list) -> str:
    return json.dumps(sample, ensure_ascii=False, default=str)
