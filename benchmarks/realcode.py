"""Fetch real code nobody here wrote: a PyPI package's wheel, unpacked into a temporary folder.

Used by every benchmark script: `python -m benchmarks.realcode django` prints the folder.
Nothing downloaded is committed; the folder lives under the system temp dir and is reused
across runs of the same version.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

DEFAULT_VERSIONS = {
    "django": "5.2.19", "flask": "3.1.3", "httpx": "0.28.1", "rich": "15.0.0", "requests": "2.34.2",
    "sqlalchemy": "2.1.9", "pip": "26.3", "setuptools": "84.2.1", "sphinx": "9.0.4", "pygments": "2.21.0",
    "docutils": "0.23", "babel": "2.19.0", "hypothesis": "6.170.17", "werkzeug": "3.1.9", "tornado": "6.6.1",
    "twisted": "26.10.0", "jinja2": "3.1.6", "click": "8.5.1",
    # Never looked at while tuning a rule: the fresh evaluation sample of issue 16 (round 4).
    "pytest": "9.2.0", "pydantic": "2.14.4", "aiohttp": "3.14.5", "scrapy": "2.19.0", "marshmallow": "4.4.0",
    "starlette": "1.10.0", "fastapi": "0.165.0",
    # Round 5, drawn after round 4's fixes: a second fresh sample.
    "celery": "5.7.0", "kombu": "5.7.0", "paramiko": "5.1.0", "networkx": "3.6.1", "attrs": "26.1.0",
    "mypy": "2.4.1", "urllib3": "2.8.0", "tox": "4.67.16",
    # Round 6, a measurement only (no rule changed after it): more SSOT002 and SSOT401 evidence.
    "ansible-core": "2.19.14", "matplotlib": "3.11.2", "botocore": "1.44.8", "openpyxl": "3.1.5",
    "alembic": "1.20.1", "docker": "7.2.0", "jsonschema": "4.26.0", "pyramid": "2.1",
    # Round 7, drawn after the round's rule changes (mirrors by axis, versioned API folders,
    # cycle-free canonical copies, frozen and callable-only SSOT301 classes).
    "astroid": "4.4.0", "trio": "0.35.0", "redis": "8.1.0", "pymongo": "4.20.1", "falcon": "4.4.0",
    "prompt-toolkit": "3.0.53", "anyio": "4.16.0",
    # Round 8, drawn after every rule change of the session (round 7's findings prompted the
    # generated-module, sync/async-variant and typeshed-idiom changes).
    "websockets": "17.4", "psycopg": "3.3.9", "azure-core": "1.41.0", "textual": "8.2.8", "pylint": "4.1.5",
    "isort": "9.0.2", "dnspython": "2.9.2",
    # Round 9, drawn after round 8's changes (I/O-model variants by trio/, sync/ and file name;
    # nonlocal closures): the evaluation sample of this session's last SSOT001/SSOT002 rules.
    "httpcore": "1.0.9", "fsspec": "2026.9.0", "dask": "2026.8.0", "elasticsearch": "9.5.1", "markdown": "3.11.3",
    "uvicorn": "0.55.0", "gunicorn": "27.0.1",
    # Round 10, drawn after round 9's changes (SSOT001 copies calling each module's own helper,
    # SSOT301 interning through locals and subclasses of a name-only singleton base).
    "oauthlib": "4.0.1", "seaborn": "0.13.2", "virtualenv": "21.15.13", "sqlparse": "0.6.1",
    "cryptography": "50.0.2", "xarray": "2026.9.0", "hatchling": "1.33.0",
    # Round 11, a second measurement after every rule change of the session.
    "tqdm": "4.70.1", "google-auth": "2.63.0", "rq": "3.0.0", "dramatiq": "2.2.1", "huey": "3.5.4",
    "pika": "1.4.4", "kazoo": "2.11.0",
    # round 12
    "apscheduler": "3.11.3", "structlog": "26.1.0", "cattrs": "26.2.1", "ldap3": "2.9.1", "invoke": "3.0.3",
    "boltons": "26.2.0", "mako": "1.4.3", "litestar": "2.25.0", "sqlglot": "30.31.0", "djangorestframework": "3.18.3",
    # round 13
    "pyparsing": "3.3.3", "tomlkit": "0.15.3", "arrow": "1.4.0", "pre-commit": "4.7.0", "poetry-core": "2.5.0",
    "nox": "2026.10.20", "jsonpickle": "4.1.4", "twine": "7.0.0", "httpie": "3.2.4", "pluggy": "1.7.0",
    # round 14
    "sanic": "25.12.1", "tenacity": "9.2.1", "cerberus": "1.3.8", "wtforms": "3.3.2", "tortoise-orm": "1.1.9",
    "scapy": "2.8.0", "dulwich": "1.2.21",
    # round 15
    "cherrypy": "18.10.0", "waitress": "3.0.2", "eventlet": "0.41.3", "factory-boy": "3.3.3",
    "mongoengine": "0.29.3", "vcrpy": "9.4.2", "responses": "0.26.3", "asyncssh": "2.24.1", "pyasn1": "0.6.5",
    # round 16
    "pexpect": "4.9.0", "plumbum": "2.0.2", "bleach": "6.4.0", "humanize": "4.17.0", "sympy": "1.14.0",
    # round 17
    "ipython": "9.18.1", "coverage": "7.17.5", "jedi": "0.20.1", "pint": "0.25.3", "distributed": "2026.8.0",
    "black": "26.10.1", "traitlets": "5.16.1",
    # round 18: applications (the shape SSOT301 is about) beside libraries
    "mitmproxy": "11.0.2", "datasette": "0.65.5", "glances": "4.5.8", "locust": "2.47.0", "mkdocs": "1.6.1",
    "octoprint": "1.11.8", "pretix": "2026.8.0",
    # round 19
    "buildbot": "4.3.0", "sentry-sdk": "2.75.0", "authlib": "1.9.10", "zeep": "4.3.3", "feedparser": "6.0.14",
    "streamlit": "1.67.0", "tablib": "3.10.0",
}  # fmt: skip
IMPORT_NAMES = {
    "sentry-sdk": "sentry_sdk",
    "ipython": "IPython",
    "django": "django",
    "flask": "flask",
    "httpx": "httpx",
    "sqlalchemy": "sqlalchemy",
    "pytest": "_pytest",
    "attrs": "attr",
    "ansible-core": "ansible",
    "prompt-toolkit": "prompt_toolkit",
    "azure-core": "azure",
    "dnspython": "dns",
    "google-auth": "google",
    "djangorestframework": "rest_framework",
    "pre-commit": "pre_commit",
    "poetry-core": "poetry",
    "tortoise-orm": "tortoise",
    "factory-boy": "factory",
    "vcrpy": "vcr",
}


def fetch(package: str, version: str | None = None) -> Path:
    """The unpacked import package (e.g. .../django-5.2.8/django)."""
    name = package.lower()
    version = version or DEFAULT_VERSIONS.get(name)
    spec = f"{name}=={version}" if version else name
    base = Path(tempfile.gettempdir()) / "ssot-audit-bench" / spec.replace("==", "-")
    target = base / IMPORT_NAMES.get(name, name)
    if target.is_dir():
        return target
    download = base / "download"
    download.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            str(download),
            spec,
        ],
        check=True,
    )
    wheel = next(download.glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(base)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("packages", nargs="+")
    for package in parser.parse_args().packages:
        print(fetch(package))


if __name__ == "__main__":
    main()
