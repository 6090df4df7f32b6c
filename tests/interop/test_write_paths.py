"""The write pass's paths store and count the same: chunks of only new patients (inserted directly,
COPY on PostgreSQL) and chunks with stored patients (upserts); one process or several at once."""

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from carenav.accounts.models import Organization
from carenav.interop.models import ImportRun
from carenav.interop.services import import_paths
from carenav.interop.writer import Writer
from carenav.patients.models import (
    Allergy,
    Caregiver,
    Claim,
    Condition,
    Coverage,
    Encounter,
    Medication,
    Observation,
    Patient,
    PatientIdentifier,
    Procedure,
)
from tests.interop.conftest import REPO, read_ndjson, subject_of, write_ndjson

pytestmark = pytest.mark.django_db

SKIPPED = {"id", "organization", "patient", "encounter", "panel", "created_at", "updated_at"}
FACTS = (Encounter, Condition, Observation, Medication, Coverage, Allergy, Procedure, Claim)


def run_import(paths: list[Path], org: Organization, **kwargs: Any) -> ImportRun:
    return import_paths(paths, organization=org, progress=False, **kwargs)


def stored(org: Organization) -> dict[str, list[tuple[Any, ...]]]:
    """Every imported row of `org`, with the rows it points to named by source id, not by id."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    models = (Patient, PatientIdentifier, Caregiver, *FACTS)
    for model in models:
        names = [f.name for f in model._meta.concrete_fields if f.name not in SKIPPED]
        links = [
            f"{f.name}__source_id"
            for f in model._meta.concrete_fields
            if f.name in ("patient", "encounter", "panel")
        ]
        scope = {"organization": org} if model is Patient else {"patient__organization": org}
        values = model.objects.filter(**scope).values_list(*names, *links)
        rows[model.__name__] = sorted(values, key=repr)
    return rows


def first_patients(synth_dir: Path, directory: Path, n: int) -> Path:
    directory.mkdir()
    patients = read_ndjson(next(synth_dir.glob("Patient.*")))
    return write_ndjson(directory / "Patient.ndjson", patients[:n])


def test_new_patients_inserted_directly_store_and_count_like_upserts(
    org: Organization, other_org: Organization, synth_dir: Path
) -> None:
    direct = run_import([synth_dir], org, chunk_patients=3)  # every chunk holds only new patients
    run_import([next(synth_dir.glob("Patient.*"))], other_org)
    upserted = run_import([synth_dir], other_org, chunk_patients=3)  # every patient is stored already
    assert stored(org) == stored(other_org)
    assert stored(org)["Caregiver"] and stored(org)["PatientIdentifier"]
    assert any(row[-1] is not None for row in stored(org)["Observation"])  # blood-pressure components
    patients = direct.counts["Patient"]["imported"]
    assert patients == 25 and direct.counts["Patient"]["updated"] == 0
    assert (upserted.counts["Patient"]["imported"], upserted.counts["Patient"]["updated"]) == (0, patients)
    for rtype, counts in direct.counts.items():
        if rtype != "Patient":
            assert counts == upserted.counts[rtype], rtype
            assert counts["imported"] == counts["read"] > 0 and counts["updated"] == 0, rtype
    again = run_import([synth_dir], org, chunk_patients=3)  # and a rerun updates everything
    assert stored(org) == stored(other_org)
    assert all(c["imported"] == 0 and c["updated"] == c["read"] for c in again.counts.values())


def test_a_chunk_of_new_and_stored_patients(
    org: Organization, other_org: Organization, synth_dir: Path, tmp_path: Path
) -> None:
    run_import([synth_dir], org)
    run_import([first_patients(synth_dir, tmp_path / "first", 10)], other_org)
    mixed = run_import([synth_dir], other_org, chunk_patients=100)  # one chunk: 10 stored, 15 new
    assert stored(org) == stored(other_org)
    assert (mixed.counts["Patient"]["imported"], mixed.counts["Patient"]["updated"]) == (15, 10)
    assert (
        sum(c["imported"] for c in mixed.counts.values())
        == sum(c["read"] for c in mixed.counts.values()) - 10
    )


@pytest.mark.django_db(transaction=True)
def test_a_new_patient_written_by_another_import_meanwhile_is_updated(
    org: Organization, tmp_path: Path
) -> None:
    """The existence check sees no patient p1, but another transaction is inserting it: the direct
    insert waits for that transaction, then conflicts, and the chunk is written by upserts instead."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time: no other import can write meanwhile")
    patient = {"resourceType": "Patient", "id": "p1", "name": [{"family": "Okafor"}], "gender": "male"}
    condition = {
        "resourceType": "Condition",
        "id": "c1",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I10"}]},
    }
    write_ndjson(tmp_path / "All.ndjson", [patient, condition])
    inserting, release = threading.Event(), threading.Event()

    def other_import() -> None:
        try:
            with transaction.atomic():
                Patient.objects.create(organization=org, source_id="p1", family_name="Okafor")
                inserting.set()
                release.wait(30)
        finally:
            connection.close()

    other = threading.Thread(target=other_import)
    other.start()
    assert inserting.wait(30)
    threading.Timer(1.0, release.set).start()  # commits while the import waits on it
    run = run_import([tmp_path], org)
    other.join()
    assert run.status == ImportRun.Status.COMPLETED and run.rejected == 0
    assert (run.counts["Patient"]["imported"], run.counts["Patient"]["updated"]) == (0, 1)
    assert run.counts["Condition"]["imported"] == 1
    assert Patient.objects.get(organization=org, source_id="p1").sex == "male"
    assert Condition.objects.get(patient__source_id="p1").code == "I10"


