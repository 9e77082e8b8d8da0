"""The outcome hook of clicks and forms (bot/components.py -> bot/metrics.py): bounded labels, no cost off."""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import pytest
from discord import app_commands

import cogs
from bot import metrics
from bot.components import ERROR, REFUSED, Outcomes, _Persistent, observe, outcome_of
from bot.errors import NotFoundError, PermissionDeniedError, ValidationError
from bot.forms import FORM_ID, Form


def every_subclass(base: type) -> set[type]:
    """All subclasses of base, at any depth."""
    found: set[type] = set()
    todo = [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


@pytest.fixture(scope="module")
def shipped() -> set[str]:
    """Import every cog module, so every shipped button, select and form class exists; return the kinds
    of the form instances the modules hold (a form class may serve several kinds)."""
    kinds: set[str] = set()
    for info in pkgutil.walk_packages(cogs.__path__, "cogs."):
        module = importlib.import_module(info.name)
        kinds |= {value.kind for value in vars(module).values() if isinstance(value, Form)}
    return kinds


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (ValidationError("bad input"), REFUSED),
        (PermissionDeniedError("not allowed"), REFUSED),
        (NotFoundError("gone"), REFUSED),
        (app_commands.CheckFailure(), REFUSED),
        (RuntimeError("a bug"), ERROR),
        (KeyError("a bug"), ERROR),
    ],
)
def test_an_error_is_refused_when_the_member_is_told_why_else_an_error(error: Exception, outcome: str):
    """What the member is told in words counts as refused; what gets an error id counts as error."""
    assert outcome_of(error) == outcome


def test_observe_does_nothing_while_metrics_are_off_and_reports_while_on(monkeypatch: pytest.MonkeyPatch):
    """No observer (metrics off): observe() returns at once; with one, it gets name and outcome."""
    monkeypatch.setattr(Outcomes, "observer", None)
    observe(object(), "polls:vote", "ok")  # type: ignore[arg-type]
    seen: list[tuple[Any, str, str]] = []
    monkeypatch.setattr(Outcomes, "observer", lambda i, name, outcome: seen.append((i, name, outcome)))
    marker = object()
    observe(marker, "polls:vote", "refused")  # type: ignore[arg-type]
    assert seen == [(marker, "polls:vote", "refused")]


def test_outcome_labels_equal_the_received_labels_and_name_no_ids(shipped: set[str]):
    """Every shipped prefix and form kind is its own label: the same one `received` derives from a
    custom_id, with no digits (which labels replace by {id}) and nothing per item or member."""
    prefixes = {c.prefix for c in every_subclass(_Persistent) if c.prefix}
    assert {"polls:vote", "testimonials:approve", "forms:retry", "proposals:support"} <= prefixes
    for prefix in prefixes:
        assert metrics.component_name(f"{prefix}:123:abc") == prefix
        assert not re.search(r"\d", prefix), prefix
    kinds = shipped | {getattr(c, "kind", None) for c in every_subclass(Form)} - {None}
    assert {"testimonials:submit", "proposals:submit", "exchange:resolve", "calls:add"} <= kinds
    for kind in kinds:
        assert FORM_ID.match(f"{kind}:{'a' * 22}") is not None, kind
        assert metrics.component_name(f"{kind}:{'a' * 22}") == kind
        assert not re.search(r"\d", str(kind)), kind
