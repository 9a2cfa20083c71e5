"""Locality-sensitive hashing of MinHash signatures: candidate pairs without all-pairs.

Signatures are cut into BANDS bands of ROWS bins; two definitions are candidates when they
agree on every bin of some band. With 10 bands of 3 rows, a pair whose shingle sets have a
Jaccard index of 0.5 becomes a candidate with probability 1 - (1 - 0.5**3)**10 = 0.74, at
0.6 with 0.91 and at 0.7 with 0.99: near-miss copies share fewer shingles than tokens, so
the bands are loose and verification (similarity.py) decides.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from ssot_audit.clones.minhash import BINS

ROWS = 3
BANDS = BINS // ROWS
_ROW_BYTES = 8


def candidate_pairs(signatures: Sequence[bytes]) -> set[tuple[int, int]]:
    """Index pairs (i < j) that share a band. A bucket of n members yields at most 2n pairs
    (each member with the bucket's first and with its predecessor) rather than n*(n-1)/2:
    clusters are connected components, so a spanning set of links is enough."""
    # One table per band, keyed by the band's bytes alone: prefixing the band number to every
    # key cost a bytes object per band per definition.
    width = ROWS * _ROW_BYTES
    # Most bands of most signatures are met once: a bucket is listed only from its second member.
    firsts: list[dict[bytes, int]] = [{} for _ in range(BANDS)]
    bands: list[dict[bytes, list[int]]] = [{} for _ in range(BANDS)]
    for index, sig in enumerate(signatures):
        if not sig:
            continue
        for band, (first_of, buckets) in enumerate(zip(firsts, bands)):
            key = sig[band * width : (band + 1) * width]
            first = first_of.setdefault(key, index)
            if first != index:
                bucket = buckets.get(key)
                if bucket is None:
                    buckets[key] = [first, index]
                else:
                    bucket.append(index)
    pairs: set[tuple[int, int]] = set()
    # Buckets in the order their first members were met, so the set is built in one order.
    for members in (members for buckets in bands for members in sorted(buckets.values())):
        first = members[0]
        for previous, current in itertools.pairwise(members):
            pairs.add((first, current))
            if previous != first:
                pairs.add((previous, current))
    return pairs
