"""The package graph of ``zwgk`` has no cycle, and only ``zwgk.storage`` speaks SQL.

The graph (docs/architecture.md draws it):

* one node per direct child of ``zwgk`` — a subpackage (``zwgk.storage``, ``zwgk.app``,
  ``zwgk.pipeline`` …) or a top-level module (``zwgk.model``, ``zwgk.text``,
  ``zwgk.columns``, ``zwgk.cli`` …); ``zwgk/__init__.py`` and ``zwgk/__main__.py`` are the
  root and not nodes;
* a package's command-line module ``zwgk/<X>/cli.py`` is a node of its own, ``zwgk.X.cli``:
  commands are entry points, the layer above the application layer (``zwgk.app``), so
  ``zwgk review`` (``zwgk.assess.cli``) may go through ``zwgk.app``, which uses
  ``zwgk.assess``; a module of ``zwgk.X`` importing ``zwgk.X.cli`` back is a cycle;
* an edge A → B for every ``import`` / ``from … import`` in a module of A that names a module
  of B, wherever it stands: module level, inside a function, under ``TYPE_CHECKING``.
  Imports inside functions are what hid the loops this test exists to keep out, so they count.

Read from the source with :mod:`ast`: nothing is imported, so the test also covers modules
whose third-party dependencies (Celery, Streamlit) are not installed.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import zwgk

ROOT = Path(zwgk.__file__).resolve().parent


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, int, list[str]]]:
    """Every module named by an import in ``path`` (absolute), its line, and the names taken."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, int, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((alias.name, node.lineno, []))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [a.name for a in node.names]
            found.append((target, node.lineno, names))
            # ``from zwgk import storage`` names the subpackage itself.
            for name in names:
                if (ROOT.parent / Path(*target.split("."), name)).is_dir() or (
                    ROOT.parent / Path(*target.split("."), f"{name}.py")
                ).is_file():
                    found.append((f"{target}.{name}", node.lineno, []))
    return found


def _node(module: str) -> str | None:
    """The graph node of a ``zwgk`` module (``zwgk.X``), or None for the root / outside."""
    parts = module.split(".")
    if parts[0] != "zwgk" or len(parts) < 2 or parts[1] in ("__main__",):
        return None
    if len(parts) == 3 and parts[2] == "cli":
        return f"zwgk.{parts[1]}.cli"
    return f"zwgk.{parts[1]}"


def _sources() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts)


def package_graph() -> dict[str, dict[str, list[str]]]:
    """``{A: {B: ["zwgk/a/x.py:12", …]}}`` — where each package edge comes from."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in _sources():
        src = _node(_module_name(path))
        if src is None:
            continue
        graph[src]  # every package is a node, even without edges
        for target, line, _names in _imports(path):
            dst = _node(target)
            if dst is None or dst == src:
                continue
            graph[src][dst].append(f"{path.relative_to(ROOT.parent)}:{line}")
    return graph


def strongly_connected(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Tarjan's algorithm; components of more than one node are the cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def describe_cycles(graph: dict[str, dict[str, list[str]]]) -> list[str]:
    """One line per edge inside a cycle, with the imports that make it."""
    lines = []
    for comp in strongly_connected(graph):
        members = set(comp)
        lines.append("cycle: " + " ".join(comp))
        for a in comp:
            for b, where in sorted(graph[a].items()):
                if b in members:
                    lines.append(f"  {a} -> {b}: {', '.join(where[:4])}")
    return lines


def test_no_cycle_between_packages() -> None:
    graph = package_graph()
    assert "zwgk.storage" in graph and "zwgk.model" in graph
    cycles = describe_cycles(graph)
    assert not cycles, "\n".join(cycles)


def test_graph_sees_imports_inside_functions() -> None:
    """The walk reads function bodies (what the cycles hid behind): zwgk.app.rounds imports the
    crawler only inside its functions, and the edge is there."""
    targets = {t for t, _line, _names in _imports(ROOT / "app" / "rounds.py")}
    assert {"zwgk.model", "zwgk.crawlers"} <= targets
    assert "zwgk.crawlers" in package_graph()["zwgk.app"]


# Statement builders and table classes: only zwgk.storage may use them.
_SQL_BUILDERS = {"select", "insert", "update", "delete", "text", "union", "union_all", "exists"}


def test_only_storage_imports_tables_or_builds_statements() -> None:
    offenders = []
    for path in _sources():
        module = _module_name(path)
        if module.startswith("zwgk.storage"):
            continue
        for target, line, names in _imports(path):
            where = f"{path.relative_to(ROOT.parent)}:{line}"
            if target == "zwgk.storage.tables" or (target == "zwgk.storage" and "tables" in names):
                offenders.append(f"{where} imports zwgk.storage.tables")
            if target.split(".")[0] == "sqlalchemy":
                taken = set(names) & _SQL_BUILDERS
                if target in ("sqlalchemy", "sqlalchemy.sql", "sqlalchemy.sql.expression") and taken:
                    offenders.append(f"{where} imports {sorted(taken)} from {target}")
                elif target.startswith(("sqlalchemy.dialects", "sqlalchemy.sql")) and names:
                    offenders.append(f"{where} imports {names} from {target}")
                elif not names:
                    offenders.append(f"{where} imports {target}")
    assert not offenders, "\n".join(offenders)


def test_only_storage_opens_database_sessions() -> None:
    """``db.session()`` (an ORM session: statements) is used inside zwgk.storage only."""
    offenders = []
    for path in _sources():
        if _module_name(path).startswith("zwgk.storage"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "session":
                offenders.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    assert not offenders, "sessions opened outside zwgk.storage:\n" + "\n".join(offenders)


if __name__ == "__main__":  # pragma: no cover - a tool for reading the graph
    g = package_graph()
    print("\n".join(describe_cycles(g)) or "no cycle")
