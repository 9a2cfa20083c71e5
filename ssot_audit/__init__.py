"""ssot-audit: a static auditor of single-source-of-truth compliance for Python code."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ssot-audit")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"
