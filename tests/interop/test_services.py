"""End-to-end imports of real generator output into the database (SQLite and PostgreSQL)."""

import copy
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from carenav.accounts.models import Organization
from carenav.audit.models import AuditEvent
from carenav.core.compression import suffix, writing
from carenav.interop.models import ImportIssue, ImportRun
from carenav.interop.services import import_paths
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
from tests.interop.conftest import counts_by_type, read_ndjson, subject_of, write_ndjson

pytestmark = pytest.mark.django_db

FACT_MODELS = (Encounter, Condition, Observation, Medication, Coverage, Allergy, Procedure, Claim)


def run_import(paths: list[Path], org: Organization, **kwargs: Any) -> ImportRun:
    return import_paths(paths, organization=org, progress=False, **kwargs)


def totals(run: ImportRun) -> Counter[str]:
    total: Counter[str] = Counter()
    for counts in run.counts.values():
        total.update(counts)
    return total


def db_counts(org: Organization) -> dict[str, int]:
    counts = {"Patient": Patient.objects.filter(organization=org).count()}
    for model in FACT_MODELS:
        counts[model.__name__] = model.objects.filter(patient__organization=org).count()
    return counts


def bundle(kind: str, entries: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for full_url, resource in entries:
        entry: dict[str, Any] = {"fullUrl": full_url, "resource": resource}
        if kind in ("transaction", "batch"):
            entry["request"] = {"method": "POST", "url": resource["resourceType"]}
        items.append(entry)
    return {"resourceType": "Bundle", "type": kind, "entry": items}


PATIENT = {
    "resourceType": "Patient",
    "identifier": [
        {"system": "http://example.org/mrn", "value": "MRN-1", "type": {"coding": [{"code": "MR"}]}}
    ],
    "name": [{"family": "Muñoz", "given": ["Rosa", "María"]}],
    "gender": "female",
    "birthDate": "1948-02-29",
}


def condition(subject: str, code: str = "I50.9", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "subject": {"reference": subject},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": code}]},
        "clinicalStatus": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}
            ]
        },
        **extra,
    }


# ------------------------------------------------------------------ the four sources


def test_synthea_bulk_export_imports_with_zero_rejects(org: Organization, synthea_dir: Path) -> None:
    run = run_import([synthea_dir], org)
    expected = counts_by_type(synthea_dir)
    assert run.status == ImportRun.Status.COMPLETED
    assert run.rejected == 0 and not run.issues.filter(severity="error").exists()
    assert run.counts["Immunization"]["skipped"] == expected["Immunization"]
    assert db_counts(org) | {} == {
        "Patient": expected["Patient"],
        "Encounter": expected["Encounter"],
        "Condition": expected["Condition"],
        "Observation": 0,
        "Medication": expected["MedicationRequest"],
        "Coverage": 0,
        "Allergy": expected["AllergyIntolerance"],
        "Procedure": expected["Procedure"],
        "Claim": 0,
    }
    assert Encounter.objects.filter(patient__organization=org, encounter_class="inpatient").count() == 49
    assert Encounter.objects.filter(patient__organization=org, encounter_class="emergency").count() == 23
    assert set(Condition.objects.values_list("system", flat=True)) == {"snomed"}
    linked = Condition.objects.filter(patient__organization=org, encounter__isnull=False).count()
    assert linked == expected["Condition"]
    patient = Patient.objects.get(source_id="129c6ac7-8d06-89de-ad63-0204a93e76c3")
    assert (patient.family_name, patient.family_norm, patient.sex) == ("Medhurst46", "medhurst46", "female")
    assert patient.identifiers.filter(system="http://hl7.org/fhir/sid/us-ssn").exists()
    assert patient.deceased_at is not None


def test_carebundle_bundles_then_ndjson_update_the_same_rows(
    org: Organization, carebundle_dirs: tuple[Path, Path]
) -> None:
    bundles, ndjson = carebundle_dirs
    first = run_import([bundles], org)
    assert first.rejected == 0
    assert Patient.objects.filter(organization=org).count() == 4
    labs = Observation.objects.filter(patient__organization=org, category="laboratory")
    assert labs.exists() and labs.filter(value_num__isnull=False).count() == labs.count()
    assert Condition.objects.filter(patient__organization=org, system="icd10cm").exists()
    assert Observation.objects.filter(patient__organization=org, encounter__isnull=False).exists()
    before = db_counts(org)
    second = run_import([ndjson], org)
    assert second.rejected == 0
    assert totals(second)["imported"] == 0
    assert totals(second)["updated"] == totals(first)["imported"]
    assert db_counts(org) == before


