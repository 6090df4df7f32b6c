"""The plan and intervention state machines are tables; one function applies them."""

import pytest

from carenav.careplans.machines import INTERVENTION, PLAN, PLAN_FHIR_STATUS, TransitionError


def test_plan_lifecycle() -> None:
    state = PLAN.apply("draft", "activate")
    assert state == "active"
    assert PLAN.apply(state, "revise") == "active"
    assert PLAN.apply(state, "supersede") == "revised"
    assert PLAN.apply(state, "complete") == "completed"
    assert PLAN.apply("draft", "cancel") == "cancelled"


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("active", "activate"),
        ("draft", "complete"),
        ("draft", "revise"),
        ("revised", "activate"),
        ("completed", "cancel"),
        ("cancelled", "activate"),
    ],
)
def test_plan_refuses_transitions_not_in_the_table(state: str, action: str) -> None:
    with pytest.raises(TransitionError, match=f"Cannot {action}"):
        PLAN.apply(state, action)


def test_unknown_action_and_allowed_actions() -> None:
    with pytest.raises(TransitionError, match="Unknown"):
        PLAN.apply("draft", "approve")
    assert PLAN.allowed_actions("draft") == ["activate", "cancel"]
    assert PLAN.allowed_actions("completed") == []


def test_intervention_machine() -> None:
    assert INTERVENTION.apply("not-started", "complete") == "completed"
    assert INTERVENTION.apply("on-hold", "start") == "in-progress"
    assert INTERVENTION.apply("completed", "reopen") == "not-started"
    with pytest.raises(TransitionError):
        INTERVENTION.apply("completed", "hold")


def test_every_plan_state_has_a_fhir_status_and_none_is_unknown() -> None:
    assert set(PLAN_FHIR_STATUS) == set(PLAN.states)
    assert "unknown" not in PLAN_FHIR_STATUS.values()
