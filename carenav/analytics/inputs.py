"""Input normalization: every engine presents the same eight tables to the feature expressions.

Dates become epoch-day integers (UTC) and times epoch seconds, so date arithmetic is plain integer
arithmetic on every backend. Patients and encounters get integer ids (the operational ids, or a
row number for files) plus their reference in the source system (the FHIR id; in the operational
store the imported source_id, else the row id) for the evidence shown to people.

    patients      patient_id, patient_ref, birth_day, sex, deceased_day
    conditions    patient_id, system (canonical URI), code, clinical_status, onset_day, abatement_day, recorded_day
    encounters    patient_id, encounter_id, encounter_ref, cls, start_day, end_day, priority
    observations  patient_id, encounter_id, loinc, value_num, unit, effective_sec
    procedures    patient_id, encounter_id, performed_day
    claims        patient_id, resource_type, service_day, total
    caregivers    patient_id
    findings      patient_id, domain
"""

from __future__ import annotations

import datetime as dt
import glob
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import ibis
from ibis.expr.types import Table

from carenav.core.compression import CODECS
from carenav.terminology.valuesets import ICD10, ICD10CM, SNOMED, normalize_system

# Assessment findings that are frailty markers; other findings (depression, social needs...) reach the
# scores through conditions and value sets, not as frailty. The assessments app files findings under these.
FRAILTY_DOMAINS: tuple[str, ...] = ("adl-dependency", "iadl-dependency", "no-caregiver", "fall-risk")

TABLES = (
    "patients",
    "conditions",
    "encounters",
    "observations",
    "procedures",
    "claims",
    "caregivers",
    "findings",
)

SCHEMAS: dict[str, dict[str, str]] = {
    "patients": {
        "patient_id": "int64",
        "patient_ref": "string",
        "birth_day": "int64",
        "sex": "string",
        "deceased_day": "int64",
    },
    "conditions": {
        "patient_id": "int64",
        "system": "string",
        "code": "string",
        "clinical_status": "string",
        "onset_day": "int64",
        "abatement_day": "int64",
        "recorded_day": "int64",
    },
    "encounters": {
        "patient_id": "int64",
        "encounter_id": "int64",
        "encounter_ref": "string",
        "cls": "string",
        "start_day": "int64",
        "end_day": "int64",
        "priority": "string",
    },
    "observations": {
        "patient_id": "int64",
        "encounter_id": "int64",
        "loinc": "string",
        "value_num": "float64",
        "unit": "string",
        "effective_sec": "int64",
    },
    "procedures": {"patient_id": "int64", "encounter_id": "int64", "performed_day": "int64"},
    "claims": {"patient_id": "int64", "resource_type": "string", "service_day": "int64", "total": "float64"},
    "caregivers": {"patient_id": "int64"},
    "findings": {"patient_id": "int64", "domain": "string"},
}

# Laboratory codes the pipeline reads (HOSPITAL score): haemoglobin and sodium.
HAEMOGLOBIN_LOINC = ("718-7", "30313-1", "30350-3", "20509-6")
SODIUM_LOINC = ("2951-2", "2947-0")
LAB_LOINC = HAEMOGLOBIN_LOINC + SODIUM_LOINC

# Spellings of the two code systems seen in the operational store and in FHIR files.
_SYSTEM_SPELLINGS = (
    ICD10CM,
    ICD10,
    "urn:oid:2.16.840.1.113883.6.90",
    "icd10cm",
    "icd10",
    "icd-10-cm",
    SNOMED,
    "urn:oid:2.16.840.1.113883.6.96",
    "snomed",
    "sct",
)
SYSTEM_MAP = {s: normalize_system(s) for s in _SYSTEM_SPELLINGS}

# FHIR R4 Encounter.class (v3 ActCode) and Encounter.priority (v3 ActPriority) to the store's values.
ENCOUNTER_CLASSES = {
    "IMP": "inpatient",
    "ACUTE": "inpatient",
    "NONAC": "inpatient",
    "EMER": "emergency",
    "OBSENC": "observation",
}
PRIORITIES = {
    "EM": "emergency",
    "UR": "urgent",
    "A": "urgent",
    "S": "urgent",
    "EL": "elective",
    "R": "elective",
}
ACTIVE_STATUSES = ("active", "recurrence", "relapse")
EPOCH = dt.date(1970, 1, 1)


def epoch_day(day: dt.date) -> int:
    return (day - EPOCH).days


def from_epoch_day(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=day)


