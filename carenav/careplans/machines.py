"""State machines of the care plan and its interventions, as data.

Each machine is a table of actions -> (allowed source states, target state). ``apply`` is the one function
that checks a transition; services call it and then perform the action's side effects (see services.py).

Plan versions: a plan is written as a **draft**, becomes **active** when the patient (or representative)
and the care manager agree to it, and is **revised** by writing a new draft version; activating that draft
moves the version it replaces to ``revised`` (kept readable). An active plan ends as **completed** (goals
met or the program ended) or **cancelled**; a draft nobody wants is cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass


class TransitionError(ValueError):
    """The action is not allowed from the current state."""


@dataclass(frozen=True)
class Machine:
    name: str
    states: tuple[str, ...]
    transitions: dict[str, tuple[frozenset[str], str]]
    terminal: frozenset[str] = frozenset()

    def allowed_actions(self, state: str) -> list[str]:
        return [action for action, (sources, _) in self.transitions.items() if state in sources]

    def apply(self, state: str, action: str) -> str:
        if action not in self.transitions:
            raise TransitionError(f"Unknown {self.name} action '{action}'.")
        sources, target = self.transitions[action]
        if state not in sources:
            allowed = ", ".join(self.allowed_actions(state)) or "none"
            raise TransitionError(
                f"Cannot {action} a {self.name} that is {state} (allowed from {state}: {allowed})."
            )
        return target


def _t(sources: set[str], target: str) -> tuple[frozenset[str], str]:
    return frozenset(sources), target


PLAN = Machine(
    name="care plan",
    states=("draft", "active", "revised", "completed", "cancelled"),
    transitions={
        "activate": _t({"draft"}, "active"),
        # Starting a revision leaves the active version active; the side effect is a new draft version.
        "revise": _t({"active"}, "active"),
        # Side effect of activating the next version.
        "supersede": _t({"active"}, "revised"),
        "complete": _t({"active"}, "completed"),
        "cancel": _t({"draft", "active"}, "cancelled"),
    },
    terminal=frozenset({"revised", "completed", "cancelled"}),
)

# Content (problems, goals, interventions, care team, preferences) is edited only while a version is a
# draft; progress (measurements, goal status overrides, intervention status) is recorded on the active one.
CONTENT_EDITABLE = frozenset({"draft"})
PROGRESS_EDITABLE = frozenset({"active"})

INTERVENTION = Machine(
    name="intervention",
    states=("not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled"),
    transitions={
        "schedule": _t({"not-started"}, "scheduled"),
        "start": _t({"not-started", "scheduled", "on-hold"}, "in-progress"),
        "hold": _t({"scheduled", "in-progress"}, "on-hold"),
        "complete": _t({"not-started", "scheduled", "in-progress"}, "completed"),
        "cancel": _t({"not-started", "scheduled", "in-progress", "on-hold"}, "cancelled"),
        "reopen": _t({"completed", "cancelled"}, "not-started"),
    },
)

# FHIR R4 CarePlan.status for each plan state (never "unknown").
PLAN_FHIR_STATUS = {
    "draft": "draft",
    "active": "active",
    "revised": "revoked",
    "completed": "completed",
    "cancelled": "revoked",
}

# FHIR R4 Goal.lifecycleStatus for the goals of a plan in each state.
GOAL_FHIR_LIFECYCLE = {
    "draft": "proposed",
    "active": "active",
    "revised": "active",
    "completed": "completed",
    "cancelled": "cancelled",
}
