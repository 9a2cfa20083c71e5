"""MinHash signatures of token shingles, for finding near-miss copies without comparing
every pair of definitions.

One-permutation hashing (Li, Owen & Zhang 2012) with rotation densification (Shrivastava &
Li 2014): each shingle is hashed once and lands in one of BINS bins, so a signature costs one
pass over the shingles instead of one per permutation. Hashes are stable across processes
(crc32, not `hash()`), because signatures are cached on disk.
"""

from __future__ import annotations

import struct
import zlib

SHINGLE = 4  # tokens per shingle
BINS = 32
_BIN_BITS = 5  # log2(BINS)
_PRIME = (1 << 61) - 1
_MULTIPLIER = 0x1F3D5B79A2C4E687 % _PRIME
_OFFSET = 0x2B7E151628AED2A6 % _PRIME
_EMPTY = 1 << 64
_VALUE_BITS = 56
_PACK = struct.Struct(f"<{BINS}Q")


def shingles(tokens: bytes) -> set[bytes]:
    """The distinct runs of SHINGLE consecutive tokens (the whole stream when shorter)."""
    if len(tokens) <= SHINGLE:
        return {tokens} if tokens else set()
    return {tokens[i : i + SHINGLE] for i in range(len(tokens) - SHINGLE + 1)}


def signature(tokens: bytes) -> bytes:
    """BINS minimum hash values, packed little-endian as unsigned 64-bit integers."""
    mins = [_EMPTY] * BINS
    mask = BINS - 1
    for shingle in shingles(tokens):
        h = (zlib.crc32(shingle) * _MULTIPLIER + _OFFSET) % _PRIME
        slot = h & mask
        value = (h >> _BIN_BITS) & ((1 << _VALUE_BITS) - 1)
        mins[slot] = min(mins[slot], value)
    filled = [i for i in range(BINS) if mins[i] != _EMPTY]
    if not filled:
        return b""
    # An empty bin borrows the nearest filled bin to its right, marked with the distance so
    # that two signatures agree on it only when they agree on that bin and on the gap.
    out = list(mins)
    for i in range(BINS):
        if mins[i] == _EMPTY:
            distance = 1
            while mins[(i + distance) % BINS] == _EMPTY:
                distance += 1
            out[i] = (distance << _VALUE_BITS) | mins[(i + distance) % BINS]
    return _PACK.pack(*out)


def estimated_similarity(a: bytes, b: bytes) -> float:
    """The fraction of bins on which two signatures agree: an estimate of their Jaccard."""
    if not a or not b:
        return 0.0
    same = sum(1 for x, y in zip(_PACK.unpack(a), _PACK.unpack(b)) if x == y)
    return same / BINS
