"""Renderers: an AuditResult in, text out. One module per format."""

from __future__ import annotations

from collections.abc import Callable

from ssot_audit.model import AuditResult
from ssot_audit.render import github, gitlab, json_format, markdown, sarif, text

Renderer = Callable[[AuditResult, bool], str]


def renderers() -> dict[str, Renderer]:
    return {
        "text": text.render,
        "markdown": markdown.render,
        "json": json_format.render,
        "sarif": sarif.render,
        "github": github.render,
        "gitlab": gitlab.render,
    }


EXTENSIONS = {".json": "json", ".txt": "text", ".sarif": "sarif", ".md": "markdown"}
