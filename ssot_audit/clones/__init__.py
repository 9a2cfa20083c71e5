"""The clone engine behind SSOT001 and SSOT002: per-definition fingerprints gathered in the
per-file phase, then hash buckets, MinHash/LSH candidates and match-graph clusters."""