def test_clinosim_invalid_resources_are_reported_and_the_rest_imported(
    org: Organization, clinosim_dir: Path
) -> None:
    run = run_import([clinosim_dir], org)
    assert run.status == ImportRun.Status.COMPLETED
    rejected = {(i.resource_type, i.resource_id) for i in run.issues.filter(severity="error")}
    assert run.rejected == len(rejected) == 33
    assert {t for t, _ in rejected} == {"MedicationAdministration", "DiagnosticReport"}
    issue = run.issues.filter(resource_type="MedicationAdministration").first()
    assert issue is not None
    assert issue.file.endswith("MedicationAdministration.ndjson.gz") and issue.location.startswith("line ")
    assert issue.path in (
        "MedicationAdministration.dosage.timing",
        "MedicationAdministration.dosage.doseAndRate",
    )
    assert issue.reason == "unknown element"
    link = run.issues.filter(resource_type="DiagnosticReport").first()
    assert link is not None and link.path == "DiagnosticReport.media[0].link.reference"
    assert link.reason == "ImagingStudy is not an allowed target here (allowed: Media)"
    # everything valid and mapped is in
    expected = counts_by_type(clinosim_dir)
    assert Patient.objects.filter(organization=org).count() == expected["Patient"]
    assert Coverage.objects.filter(patient__organization=org).count() == expected["Coverage"]
    inpatient = Encounter.objects.filter(patient__organization=org, encounter_class="inpatient")
    assert (
        inpatient.exclude(admit_source="").exists() and inpatient.exclude(discharge_disposition="").exists()
    )
    panels = Observation.objects.filter(patient__organization=org, loinc="85354-9")
    assert panels.exists()
    panel = panels.first()
    assert panel is not None
    assert sorted(panel.components.values_list("loinc", flat=True)) == ["8462-4", "8480-6"]
    assert all(c.value_num for c in panel.components.all())
    assert Caregiver.objects.filter(patient__organization=org).exists()  # from Patient.contact


def test_carenav_synth_imports_with_zero_rejects(org: Organization, synth_dir: Path) -> None:
    run = run_import([synth_dir], org)
    expected = counts_by_type(synth_dir)
    assert run.rejected == 0, list(run.issues.values_list("path", "reason")[:5])
    assert Patient.objects.filter(organization=org).count() == expected["Patient"] == 25
    assert Claim.objects.filter(patient__organization=org).count() == expected["Claim"]
    claim = Claim.objects.filter(patient__organization=org, total__isnull=False).first()
    assert claim is not None and claim.service_start is not None and claim.diagnoses
    related = Caregiver.objects.filter(patient__organization=org).exclude(source_id__contains="#contact")
    assert related.count() == expected["RelatedPerson"]
    assert (
        Medication.objects.filter(patient__organization=org, kind="request").count()
        == expected["MedicationRequest"]
    )


# ------------------------------------------------------------------ idempotency, order, references


def test_importing_twice_updates_and_never_duplicates(org: Organization, synthea_dir: Path) -> None:
    first = run_import([synthea_dir], org)
    before = db_counts(org)
    identifiers = PatientIdentifier.objects.count()
    second = run_import([synthea_dir], org)
    assert db_counts(org) == before and PatientIdentifier.objects.count() == identifiers
    assert totals(second)["imported"] == 0
    assert totals(second)["updated"] == totals(first)["imported"]
    assert {t: c["read"] for t, c in second.counts.items()} == {t: c["read"] for t, c in first.counts.items()}


def test_references_resolve_in_any_file_order(org: Organization, synthea_dir: Path, tmp_path: Path) -> None:
    """Conditions and encounters read before the patients they belong to, from unhinted file names."""
    (tmp_path / "a").mkdir()
    (tmp_path / "z").mkdir()
    write_ndjson(tmp_path / "a" / "0-facts.ndjson", read_ndjson(synthea_dir / "Condition.000.ndjson.gz"))
    write_ndjson(tmp_path / "a" / "1-visits.ndjson", read_ndjson(synthea_dir / "Encounter.000.ndjson.gz"))
    write_ndjson(tmp_path / "z" / "people.ndjson", read_ndjson(synthea_dir / "Patient.000.ndjson.gz"))
    run = run_import([tmp_path / "a", tmp_path / "z"], org)
    assert run.rejected == 0
    assert run.issues.count() == 0  # not even a warning: every encounter reference resolved
    conditions = Condition.objects.filter(patient__organization=org)
    assert conditions.count() == 555 and conditions.filter(encounter__isnull=True).count() == 0


