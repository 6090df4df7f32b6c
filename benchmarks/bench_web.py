"""Patient list and chart latency with a large population, through a real HTTP server (gunicorn).

    python benchmarks/bench_web.py --patients 100000                              # SQLite
    python tools/with_postgres.py -- python benchmarks/bench_web.py --patients 100000   # PostgreSQL

Fills a fresh database with N patients (each with conditions, encounters, observations, medications
and a coverage), serves it with `carenav serve`, and times sequential requests: median and p95 per
page, plus the SQL queries each page runs (which must not grow with the population).
"""

import argparse
import datetime as dt
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("CARENAV_HOME", tempfile.mkdtemp(prefix="carenav-bench-web-"))
os.environ["CARENAV_HTTPS"] = "0"
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carenav.settings")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from carenav.accounts.models import Organization, User  # noqa: E402
from carenav.accounts.permissions import Role  # noqa: E402
from carenav.accounts.services import api_token_create, user_create  # noqa: E402
from carenav.core.text import fold  # noqa: E402
from carenav.patients.models import (  # noqa: E402
    Condition,
    Coverage,
    Encounter,
    Medication,
    Observation,
    Patient,
)

FAMILY = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Garcia",
    "Miller",
    "Davis",
    "Rodríguez",
    "Martínez",
    "Nguyen",
    "Okafor",
    "Kim",
    "Patel",
    "Muñoz",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Lopez",
]
GIVEN = [
    "Mary",
    "James",
    "Rosa",
    "John",
    "Linda",
    "Robert",
    "Ana",
    "Wei",
    "Fatima",
    "Carlos",
    "Grace",
    "Luis",
]
CODES = ["I50.22", "E11.9", "I10", "N18.3", "J44.9", "F32.1", "I48.91", "E78.5"]
PASSWORD = "benchmark-password-1"


