"""Reading a lesson form opened before forms had tokens, from the interaction data Discord sends."""

from __future__ import annotations

from cogs.exchange.views import legacy_lesson_answers


def test_answers_in_action_rows_and_in_labels_are_read() -> None:
    data = {
        "custom_id": "exchange:resolve:42",
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "worked", "value": "Caddies"}]},
            {"type": 18, "component": {"type": 4, "custom_id": "did_not", "value": ""}},
            {"type": 1, "components": [{"type": 4, "custom_id": "contact", "value": None}]},
        ],
    }
    assert legacy_lesson_answers(data) == (42, {"worked": "Caddies", "did_not": "", "contact": ""})


def test_other_forms_and_forms_with_tokens_are_not_legacy_lesson_forms() -> None:
    assert legacy_lesson_answers({"custom_id": "testimonials:submit:1", "components": []}) is None
    assert legacy_lesson_answers({"custom_id": "exchange:resolve:x"}) is None
    assert legacy_lesson_answers({"custom_id": "exchange:resolve:" + "A" * 22}) is None
    assert legacy_lesson_answers({}) is None
    assert legacy_lesson_answers({"custom_id": "exchange:resolve:7", "components": ["junk", 3]}) == (7, {})
