"""Timing of the FHIR interface on an imported synthetic population (not a test; see docs/fhir-api.md).

    .venv/bin/python -m tests.fhirapi.bench_search [patients]

Generates a population with carenav.synth (default 1000 patients), imports it through interop into a
throw-away SQLite database, and times in-process requests (Django test client, token auth, JSON
serialization included; no network): reads, searches, a full walk of next links, and $everything.
"""

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carenav.settings")
os.environ.setdefault("CARENAV_HOME", tempfile.mkdtemp(prefix="fhirapi-bench-"))
os.environ.setdefault("CARENAV_HTTPS", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from carenav.accounts.permissions import Role  # noqa: E402
from carenav.accounts.services import api_token_create  # noqa: E402
from carenav.interop.services import import_paths  # noqa: E402
from carenav.patients.models import Observation, Patient  # noqa: E402
from carenav.synth.generate import generate  # noqa: E402
from tests.factories import make_org, make_user  # noqa: E402


def timed(label: str, fn: Callable[[], object], repeat: int = 20) -> None:
    fn()
    samples, queries = [], []

    def count(execute: Callable, sql: str, params: object, many: bool, context: object) -> object:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        fn()
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    print(f"{label:<58} median {statistics.median(samples):7.1f} ms  {len(queries):3d} queries")


def main(patients: int) -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    org = make_org("bench")
    user = make_user(org, Role.CARE_MANAGER, "bench")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=user, name='bench')[1]}"}
    out = Path(tempfile.mkdtemp(prefix="fhirapi-synth-"))
    generate(out, patients=patients, seed=11, as_of=dt.date(2026, 11, 1), workers=1)
    started = time.perf_counter()
    import_paths([out], organization=org, progress=False, workers=1)
    print(
        f"imported {Patient.objects.count()} patients, {Observation.objects.count()} observation rows "
        f"in {time.perf_counter() - started:.1f} s"
    )
    client = Client()
    busiest = (
        Observation.objects.filter(panel__isnull=True)
        .values("patient_id")
        .order_by("patient_id")
        .annotate(n=django.db.models.Count("id"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    pid = busiest["patient_id"]
    family = Patient.objects.get(pk=pid).family_name[:3]

    def get(path: str, **params: str) -> dict:
        response = client.get(f"/fhir/{path}", params, **headers)
        assert response.status_code == 200, response.content[:300]
        return response.json()

    def walk(path: str, **params: str) -> int:
        bundle, seen = get(path, **params), 0
        while True:
            seen += len(bundle.get("entry", []))
            following = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
            if not following:
                return seen
            bundle = client.get(following[0], **headers).json()

    timed("GET Patient/{id}", lambda: get(f"Patient/{pid}"))
    timed(f"GET Patient?name={family} (page of up to 50)", lambda: get("Patient", name=family))
    timed("GET Patient?birthdate=1950 (page of up to 50)", lambda: get("Patient", birthdate="1950"))
    timed(
        f"GET Observation?patient={{busiest}} ({busiest['n']} rows, page 50)",
        lambda: get("Observation", patient=str(pid)),
    )
    timed(
        "GET Observation?code=4548-4&_count=200 (population)",
        lambda: get("Observation", code="4548-4", _count="200"),
    )
    timed(
        "GET Condition?clinical-status=active&_count=200",
        lambda: get("Condition", **{"clinical-status": "active", "_count": "200"}),
    )
    timed(
        "GET Encounter?class=IMP&date=ge2025-01-01&_count=200",
        lambda: get("Encounter", **{"class": "IMP", "date": "ge2025-01-01", "_count": "200"}),
    )
    timed(
        "walk next links: Observation?patient={busiest}&_count=50",
        lambda: walk("Observation", patient=str(pid), _count="50"),
        repeat=5,
    )
    timed("GET Patient/{busiest}/$everything", lambda: get(f"Patient/{pid}/$everything"), repeat=5)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
