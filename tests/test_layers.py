"""The apps form layers: an app imports only apps at its own level or below.

Read by the AST, so imports inside functions count as much as those at the top of a module.
Root modules (settings, urls, wsgi, the command line) wire everything together and are exempt;
so are migrations, which Django generates.
"""

from __future__ import annotations

import ast
from pathlib import Path

import shnor

# Low → high. Apps in one tuple share a level; `core` is shared machinery and may use
# `accounts` (roles and actions) but no domain app.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core", "accounts"),
    ("registry",),
    ("assessments",),
    ("taskresults",),
    ("identification",),
    ("risks",),
    ("staff",),
    ("support",),
    ("students",),
    ("events",),
    ("campaigns",),
    ("indicators",),
    ("reports",),
    ("overview",),
    ("demo",),
)
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}
PACKAGE = Path(shnor.__file__).parent


def imported_apps(path: Path) -> list[tuple[int, str]]:
    """(line, app) for every `shnor.<app>` the module imports."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "shnor":
                names = [f"shnor.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "shnor" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


def upward_imports() -> list[str]:
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if len(relative.parts) == 1 or "migrations" in relative.parts:
            continue
        app = relative.parts[0]
        for line, target in imported_apps(path):
            if target not in LEVEL:
                continue  # a root module (settings, urls …), which nothing in an app needs
            if app == "core" and target != "accounts" and target != "core":
                offences.append(f"{relative}:{line}: core imports the domain app {target}")
            elif LEVEL[target] > LEVEL[app]:
                offences.append(f"{relative}:{line}: {app} imports the higher app {target}")
    return offences


def test_every_app_is_placed_in_a_layer() -> None:
    apps = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert apps - {"static", "templates"} <= set(LEVEL), apps - set(LEVEL)


def test_no_import_runs_up_the_layers() -> None:
    offences = upward_imports()
    assert not offences, "\n".join(offences)


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from shnor.support.models import Measure\n")
    assert imported_apps(module) == [(2, "support")]