SQLITE_IMPORT = """
import json, os, sys
import django
django.setup()
from django.core.management import call_command
from carenav.accounts.models import Organization
from carenav.interop import services
call_command("migrate", verbosity=0)
org = Organization.objects.create(name="Sub", slug="sub")
assert services._write_in_parallel()
run = services.import_paths([sys.argv[1]], organization=org, progress=False, chunk_patients=3)
print(json.dumps({"status": run.status, "counts": run.counts}))
"""


def test_sqlite_writer_processes_store_and_count_like_one_process(
    org: Organization, synth_dir: Path, tmp_path: Path
) -> None:
    """Into a SQLite file, chunks are written by several processes taking turns; the result is the
    same as the serial path's (which the other tests, in a transaction, use)."""
    serial = run_import([synth_dir], org, chunk_patients=3)
    database = tmp_path / "parallel.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "CARENAV_HOME": str(tmp_path)}
    env["DJANGO_SETTINGS_MODULE"] = "carenav.settings"
    done = subprocess.run(
        [sys.executable, "-c", SQLITE_IMPORT, str(synth_dir)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    parallel = json.loads(done.stdout.strip().splitlines()[-1])
    assert parallel == {"status": "completed", "counts": serial.counts}
    with sqlite3.connect(database) as db:
        for model in (Patient, Caregiver, *FACTS):
            (count,) = db.execute(f"SELECT count(*) FROM {model._meta.db_table}").fetchone()
            scope = {"organization": org} if model is Patient else {"patient__organization": org}
            assert count == model.objects.filter(**scope).count(), model.__name__
    assert Counter(c["rejected"] for c in serial.counts.values()) == Counter({0: len(serial.counts)})


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fires", ["", "ALWAYS"], ids=["trigger-fires-by-default", "trigger-fires-always"])
def test_a_failure_in_a_writer_process_leaves_whole_patients_and_a_rerun_completes(
    org: Organization, synth_dir: Path, fires: str
) -> None:
    """Outside a transaction chunks are written by several processes; one failing stops the import,
    every patient written is whole, and a rerun completes (the in-transaction path has its test).
    A trigger that fires ALWAYS lets the writers switch the per-row foreign-key triggers off and
    check references per chunk (the usual case), one that fires only by default keeps them on."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database is in memory, which writer processes cannot open")
    conditions = read_ndjson(next(synth_dir.glob("Condition.*")))
    expected = Counter(subject_of(c) for c in conditions)
    victim = sorted(p for p in expected if p)[len(expected) // 2]
    poisoned = next(c["id"] for c in conditions if subject_of(c) == victim)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW.source_id = "
            f"'{poisoned}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON patients_condition FOR EACH ROW EXECUTE FUNCTION boom()"
        )
        cursor.execute(f"ALTER TABLE patients_condition ENABLE {fires} TRIGGER boom")
    assert Writer(org.pk).checks_per_chunk == (fires == "ALWAYS")
    try:
        with pytest.raises(Exception, match="injected failure"):
            run_import([synth_dir], org, chunk_patients=1)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER boom ON patients_condition")
            cursor.execute("DROP FUNCTION boom()")
    failed = ImportRun.objects.get(organization=org)
    assert failed.status == ImportRun.Status.FAILED and "injected failure" in failed.error
    written = list(Patient.objects.filter(organization=org))
    patients = len(read_ndjson(next(synth_dir.glob("Patient.*"))))
    assert victim not in {p.source_id for p in written} and 0 < len(written) < patients
    for patient in written:  # every patient written is whole
        assert patient.conditions.count() == expected[patient.source_id]
    rerun = run_import([synth_dir], org)
    assert rerun.status == ImportRun.Status.COMPLETED and rerun.rejected == 0
    assert Patient.objects.filter(organization=org).count() == patients
    assert Condition.objects.filter(patient__organization=org).count() == len(conditions)
