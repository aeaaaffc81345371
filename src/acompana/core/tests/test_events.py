"""Step keys are a closed set: ``event_record`` refuses an undeclared key, and every key the
source emits (``step_key=...``, ``*_KEY`` constants, transition tables) is declared in
``core/procedures/keys.py``."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from acompana.core.events import event_record
from acompana.core.models import Event
from acompana.core.procedures.keys import AUDIT_KEYS, STEP_KEYS, is_declared

SOURCE_ROOT = Path(__file__).resolve().parents[2]  # src/acompana
KEY_SHAPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
KEY_NAMES = {"step_key", "step_keys"}


def _strings(node: ast.AST, constants: dict[str, str]) -> Iterator[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value
        elif isinstance(sub, ast.Name) and sub.id in constants:
            yield constants[sub.id]


def _is_transition_table(tree: ast.Module) -> bool:
    """Whether the module holds transition rows: it imports ``Transition`` (the workflow
    primitive of ``core.workflow``) or defines a class with a ``step_key(s)`` field."""
    imports = any(
        alias.name == "Transition"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    )
    return imports or any(
        isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and stmt.target.id in KEY_NAMES
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        for stmt in node.body
    )


def emitted_keys(source: str) -> set[str]:
    """The step keys a module's source names.

    Found: the value of any ``step_key=`` / ``step_keys=`` argument or parameter default
    (string literals, also inside ``a if x else b``, and module-level string constants it
    names, e.g. ``step_key=REGISTERED``), module constants named ``*_KEY`` / ``*_KEYS``, and
    in a module of transition rows (it imports ``Transition`` or defines a class with a
    ``step_key(s)`` field) the tuples of strings passed positionally to a call
    (``_t("submit", ..., ("plan.submitted",))``).
    """
    tree = ast.parse(source)
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    table = _is_transition_table(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in KEY_NAMES:
            found.update(_strings(node.value, constants))
        elif isinstance(node, ast.arguments):
            positional = [*node.posonlyargs, *node.args]
            with_default = positional[len(positional) - len(node.defaults) :]
            pairs = [
                *zip(with_default, node.defaults, strict=True),
                *zip(node.kwonlyargs, node.kw_defaults, strict=True),
            ]
            for arg, default in pairs:
                if arg.arg in KEY_NAMES and default is not None:
                    found.update(_strings(default, constants))
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id.endswith(("_KEY", "_KEYS")) for t in node.targets
        ):
            found.update(_strings(node.value, {}))
        elif table and isinstance(node, ast.Call):
            for arg in node.args:
                if isinstance(arg, ast.Tuple | ast.List):
                    found.update(_strings(arg, constants))
    return {key for key in found if KEY_SHAPE.match(key)}


def _product_modules() -> Iterator[Path]:
    for path in sorted(SOURCE_ROOT.rglob("*.py")):
        parts = path.relative_to(SOURCE_ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


# --- the declared set ------------------------------------------------------------------------


def test_official_and_audit_keys_do_not_overlap():
    assert not set(STEP_KEYS) & set(AUDIT_KEYS)
    assert all(KEY_SHAPE.match(key) for key in [*STEP_KEYS, *AUDIT_KEYS])
    assert is_declared("need.triaged") and is_declared("need.registered")
    assert not is_declared("need.teleported")


@pytest.mark.django_db
def test_event_record_refuses_an_undeclared_key(world):
    undeclared = ".".join(["unit", "teleported"])  # built, so the source scan does not see it
    with pytest.raises(ValueError, match="unit.teleported"):
        event_record(actor=world.admin, organization=world.org, step_key=undeclared, obj=world.unit)
    assert not Event.objects.filter(step_key=undeclared).exists()
    event_record(actor=world.admin, organization=world.org, step_key="unit.updated", obj=world.unit)
    assert Event.objects.filter(step_key="unit.updated").count() == 1


# --- the source only emits declared keys -----------------------------------------------------


def test_scanner_finds_keys_in_each_form_it_knows():
    """The scan below is only as good as this: each way a key is written is found."""
    source = """
REGISTERED = "need.registered"
RUN_KEY = "plan.checks_run"

@dataclass
class Transition:
    action: str
    step_keys: tuple[str, ...]

ROWS = (_t("submit", {"draft"}, "submitted", "planning.edit_plan", ("a.listed", "b.listed")),)

def service(step_key: str = "c.default"):
    event_record(step_key="d.literal")
    event_record(step_key="e.yes" if x else "f.no")
    event_record(step_key=REGISTERED)
    event_record(step_key=t.step_key or "g.fallback")
"""
    assert emitted_keys(source) == {
        "need.registered",
        "plan.checks_run",
        "a.listed",
        "b.listed",
        "c.default",
        "d.literal",
        "e.yes",
        "f.no",
        "g.fallback",
    }
    # a permission passed as a bare string in a table row is not a step key
    assert "planning.edit_plan" not in emitted_keys(source)
    # rows of a table built with the core primitive
    rows = """
from acompana.core.workflow import Transition
ROWS = (Transition.build("approve", {"submitted"}, "approved", "planning.review", ("h.row",)),)
"""
    assert emitted_keys(rows) == {"h.row"}
    assert emitted_keys(rows.replace("import Transition", "import Other")) == set()


def test_every_step_key_in_the_source_is_declared():
    undeclared: dict[str, list[str]] = {}
    scanned = 0
    for path in _product_modules():
        scanned += 1
        for key in emitted_keys(path.read_text(encoding="utf-8")):
            if not is_declared(key):
                undeclared.setdefault(key, []).append(str(path.relative_to(SOURCE_ROOT)))
    assert scanned > 50
    assert not undeclared, (
        "Step keys used in the source but declared neither in STEP_KEYS nor in AUDIT_KEYS "
        f"(acompana/core/procedures/keys.py): {undeclared}"
    )


def test_the_source_emits_keys_of_every_stage_the_scan_should_see():
    """Guards the scan itself: if it stopped reading a form, these would go missing."""
    seen: set[str] = set()
    for path in _product_modules():
        seen |= emitted_keys(path.read_text(encoding="utf-8"))
    assert {"unit.created", "stakeholder.created", "need.registered", "plan.submitted"} <= seen
