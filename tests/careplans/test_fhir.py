"""FHIR export: a valid R4 Bundle (fhir.resources R4B), references that resolve, statuses never unknown."""

from datetime import UTC, datetime

import pytest

from carenav.careplans import fhir
from tests.careplans.snapshots import PATIENT, snapshot

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def by_type(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def all_references(node) -> list[str]:
    if isinstance(node, dict):
        refs = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return refs + [r for v in node.values() for r in all_references(v)]
    if isinstance(node, list):
        return [r for v in node for r in all_references(v)]
    return []


def test_bundle_validates_and_references_resolve() -> None:
    data = fhir.bundle(snapshot(), now=NOW)
    parsed = fhir.validate(data)
    assert parsed.type == "collection"
    full_urls = {e["fullUrl"] for e in data["entry"]}
    for ref in all_references(data):
        assert ref in full_urls or ref == PATIENT or ref.startswith("CarePlan/"), ref


def test_careplan_follows_us_core_and_mcc_shape() -> None:
    data = fhir.bundle(snapshot(), now=NOW)
    (plan,) = by_type(data, "CarePlan")
    assert plan["status"] == "active" and plan["intent"] == "plan"
    assert plan["category"][0]["coding"][0]["code"] == "assess-plan"
    assert plan["text"]["status"] == "generated" and "Food insecurity" in plan["text"]["div"]
    assert len(plan["addresses"]) == 2 and len(plan["goal"]) == 2 and len(plan["activity"]) == 3
    assert plan["activity"][1]["detail"]["status"] == "not-started"
    assert plan["meta"]["versionId"] == "2"
    assert any("Agreed verbally by the patient" in n["text"] for n in plan["note"])


def test_goal_targets_and_achievement() -> None:
    data = fhir.bundle(snapshot(), now=NOW)
    hba1c, food = by_type(data, "Goal")
    target = hba1c["target"][0]
    assert target["measure"]["coding"][0]["code"] == "4548-4"
    assert target["detailQuantity"] == {
        "value": 8.0,
        "comparator": "<",
        "unit": "%",
        "system": "http://unitsofmeasure.org",
        "code": "%",
    }
    assert target["dueDate"] == "2027-05-01"
    assert hba1c["lifecycleStatus"] == "active"
    assert hba1c["achievementStatus"]["coding"][0]["code"] == "improving"
    # Gravity SDOHCC Goal: SDOH category, milestone goal keeps a due date.
    assert food["category"][0]["coding"][0]["code"] == "food-insecurity"
    assert food["target"] == [{"dueDate": "2026-12-31"}]


def test_direction_target_exports_the_threshold() -> None:
    snap = snapshot()
    snap["goals"][0].update(
        measure={
            "system": "http://loinc.org",
            "code": "44261-6",
            "display": "PHQ-9 total",
            "unit": "{score}",
            "unit_label": "points",
        },
        target={"kind": "direction", "direction": "decrease", "change_pct": 50},
        baseline=18,
        target_threshold=9,
    )
    data = fhir.bundle(snap, now=NOW)
    fhir.validate(data)
    detail = by_type(data, "Goal")[0]["target"][0]["detailQuantity"]
    assert (detail["value"], detail["comparator"], detail["code"]) == (9, "<=", "{score}")


def test_sdoh_condition_is_unconfirmed_until_agreed() -> None:
    draft = fhir.bundle(snapshot(status="draft"), now=NOW)
    fhir.validate(draft)
    diabetes, food = by_type(draft, "Condition")
    assert diabetes["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert food["verificationStatus"]["coding"][0]["code"] == "unconfirmed"
    codes = {c["coding"][0]["code"] for c in food["category"]}
    assert codes == {"health-concern", "sdoh", "food-insecurity"}
    assert by_type(draft, "CareTeam")[0]["status"] == "proposed"
    assert by_type(draft, "Goal")[0]["lifecycleStatus"] == "proposed"
    agreed = fhir.bundle(snapshot(), now=NOW)
    assert by_type(agreed, "Condition")[1]["verificationStatus"]["coding"][0]["code"] == "confirmed"


def test_care_team_members_are_resources() -> None:
    data = fhir.bundle(snapshot(), now=NOW)
    (team,) = by_type(data, "CareTeam")
    roles = [p["role"][0]["text"] for p in team["participant"]]
    assert roles == ["Patient", "Care manager (Valley Clinic)", "Family caregiver", "Community organization"]
    assert team["participant"][0]["member"]["reference"] == PATIENT
    assert by_type(data, "RelatedPerson")[0]["telecom"] == [{"system": "phone", "value": "555-0111"}]
    assert by_type(data, "Organization")[0]["name"] == "Valley Food Bank"


def test_no_status_is_unknown_in_any_plan_state() -> None:
    for state in ("draft", "active", "revised", "completed", "cancelled"):
        data = fhir.bundle(snapshot(status=state), now=NOW)
        fhir.validate(data)
        assert '"unknown"' not in str(data).replace("'", '"')


def test_codes_outside_required_value_sets_and_dangling_references_are_caught() -> None:
    data = fhir.bundle(snapshot(), now=NOW)
    goal = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Goal")
    goal["lifecycleStatus"] = "unknown"
    goal["addresses"] = [{"reference": "urn:uuid:00000000-0000-4000-8000-000000000000"}]
    problems = fhir.code_problems(data)
    assert any("lifecycleStatus = 'unknown'" in p for p in problems)
    assert any("not in the bundle" in p for p in problems)
    with pytest.raises(ValueError, match="required value set"):
        fhir.validate(data)
