"""The audit itself, stage by stage: discovery, source decoding and parsing, the per-file
phase (in workers, cached), the project phase, suppressions and scores."""
