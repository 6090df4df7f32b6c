"""The JSON API: a plan built end to end, conflicts (409), bad input (400 naming the field), scope (404)."""

import json
from typing import Any

import pytest
from django.test import Client

from carenav.accounts.models import User
from carenav.careplans import fhir
from carenav.careplans.models import CarePlan
from carenav.patients.models import Patient
from tests.conftest import token_headers

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user: User) -> None:
        self.client, self.headers = Client(), token_headers(user)

    def __call__(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = getattr(self.client, method)(
            f"/api{path}",
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            **self.headers,
        )
        return response.status_code, response.json() if response.content else None


@pytest.fixture
def api(care_manager: User) -> Api:
    return Api(care_manager)


def build(api: Api, patient: Patient) -> dict:
    status, plan = api("post", f"/patients/{patient.pk}/careplans", {"program_codes": ["CCM", "BHI"]})
    assert status == 201, plan
    status, plan = api(
        "post",
        f"/careplans/{plan['pk']}/problems",
        {"lock_version": plan["lock_version"], "display": "Type 2 diabetes", "category_key": "diabetes"},
    )
    assert status == 201, plan
    status, suggestions = api("get", f"/careplans/{plan['pk']}/suggestions")
    first = suggestions["goals"][0]
    assert (first["template_ref"], first["target"]) == ("diabetes/dm-hba1c@2026.1", "below 8")
    status, plan = api(
        "post",
        f"/careplans/{plan['pk']}/goals",
        {
            "lock_version": plan["lock_version"],
            "description": first["description"],
            "target_kind": "value",
            "measure_code": "4548-4",
            "target_comparator": "<",
            "target_value": 8.0,
            "baseline_value": 8.4,
            "baseline_date": "2026-09-01",
            "due_date": "2027-05-24",
            "problem_keys": [first["problem_key"]],
            "template_ref": first["template_ref"],
        },
    )
    assert status == 201, plan
    return plan


def test_build_activate_measure_and_export(api: Api, chronic_patient: Patient) -> None:
    plan = build(api, chronic_patient)
    assert len(plan["goals"]) == 1 and len(plan["interventions"]) == 3 and plan["status"] == "draft"
    goal_key = plan["changed_key"]
    status, plan = api(
        "post",
        f"/careplans/{plan['pk']}/activate",
        {"lock_version": plan["lock_version"], "agreed_by": "patient", "method": "verbally"},
    )
    assert status == 200 and plan["status"] == "active" and plan["review_due"] == "2027-11-24"
    assert plan["goals"][0]["status"]["code"] == "in-progress"
    status, plan = api(
        "post",
        f"/careplans/{plan['pk']}/goals/{goal_key}/measurements",
        {"value": 7.9, "unit": "%", "observed_on": "2026-11-23"},
    )
    assert status == 201 and plan["goals"][0]["status"]["code"] == "achieved"
    status, points = api("get", f"/careplans/{plan['pk']}/goals/{goal_key}/measurements")
    assert points == [
        {
            "on": "2026-09-01",
            "value": 8.4,
            "source": "observation",
            "note": "",
        },  # the baseline, from the record
        {"on": "2026-11-23", "value": 7.9, "source": "entered", "note": ""},
    ]
    status, due = api("get", "/careplans/reviews-due?within_days=366")
    assert [p["pk"] for p in due] == [plan["pk"]] and api("get", "/careplans/reviews-due")[1] == []
    status, bundle = api("get", f"/careplans/{plan['pk']}/fhir")
    assert status == 200
    fhir.validate(bundle)
    goal = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Goal")
    assert goal["achievementStatus"]["coding"][0]["code"] == "achieved"


def test_stale_lock_version_is_409(api: Api, chronic_patient: Patient) -> None:
    plan = build(api, chronic_patient)
    stale = plan["lock_version"] - 1
    status, body = api(
        "patch", f"/careplans/{plan['pk']}", {"lock_version": stale, "what_matters": "My garden"}
    )
    assert status == 409 and body["field"] == "lock_version" and "changed this plan" in body["detail"]
    status, body = api(
        "patch",
        f"/careplans/{plan['pk']}",
        {"lock_version": plan["lock_version"], "what_matters": "My garden"},
    )
    assert status == 200 and body["preferences"]["what_matters"] == "My garden"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"measure_code": ""}, "measure_code"),
        ({"unit": "mmol/mol"}, "unit"),
        ({"due_date": "2026-01-01"}, "due_date"),
        ({"target_value": None}, "target_value"),
    ],
)
def test_bad_goal_is_400_naming_the_field(
    api: Api, chronic_patient: Patient, changes: dict, field: str
) -> None:
    plan = build(api, chronic_patient)
    body = {
        "lock_version": plan["lock_version"],
        "description": "Lower my A1c",
        "target_kind": "value",
        "measure_code": "4548-4",
        "target_comparator": "<",
        "target_value": 7.5,
        "due_date": "2027-03-01",
        **changes,
    }
    status, error = api("post", f"/careplans/{plan['pk']}/goals", body)
    assert status == 400 and error["field"] == field, error
    status, after = api("get", f"/careplans/{plan['pk']}")
    assert len(after["goals"]) == 1 and after["lock_version"] == plan["lock_version"]


