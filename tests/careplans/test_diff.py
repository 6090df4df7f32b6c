"""Readable version diff, matched by item key."""

from carenav.careplans.diff import diff
from tests.careplans.snapshots import snapshot


def texts(old: dict, new: dict) -> list[str]:
    return [c.text for c in diff(old, new)]


def test_identical_versions_have_no_changes() -> None:
    assert diff(snapshot(), snapshot()) == []


def test_target_change_reads_as_one_line() -> None:
    old, new = snapshot(), snapshot()
    new["goals"][0].update(
        target={"kind": "value", "comparator": "<", "value": 7.0}, target_text="below 7.0 %"
    )
    assert texts(old, new) == [
        "Goal 'Get my blood sugar under control so I feel better and avoid…' target changed below 8.0 % → below 7.0 %"
    ]


def test_added_removed_and_linked_changes() -> None:
    old, new = snapshot(), snapshot()
    new["interventions"].pop(2)
    new["goals"].append({**new["goals"][1], "key": "new-goal", "description": "Walk to church on Sundays"})
    new["interventions"][0]["performer_role"] = "caregiver"
    new["interventions"][0]["performer_key"] = "d0d0d0d0-0000-4000-8000-000000000003"
    new["preferences"]["barriers"] = ["transport"]
    new["program_codes"] = ["CCM"]
    out = texts(old, new)
    assert "Plan programs changed CCM, BHI → CCM" in out
    assert "Preference barriers changed transport, cost → transport" in out
    assert "Goal 'Walk to church on Sundays' added" in out
    assert "Intervention 'Pick up groceries from the pantry on Fridays' removed" in out
    assert (
        "Intervention 'Check my blood sugar as my doctor advised and bring the log…' who changed patient → "
        "Lucía Martínez (caregiver)" in out
    )


def test_wording_change_and_field_set_and_cleared() -> None:
    old, new = snapshot(), snapshot()
    new["problems"][1]["display"] = "Food insecurity (worse since job loss)"
    new["problems"][1]["note"] = "Lost job in October"
    new["care_team"][1]["email"] = ""
    out = texts(old, new)
    assert "Problem wording changed 'Food insecurity' → 'Food insecurity (worse since job loss)'" in out
    assert "Problem 'Food insecurity (worse since job loss)' note set to Lost job in October" in out
    assert "Care team member Ana Care (care manager) email cleared (was ana@example.org)" in out
