"""Reading a submitted lesson form from the interaction data Discord sends."""

from __future__ import annotations

from cogs.exchange.views import resolve_form_answers


def test_answers_in_action_rows_and_in_labels_are_read() -> None:
    data = {
        "custom_id": "exchange:resolve:42",
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "worked", "value": "Caddies"}]},
            {"type": 18, "component": {"type": 4, "custom_id": "did_not", "value": ""}},
            {"type": 1, "components": [{"type": 4, "custom_id": "contact", "value": None}]},
        ],
    }
    assert resolve_form_answers(data) == (42, {"worked": "Caddies", "did_not": "", "contact": ""})


def test_other_forms_are_not_lesson_forms() -> None:
    assert resolve_form_answers({"custom_id": "testimonials:submit:1", "components": []}) is None
    assert resolve_form_answers({"custom_id": "exchange:resolve:x"}) is None
    assert resolve_form_answers({}) is None
    assert resolve_form_answers({"custom_id": "exchange:resolve:7", "components": ["junk", 3]}) == (7, {})
