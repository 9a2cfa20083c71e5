"""The import directions of the architecture, checked on the source: data flows one way.

Layers, top to bottom; a module may import its own layer and the layers below it:

    command > cli > api > workflows > pipeline > config > rules, render > clones > analysis > model

and two narrower rules: renderers see only the model; rules see only the model, `analysis`
and `clones`. (import-linter would say the same, but `ssot_audit.rules` lives in `rules/`
through package-dir, which its module scanner does not follow; an AST walk does.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = (
    ("command", "__main__"),
    ("cli",),
    ("api",),
    ("workflows",),
    ("pipeline",),
    ("config",),
    ("rules", "render"),
    ("clones",),
    ("analysis",),
    ("model", "__init__"),
)
ONLY = {
    "render": {"model", "__init__", "render"},
    "rules": {"model", "__init__", "analysis", "clones", "rules"},
}


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _rank(room: str) -> int:
    for rank, rooms in enumerate(LAYERS):
        if room in rooms:
            return rank
    raise AssertionError(f"ssot_audit.{room} is in no layer: add it to LAYERS in {__file__}")


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / "ssot_audit").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        found[".".join(rel.parts).removesuffix(".__init__")] = path
    for path in sorted((ROOT / "rules").glob("*.py")):
        found[f"ssot_audit.rules.{path.stem}".removesuffix(".__init__")] = path
    return found


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "ssot_audit":
                names.update(f"ssot_audit.{a.name}" for a in node.names)
            else:
                names.add(node.module)
    return {n for n in names if n == "ssot_audit" or n.startswith("ssot_audit.")}


MODULES = _modules()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_layers(module: str) -> None:
    room = _room(module)
    for imported in sorted(_imports(MODULES[module])):
        target = _room(imported) if imported != "ssot_audit" else "__init__"
        if target == "__version__":
            target = "__init__"
        assert _rank(target) >= _rank(room), f"{module} imports {imported}: {target} is above {room}"
        if room in ONLY and room != target:
            assert target in ONLY[room], f"{module} imports {imported}: {room} may import only {sorted(ONLY[room])}"


def test_the_walk_sees_every_room_and_catches_an_upward_import(tmp_path: Path) -> None:
    assert {_room(m) for m in MODULES} >= {"cli", "workflows", "pipeline", "analysis", "rules", "render", "clones"}
    upward = tmp_path / "bad.py"
    upward.write_text("from ssot_audit.pipeline.engine import Engine\nfrom ssot_audit import model\n")
    assert _imports(upward) == {"ssot_audit.pipeline.engine", "ssot_audit.model"}
    assert _rank(_room("ssot_audit.pipeline.engine")) < _rank(_room("ssot_audit.rules.x"))
