"""The layering rules of docs/ARCHITECTURE.md, checked on the source so they cannot quietly erode.

- One commit per request: no view or service commits or rolls back (the outbox's delivery
  protocol is the documented exception; CLI commands and jobs commit at their end).
- Views do not catch NotFound / NotPermitted (the app-wide handlers answer them).
- Data flows down: nothing in `coordinator` imports `workers`; rules and the domain vocabularies
  import no Flask or SQLAlchemy.
- Every status column has a transition table; services never write a hand-parsed mapping.
- Small files: nothing in `coordinator/` or `workers/` past 400 lines.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from coordinator import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "coordinator"
MAX_LINES = 400
# The delivery protocol commits each claim before a message leaves (ARCHITECTURE.md, "Workers and
# reminders"); the health check, the notifications bell and the 500 page roll back a failed
# statement so the page (or the error page) can still be drawn; the CLI commits once per command.
MAY_COMMIT = {
    "coordinator/outbox",
    "coordinator/cli.py",
    "coordinator/transaction.py",
    "coordinator/services/health.py",
    "coordinator/templating.py",
    "coordinator/error_pages.py",
}


def _modules(*roots: str) -> list[Path]:
    return sorted(path for root in roots for path in (PROJECT_ROOT / root).rglob("*.py"))


def _relative(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT))


def _may_commit(path: Path) -> bool:
    name = _relative(path)
    return any(name == allowed or name.startswith(allowed + "/") for allowed in MAY_COMMIT)


@pytest.mark.parametrize("path", _modules("coordinator"), ids=_relative)
def test_views_and_services_never_commit_or_roll_back(path):
    if _may_commit(path):
        return
    calls = re.findall(r"db\.session\.(commit|rollback)\(", path.read_text())
    assert not calls, f"{_relative(path)} calls db.session.{calls[0]}(): the request (or job) commits once"


@pytest.mark.parametrize("path", _modules("coordinator/blueprints"), ids=_relative)
def test_views_leave_not_found_and_not_permitted_to_the_app(path):
    tree = ast.parse(path.read_text())
    caught = [
        ast.unparse(handler.type)
        for handler in ast.walk(tree)
        if isinstance(handler, ast.ExceptHandler) and handler.type is not None
    ]
    # The JSON API turns a NotFound into its own error envelope; no HTML view catches these.
    allowed = {"coordinator/blueprints/api/views.py"}
    refused = [name for name in caught if re.search(r"\bNot(Found|Permitted)\b", name)]
    assert not refused or _relative(path) in allowed, f"{_relative(path)} catches {refused}"


@pytest.mark.parametrize("path", _modules("coordinator", "workers"), ids=_relative)
def test_no_file_grows_past_the_limit(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{_relative(path)} has {lines} lines: split it by what it does"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", _modules("coordinator"), ids=_relative)
def test_nothing_in_coordinator_imports_workers(path):
    assert not {name for name in _imports(path) if name == "workers" or name.startswith("workers.")}


@pytest.mark.parametrize("path", _modules("coordinator/rules", "coordinator/domain"), ids=_relative)
def test_rules_and_vocabularies_stay_pure(path):
    impure = {name for name in _imports(path) if name.split(".")[0] in {"flask", "sqlalchemy", "flask_sqlalchemy"}}
    impure |= {
        name
        for name in _imports(path)
        if name.startswith("coordinator.") and name.split(".")[1] not in {"rules", "domain"}
    }
    assert not impure, f"{_relative(path)} imports {sorted(impure)}"


def test_every_status_enum_has_a_transition_table():
    from coordinator.rules import (
        authorization_lifecycle,
        inquiry_lifecycle,
        payment_plan_lifecycle,
        quote_lifecycle,
        reminder_lifecycle,
    )
    from coordinator.rules.transitions import Lifecycle

    for module in (
        inquiry_lifecycle,
        authorization_lifecycle,
        quote_lifecycle,
        payment_plan_lifecycle,
        reminder_lifecycle,
    ):
        lifecycles = [value for value in vars(module).values() if isinstance(value, Lifecycle)]
        assert lifecycles, f"{module.__name__} has no Lifecycle table"


@pytest.mark.parametrize("path", _modules("coordinator/services"), ids=_relative)
def test_services_take_contracts_not_raw_mappings(path):
    tree = ast.parse(path.read_text())
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and not function.name.startswith("_"):
            for argument in function.args.args + function.args.kwonlyargs:
                annotation = ast.unparse(argument.annotation) if argument.annotation else ""
                assert "Mapping" not in annotation or argument.arg not in {"data", "form"}, (
                    f"{_relative(path)}:{function.name} takes {argument.arg}: {annotation}; take a contract"
                )
