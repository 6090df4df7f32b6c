"""FHIR R4 export of one care plan version: a collection Bundle of CarePlan, Goal, CareTeam and Conditions.

Django-free; works on a plan snapshot. Follows US Core (CarePlan category ``assess-plan``, Goal with
target.measure/detail/dueDate, CareTeam member per participant), the MCC eCare Plan pattern (prioritized
health concerns -> goals -> interventions in one consensus plan, patient and caregivers on the team) and,
for social needs, the Gravity SDOH Clinical Care pattern (SDOHCC Condition with the ``sdoh`` category and
an SDOH category code, verificationStatus ``unconfirmed`` until the plan is agreed; SDOHCC Goal with the SDOH
category and achievementStatus). No status is ever "unknown". Entries use ``urn:uuid`` full URLs; the
patient is referenced as given in the snapshot.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from html import escape
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from carenav.careplans.machines import GOAL_FHIR_LIFECYCLE, PLAN_FHIR_STATUS
from carenav.careplans.measures import UCUM

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/"
SDOH_CATEGORY_SYSTEM = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
CAREPLAN_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category"
US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
GOAL_PRIORITY = "http://terminology.hl7.org/CodeSystem/goal-priority"
SNOMED = "http://snomed.info/sct"
ROLE_SYSTEM = "https://carenav.org/fhir/CodeSystem/careteam-role"
SERIES_NAMESPACE = uuid.UUID("6f4b8c1e-2d7a-4e0b-9a51-3c2f0d9e8b17")

# SNOMED CT codes for the care-team roles where one clearly fits (US Core binds role extensibly).
ROLE_SNOMED = {
    "patient": ("116154003", "Patient"),
    "caregiver": ("133932002", "Caregiver"),
    "pcp": ("446050000", "Primary care physician"),
    "pharmacist": ("46255001", "Pharmacist"),
}
ROLE_TEXT = {
    "patient": "Patient",
    "caregiver": "Family caregiver",
    "care_manager": "Care manager",
    "pcp": "Primary care provider",
    "specialist": "Specialist",
    "pharmacist": "Pharmacist",
    "chw": "Community health worker",
    "community_org": "Community organization",
    "other": "Care team member",
}
CARETEAM_STATUS = {"draft": "proposed", "active": "active"}  # any other plan state -> inactive
AGREED_STATES = {"active", "revised", "completed"}


def _ref(key: str) -> str:
    return f"urn:uuid:{key}"


def _concept(system: str | None, code: str | None, display: str) -> dict:
    concept: dict = {"text": display}
    if system and code:
        concept["coding"] = [{"system": system, "code": code, "display": display}]
    return concept


def _telecom(item: dict) -> list[dict]:
    out = []
    if item.get("phone"):
        out.append({"system": "phone", "value": item["phone"]})
    if item.get("email"):
        out.append({"system": "email", "value": item["email"]})
    return out


def _div(parts: list[str]) -> dict:
    return {
        "status": "generated",
        "div": '<div xmlns="http://www.w3.org/1999/xhtml">' + "".join(parts) + "</div>",
    }


def _condition(problem: dict, snap: dict) -> dict:
    sdoh = problem.get("sdoh_category")
    from_record = problem.get("source") == "condition"
    categories = [
        {
            "coding": [
                {
                    "system": CONDITION_CATEGORY,
                    "code": "problem-list-item" if from_record else "health-concern",
                    "display": "Problem List Item" if from_record else "Health Concern",
                }
            ]
        }
    ]
    profiles = [US_CORE + "us-core-condition-problems-health-concerns"]
    if sdoh:
        categories.append({"coding": [{"system": US_CORE_CATEGORY, "code": "sdoh", "display": "SDOH"}]})
        categories.append({"coding": [{"system": SDOH_CATEGORY_SYSTEM, "code": sdoh}]})
        profiles.append(SDOHCC + "SDOHCC-Condition")
    # Gravity: a concern derived from a screen stays unconfirmed until reviewed with the patient,
    # which is what agreeing to the plan does.
    confirmed = from_record or snap["status"] in AGREED_STATES
    resource = {
        "resourceType": "Condition",
        "id": problem["key"],
        "meta": {"profile": profiles},
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
        "verificationStatus": {
            "coding": [
                {"system": CONDITION_VERIFICATION, "code": "confirmed" if confirmed else "unconfirmed"}
            ]
        },
        "category": categories,
        "code": _concept(problem.get("system"), problem.get("code"), problem["display"]),
        "subject": {"reference": snap["patient"]["reference"]},
    }
    if problem.get("recorded_on"):
        resource["recordedDate"] = problem["recorded_on"]
    if problem.get("note"):
        resource["note"] = [{"text": problem["note"]}]
    return resource


def _quantity(value: float, measure: dict, comparator: str | None = None) -> dict:
    q = {
        "value": value,
        "unit": measure.get("unit_label") or measure["unit"],
        "system": UCUM,
        "code": measure["unit"],
    }
    if comparator and comparator != "=":
        q["comparator"] = comparator
    return q


def _goal_target(goal: dict) -> dict:
    target: dict = {}
    if goal.get("due_date"):
        target["dueDate"] = goal["due_date"]
    m, t = goal.get("measure"), goal.get("target") or {}
    if not m or t.get("kind") in (None, "milestone"):
        return target
    target["measure"] = _concept(m["system"], m["code"], m["display"])
    kind = t["kind"]
    if kind == "value":
        target["detailQuantity"] = _quantity(t["value"], m, t.get("comparator"))
    elif kind == "range":
        target["detailRange"] = {"low": _quantity(t["low"], m), "high": _quantity(t["high"], m)}
    elif goal.get("target_threshold") is not None and (
        t.get("change") is not None or t.get("change_pct") is not None
    ):
        comparator = "<=" if t["direction"] == "decrease" else ">="
        target["detailQuantity"] = _quantity(goal["target_threshold"], m, comparator)
    else:
        target["detailCodeableConcept"] = {"text": goal.get("target_text", "")}
    return target


def _member_ref(role: str | None, key: str | None, snap: dict) -> dict | None:
    if role == "patient":
        return {"reference": snap["patient"]["reference"]}
    if key:
        return {"reference": _ref(key)}
    return None


def _goal(goal: dict, snap: dict) -> dict:
    status = goal.get("status") or {}
    profiles = [US_CORE + "us-core-goal"]
    resource: dict = {
        "resourceType": "Goal",
        "id": goal["key"],
        "meta": {"profile": profiles},
        "lifecycleStatus": GOAL_FHIR_LIFECYCLE[snap["status"]],
        "priority": {
            "coding": [
                {
                    "system": GOAL_PRIORITY,
                    "code": f"{goal.get('priority', 'medium')}-priority",
                    "display": f"{goal.get('priority', 'medium').capitalize()} Priority",
                }
            ]
        },
        "description": {"text": goal["description"]},
        "subject": {"reference": snap["patient"]["reference"]},
        "target": [_goal_target(goal)],
        "addresses": [{"reference": _ref(k)} for k in goal.get("problem_keys", [])],
    }
    if status.get("code"):
        resource["achievementStatus"] = {
            "coding": [
                {"system": GOAL_ACHIEVEMENT, "code": status["code"], "display": status.get("label", "")}
            ],
            "text": status.get("reason", ""),
        }
        if status.get("date"):
            resource["statusDate"] = status["date"]
        if status.get("overridden") and status.get("reason"):
            resource["statusReason"] = status["reason"]
    if goal.get("sdoh_category"):
        profiles.append(SDOHCC + "SDOHCC-Goal")
        resource["category"] = [{"coding": [{"system": SDOH_CATEGORY_SYSTEM, "code": goal["sdoh_category"]}]}]
    if goal.get("start_date"):
        resource["startDate"] = goal["start_date"]
    expressed = _member_ref(goal.get("owner_role"), goal.get("owner_key"), snap)
    if expressed and goal.get("owner_role") in ("patient", "caregiver", "pcp", "specialist", "care_manager"):
        resource["expressedBy"] = expressed
    if goal.get("baseline") is not None and goal.get("measure"):
        unit = goal["measure"].get("unit_label", "")
        when = f" on {goal['baseline_date']}" if goal.get("baseline_date") else ""
        resource["note"] = [{"text": f"Baseline {goal['baseline']:g} {unit}{when}."}]
    if not resource["addresses"]:
        del resource["addresses"]
    return resource


def _team_resource(member: dict, snap: dict) -> dict | None:
    role = member["role"]
    if role == "patient":
        return None
    name = member.get("name") or ROLE_TEXT.get(role, role)
    if role == "caregiver":
        resource = {
            "resourceType": "RelatedPerson",
            "id": member["key"],
            "patient": {"reference": snap["patient"]["reference"]},
            "name": [{"text": name}],
        }
        if member.get("relationship"):
            resource["relationship"] = [{"text": member["relationship"]}]
    elif role == "community_org":
        resource = {"resourceType": "Organization", "id": member["key"], "name": name}
    else:
        resource = {"resourceType": "Practitioner", "id": member["key"], "name": [{"text": name}]}
    telecom = _telecom(member)
    if telecom:
        resource["telecom"] = telecom
    return resource


def _role(role: str) -> dict:
    coding = [{"system": ROLE_SYSTEM, "code": role, "display": ROLE_TEXT.get(role, role)}]
    if role in ROLE_SNOMED:
        code, display = ROLE_SNOMED[role]
        coding.insert(0, {"system": SNOMED, "code": code, "display": display})
    return {"coding": coding, "text": ROLE_TEXT.get(role, role)}


def careteam_id(snap: dict) -> str:
    return str(uuid.uuid5(SERIES_NAMESPACE, f"{snap['id']}:careteam"))


def _careteam(snap: dict) -> dict:
    participants = []
    for m in snap.get("care_team", []):
        member = _member_ref(m["role"], m["key"], snap)
        participant: dict[str, Any] = {"role": [_role(m["role"])], "member": member}
        if m.get("organization") and m["role"] != "community_org":
            participant["role"][0]["text"] += f" ({m['organization']})"
        participants.append(participant)
    resource = {
        "resourceType": "CareTeam",
        "id": careteam_id(snap),
        "meta": {"profile": [US_CORE + "us-core-careteam"]},
        "status": CARETEAM_STATUS.get(snap["status"], "inactive"),
        "name": f"Care team for {snap['patient']['name']}",
        "subject": {"reference": snap["patient"]["reference"]},
        "participant": participants,
    }
    if not participants:
        del resource["participant"]
    return resource


def _activity(item: dict, snap: dict) -> dict:
    detail: dict = {
        "status": item.get("status", "not-started"),
        "description": item["description"],
    }
    schedule = ", ".join(x for x in (item.get("frequency_text", ""), item.get("details", "")) if x)
    if schedule:
        detail["scheduledString"] = schedule
    performer = _member_ref(item.get("performer_role"), item.get("performer_key"), snap)
    if performer:
        detail["performer"] = [performer]
    if item.get("goal_key"):
        detail["goal"] = [{"reference": _ref(item["goal_key"])}]
    if item.get("problem_key"):
        detail["reasonReference"] = [{"reference": _ref(item["problem_key"])}]
    return {"detail": detail}


def _narrative(snap: dict) -> dict:
    parts = [
        f"<h3>{escape(snap.get('title') or 'Care plan')} (version {snap['version']}, {snap['status']})</h3>"
    ]
    if snap.get("problems"):
        parts.append("<p>Health concerns:</p><ol>")
        parts += [f"<li>{escape(p['display'])}</li>" for p in snap["problems"]]
        parts.append("</ol>")
    if snap.get("goals"):
        parts.append("<p>Goals:</p><ul>")
        for g in snap["goals"]:
            target = f" — {escape(g['target_text'])}" if g.get("target_text") else ""
            parts.append(f"<li>{escape(g['description'])}{target}</li>")
        parts.append("</ul>")
    return _div(parts)


def _careplan(snap: dict) -> dict:
    prefs = snap.get("preferences") or {}
    agreement = snap.get("agreement") or {}
    notes = []
    if prefs.get("what_matters"):
        notes.append({"text": f"What matters most to the patient: {prefs['what_matters']}"})
    pref_bits = [
        f"{label}: {', '.join(v) if isinstance(v, list) else v}"
        for label, v in (
            ("Preferred language", prefs.get("language")),
            ("Contact times", prefs.get("contact_times")),
            ("Contact method", prefs.get("contact_method")),
            ("Cultural or religious preferences", prefs.get("cultural")),
            ("Who may be involved", prefs.get("involved")),
            ("Barriers", prefs.get("barriers")),
            ("Barrier notes", prefs.get("barriers_note")),
        )
        if v
    ]
    if pref_bits:
        notes.append({"text": "; ".join(pref_bits)})
    if agreement.get("agreed_on"):
        notes.append({"text": agreement_text(agreement), "time": agreement["agreed_on"]})
    resource: dict = {
        "resourceType": "CarePlan",
        "id": snap["id"],
        "meta": {"profile": [US_CORE + "us-core-careplan"], "versionId": str(snap["version"])},
        "text": _narrative(snap),
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{snap['series']}"}],
        "status": PLAN_FHIR_STATUS[snap["status"]],
        "intent": "plan",
        "category": [
            {
                "coding": [
                    {
                        "system": CAREPLAN_CATEGORY,
                        "code": "assess-plan",
                        "display": "Assessment and Plan of Treatment",
                    }
                ]
            }
        ],
        "title": snap.get("title") or "Care plan",
        "subject": {"reference": snap["patient"]["reference"]},
        "created": snap["created_at"],
        "careTeam": [{"reference": _ref(careteam_id(snap))}],
        "addresses": [{"reference": _ref(p["key"])} for p in snap.get("problems", [])],
        "goal": [{"reference": _ref(g["key"])} for g in snap.get("goals", [])],
        "activity": [_activity(i, snap) for i in snap.get("interventions", [])],
        "note": notes,
    }
    if snap.get("program_codes"):
        resource["description"] = "Programs: " + ", ".join(snap["program_codes"])
    if snap.get("activated_at"):
        resource["period"] = {"start": snap["activated_at"]}
        if snap.get("ended_at"):
            resource["period"]["end"] = snap["ended_at"]
    if snap.get("replaces"):
        resource["replaces"] = [{"reference": f"CarePlan/{snap['replaces']}"}]
    manager = next((m for m in snap.get("care_team", []) if m["role"] == "care_manager"), None)
    if manager:
        resource["author"] = {"reference": _ref(manager["key"]), "display": manager.get("name", "")}
    for key in ("addresses", "goal", "activity", "note"):
        if not resource[key]:
            del resource[key]
    return resource


def agreement_text(agreement: dict) -> str:
    who = agreement.get("agreed_by", "patient")
    if who == "representative" and agreement.get("representative_name"):
        who = f"patient's representative {agreement['representative_name']}"
    parts = [f"Agreed {agreement.get('method', 'verbally')} by the {who}"]
    if agreement.get("care_manager"):
        parts.append(f"and care manager {agreement['care_manager']}")
    if agreement.get("pcp"):
        parts.append(f"and primary care provider {agreement['pcp']}")
    return " ".join(parts) + f" on {agreement['agreed_on'][:10]}."


def _prune(value):
    """FHIR forbids empty strings, arrays and objects: drop them (recursively)."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (_prune(v) for v in value) if v not in (None, "", [], {})]
    return value


