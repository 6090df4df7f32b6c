"""Timing of the care plan editor and exports on a realistic plan (not a test; see docs/careplans.md).

    .venv/bin/python -m tests.careplans.bench_editor

Builds, in a throw-away SQLite database, a patient with 5 years of observations (HbA1c, weight, blood
pressure) and a plan with 8 problems, 10 goals (each with its template steps) and a 3-person team, then
times the editor page, the HTMX write round trip, the FHIR export and the Spanish PDF.
"""

import datetime as dt
import os
import statistics
import tempfile
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carenav.settings")
os.environ.setdefault("CARENAV_HOME", tempfile.mkdtemp(prefix="careplan-bench-"))
os.environ.setdefault("CARENAV_HTTPS", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from carenav.accounts.permissions import Role  # noqa: E402
from carenav.careplans import services  # noqa: E402
from carenav.careplans.models import CarePlan  # noqa: E402
from tests.factories import PASSWORD, add_condition, add_observation, make_org, make_patient, make_user  # noqa: E402

GOALS = [
    ("diabetes", "diabetes/dm-hba1c@2026.1", "4548-4", "<", 8.0),
    ("diabetes", "diabetes/dm-eye-foot@2026.1", "", "", None),
    ("hypertension", "hypertension/htn-sbp@2026.1", "8480-6", "<", 140.0),
    ("heart_failure", "heart_failure/hf-weight@2026.1", "29463-7", "<=", 84.0),
    ("heart_failure", "heart_failure/hf-medicines@2026.1", "", "", None),
    ("ckd", "ckd/ckd-sbp@2026.1", "8480-6", "<", 130.0),
    ("depression", "depression/dep-remission@2026.1", "44261-6", "<", 5.0),
    ("food-insecurity", "food_insecurity/food-enough@2026.1", "", "", None),
    ("transportation-insecurity", "transportation/transport-rides@2026.1", "", "", None),
    ("fall-risk", "fall_risk/fall-none@2026.1", "", "", None),
]


def timed(label: str, fn: Callable[[], object], runs: int = 15) -> None:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        fn()
    print(f"{label:<44} median {statistics.median(times):7.1f} ms   {len(queries):3d} queries")


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    org = make_org("bench")
    nurse = make_user(org, Role.CARE_MANAGER, "bench-nurse", first_name="Nina")
    patient = make_patient(org, family_name="Muñoz", given_name="Rosa", preferred_language="es")
    for code in ("E11.9", "I10", "I50.22", "N18.3", "F33.1"):
        add_condition(patient, code)
    start = dt.date(2021, 11, 1)
    for month in range(60):
        day = (start + dt.timedelta(days=30 * month)).isoformat()
        add_observation(patient, "4548-4", 8.5 - month * 0.01, "%", day)
        add_observation(patient, "29463-7", 82 + (month % 5) * 0.3, "kg", day)
        add_observation(patient, "8480-6", 150 - month * 0.2, "mm[Hg]", day)
    plan = services.careplan_create(actor=nurse, patient=patient, program_codes=["CCM", "BHI"])
    for key in dict.fromkeys(g[0] for g in GOALS):
        services.problem_add(
            actor=nurse,
            plan=plan,
            lock_version=CarePlan.objects.get(pk=plan.pk).lock_version,
            data=services.ProblemData(display=key.replace("_", " ").capitalize(), category_key=key),
        )
    services.member_add(
        actor=nurse,
        plan=plan,
        lock_version=CarePlan.objects.get(pk=plan.pk).lock_version,
        data=services.MemberData(role="pcp", name="Dr. Patel", phone="555-0150"),
    )
    for _key, ref, measure, comparator, value in GOALS:
        data = services.GoalData(
            description=f"Goal {ref}",
            template_ref=ref,
            measure_code=measure,
            target_kind="value" if measure else "milestone",
            target_comparator=comparator,
            target_value=value,
            baseline_date=dt.date(2026, 6, 1),
            due_date=dt.date(2027, 6, 1),
        )
        services.goal_add(
            actor=nurse, plan=plan, lock_version=CarePlan.objects.get(pk=plan.pk).lock_version, data=data
        )
    plan = CarePlan.objects.get(pk=plan.pk)
    print(
        f"plan: {plan.problems.count()} problems, {plan.goals.count()} goals, {plan.interventions.count()} "
        f"interventions, {plan.care_team.count()} team members; {patient.observations.count()} observations"
    )
    client = Client()
    assert client.login(username=nurse.username, password=PASSWORD)
    timed("editor page (draft, with suggestions)", lambda: client.get(f"/careplans/{plan.pk}/"))
    timed(
        "HTMX write: move a problem + re-render",
        lambda: client.post(
            f"/careplans/{plan.pk}/do/move/",
            {
                "lock_version": CarePlan.objects.get(pk=plan.pk).lock_version,
                "kind": "problem",
                "key": str(plan.problems.order_by("position").last().key),
                "direction": "up",
            },  # type: ignore[union-attr]
            HTTP_HX_REQUEST="true",
        ),
    )
    services.careplan_activate(
        actor=nurse,
        plan=plan,
        lock_version=CarePlan.objects.get(pk=plan.pk).lock_version,
        agreement=services.Agreement(agreed_by="patient", method="verbally"),
    )
    timed("editor page (active, charts)", lambda: client.get(f"/careplans/{plan.pk}/"))
    timed("chart panel (patient chart page)", lambda: client.get(f"/patients/{patient.pk}/"))
    timed("FHIR export (build + validate in test)", lambda: client.get(f"/careplans/{plan.pk}/fhir.json"))
    timed("patient copy, HTML (es)", lambda: client.get(f"/careplans/{plan.pk}/copy/?lang=es"))
    timed("patient copy, PDF (es)", lambda: client.get(f"/careplans/{plan.pk}/copy.pdf?lang=es"), runs=5)


if __name__ == "__main__":
    main()
