"""Which pseudonym key made a publication's pseudonyms, without storing the key.

Every plate, VIN and respondent id in the warehouse is an HMAC under GREENTRACK_PSEUDONYM_KEY,
so a new key silently changes every pseudonym and breaks every join with an earlier snapshot.
`audit.runs` therefore records a fingerprint of the key, and a publication whose fingerprint
differs from the previous one's says so loudly.

The fingerprint is PBKDF2-HMAC-SHA256 of the key with a fixed label as salt, cut to 64 bits:
- keyed, never a plain sha256(key): a plain hash is a generic, fast, unsalted digest, so a
  short key could be looked up in precomputed tables of hashes;
- a label of its own (domain separation), so it equals no value the pipeline computes with
  the key for anything else (a pseudonym is an HMAC of an identifier, never of this label);
- 100,000 iterations (~50 ms once per run), so checking a guessed key against the stored
  fingerprint costs far more than computing the fingerprint once;
- 16 hex characters: enough to tell keys apart (a chance collision is 2^-64), too few to be
  the key. No function of the key alone can stop someone from testing a guess; a strong key
  (32 random bytes) does.
"""

from __future__ import annotations

import hashlib

FINGERPRINT_LABEL = b"greentrack key fingerprint"
FINGERPRINT_ITERATIONS = 100_000
FINGERPRINT_BYTES = 8


def key_fingerprint(key: bytes) -> str:
    """16 hex characters that identify `key` and reveal nothing more of it."""
    digest = hashlib.pbkdf2_hmac(
        "sha256", key, FINGERPRINT_LABEL, FINGERPRINT_ITERATIONS, dklen=FINGERPRINT_BYTES
    )
    return digest.hex()


def key_change_message(previous: str, current: str) -> str:
    """The warning a publication under a new key gives (console, run log, alerts.log)."""
    return (
        f"PSEUDONYM KEY CHANGED (fingerprint {previous} -> {current}): every plate, VIN and "
        "respondent pseudonym in this publication differs from the previous one, so joins with "
        "earlier snapshots and exports break. If the change was not intended, restore the "
        "previous GREENTRACK_PSEUDONYM_KEY and run again."
    )