def bundle(snap: dict, *, now: datetime) -> dict:
    """The FHIR R4 collection Bundle (a plain dict) for one plan snapshot."""
    resources = [_careplan(snap), *(_goal(g, snap) for g in snap.get("goals", []))]
    resources.append(_careteam(snap))
    resources += [r for m in snap.get("care_team", []) if (r := _team_resource(m, snap)) is not None]
    resources += [_condition(p, snap) for p in snap.get("problems", [])]
    return _prune(
        {
            "resourceType": "Bundle",
            "id": str(uuid.uuid5(SERIES_NAMESPACE, f"{snap['id']}:bundle:{now.isoformat()}")),
            "type": "collection",
            "timestamp": now.isoformat(),
            "entry": [{"fullUrl": _ref(r["id"]), "resource": r} for r in resources],
        }
    )


# Required bindings of the coded elements this export writes (FHIR R4). fhir.resources checks structure and
# cardinality but not codes, so they are checked here; "unknown" is allowed by R4 but never by carenav.
REQUIRED_CODES: dict[tuple[str, str], frozenset[str]] = {
    ("CarePlan", "status"): frozenset(
        {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error"}
    ),
    ("CarePlan", "intent"): frozenset({"proposal", "plan", "order", "option"}),
    ("CarePlan", "activity.detail.status"): frozenset(
        {
            "not-started",
            "scheduled",
            "in-progress",
            "on-hold",
            "completed",
            "cancelled",
            "stopped",
            "entered-in-error",
        }
    ),
    ("Goal", "lifecycleStatus"): frozenset(
        {
            "proposed",
            "planned",
            "accepted",
            "active",
            "on-hold",
            "completed",
            "cancelled",
            "entered-in-error",
            "rejected",
        }
    ),
    ("Goal", "achievementStatus.coding.code"): frozenset(
        {
            "in-progress",
            "improving",
            "worsening",
            "no-change",
            "achieved",
            "sustaining",
            "not-achieved",
            "no-progress",
            "not-attainable",
        }
    ),
    ("Goal", "target.detailQuantity.comparator"): frozenset({"<", "<=", ">=", ">"}),
    ("CareTeam", "status"): frozenset({"proposed", "active", "suspended", "inactive", "entered-in-error"}),
    ("Condition", "clinicalStatus.coding.code"): frozenset(
        {"active", "recurrence", "relapse", "inactive", "remission", "resolved"}
    ),
    ("Condition", "verificationStatus.coding.code"): frozenset(
        {"unconfirmed", "provisional", "differential", "confirmed", "refuted", "entered-in-error"}
    ),
}


def _values(node: Any, path: list[str]) -> list[Any]:
    if not path:
        return [node]
    if isinstance(node, list):
        return [v for item in node for v in _values(item, path)]
    if isinstance(node, dict) and path[0] in node:
        return _values(node[path[0]], path[1:])
    return []


def code_problems(data: dict) -> list[str]:
    """Codes outside their required value set, and references to bundle entries that are not there."""
    problems = []
    full_urls = {e["fullUrl"] for e in data.get("entry", [])}
    for entry in data.get("entry", []):
        resource = entry["resource"]
        for (kind, path), allowed in REQUIRED_CODES.items():
            if resource["resourceType"] != kind:
                continue
            for value in _values(resource, path.split(".")):
                if value not in allowed:
                    problems.append(
                        f"{kind}/{resource['id']} {path} = {value!r} is not in its required value set"
                    )
        for ref in _references(resource):
            if ref.startswith("urn:uuid:") and ref not in full_urls:
                problems.append(f"{kind_of(resource)} refers to {ref}, which is not in the bundle")
    return problems


def kind_of(resource: dict) -> str:
    return f"{resource['resourceType']}/{resource.get('id', '?')}"


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return own + [r for v in node.values() for r in _references(v)]
    if isinstance(node, list):
        return [r for v in node for r in _references(v)]
    return []


def validate(data: dict) -> Bundle:
    """Parse with fhir.resources (R4B classes accept R4 data) and check required code bindings and
    in-bundle references; raises ValueError on any problem."""
    bundle = Bundle.model_validate(data)
    problems = code_problems(data)
    if problems:
        raise ValueError("; ".join(problems))
    return bundle