@pytest.mark.parametrize("kind", ["transaction", "batch", "collection"])
def test_bundle_types_with_urn_uuid_references(org: Organization, tmp_path: Path, kind: str) -> None:
    patient_url = "urn:uuid:7d2c2d0e-8a7b-4c35-9a8b-2f4f5f1e0001"
    encounter_url = "urn:uuid:7d2c2d0e-8a7b-4c35-9a8b-2f4f5f1e0002"
    encounter = {
        "resourceType": "Encounter",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
        "subject": {"reference": patient_url},
        "period": {"start": "2026-10-01T08:00:00-04:00", "end": "2026-10-05T12:00:00-04:00"},
        "hospitalization": {
            "admitSource": {"coding": [{"code": "emd"}]},
            "dischargeDisposition": {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/discharge-disposition", "code": "snf"}
                ]
            },
        },
        "diagnosis": [
            {"condition": {"reference": "urn:uuid:7d2c2d0e-8a7b-4c35-9a8b-2f4f5f1e0003"}, "rank": 1}
        ],
    }
    entries = [  # facts before the patient they refer to
        (
            "urn:uuid:7d2c2d0e-8a7b-4c35-9a8b-2f4f5f1e0003",
            condition(patient_url, encounter={"reference": encounter_url}),
        ),
        (encounter_url, encounter),
        (patient_url, PATIENT),
    ]
    (tmp_path / "b.json").write_text(json.dumps(bundle(kind, entries)))
    run = run_import([tmp_path / "b.json"], org)
    assert run.rejected == 0 and run.issues.count() == 0
    patient = Patient.objects.get(organization=org)
    assert patient.source_id == "7d2c2d0e-8a7b-4c35-9a8b-2f4f5f1e0001" and patient.mrn == "MRN-1"
    assert (patient.family_norm, patient.given_name) == ("munoz", "Rosa María")
    stay = patient.encounters.get()
    assert (stay.encounter_class, stay.admit_source, stay.discharge_disposition) == (
        "inpatient",
        "emd",
        "snf",
    )
    assert stay.length_of_stay_days == 4
    assert stay.diagnoses == [{"system": "icd10cm", "code": "I50.9", "display": "", "rank": 1}]
    assert patient.conditions.get().encounter == stay


