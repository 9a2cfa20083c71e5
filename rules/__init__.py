"""The built-in rules, one per module; registered through the `ssot_audit.rules` entry points."""