@dataclass(frozen=True)
class Inputs:
    """The eight normalized tables of one engine."""

    patients: Table
    conditions: Table
    encounters: Table
    observations: Table
    procedures: Table
    claims: Table
    caregivers: Table
    findings: Table

    def as_dict(self) -> dict[str, Table]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _day(value: Any) -> Any:
    """Epoch day of a date or UTC timestamp column.

    Through midnight's epoch seconds: native SQL on every backend (Ibis's epoch_days is a Python
    function on SQLite, called once per row), and exact because midnight is a multiple of 86400.
    """
    if value.type().is_timestamp():
        value = value.date()
    return (value.cast("timestamp").epoch_seconds() // 86400).cast("int64")


def _int(column: Any) -> Any:
    """An integer id column as int64, without a CAST when it already is one (a CAST hides indexes)."""
    return column if column.type().is_int64() else column.cast("int64")


def from_operational(con: Any, *, organization_id: int | None = None) -> Inputs:
    """The operational database's tables (Django's names) through an Ibis SQLite/PostgreSQL backend."""
    p = con.table("patients_patient")
    if organization_id is not None:
        p = p.filter(p.organization_id == organization_id)
    patients = p.select(
        patient_id=_int(p.id),
        patient_ref=p.source_id.coalesce(p.id.cast("string")),
        birth_day=_day(p.birth_date),
        sex=p.sex,
        deceased_day=_day(p.deceased_at),
    )
    # Scope by the bare primary key (no CAST around it) so the database can use its index.
    ids = p.select("id")

    def scoped(table: Table) -> Table:
        return table.semi_join(ids, table.patient_id == ids.id)

    c = scoped(con.table("patients_condition"))
    conditions = c.select(
        patient_id=_int(c.patient_id),
        system=c.system.lower().substitute(SYSTEM_MAP, else_=c.system),
        code=c.code,
        clinical_status=c.clinical_status,
        onset_day=_day(c.onset_date),
        abatement_day=_day(c.abatement_date),
        recorded_day=_day(c.recorded_date),
    )
    e = scoped(con.table("patients_encounter"))
    encounters = e.select(
        patient_id=_int(e.patient_id),
        encounter_id=_int(e.id),
        encounter_ref=e.source_id.coalesce(e.id.cast("string")),
        cls=e.encounter_class,
        start_day=_day(e.start),
        end_day=_day(e.end),
        priority=e.priority,
    )
    o = scoped(con.table("patients_observation"))
    o = o.filter(o.loinc.isin(LAB_LOINC) & o.value_num.notnull())
    observations = o.select(
        patient_id=_int(o.patient_id),
        encounter_id=_int(o.encounter_id),
        loinc=o.loinc,
        value_num=o.value_num.cast("float64"),
        unit=o.unit,
        effective_sec=o.effective.epoch_seconds().cast("int64"),
    )
    pr = scoped(con.table("patients_procedure"))
    procedures = pr.select(
        patient_id=_int(pr.patient_id),
        encounter_id=_int(pr.encounter_id),
        performed_day=_day(pr.performed_start),
    )
    cl = scoped(con.table("patients_claim"))
    claims = cl.select(
        patient_id=_int(cl.patient_id),
        resource_type=cl.resource_type,
        service_day=_day(cl.service_start),
        total=cl.total.cast("float64"),
    )
    cg = scoped(con.table("patients_caregiver"))
    caregivers = cg.select(patient_id=_int(cg.patient_id))
    if "assessments_finding" in con.list_tables():
        f = scoped(con.table("assessments_finding"))
        f = f.filter(
            ~f.status.isin(("resolved", "inactive", "entered-in-error")) & f.domain.isin(FRAILTY_DOMAINS)
        )
        findings = f.select(patient_id=_int(f.patient_id), domain=f.domain)
    else:
        # An empty table built from a real one: a memtable would make Ibis create (and commit) a table.
        findings = patients.filter(ibis.literal(False)).select(
            patient_id="patient_id", domain=ibis.literal("", type="string")
        )
    return Inputs(patients, conditions, encounters, observations, procedures, claims, caregivers, findings)


def _files(directory: Path, resource: str) -> list[str]:
    found: list[str] = []
    for codec in ("", *CODECS):  # DuckDB decompresses by the suffix
        for pattern in (f"{resource}.ndjson{codec}", f"{resource}.*.ndjson{codec}"):
            found.extend(glob.glob(os.path.join(directory, pattern)))
    return sorted(set(found))


def _sql_day(expr: str) -> str:
    """DuckDB: epoch day (UTC) of a FHIR date or dateTime string; partial dates give NULL."""
    return f"date_diff('day', DATE '1970-01-01', CAST(TRY_CAST({expr} AS TIMESTAMPTZ) AS DATE))"


def _sql_ref(expr: str) -> str:
    """DuckDB: the id of a reference (``Patient/abc`` or ``urn:uuid:abc``)."""
    return f"regexp_replace({expr}, '^.*[/:]', '')"


def _read(files: list[str], columns: dict[str, str]) -> str:
    listed = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
    spec = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"
    return f"read_json({listed}, format='newline_delimited', records=true, columns={spec})"


_REF = "STRUCT(reference VARCHAR)"
_CODINGS = "STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[])"


def _empty(con: Any, name: str) -> None:
    columns = ", ".join(f"{k} {_DUCK_TYPES[v]}" for k, v in SCHEMAS[name].items())
    con.execute(f"CREATE OR REPLACE TABLE {name} ({columns})")


_DUCK_TYPES = {"int64": "BIGINT", "string": "VARCHAR", "float64": "DOUBLE"}


def _normalize_ndjson(con: Any, directory: Path, *, as_of: dt.date, lookback_days: int) -> None:
    """Read FHIR bulk NDJSON (only the needed columns) into the normalized tables of a DuckDB connection.

    Rows the pipeline cannot use are dropped here: encounters other than inpatient, emergency and
    observation stays; observations other than the HOSPITAL labs; observations, procedures and claims
    outside the lookback window before `as_of`.
    """
    window_start = epoch_day(as_of) - lookback_days
    as_of_day = epoch_day(as_of)
    files = {
        r: _files(directory, r)
        for r in (
            "Patient",
            "Condition",
            "Encounter",
            "Observation",
            "Procedure",
            "Claim",
            "ExplanationOfBenefit",
            "RelatedPerson",
        )
    }
    if not files["Patient"]:
        raise FileNotFoundError(
            f"{directory}: no Patient NDJSON files (Patient.ndjson, Patient.000.ndjson.gz…)"
        )
    con.execute(
        f"""CREATE OR REPLACE TABLE patients AS
        SELECT CAST(row_number() OVER (ORDER BY id) AS BIGINT) AS patient_id, id AS patient_ref,
               date_diff('day', DATE '1970-01-01', TRY_CAST(birthDate AS DATE)) AS birth_day,
               coalesce(gender, 'unknown') AS sex,
               CASE WHEN deceasedDateTime IS NOT NULL THEN {_sql_day("deceasedDateTime")}
                    WHEN deceasedBoolean THEN {as_of_day} END AS deceased_day
        FROM {
            _read(
                files["Patient"],
                {
                    "id": "VARCHAR",
                    "birthDate": "VARCHAR",
                    "gender": "VARCHAR",
                    "deceasedDateTime": "VARCHAR",
                    "deceasedBoolean": "BOOLEAN",
                },
            )
        }"""
    )
    ref_map = "(SELECT patient_id, patient_ref FROM patients) AS pm"
    if files["Condition"]:
        icd = ", ".join(f"'{s}'" for s, c in SYSTEM_MAP.items() if c == ICD10CM)
        con.execute(
            f"""CREATE OR REPLACE TABLE conditions AS
            WITH raw AS (
              SELECT {_sql_ref("subject.reference")} AS ref,
                     coalesce(list_filter(code.coding, lambda c: lower(c.system) IN ({icd}))[1],
                              list_filter(code.coding, lambda c: lower(c.system) = '{SNOMED}')[1],
                              code.coding[1]) AS coding,
                     clinicalStatus.coding[1].code AS status,
                     coalesce(onsetDateTime, onsetPeriod.start) AS onset,
                     coalesce(abatementDateTime, abatementPeriod."end") AS abatement,
                     recordedDate
              FROM {
                _read(
                    files["Condition"],
                    {
                        "subject": _REF,
                        "code": _CODINGS,
                        "clinicalStatus": "STRUCT(coding STRUCT(code VARCHAR)[])",
                        "onsetDateTime": "VARCHAR",
                        "onsetPeriod": "STRUCT(start VARCHAR)",
                        "abatementDateTime": "VARCHAR",
                        "abatementPeriod": 'STRUCT("end" VARCHAR)',
                        "recordedDate": "VARCHAR",
                    },
                )
            }
            )
            SELECT pm.patient_id,
                   coalesce(CASE lower(coding.system) {
                " ".join(f"WHEN '{s}' THEN '{c}'" for s, c in SYSTEM_MAP.items())
            } END,
                            coding.system) AS system,
                   coding.code AS code, coalesce(status, 'active') AS clinical_status,
                   {_sql_day("onset")} AS onset_day, {_sql_day("abatement")} AS abatement_day,
                   {_sql_day("recordedDate")} AS recorded_day
            FROM raw JOIN {ref_map} ON pm.patient_ref = raw.ref
            WHERE coding.code IS NOT NULL"""
        )
    else:
        _empty(con, "conditions")
    if files["Encounter"]:
        classes = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in ENCOUNTER_CLASSES.items())
        priorities = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in PRIORITIES.items())
        con.execute(
            f"""CREATE OR REPLACE TABLE encounters AS
            WITH raw AS (
              SELECT id, {_sql_ref("subject.reference")} AS ref,
                     CASE upper(class.code) {classes} END AS cls,
                     coalesce(CASE upper(priority.coding[1].code) {priorities} END, '') AS priority,
                     period.start AS start_at, period."end" AS end_at
              FROM {
                _read(
                    files["Encounter"],
                    {
                        "id": "VARCHAR",
                        "subject": _REF,
                        "class": "STRUCT(code VARCHAR)",
                        "priority": "STRUCT(coding STRUCT(code VARCHAR)[])",
                        "period": 'STRUCT(start VARCHAR, "end" VARCHAR)',
                    },
                )
            }
            )
            SELECT pm.patient_id, CAST(row_number() OVER (ORDER BY raw.id) AS BIGINT) AS encounter_id,
                   raw.id AS encounter_ref, cls, {_sql_day("start_at")} AS start_day,
                   {_sql_day("end_at")} AS end_day, priority
            FROM raw JOIN {ref_map} ON pm.patient_ref = raw.ref
            WHERE cls IS NOT NULL AND start_at IS NOT NULL"""
        )
    else:
        _empty(con, "encounters")
    enc_map = "(SELECT encounter_id, encounter_ref FROM encounters) AS em"
    if files["Observation"]:
        loincs = ", ".join(f"'{c}'" for c in LAB_LOINC)
        con.execute(
            f"""CREATE OR REPLACE TABLE observations AS
            WITH raw AS (
              SELECT {_sql_ref("subject.reference")} AS ref, {_sql_ref("encounter.reference")} AS enc,
                     list_filter(code.coding, lambda c: c.system = 'http://loinc.org' AND c.code IN ({
                loincs
            }))[1].code AS loinc,
                     valueQuantity.value AS value_num, coalesce(valueQuantity.unit, valueQuantity.code, '') AS unit,
                     epoch(TRY_CAST(effectiveDateTime AS TIMESTAMPTZ)) AS effective_sec
              FROM {
                _read(
                    files["Observation"],
                    {
                        "subject": _REF,
                        "encounter": _REF,
                        "code": _CODINGS,
                        "valueQuantity": "STRUCT(value DOUBLE, unit VARCHAR, code VARCHAR)",
                        "effectiveDateTime": "VARCHAR",
                    },
                )
            }
            )
            SELECT pm.patient_id, em.encounter_id, loinc, value_num, unit, CAST(effective_sec AS BIGINT) AS effective_sec
            FROM raw JOIN {ref_map} ON pm.patient_ref = raw.ref LEFT JOIN {
                enc_map
            } ON em.encounter_ref = raw.enc
            WHERE loinc IS NOT NULL AND value_num IS NOT NULL AND effective_sec IS NOT NULL
              AND effective_sec >= {window_start} * 86400 AND effective_sec < {as_of_day + 1} * 86400"""
        )
    else:
        _empty(con, "observations")
    if files["Procedure"]:
        con.execute(
            f"""CREATE OR REPLACE TABLE procedures AS
            WITH raw AS (
              SELECT {_sql_ref("subject.reference")} AS ref, {_sql_ref("encounter.reference")} AS enc,
                     {_sql_day("coalesce(performedDateTime, performedPeriod.start)")} AS performed_day
              FROM {
                _read(
                    files["Procedure"],
                    {
                        "subject": _REF,
                        "encounter": _REF,
                        "performedDateTime": "VARCHAR",
                        "performedPeriod": "STRUCT(start VARCHAR)",
                    },
                )
            }
            )
            SELECT pm.patient_id, em.encounter_id, performed_day
            FROM raw JOIN {ref_map} ON pm.patient_ref = raw.ref LEFT JOIN {
                enc_map
            } ON em.encounter_ref = raw.enc
            WHERE performed_day BETWEEN {window_start} AND {as_of_day}"""
        )
    else:
        _empty(con, "procedures")
    claim_parts = []
    if files["Claim"]:
        claim_parts.append(
            f"""SELECT {_sql_ref("patient.reference")} AS ref, 'Claim' AS resource_type,
                   {_sql_day("billablePeriod.start")} AS service_day, total.value AS total
            FROM {
                _read(
                    files["Claim"],
                    {
                        "patient": _REF,
                        "billablePeriod": "STRUCT(start VARCHAR)",
                        "total": "STRUCT(value DOUBLE)",
                    },
                )
            }"""
        )
    if files["ExplanationOfBenefit"]:
        claim_parts.append(
            f"""SELECT {_sql_ref("patient.reference")} AS ref, 'ExplanationOfBenefit' AS resource_type,
                   {_sql_day("billablePeriod.start")} AS service_day,
                   coalesce(list_filter(total, lambda t: t.category.coding[1].code = 'submitted')[1].amount.value,
                            total[1].amount.value) AS total
            FROM {
                _read(
                    files["ExplanationOfBenefit"],
                    {
                        "patient": _REF,
                        "billablePeriod": "STRUCT(start VARCHAR)",
                        "total": "STRUCT(category STRUCT(coding STRUCT(code VARCHAR)[]), amount STRUCT(value DOUBLE))[]",
                    },
                )
            }"""
        )
    if claim_parts:
        con.execute(
            f"""CREATE OR REPLACE TABLE claims AS
            SELECT pm.patient_id, resource_type, service_day, total
            FROM ({" UNION ALL ".join(claim_parts)}) AS raw JOIN {ref_map} ON pm.patient_ref = raw.ref
            WHERE service_day BETWEEN {window_start} AND {as_of_day}"""
        )
    else:
        _empty(con, "claims")
    if files["RelatedPerson"]:
        con.execute(
            f"""CREATE OR REPLACE TABLE caregivers AS
            SELECT pm.patient_id FROM (SELECT {_sql_ref("patient.reference")} AS ref
                                      FROM {_read(files["RelatedPerson"], {"patient": _REF})}) AS raw
            JOIN {ref_map} ON pm.patient_ref = raw.ref"""
        )
    else:
        _empty(con, "caregivers")
    _empty(con, "findings")