def populate(org: Organization, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    now = timezone.now()
    batch = 2000
    for start in range(0, n, batch):
        patients = []
        for i in range(start, min(n, start + batch)):
            family, given = rng.choice(FAMILY) + str(i % 97), rng.choice(GIVEN)
            patients.append(
                Patient(
                    organization=org,
                    source_id=f"bench-{i}",
                    mrn=f"B{i:07d}",
                    family_name=family,
                    given_name=given,
                    family_norm=fold(family),
                    given_norm=fold(given),
                    sex=rng.choice(["female", "male"]),
                    birth_date=dt.date(
                        1930 + rng.randrange(70), 1 + rng.randrange(12), 1 + rng.randrange(28)
                    ),
                    preferred_language=rng.choice(["en"] * 7 + ["es"]),
                )
            )
        Patient.objects.bulk_create(patients)
        created = list(Patient.objects.filter(source_id__in=[p.source_id for p in patients]).only("id"))
        conditions, encounters, observations, meds, coverages = [], [], [], [], []
        for p in created:
            for code in rng.sample(CODES, 3):
                conditions.append(Condition(patient=p, system="icd10cm", code=code, display=code))
            for k in range(5):
                when = now - dt.timedelta(days=rng.randrange(700))
                cls = "inpatient" if k == 0 and rng.random() < 0.2 else "ambulatory"
                encounters.append(
                    Encounter(patient=p, encounter_class=cls, start=when, end=when + dt.timedelta(days=3))
                )
            for loinc, value, unit in (
                ("4548-4", 7.5, "%"),
                ("2951-2", 138, "mmol/L"),
                ("29463-7", 82, "kg"),
                ("8867-4", 72, "/min"),
                ("33914-3", 55, "mL/min/{1.73_m2}"),
                ("718-7", 12.5, "g/dL"),
            ):
                observations.append(
                    Observation(
                        patient=p,
                        loinc=loinc,
                        value_num=value,
                        unit=unit,
                        category="laboratory",
                        effective=now - dt.timedelta(days=rng.randrange(365)),
                    )
                )
            for name in (
                "metformin 500 MG Oral Tablet",
                "lisinopril 10 MG Oral Tablet",
                "atorvastatin 20 MG",
            ):
                meds.append(Medication(patient=p, display=name, dosage_text="1 tablet daily"))
            coverages.append(Coverage(patient=p, kind="medicare", payer="Medicare", member_id=f"M{p.pk}"))
        for model, rows in (
            (Condition, conditions),
            (Encounter, encounters),
            (Observation, observations),
            (Medication, meds),
            (Coverage, coverages),
        ):
            model.objects.bulk_create(rows, batch_size=5000)
        print(f"\r  populated {min(n, start + batch):,}/{n:,} patients", end="", flush=True)
    print()


def timed(session: requests.Session, url: str, count: int, **kwargs: object) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(url, **kwargs)
        samples.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return samples


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per page kind")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    args = parser.parse_args()

    if not args.port:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            args.port = sock.getsockname()[1]
    vendor = connection.vendor
    print(f"database: {vendor}  patients: {args.patients:,}")
    call_command("migrate", interactive=False, verbosity=0)
    org, _ = Organization.objects.get_or_create(slug="bench", defaults={"name": "Bench", "kind": "clinic"})
    user = User.objects.filter(username="bench").first() or user_create(
        username="bench", password=PASSWORD, organization=org, role=Role.CARE_MANAGER
    )
    have = org.patients.count()
    if have < args.patients:
        started = time.perf_counter()
        populate(org, args.patients - have, seed=have + 1)
        print(f"  population loaded in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:  # what autovacuum does in production after a bulk load
        cursor.execute("ANALYZE" if vendor == "sqlite" else "VACUUM ANALYZE")
    ids = list(org.patients.values_list("id", flat=True)[:5000])
    _, key = api_token_create(actor=user, name="bench")

    rng = random.Random(3)
    client = Client()
    client.force_login(user)
    query_counts = {}
    for label, url in (
        ("list", "/patients/"),
        ("list search", "/patients/?q=garcia1"),
        ("chart", f"/patients/{ids[0]}/"),
        ("chart (other)", f"/patients/{ids[-1]}/"),
        ("api list", "/api/patients"),
        ("api detail", f"/api/patients/{ids[1]}"),
    ):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        query_counts[label] = len(ctx.captured_queries)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # serve this checkout, even from a git worktree
    log = open(Path(os.environ["CARENAV_HOME"]) / "server.log", "w")  # noqa: SIM115 - open for the server's lifetime
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "carenav"),
            "serve",
            "--no-migrate",
            "--port",
            str(args.port),
            "--workers",
            "2",
            "--threads",
            "2",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(300):
            try:
                requests.get(base + "/login/", timeout=1)
                break
            except requests.ConnectionError:
                if server.poll() is not None:
                    sys.exit(f"the server exited; see {log.name}")
                time.sleep(0.2)
        web = requests.Session()
        web.get(base + "/login/")
        web.post(
            base + "/login/",
            data={"username": "bench", "password": PASSWORD, "csrfmiddlewaretoken": web.cookies["csrftoken"]},
            allow_redirects=False,
        )
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {key}"
        n = args.requests
        results = {
            "list page 1": timed(web, base + "/patients/", n),
            "list search 'garcia1'": timed(web, base + "/patients/?q=garcia1", n),
            "list page 2000": timed(web, base + f"/patients/?page={max(1, args.patients // 50)}", n // 4),
            "chart (random patients)": [
                t for pid in rng.sample(ids, n) for t in timed(web, f"{base}/patients/{pid}/", 1)
            ],
            "api list": timed(api, base + "/api/patients", n),
            "api detail (random)": [
                t for pid in rng.sample(ids, n) for t in timed(api, f"{base}/api/patients/{pid}", 1)
            ],
        }
    finally:
        server.terminate()
        server.wait(10)
    print(f"\n{'page':<26}{'median ms':>10}{'p95 ms':>9}{'requests':>10}")
    for label, samples in results.items():
        print(
            f"{label:<26}{statistics.median(samples):>10.1f}{percentile(samples, 95):>9.1f}{len(samples):>10}"
        )
    print("\nSQL queries per page (constant, independent of population size):")
    for label, count in query_counts.items():
        print(f"  {label:<16}{count}")
    print(
        f"\npeak RSS of the benchmark process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
