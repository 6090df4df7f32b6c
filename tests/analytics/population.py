"""A small population stated once and written two ways: FHIR bulk NDJSON here, database rows in
tests/population. Engine parity tests stratify both and compare.

Times are UTC instants; `as_of` is 2026-11-24.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from carenav.core.compression import suffix, writing

AS_OF = dt.date(2026, 11, 24)
UTC = dt.UTC


def at(day: str, hour: int = 14) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


# Each patient: id, birth date, sex, deceased, conditions (system, code, onset, status, abatement),
# encounters (id, class, start, end, priority), observations (loinc, value, unit, day, encounter),
# procedures (day, encounter), claims (day, total), caregivers (count).
PATIENTS: list[dict[str, Any]] = [
    {
        "id": "p-heart",
        "birth_date": "1944-05-01",
        "sex": "female",
        "conditions": [
            ("icd10cm", "I50.22", "2025-03-01", "active", None),
            ("icd10cm", "E11.22", "2019-06-10", "active", None),
            ("icd10cm", "E11.9", "2015-01-05", "active", None),
            ("icd10cm", "N18.3", "2020-02-02", "active", None),
            ("icd10cm", "F32.9", "2024-04-04", "active", None),
            ("icd10cm", "Z59.41", "2026-10-01", "active", None),
            ("icd10cm", "K70.30", "2022-01-01", "active", None),
            ("icd10cm", "K76.6", "2023-01-01", "active", None),
        ],
        "encounters": [
            ("e-heart-ed0", "emergency", "2026-08-01", "2026-08-01", "emergency"),
            ("e-heart-ed1", "emergency", "2026-09-15", "2026-09-15", "emergency"),
            ("e-heart-ip0", "inpatient", "2026-06-01", "2026-06-04", "urgent"),
            ("e-heart-ip1", "inpatient", "2026-06-20", "2026-06-22", "emergency"),
            ("e-heart-ed2", "emergency", "2026-11-10", "2026-11-10", "emergency"),
            ("e-heart-ip2", "inpatient", "2026-11-10", "2026-11-15", ""),
        ],
        "observations": [
            ("718-7", 10.9, "g/dL", "2026-11-14", "e-heart-ip2"),
            ("2951-2", 136.0, "mmol/L", "2026-11-12", "e-heart-ip2"),
            ("2951-2", 132.0, "mmol/L", "2026-11-14", "e-heart-ip2"),
            ("718-7", 9.0, "g/dL", "2026-10-01", None),
        ],
        "procedures": [("2026-11-11", "e-heart-ip2")],
        "claims": [("2026-06-01", 12000.50), ("2026-11-10", 8000.00), ("2024-01-01", 99999.0)],
        "caregivers": 0,
    },
    {
        "id": "p-snomed",
        "birth_date": "1990-01-01",
        "sex": "male",
        "conditions": [
            ("snomed", "44054006", "2018-03-03", "active", None),
            ("snomed", "59621000", "2019-03-03", "active", None),
        ],
        "encounters": [],
        "observations": [],
        "procedures": [],
        "claims": [],
        "caregivers": 1,
    },
    {
        "id": "p-cancer",
        "birth_date": "1976-11-24",
        "sex": "male",
        "conditions": [
            ("icd10cm", "C34.90", "2026-01-10", "active", None),
            ("icd10cm", "C78.00", "2026-05-10", "active", None),
            ("icd10cm", "B20", "2010-05-10", "active", None),
        ],
        "encounters": [("e-cancer-ip", "inpatient", "2026-11-20", "2026-11-20", "elective")],
        "observations": [],
        "procedures": [],
        "claims": [("2026-11-20", 4100.00)],
        "caregivers": 2,
    },
    {
        "id": "p-deceased",
        "birth_date": "1930-01-01",
        "sex": "female",
        "deceased": "2026-01-01",
        "conditions": [("icd10cm", "I50.9", "2020-01-01", "active", None)],
        "encounters": [],
        "observations": [],
        "procedures": [],
        "claims": [],
        "caregivers": 0,
    },
    {
        "id": "p-windows",
        "birth_date": "1960-07-01",
        "sex": "female",
        "conditions": [
            ("icd10cm", "J44.9", "2020-01-01", "resolved", "2021-01-01"),
            ("icd10cm", "I10", "2027-01-01", "active", None),
        ],
        "encounters": [
            ("e-win-ed365", "emergency", "2025-11-24", "2025-11-24", "emergency"),
            ("e-win-ed366", "emergency", "2025-11-23", "2025-11-23", "emergency"),
            ("e-win-ed182", "emergency", "2026-05-26", "2026-05-26", "emergency"),
            ("e-win-ed183", "emergency", "2026-05-25", "2026-05-25", "emergency"),
            ("e-win-ip", "inpatient", "2026-10-01", "2026-10-24", "urgent"),
        ],
        "observations": [],
        "procedures": [],
        "claims": [],
        "caregivers": 0,
    },
]

SYSTEM_URIS = {"icd10cm": "http://hl7.org/fhir/sid/icd-10-cm", "snomed": "http://snomed.info/sct"}
CLASS_CODES = {"inpatient": "IMP", "emergency": "EMER"}
PRIORITY_CODES = {"emergency": "EM", "urgent": "UR", "elective": "EL"}


def _write(directory: Path, resource: str, rows: list[dict[str, Any]], compression: str | None) -> None:
    with (
        open(directory / f"{resource}.000.ndjson{suffix(compression)}", "wb") as raw,
        writing(raw, compression) as stream,
    ):
        stream.write("".join(json.dumps(r) + "\n" for r in rows).encode())


def write_ndjson(
    directory: Path, patients: list[dict[str, Any]] = PATIENTS, *, compression: str | None = "gzip"
) -> Path:
    """The population as FHIR R4 bulk NDJSON (one file per resource type)."""
    directory.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[dict[str, Any]]] = {
        r: []
        for r in ("Patient", "Condition", "Encounter", "Observation", "Procedure", "Claim", "RelatedPerson")
    }
    for p in patients:
        ref = {"reference": f"Patient/{p['id']}"}
        patient: dict[str, Any] = {
            "resourceType": "Patient",
            "id": p["id"],
            "birthDate": p["birth_date"],
            "gender": p["sex"],
        }
        if p.get("deceased"):
            patient["deceasedDateTime"] = at(p["deceased"]).isoformat()
        out["Patient"].append(patient)
        for n, (system, code, onset, status, abatement) in enumerate(p["conditions"]):
            condition: dict[str, Any] = {
                "resourceType": "Condition",
                "id": f"{p['id']}-c{n}",
                "subject": ref,
                "clinicalStatus": {"coding": [{"code": status}]},
                "code": {"coding": [{"system": SYSTEM_URIS[system], "code": code}]},
                "onsetDateTime": at(onset).isoformat(),
            }
            if abatement:
                condition["abatementDateTime"] = at(abatement).isoformat()
            out["Condition"].append(condition)
        for eid, cls, start, end, priority in p["encounters"]:
            encounter: dict[str, Any] = {
                "resourceType": "Encounter",
                "id": eid,
                "status": "finished",
                "class": {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    "code": CLASS_CODES[cls],
                },
                "subject": ref,
                "period": {"start": at(start, 9).isoformat(), "end": at(end, 20).isoformat()},
            }
            if priority:
                encounter["priority"] = {"coding": [{"code": PRIORITY_CODES[priority]}]}
            out["Encounter"].append(encounter)
        for n, (loinc, value, unit, day, eid) in enumerate(p["observations"]):
            obs: dict[str, Any] = {
                "resourceType": "Observation",
                "id": f"{p['id']}-o{n}",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
                "subject": ref,
                "effectiveDateTime": at(day).isoformat(),
                "valueQuantity": {"value": value, "unit": unit},
            }
            if eid:
                obs["encounter"] = {"reference": f"Encounter/{eid}"}
            out["Observation"].append(obs)
        for n, (day, eid) in enumerate(p["procedures"]):
            out["Procedure"].append(
                {
                    "resourceType": "Procedure",
                    "id": f"{p['id']}-pr{n}",
                    "status": "completed",
                    "subject": ref,
                    "encounter": {"reference": f"Encounter/{eid}"},
                    "performedDateTime": at(day).isoformat(),
                }
            )
        for n, (day, total) in enumerate(p["claims"]):
            out["Claim"].append(
                {
                    "resourceType": "Claim",
                    "id": f"{p['id']}-cl{n}",
                    "patient": ref,
                    "billablePeriod": {"start": day},
                    "total": {"value": total, "currency": "USD"},
                }
            )
        for n in range(p["caregivers"]):
            out["RelatedPerson"].append(
                {"resourceType": "RelatedPerson", "id": f"{p['id']}-rp{n}", "patient": ref}
            )
    for resource, rows in out.items():
        _write(directory, resource, rows, compression)
    return directory