def test_diagnoses_resolve_against_conditions_of_an_earlier_import(org: Organization, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    write_ndjson(first / "Patient.ndjson", [{**PATIENT, "id": "p1"}])
    write_ndjson(
        first / "Condition.ndjson",
        [condition("Patient/p1", id="c1"), condition("Patient/p1", "E11.9", id="c2")],
    )
    assert run_import([first], org).rejected == 0
    stay = {
        "resourceType": "Encounter",
        "id": "e1",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
        "subject": {"reference": "Patient/p1"},
        "period": {"start": "2026-10-01T08:00:00Z", "end": "2026-10-03T12:00:00Z"},
        "diagnosis": [{"condition": {"reference": "Condition/c1"}, "rank": 1}],
    }
    claim = {
        "resourceType": "Claim",
        "id": "cl1",
        "status": "active",
        "type": {"coding": [{"code": "institutional"}]},
        "use": "claim",
        "patient": {"reference": "Patient/p1"},
        "created": "2026-10-04",
        "provider": {"display": "Mercy"},
        "priority": {"coding": [{"code": "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "Medicare"}}],
        "diagnosis": [{"sequence": 1, "diagnosisReference": {"reference": "Condition/c2"}}],
        "billablePeriod": {"start": "2026-10-01", "end": "2026-10-03"},
        "total": {"value": 100.0, "currency": "USD"},
    }
    write_ndjson(second / "Encounter.ndjson", [stay])
    write_ndjson(second / "Claim.ndjson", [claim])
    run = run_import([second], org)
    assert run.rejected == 0 and run.issues.count() == 0
    patient = Patient.objects.get(organization=org)
    assert patient.encounters.get().diagnoses == [
        {"system": "icd10cm", "code": "I50.9", "display": "", "rank": 1}
    ]
    assert patient.claims.get().diagnoses == [{"system": "icd10cm", "code": "E11.9", "sequence": 1}]


def test_conditional_references_by_identifier(org: Organization, tmp_path: Path) -> None:
    patient = {**PATIENT, "id": "p1"}
    ref = "Patient?identifier=http://example.org/mrn|MRN-1"
    write_ndjson(tmp_path / "Condition.ndjson", [condition(ref, id="c1")])
    write_ndjson(tmp_path / "Patient.ndjson", [patient])
    run = run_import([tmp_path], org)
    assert run.rejected == 0
    assert Condition.objects.get(source_id="c1").patient.source_id == "p1"
    # a later import that only references the patient resolves it from the database (URL-encoded bar)
    later = tmp_path / "later"
    later.mkdir()
    write_ndjson(
        later / "Condition.ndjson",
        [condition("Patient?identifier=http://example.org/mrn%7CMRN-1", "E11.9", id="c2")],
    )
    assert run_import([later], org).rejected == 0
    assert Condition.objects.get(source_id="c2").patient.source_id == "p1"


def test_resources_of_an_unknown_patient_are_rejected_with_the_reason(
    org: Organization, tmp_path: Path
) -> None:
    write_ndjson(tmp_path / "Condition.ndjson", [condition("Patient/nobody", id="c9")])
    run = run_import([tmp_path], org)
    issue = run.issues.get()
    assert (issue.severity, issue.resource_type, issue.resource_id) == ("error", "Condition", "c9")
    assert issue.path == "Condition.subject" and "Patient/nobody" in issue.reason
    assert (issue.location, run.rejected, run.counts["Condition"]["rejected"]) == ("line 1", 1, 1)
    assert not Condition.objects.exists()


def test_patients_of_another_organization_are_not_reachable(
    org: Organization, other_org: Organization, tmp_path: Path
) -> None:
    write_ndjson(tmp_path / "Patient.ndjson", [{**PATIENT, "id": "p1"}])
    run_import([tmp_path], other_org)
    facts = tmp_path / "facts"
    facts.mkdir()
    write_ndjson(facts / "Condition.ndjson", [condition("Patient/p1", id="c1")])
    assert run_import([facts], org).rejected == 1


def test_a_later_version_replaces_the_earlier_one_in_any_order(org: Organization, tmp_path: Path) -> None:
    old = condition("Patient/p1", "I10", id="c1", meta={"lastUpdated": "2026-01-01T00:00:00Z"})
    new = condition("Patient/p1", "I11.9", id="c1", meta={"lastUpdated": "2026-02-01T00:00:00+01:00"})
    write_ndjson(tmp_path / "Patient.ndjson", [{**PATIENT, "id": "p1"}])
    write_ndjson(tmp_path / "Condition.000.ndjson", [new])
    write_ndjson(tmp_path / "Condition.001.ndjson", [old])
    run = run_import([tmp_path], org)
    assert Condition.objects.get(source_id="c1").code == "I11.9"
    assert run.counts["Condition"] == {
        "read": 2,
        "imported": 1,
        "updated": 0,
        "duplicate": 1,
        "skipped": 0,
        "rejected": 0,
    }


def test_invalid_json_lines_and_codes_are_reported_with_line_numbers(
    org: Organization, tmp_path: Path
) -> None:
    bad_status = {**condition("Patient/p1", id="c2")}
    bad_status["clinicalStatus"] = copy.deepcopy(bad_status["clinicalStatus"])
    bad_status["clinicalStatus"]["coding"][0]["code"] = "cured"
    path = tmp_path / "Condition.ndjson"
    path.write_text(
        json.dumps(condition("Patient/p1", id="c1")) + "\n{not json\n" + json.dumps(bad_status) + "\n"
    )
    write_ndjson(tmp_path / "Patient.ndjson", [{**PATIENT, "id": "p1"}])
    run = run_import([tmp_path], org)
    issues = {i.location: i for i in run.issues.all()}
    assert set(issues) == {"line 2", "line 3"}
    assert "not valid JSON" in issues["line 2"].reason
    assert issues["line 3"].path == "Condition.clinicalStatus.coding[0].code"
    assert Condition.objects.filter(source_id="c1").exists()


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_a_truncated_compressed_file_keeps_what_was_read_and_reports_where_it_breaks(
    org: Organization, tmp_path: Path, codec: str
) -> None:
    path = tmp_path / f"Patient.ndjson{suffix(codec)}"
    patients = [{**PATIENT, "id": f"p{i}"} for i in range(2000)]
    with path.open("wb") as raw, writing(raw, codec) as stream:
        stream.write(b"".join(json.dumps(p).encode() + b"\n" for p in patients))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    run = run_import([tmp_path], org)
    (issue,) = run.issues.all()
    assert issue.file == str(path) and issue.location.startswith("after line ")
    assert issue.reason.startswith("cannot be decompressed")
    kept = Patient.objects.filter(organization=org).count()
    assert 0 < kept < 2000 and kept == run.counts["Patient"]["imported"]


# ------------------------------------------------------------------ crash consistency, report


def _inject_failure(code: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER boom BEFORE INSERT ON patients_condition "
                f"WHEN NEW.code = '{code}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW.code = "
                f"'{code}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER boom BEFORE INSERT ON patients_condition FOR EACH ROW EXECUTE FUNCTION boom()"
            )


def _remove_failure() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER boom"
            if connection.vendor == "sqlite"
            else "DROP TRIGGER boom ON patients_condition"
        )


def test_a_failure_mid_import_leaves_whole_patients_and_a_rerun_completes(
    org: Organization, synthea_dir: Path
) -> None:
    conditions = read_ndjson(synthea_dir / "Condition.000.ndjson.gz")
    expected = Counter(subject_of(c) for c in conditions)
    patients = sorted(p for p in expected if p is not None)
    victim = patients[len(patients) // 2]
    code = next(
        c["code"]["coding"][0]["code"]
        for c in conditions
        if subject_of(c) == victim
        and all(
            subject_of(o) == victim
            for o in conditions
            if o["code"]["coding"][0]["code"] == c["code"]["coding"][0]["code"]
        )
    )
    _inject_failure(code)
    with pytest.raises(Exception, match="injected failure"):
        run_import([synthea_dir], org, chunk_patients=1)
    failed = ImportRun.objects.get(organization=org)
    assert failed.status == ImportRun.Status.FAILED and "injected failure" in failed.error
    written = list(Patient.objects.filter(organization=org))
    assert victim not in {p.source_id for p in written}
    assert 0 < len(written) < len(patients)
    for patient in written:  # every patient written is whole
        assert patient.conditions.count() == expected[patient.source_id]
    _remove_failure()
    rerun = run_import([synthea_dir], org)
    assert rerun.status == ImportRun.Status.COMPLETED and rerun.rejected == 0
    assert Patient.objects.filter(organization=org).count() == len(patients)
    assert Condition.objects.filter(patient__organization=org).count() == len(conditions)
    assert totals(rerun)["updated"] > 0 and totals(rerun)["imported"] > 0


def test_run_is_recorded_with_counts_issues_and_an_audit_event(
    org: Organization, org_admin: Any, clinosim_dir: Path
) -> None:
    run = run_import([clinosim_dir], org, actor=org_admin, source="clinosim")
    run.refresh_from_db()
    assert (run.actor, run.source, run.status) == (org_admin, "clinosim", "completed")
    assert run.resources_read == sum(c["read"] for c in run.counts.values())
    assert run.duration_seconds is not None and run.finished_at is not None
    assert (
        ImportIssue.objects.filter(run=run, severity="error").values("resource_id").distinct().count() == 33
    )
    event = AuditEvent.objects.get(action="import.run")
    assert (event.actor, event.object_id) == (org_admin, str(run.pk))


def test_worker_processes_give_the_same_result_as_one_process(
    org: Organization, other_org: Organization, clinosim_dir: Path
) -> None:
    serial = run_import([clinosim_dir], org, workers=1)
    parallel = run_import([clinosim_dir], other_org, workers=2)
    assert parallel.counts == serial.counts and parallel.rejected == serial.rejected == 33
    issues = ("file", "location", "resource_type", "resource_id", "path", "reason")
    assert list(parallel.issues.values_list(*issues)) == list(serial.issues.values_list(*issues))
    assert db_counts(other_org) == db_counts(org)


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(
    org: Organization, tmp_path: Path
) -> None:
    import socket
    import subprocess

    from carenav.core import clock

    finished = subprocess.Popen(["true"])
    finished.wait()
    killed = ImportRun.objects.create(
        organization=org, started_at=clock.now(), host=socket.gethostname(), pid=finished.pid
    )
    alive = ImportRun.objects.create(
        organization=org, started_at=clock.now(), host=socket.gethostname(), pid=os.getpid()
    )
    write_ndjson(tmp_path / "Patient.ndjson", [{**PATIENT, "id": "p1"}])
    run_import([tmp_path], org)
    killed.refresh_from_db()
    alive.refresh_from_db()
    assert (killed.status, alive.status) == (ImportRun.Status.INTERRUPTED, ImportRun.Status.RUNNING)


def test_an_older_version_in_a_later_import_does_not_overwrite_a_newer_one(
    org: Organization, tmp_path: Path
) -> None:
    patient = {**PATIENT, "id": "p1", "meta": {"versionId": "3"}}
    new = condition("Patient/p1", "I11.9", id="c1", meta={"lastUpdated": "2026-02-01T00:00:00Z"})
    old = condition("Patient/p1", "I10", id="c1", meta={"lastUpdated": "2026-01-01T00:00:00Z"})
    for name, resources in (
        ("new", [patient, new]),
        ("old", [{**patient, "gender": "male", "meta": {"versionId": "2"}}, old]),
    ):
        (tmp_path / name).mkdir()
        write_ndjson(tmp_path / name / "All.ndjson", resources)
    run_import([tmp_path / "new"], org)
    second = run_import([tmp_path / "old"], org)
    assert Condition.objects.get(source_id="c1").code == "I11.9"
    assert Patient.objects.get(source_id="p1").sex == "female"
    assert second.counts["Condition"]["duplicate"] == second.counts["Patient"]["duplicate"] == 1
    assert totals(second)["updated"] == totals(second)["imported"] == 0
    warning = second.issues.get(resource_type="Condition")
    assert (warning.severity, warning.path) == ("warning", "Condition.meta")
    assert "older than the version already imported" in warning.reason
    third = run_import([tmp_path / "new"], org)  # the same version again is an update, not older
    assert totals(third)["updated"] == 2, third.counts


def test_an_invalid_bundle_entry_is_reported_by_its_index(org: Organization, tmp_path: Path) -> None:
    patient_url = "urn:uuid:7d2c2d0e-8a7b-4c35-9a8b-2f4f5f1e0009"
    bad = condition(patient_url, onsetDateTime="2026-02-30")
    (tmp_path / "b.json").write_text(
        json.dumps(bundle("collection", [(patient_url, PATIENT), ("urn:uuid:c", bad)]))
    )
    run = run_import([tmp_path / "b.json"], org)
    issue = run.issues.get()
    assert (issue.location, issue.resource_type, issue.path) == (
        "entry 1",
        "Condition",
        "Condition.onsetDateTime",
    )
    assert "calendar date" in issue.reason
    assert Patient.objects.filter(organization=org).count() == 1


def test_a_patient_with_thousands_of_versioned_resources_reimports(org: Organization, tmp_path: Path) -> None:
    observations = [
        {
            "resourceType": "Observation",
            "id": f"o{n}",
            "meta": {"lastUpdated": "2026-03-01T00:00:00Z"},
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
            "subject": {"reference": "Patient/p1"},
            "effectiveDateTime": "2026-03-01T08:00:00Z",
            "valueQuantity": {"value": 60 + n % 40, "unit": "/min"},
        }
        for n in range(6_000)  # more than one IN (...) list of source ids
    ]
    write_ndjson(tmp_path / "Patient.ndjson", [{**PATIENT, "id": "p1"}])
    write_ndjson(tmp_path / "Observation.ndjson", observations)
    assert run_import([tmp_path], org).counts["Observation"]["imported"] == 6_000
    again = run_import([tmp_path], org)
    assert again.counts["Observation"]["updated"] == 6_000 and again.issues.count() == 0


@pytest.mark.django_db(transaction=True)
def test_parallel_postgresql_writes_match_the_serial_path(
    org: Organization, other_org: Organization, synth_dir: Path
) -> None:
    """Outside a transaction PostgreSQL writes chunks in two processes at once; inside one (and into
    an in-memory SQLite database) the import writes serially. Both must store and count the same."""
    from django.db import transaction

    parallel = run_import([synth_dir], org, chunk_patients=3)
    with transaction.atomic():
        serial = run_import([synth_dir], other_org, chunk_patients=3)
    assert parallel.counts == serial.counts
    assert db_counts(org) == db_counts(other_org)
    assert totals(parallel)["rejected"] == 0