def duckdb_connect(
    *,
    database: Path | str = ":memory:",
    threads: int | None = None,
    memory_limit: str | None = None,
    spill_to: Path | None = None,
) -> Any:
    """A DuckDB Ibis backend set up for the pipeline (UTC, no insertion-order bookkeeping).

    Under `memory_limit` DuckDB writes what does not fit (in-memory tables included) to
    `spill_to`, so an in-memory database holds any population size without paying for a database
    file's compression and checkpoints.
    """
    con = ibis.duckdb.connect(str(database), threads=threads or os.cpu_count() or 1)
    raw = con.con
    raw.execute("SET TimeZone = 'UTC'")
    raw.execute("SET preserve_insertion_order = false")
    if memory_limit:
        raw.execute(f"SET memory_limit = '{memory_limit}'")
    if spill_to is not None:
        raw.execute("SET temp_directory = '" + str(spill_to).replace("'", "''") + "'")
    return con


def from_ndjson(con: Any, directory: Path | str, *, as_of: dt.date, lookback_days: int) -> Inputs:
    """FHIR bulk NDJSON files normalized inside a DuckDB Ibis backend."""
    _normalize_ndjson(con.con, Path(directory), as_of=as_of, lookback_days=lookback_days)
    return Inputs(*(con.table(name) for name in TABLES))


def is_normalized_parquet(directory: Path | str) -> bool:
    return all((Path(directory) / f"{name}.parquet").exists() for name in TABLES)


def from_parquet_duckdb(con: Any, directory: Path | str) -> Inputs:
    """Normalized input tables previously written as Parquet (see export_parquet)."""
    return Inputs(
        *(con.read_parquet(str(Path(directory) / f"{name}.parquet"), table_name=name) for name in TABLES)
    )


def export_parquet(con: Any, directory: Path | str) -> Path:
    """Write a DuckDB connection's normalized tables as `<table>.parquet` files (the Spark input)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        target = str(out / f"{name}.parquet").replace("'", "''")
        con.con.execute(f"COPY {name} TO '{target}' (FORMAT parquet)")
    return out


def from_parquet_spark(session: Any, directory: Path | str) -> tuple[Any, Inputs]:
    """Normalized Parquet tables registered in a Spark session, through Ibis's PySpark backend."""
    for name in TABLES:
        session.read.parquet(str(Path(directory) / f"{name}.parquet")).createOrReplaceTempView(name)
    con = ibis.pyspark.connect(session)
    return con, Inputs(*(con.table(name) for name in TABLES))
