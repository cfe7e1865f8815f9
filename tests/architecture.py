"""Import-linter contract types of our own (registered in pyproject.toml, run by `make lint`).

`private_names`: no module of one area uses another area's private names. An area is a direct child
of a container package (`marketplace.ordering`, `marketplace.money`, …). A name is private when it
starts with one underscore (dunders such as `__version__` are public). Caught, across areas:
  from marketplace.ordering.checkout import _lock_orders
  from marketplace.ordering import checkout; checkout._lock_orders(...)
  import marketplace.ordering.checkout as checkout; checkout._lock_orders(...)
  from marketplace.ordering import _helpers            (a private module)
Import-linter's own contracts see modules, not names, hence this one.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass

from importlinter import Contract, ContractCheck, fields, output


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _area(module: str, container: str) -> str | None:
    if module == container or not module.startswith(container + "."):
        return None
    return module[len(container) + 1 :].split(".")[0]


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    if not level:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


@dataclass(frozen=True)
class Violation:
    importer: str
    line: int
    used: str

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} uses {self.used}"


def violations_in(module: str, container: str, known_modules: set[str]) -> list[Violation]:
    """Every use in `module` of another area's private name (see the module docstring)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return []
    with open(spec.origin, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=spec.origin)
    own = _area(module, container)
    is_package = spec.origin.endswith("__init__.py")
    found: list[Violation] = []
    foreign_aliases: dict[str, str] = {}  # local name → another area's module

    def foreign(target: str) -> bool:
        area = _area(target, container)
        return area is not None and area != own

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _resolve(module, is_package, node.level, node.module)
            if not foreign(source):
                continue
            if any(_private(part) for part in source.split(".")[1:]):
                found.append(Violation(module, node.lineno, source))
            for alias in node.names:
                if _private(alias.name):
                    found.append(Violation(module, node.lineno, f"{source}.{alias.name}"))
                elif f"{source}.{alias.name}" in known_modules:
                    foreign_aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if not foreign(alias.name):
                    continue
                if any(_private(part) for part in alias.name.split(".")[1:]):
                    found.append(Violation(module, node.lineno, alias.name))
                if alias.asname:
                    foreign_aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in foreign_aliases
            and _private(node.attr)
        ):
            used = f"{foreign_aliases[node.value.id]}.{node.attr}"
            found.append(Violation(module, node.lineno, used))
    return found


class PrivateNamesContract(Contract):
    """Areas use each other only through public names.

    Options:
        - containers: the packages whose direct children are the areas.
    """

    type_name = "private_names"

    containers = fields.ListField(subfield=fields.ModuleField())

    def check(self, graph, verbose: bool) -> ContractCheck:
        found: list[Violation] = []
        for container in self.containers:  # type: ignore[attr-defined]
            name = container.name
            modules = {m for m in graph.modules if m == name or m.startswith(name + ".")}
            for module in sorted(modules):
                found.extend(violations_in(module, name, modules))
        return ContractCheck(
            kept=not found, warnings=[], metadata={"violations": [str(v) for v in found]}
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["violations"]:
            output.print_error(line, bold=False)
        output.new_line()
        output.print(
            "Another area's private name: ask that area for a public function "
            "(a service, a query or a port) instead."
        )
