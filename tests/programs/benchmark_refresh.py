"""Time candidates_refresh on a synthetic risk run (not collected by pytest).

    .venv/bin/python -m tests.programs.benchmark_refresh --patients 10000

Builds an organization in a throw-away SQLite database (or DATABASE_URL), one risk run with one score
per patient spread over the six programs' criteria, then times the first refresh (creates) and a
second one (idempotent pass).
"""

import argparse
import os
import random
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10_000)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="carenav-bench-")
    os.environ.setdefault("CARENAV_HOME", home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carenav.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from carenav.patients.models import Patient
    from carenav.population.models import RiskScore
    from carenav.programs.models import Candidate
    from carenav.programs.services import candidates_refresh
    from tests.factories import make_org
    from tests.programs.conftest import make_run, offer

    org = make_org(f"bench{random.randrange(10**6)}")
    offer(org)
    rng = random.Random(7)
    patients = Patient.objects.bulk_create(
        Patient(organization=org, family_name=f"P{i}", family_norm=f"p{i}", given_norm="")
        for i in range(args.patients)
    )
    run = make_run(org)
    categories = ["heart_failure", "diabetes", "copd", "ckd", "hypertension", "depression"]
    scores = []
    for patient in patients:
        chronic = rng.sample(categories, rng.randint(0, 4))
        flags = [f"high_risk_condition:{c}" for c in chronic if c != "hypertension"]
        flags += ["behavioral"] if "depression" in chronic else []
        flags += ["frailty:adl-dependency"] if rng.random() < 0.1 else []
        flags += ["no_caregiver"] if rng.random() < 0.05 else []
        scores.append(
            RiskScore(
                run=run,
                patient=patient,
                tier=rng.randint(1, 4),
                priority=round(rng.uniform(0, 30), 2),
                age=rng.randint(40, 95),
                chronic_categories=chronic,
                chronic_count=len(chronic),
                days_since_discharge=rng.randint(0, 60) if rng.random() < 0.1 else None,
                flags=flags,
                reasons=[{"score": "priority", "points": 2.0, "text": "ED visits in 12 months: 2 → +2"}],
            )
        )
    RiskScore.objects.bulk_create(scores, batch_size=2000)
    for label in ("first refresh", "second refresh (idempotent)"):
        started = time.perf_counter()
        summary = candidates_refresh(actor=None, organization=org, run=run)
        elapsed = time.perf_counter() - started
        print(
            f"{label}: {args.patients:,} patients x {len(summary.programs)} programs in {elapsed:.2f} s "
            f"(created {summary.created:,}, unchanged {summary.unchanged:,})"
        )
    print(f"open candidates: {Candidate.objects.filter(organization=org).count():,}")


if __name__ == "__main__":
    main()
