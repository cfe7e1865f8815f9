"""The payments area reaches ordering through its public port only, and no area uses another
area's private (`_name`) helpers: checked on the source, so a new shortcut fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import marketplace

ROOT = Path(marketplace.__file__).parent
AREAS = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}


def _modules(area: str | None = None):
    for path in sorted((ROOT / area if area else ROOT).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if len(parts) > 1 and parts[0] in AREAS:
            yield parts[0], path, ast.parse(path.read_text(), str(path))


def _area_of(module: str | None) -> str | None:
    parts = (module or "").split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "marketplace" and parts[1] in AREAS else None


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_area_imports_or_calls_another_areas_private_names():
    found = []
    for area, path, tree in _modules():
        other_modules = set()  # local names bound to another area's modules or objects
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and _area_of(node.module) not in (None, area):
                for alias in node.names:
                    if _private(alias.name):
                        found.append(f"{path.name}: from {node.module} import {alias.name}")
                    other_modules.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if _area_of(alias.name) not in (None, area) and alias.asname:
                        other_modules.add(alias.asname)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in other_modules
                and _private(node.attr)
            ):
                found.append(f"{area}/{path.name}: {node.value.id}.{node.attr}")
    assert found == []


def test_payments_reach_ordering_only_through_its_models_and_port():
    allowed = {"marketplace.ordering.models", "marketplace.ordering.payments_port"}
    used = set()
    for _, _, tree in _modules("payments"):
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and _area_of(node.module) == "ordering":
                if node.module == "marketplace.ordering":
                    used |= {f"marketplace.ordering.{a.name}" for a in node.names}
                else:
                    used.add(node.module)
    assert used and used <= allowed, used - allowed
