"""The built-in categories that rules score into. A third-party rule may bring its own."""

from ssot_audit.model import Category

ERRORS = Category("errors", "Parse Errors", "files", scored=False)
DUPLICATES = Category("duplicates", "Duplicate Implementations", "definitions")
IMPORTS = Category("imports", "Import Pattern Compliance", "imports")
DATACLASSES = Category("dataclasses", "Dataclass Compliance", "classes")
SINGLETONS = Category("singletons", "Singleton Avoidance", "definitions")
TYPING = Category("typing", "Type Precision", "annotations")
CANONICAL = Category("canonical", "Canonical API Usage", "API uses")
META = Category("meta", "Suppression Hygiene", "suppressions", scored=False)

BUILTIN = (ERRORS, DUPLICATES, IMPORTS, DATACLASSES, SINGLETONS, TYPING, CANONICAL, META)