def test_shape_errors_are_422(api: Api, chronic_patient: Patient) -> None:
    status, plan = api("post", f"/patients/{chronic_patient.pk}/careplans", {})
    status, error = api("post", f"/careplans/{plan['pk']}/goals", {"description": "x"})
    fields = {e["field"].rsplit(".", 1)[-1] for e in error["errors"]}
    assert status == 422 and fields >= {"lock_version", "target_kind"}


def test_revise_versions_and_diff(api: Api, chronic_patient: Patient) -> None:
    plan = build(api, chronic_patient)
    status, v1 = api(
        "post",
        f"/careplans/{plan['pk']}/activate",
        {"lock_version": plan["lock_version"], "agreed_by": "patient", "method": "signed"},
    )
    status, v2 = api("post", f"/careplans/{v1['pk']}/revise", {"lock_version": v1["lock_version"]})
    assert status == 201 and v2["version"] == 2 and v2["replaces"] == v1["id"]
    goal = v2["goals"][0]
    status, v2 = api(
        "put",
        f"/careplans/{v2['pk']}/goals/{goal['key']}",
        {
            "lock_version": v2["lock_version"],
            "description": goal["description"],
            "target_kind": "value",
            "measure_code": "4548-4",
            "target_comparator": "<",
            "target_value": 7.5,
            "baseline_value": 8.4,
            "baseline_date": "2026-09-01",
            "due_date": "2027-05-24",
            "problem_keys": goal["problem_keys"],
        },
    )
    assert status == 200, v2
    status, changes = api("get", f"/careplans/{v2['pk']}/diff")
    assert [c["text"] for c in changes] == [
        "Goal 'Get my blood sugar under control so I feel better and avoid…' target changed below 8.0 % → below 7.5 %"
    ]
    status, versions = api("get", f"/careplans/{v2['pk']}/versions")
    assert [(v["version"], v["status"]) for v in versions] == [(2, "draft"), (1, "active")]
    status, listed = api("get", f"/patients/{chronic_patient.pk}/careplans")
    assert len(listed) == 2


def test_items_interventions_and_team(api: Api, chronic_patient: Patient) -> None:
    plan = build(api, chronic_patient)
    status, plan = api(
        "post",
        f"/careplans/{plan['pk']}/care-team",
        {"lock_version": plan["lock_version"], "role": "pcp", "name": "Dr. Ana Patel", "phone": "555-0150"},
    )
    assert status == 201
    pcp_key = plan["changed_key"]
    status, plan = api(
        "post",
        f"/careplans/{plan['pk']}/interventions",
        {
            "lock_version": plan["lock_version"],
            "description": "Review insulin dose",
            "performer_key": pcp_key,
            "frequency": "monthly",
            "goal_key": plan["goals"][0]["key"],
        },
    )
    assert status == 201
    item = next(i for i in plan["interventions"] if i["key"] == plan["changed_key"])
    assert (item["performer_role"], item["performer_key"]) == ("pcp", pcp_key)
    status, plan = api(
        "post",
        f"/careplans/{plan['pk']}/interventions/{item['key']}/transition",
        {"lock_version": plan["lock_version"], "action": "schedule"},
    )
    assert (
        status == 200
        and next(i for i in plan["interventions"] if i["key"] == item["key"])["status"] == "scheduled"
    )
    status, error = api(
        "post",
        f"/careplans/{plan['pk']}/interventions/{item['key']}/transition",
        {"lock_version": plan["lock_version"], "action": "reopen"},
    )
    assert status == 400 and error["field"] == "action"
    status, plan = api(
        "delete", f"/careplans/{plan['pk']}/interventions/{item['key']}?lock_version={plan['lock_version']}"
    )
    assert status == 200 and item["key"] not in {i["key"] for i in plan["interventions"]}


def test_scope_and_permissions(
    api: Api, chronic_patient: Patient, other_care_manager: User, auditor: User
) -> None:
    plan = build(api, chronic_patient)
    outsider = Api(other_care_manager)
    assert outsider("get", f"/careplans/{plan['pk']}")[0] == 404
    assert outsider("post", f"/patients/{chronic_patient.pk}/careplans", {})[0] == 404
    assert outsider("get", f"/careplans/{plan['pk']}/fhir")[0] == 404
    reader = Api(auditor)
    assert reader("get", f"/careplans/{plan['pk']}")[0] == 200
    status, error = reader(
        "patch", f"/careplans/{plan['pk']}", {"lock_version": plan["lock_version"], "title": "x"}
    )
    assert status == 403
    assert CarePlan.objects.get(pk=plan["pk"]).title == "Comprehensive care plan"
