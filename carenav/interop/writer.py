"""Batched upserts of mapped rows, a chunk of whole patients per transaction.

Multi-row `INSERT ... ON CONFLICT (...) DO UPDATE ... RETURNING` on the unique (organization,
source_id) / (patient, source_id) keys, through the raw DB-API cursor of Django's connection (the
ORM's per-object cost would dominate at tens of thousands of rows a second). The same SQL runs on
SQLite (3.35+) and PostgreSQL; on PostgreSQL the rows arrive by COPY into a temp table first.

A chunk whose patients are all new (the usual first import) cannot conflict with anything stored
per patient, so its rows go straight in (COPY on PostgreSQL), with ids taken from the tables'
sequences up front instead of RETURNING. Both paths build the same rows; only the sink differs.

On PostgreSQL, when the role may set `session_replication_role` and the tables have no triggers of
their own, such a chunk is written with the per-row foreign-key triggers off and its references
are checked once, by one query per table, before it commits (`_check_references`, docs/import.md).
"""

import datetime as dt
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any
from urllib.parse import unquote

import orjson
from django.db import IntegrityError, connection, transaction

from carenav.interop.models import SourceVersion
from carenav.patients import models as pm

SUBJECT_ELEMENT = {
    "Coverage": "beneficiary",
    "AllergyIntolerance": "patient",
    "Claim": "patient",
    "ExplanationOfBenefit": "patient",
    "RelatedPerson": "patient",
}
MODELS: dict[str, type[Any]] = {
    "patient": pm.Patient,
    "identifier": pm.PatientIdentifier,
    "caregiver": pm.Caregiver,
    "encounter": pm.Encounter,
    "condition": pm.Condition,
    "observation": pm.Observation,
    "medication": pm.Medication,
    "coverage": pm.Coverage,
    "allergy": pm.Allergy,
    "procedure": pm.Procedure,
    "claim": pm.Claim,
}
WITH_ENCOUNTER = {"condition", "observation", "procedure", "claim"}
JSON_COLUMNS = {"diagnoses"}
# Columns people edit in carenav; an import fills them on insert and never overwrites them.
PATIENT_INSERT_ONLY = {"organization_id", "created_at"}
CAREGIVER_INSERT_ONLY: dict[str, Any] = {"is_primary": False, "lives_with_patient": False, "notes": ""}
IN_LIST = 5000  # values per IN (...) list: SQLite allows 32,766 variables in one statement
FACT_ORDER = ("condition", "observation", "medication", "coverage", "allergy", "procedure", "claim")


@dataclass(slots=True)
class Staged:
    """One mapped resource as read back from staging."""

    table: str
    sid: str
    rtype: str
    file: str
    location: str
    row: dict[str, Any]
    children: list[tuple[str, dict[str, Any]]]
    condition_refs: list[tuple[str, int]]
    patient_ref: str
    encounter_ref: str | None
    last_updated: str | None = None  # naive UTC, as staged (all timestamps are; PostgreSQL reads them in UTC)
    version_id: int | None = None


@dataclass
class ChunkResult:
    imported: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    older: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # older than what is stored
    issues: list[tuple[str, Staged, str, str]] = field(default_factory=list)  # (severity, item, path, reason)

    def copy(self) -> "ChunkResult":
        return ChunkResult(
            defaultdict(int, self.imported),
            defaultdict(int, self.updated),
            defaultdict(int, self.older),
            list(self.issues),
        )


class Writer:
    def __init__(self, organization_id: int) -> None:
        self.organization_id = organization_id
        self.sqlite = connection.vendor == "sqlite"
        self.mark = "?" if self.sqlite else "%s"
        self.max_params = 30000
        self.temp_tables: set[str] = set()
        self.sequences: dict[str, str] = {}
        self.fresh = False  # the chunk being written has only new patients (see `write`)
        self.inserted: Counter[type[Any]] = Counter()  # rows each model got by `_insert` in this chunk
        self.checks_per_chunk = not self.sqlite and self._may_switch_off_row_triggers()

    # ------------------------------------------------------------ SQL helpers

    def _cursor(self) -> Any:
        connection.ensure_connection()
        return connection.connection.cursor()

    def _may_switch_off_row_triggers(self) -> bool:
        """PostgreSQL: may this session switch off the per-row foreign-key triggers for a chunk of
        new patients? Only if its role may set `session_replication_role` (superuser, or from
        PostgreSQL 15 `GRANT SET ON PARAMETER session_replication_role`), the setting is at its
        default, and the tables have no triggers of their own, which "replica" would switch off too
        (or, set to fire only on replicas, on)."""
        tables = [model._meta.db_table for model in MODELS.values()]
        may_set = (
            "has_parameter_privilege('session_replication_role', 'SET')"
            if self._cursor().connection.info.server_version >= 150000
            else "current_setting('is_superuser') = 'on'"
        )
        ((allowed,),) = self._select(
            f"SELECT {may_set} AND current_setting('session_replication_role') = 'origin'"
            " AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[])"
            " AND NOT tgisinternal AND tgenabled IN ('O', 'R'))",
            [tables],
        )
        return bool(allowed)

    def _select(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        cursor = self._cursor()
        cursor.execute(sql.replace("%s", self.mark), list(params))
        return list(cursor.fetchall())

    def _in(self, values: Sequence[Any]) -> str:
        return ", ".join([self.mark] * len(values))

    def upsert(
        self,
        model: type[Any],
        columns: list[str],
        rows: list[list[Any]],
        conflict: tuple[str, ...],
        update: list[str],
        returning: tuple[str, ...] = (),
    ) -> list[tuple[Any, ...]]:
        if not rows:
            return []
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        column_sql = ", ".join(quote(c) for c in columns)
        set_sql = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in update)
        tail = f" ON CONFLICT ({', '.join(quote(c) for c in conflict)}) DO UPDATE SET {set_sql}"
        if returning:
            tail += " RETURNING " + ", ".join(quote(c) for c in returning)
        if not self.sqlite:
            return self._upsert_by_copy(model, columns, rows, tail)
        one = "(" + ", ".join([self.mark] * len(columns)) + ")"
        cursor = self._cursor()
        if not returning:  # one prepared statement, rows bound in C
            cursor.executemany(f"INSERT INTO {table} ({column_sql}) VALUES {one}{tail}", rows)
            return []
        per_statement = max(1, min(500, self.max_params // len(columns)))
        out: list[tuple[Any, ...]] = []
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            sql = f"INSERT INTO {table} ({column_sql}) VALUES {', '.join([one] * len(batch))}{tail}"
            cursor.execute(sql, [value for row in batch for value in row])
            if returning:
                out.extend(cursor.fetchall())
        return out

    def store(
        self,
        model: type[Any],
        columns: list[str],
        rows: list[list[Any]],
        conflict: tuple[str, ...],
        update: list[str],
        returning: tuple[str, ...] = (),
    ) -> list[tuple[Any, ...]]:
        """Upsert rows; in a chunk of only new patients, plain inserts (nothing can conflict)."""
        if self.fresh:
            return self._insert(model, columns, rows, returning)
        return self.upsert(model, columns, rows, conflict, update, returning)

    def _insert(
        self, model: type[Any], columns: list[str], rows: list[list[Any]], returning: tuple[str, ...]
    ) -> list[tuple[Any, ...]]:
        """Insert rows (COPY on PostgreSQL); ids come from the table's sequence when asked for."""
        if not rows:
            return []
        self.inserted[model] += len(rows)
        if "id" in returning:
            columns = ["id", *columns]
            rows = [[pk, *row] for pk, row in zip(self._next_ids(model, len(rows)), rows, strict=True)]
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        column_sql = ", ".join(quote(c) for c in columns)
        cursor = self._cursor()
        if self.sqlite:
            marks = ", ".join([self.mark] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({column_sql}) VALUES ({marks})", rows)
        else:
            with cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        if not returning:
            return []
        pick = itemgetter(*(columns.index(c) for c in returning))
        return [pick(row) for row in rows]

    def _next_ids(self, model: type[Any], n: int) -> list[int]:
        table = model._meta.db_table
        if self.sqlite:
            # AUTOINCREMENT never reuses an id, so start past both the counter and the largest id;
            # the import's transaction (BEGIN IMMEDIATE) holds the write lock, so no one else takes these.
            quoted = connection.ops.quote_name(table)
            ((top,),) = self._select(
                f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"
                f" coalesce((SELECT max(id) FROM {quoted}), 0))",
                [table],
            )
            return list(range(top + 1, top + 1 + n))
        if table not in self.sequences:
            ((self.sequences[table],),) = self._select("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        return [
            r[0]
            for r in self._select(
                "SELECT nextval(%s) FROM generate_series(1, %s)", [self.sequences[table], n]
            )
        ]

    def _upsert_by_copy(
        self, model: type[Any], columns: list[str], rows: list[list[Any]], tail: str
    ) -> list[tuple[Any, ...]]:
        """PostgreSQL: COPY the rows into a session temp table, then one INSERT ... SELECT ... ON CONFLICT."""
        quote = connection.ops.quote_name
        table = model._meta.db_table
        column_sql = ", ".join(quote(c) for c in columns)
        temp = f"carenav_import_{zlib.crc32(f'{table}:{column_sql}'.encode()):08x}"
        cursor = self._cursor()
        if temp not in self.temp_tables:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {temp} AS SELECT {column_sql} FROM {quote(table)} WITH NO DATA"
            )
            self.temp_tables.add(temp)
        cursor.execute(f"TRUNCATE {temp}")
        with cursor.copy(f"COPY {temp} ({column_sql}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {quote(table)} ({column_sql}) SELECT {column_sql} FROM {temp}{tail}")
        return list(cursor.fetchall()) if " RETURNING " in tail else []

    def _existing(self, model: type[Any], patient_ids: Iterable[int]) -> set[tuple[int, str]]:
        ids = sorted(set(patient_ids))
        if not ids or self.fresh:
            return set()
        table = connection.ops.quote_name(model._meta.db_table)
        rows = self._select(
            f"SELECT patient_id, source_id FROM {table} WHERE patient_id IN ({self._in(ids)})"
            " AND source_id IS NOT NULL",
            ids,
        )
        return {(r[0], r[1]) for r in rows}

    # ------------------------------------------------------------ patients

    def _stored_patients(self, sids: list[str]) -> set[str]:
        """Which of these patient source ids this organization already has."""
        if not sids:
            return set()
        table = connection.ops.quote_name(pm.Patient._meta.db_table)
        return {
            r[0]
            for start in range(0, len(sids), IN_LIST)
            for r in self._select(
                f"SELECT source_id FROM {table} WHERE organization_id = %s"
                f" AND source_id IN ({self._in(sids[start : start + IN_LIST])})",
                [self.organization_id, *sids[start : start + IN_LIST]],
            )
        }

    def _resolve_patients(
        self,
        groups: dict[str, list[Staged]],
        staged: dict[str, Staged | None],
        existing: set[str],
        now: str,
        result: ChunkResult,
    ) -> dict[str, int]:
        """Patient reference → patient id: write the staged Patients, find the others in the DB."""
        patients = [s for s in staged.values() if s is not None]
        ids: dict[str, int] = {}
        if patients:
            fields = list(patients[0].row)
            pick = itemgetter(*fields)
            rows = []
            for s in patients:
                rows.append([*pick(s.row), self.organization_id, s.sid, now, now])
                (result.updated if s.sid in existing else result.imported)[s.rtype] += 1
            columns = [*fields, "organization_id", "source_id", "created_at", "updated_at"]
            update = [c for c in columns if c not in PATIENT_INSERT_ONLY and c != "source_id"]
            for pid, sid in self.store(
                pm.Patient, columns, rows, ("organization_id", "source_id"), update, ("id", "source_id")
            ):
                ids[f"Patient/{sid}"] = pid
        missing = [ref for ref in groups if ref not in ids]
        by_sid = [ref[8:] for ref in missing if ref.startswith("Patient/")]
        if by_sid:
            table = connection.ops.quote_name(pm.Patient._meta.db_table)
            for pid, sid in self._select(
                f"SELECT id, source_id FROM {table} WHERE organization_id = %s AND source_id IN ({self._in(by_sid)})",
                [self.organization_id, *by_sid],
            ):
                ids[f"Patient/{sid}"] = pid
        for ref in missing:
            if ref.startswith("Patient?"):
                found = self._patient_by_identifier(ref)
                if found is not None:
                    ids[ref] = found
        return ids

    def _patient_by_identifier(self, reference: str) -> int | None:
        query = unquote(reference.split("?", 1)[1])
        params = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
        token = params.get("identifier")
        if not token:
            return None
        system, _, value = token.rpartition("|")
        ident = connection.ops.quote_name(pm.PatientIdentifier._meta.db_table)
        patient = connection.ops.quote_name(pm.Patient._meta.db_table)
        sql = (
            f"SELECT p.id FROM {patient} p JOIN {ident} i ON i.patient_id = p.id"
            f" WHERE p.organization_id = %s AND i.value = %s"
        )
        args: list[Any] = [self.organization_id, value]
        if system:
            sql += " AND i.system = %s"
            args.append(system)
        rows = self._select(sql, args)
        return rows[0][0] if len({r[0] for r in rows}) == 1 else None

    # ------------------------------------------------------------ chunk

    def write(self, groups: dict[str, list[Staged]], now: dt.datetime) -> ChunkResult:
        """Write whole patients; the caller holds the transaction."""
        if not self.sqlite:  # timestamps are staged as naive UTC; JIT-compiling would cost more than it saves
            self._cursor().execute("SET LOCAL TIME ZONE 'UTC'; SET LOCAL jit = off")
        result = ChunkResult()
        stamp = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
        groups = self._drop_older_versions(groups, result)
        staged = {
            ref: next((s for s in items if s.table == "patient"), None) for ref, items in groups.items()
        }
        existing = self._stored_patients([s.sid for s in staged.values() if s is not None])
        if existing or None in staged.values():
            return self._write(groups, staged, existing, stamp, result)
        # Every patient is new, so none of their rows can be stored yet: insert without upserting.
        # Another import may write the same patients meanwhile; then take the upsert path instead.
        self.fresh = True
        try:
            with transaction.atomic(), connection.wrap_database_errors:
                return self._write(groups, staged, existing, stamp, result.copy())
        except IntegrityError:
            pass
        finally:
            self.fresh = False
        existing = self._stored_patients([s.sid for s in staged.values() if s is not None])
        return self._write(groups, staged, existing, stamp, result)

    def _write(
        self,
        groups: dict[str, list[Staged]],
        staged: dict[str, Staged | None],
        existing: set[str],
        stamp: str,
        result: ChunkResult,
    ) -> ChunkResult:
        checks_per_chunk = self.fresh and self.checks_per_chunk
        if checks_per_chunk:  # reverted by the savepoint's rollback if the chunk fails
            self._cursor().execute("SET LOCAL session_replication_role = replica")
            self.inserted.clear()
        patient_ids = self._resolve_patients(groups, staged, existing, stamp, result)
        patients: list[tuple[int, Staged]] = []
        facts: dict[str, list[tuple[int, Staged]]] = defaultdict(list)
        for ref, items in groups.items():
            pid = patient_ids.get(ref)
            for s in items:
                if pid is None:
                    element = SUBJECT_ELEMENT.get(s.rtype, "subject")
                    reason = f"{ref} is not in this import or among this organization's patients"
                    result.issues.append(("error", s, f"{s.rtype}.{element}", reason))
                elif s.table == "patient":
                    patients.append((pid, s))
                else:
                    facts[s.table].append((pid, s))
        conditions = {(pid, f"Condition/{s.sid}"): s.row for pid, s in facts.get("condition", [])}
        referenced = {
            (pid, ref)
            for items in facts.values()
            for pid, s in items
            for ref, _ in s.condition_refs
            if (pid, ref) not in conditions
        }
        conditions.update(self._find_conditions(referenced))
        self._write_identifiers(patients)
        contacts = [(pid, child) for pid, s in patients for kind, child in s.children if kind == "caregiver"]
        self._write_caregivers(contacts, facts.pop("caregiver", []), result)
        encounters = self._write_encounters(facts.pop("encounter", []), conditions, result)
        needed = {
            (pid, s.encounter_ref)
            for items in facts.values()
            for pid, s in items
            if s.encounter_ref and (pid, s.encounter_ref) not in encounters
        }
        encounters.update(self._find_encounters(needed))
        for table in FACT_ORDER:
            if facts.get(table):
                self._write_facts(table, facts[table], encounters, conditions, result)
        if checks_per_chunk:
            self._check_references(sorted(set(patient_ids.values())))
        self._record_versions(groups, patient_ids)
        return result

    def _check_references(self, patient_ids: list[int]) -> None:
        """The chunk's rows went in with the per-row foreign-key triggers off: check all their
        references now, one query per table, then switch the triggers back on.

        The rows are found by patient (every row of a new patient is this chunk's, as no other
        transaction sees the patient yet) and counted, so a row pointing at another patient is
        caught too. Rows outside the chunk that they point to (the organization) are first locked
        FOR KEY SHARE, as the triggers would, so that they cannot be deleted before this commits."""
        quote = connection.ops.quote_name
        cursor = self._cursor()
        # When every patient id is a patient row written here (which the query on patients counts),
        # a row found by its patient id needs no probe of it.
        patients_counted = self.inserted[pm.Patient] == len(patient_ids)
        # Index probes per row, which the planner, without statistics on tables filling up, would
        # not choose: it scans them whole, comparing each row with every patient id.
        ((seqscan, _),) = self._select(
            "SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)", []
        )
        for model, count in self.inserted.items():
            table = quote(model._meta.db_table)
            scope = f"c.{quote('id' if model is pm.Patient else 'patient_id')} = ANY(%s)"
            missing = []
            for f in model._meta.concrete_fields:
                if not f.many_to_one or (
                    patients_counted and model is not pm.Patient and f.column == "patient_id"
                ):
                    continue
                target = quote(f.related_model._meta.db_table)
                key, column = quote(f.target_field.column), quote(f.column)
                if f.related_model not in self.inserted:
                    cursor.execute(
                        f"SELECT 1 FROM {target} WHERE {key} IN (SELECT c.{column} FROM {table} c WHERE {scope})"
                        " FOR KEY SHARE",
                        [patient_ids],
                    )
                missing.append(
                    f"count(*) FILTER (WHERE c.{column} IS NOT NULL"
                    f" AND NOT EXISTS (SELECT FROM {target} t WHERE t.{key} = c.{column}))"
                )
            cursor.execute(
                f"SELECT {', '.join(['count(*)', *missing])} FROM {table} c WHERE {scope}", [patient_ids]
            )
            found, *dangling = cursor.fetchone()
            if found != count or any(dangling):
                raise IntegrityError(
                    f"{model._meta.db_table}: {count} rows written for this chunk's patients, {found} found,"
                    f" {sum(dangling)} references to rows that do not exist"
                )
        cursor.execute(
            "SELECT set_config('enable_seqscan', %s, true), set_config('session_replication_role', 'origin', true)",
            [seqscan],
        )

    # ------------------------------------------------------------ versions across imports

    def _drop_older_versions(
        self, groups: dict[str, list[Staged]], result: ChunkResult
    ) -> dict[str, list[Staged]]:
        """Leave out resources older (meta.lastUpdated / versionId) than the version already stored.

        A dropped Patient is still found in the database, so its other resources are written."""
        versioned = [
            s for items in groups.values() for s in items if s.last_updated or s.version_id is not None
        ]
        if not versioned:
            return groups
        table = connection.ops.quote_name(SourceVersion._meta.db_table)
        sids = sorted({s.sid for s in versioned})
        stored: dict[tuple[str, str], tuple[str | None, int | None]] = {}
        found = [
            row
            for start in range(0, len(sids), IN_LIST)
            for row in self._select(
                f"SELECT resource_type, source_id, last_updated, version_id FROM {table}"
                f" WHERE organization_id = %s AND source_id IN ({self._in(sids[start : start + IN_LIST])})",
                [self.organization_id, *sids[start : start + IN_LIST]],
            )
        ]
        for rtype, sid, last_updated, version_id in found:
            if isinstance(last_updated, dt.datetime):  # PostgreSQL: aware; SQLite's converter: naive UTC
                if last_updated.tzinfo is not None:
                    last_updated = last_updated.astimezone(dt.UTC).replace(tzinfo=None)
                last_updated = last_updated.isoformat(sep=" ")
            stored[(rtype, sid)] = (last_updated, version_id)
        kept: dict[str, list[Staged]] = {}
        for ref, items in groups.items():
            keep = []
            for s in items:
                before = stored.get((s.rtype, s.sid))
                if before is not None and _older(s.last_updated, s.version_id, *before):
                    result.older[s.rtype] += 1
                    reason = (
                        f"older than the version already imported ({before[0] or before[1]}); kept that one"
                    )
                    result.issues.append(("warning", s, f"{s.rtype}.meta", reason))
                    s.last_updated = s.version_id = None  # not recorded either
                else:
                    keep.append(s)
            kept[ref] = keep
        return kept

    def _record_versions(self, groups: dict[str, list[Staged]], patient_ids: dict[str, int]) -> None:
        rows = [
            [self.organization_id, s.rtype, s.sid, s.last_updated, s.version_id]
            for ref, items in groups.items()
            if ref in patient_ids
            for s in items
            if s.last_updated or s.version_id is not None
        ]
        columns = ["organization_id", "resource_type", "source_id", "last_updated", "version_id"]
        self.upsert(SourceVersion, columns, rows, tuple(columns[:3]), columns[3:])

    def _write_identifiers(self, patients: list[tuple[int, Staged]]) -> None:
        rows = [
            [pid, child["system"], child["value"], child["type_code"]]
            for pid, s in patients
            for kind, child in s.children
            if kind == "identifier"
        ]
        self.store(
            pm.PatientIdentifier,
            ["patient_id", "system", "value", "type_code"],
            rows,
            ("patient_id", "system", "value"),
            ["type_code"],
        )

    def _write_caregivers(
        self,
        contacts: list[tuple[int, dict[str, Any]]],
        related: list[tuple[int, Staged]],
        result: ChunkResult,
    ) -> None:
        existing = self._existing(pm.Caregiver, [pid for pid, _ in related])
        for pid, s in related:
            (result.updated if (pid, s.sid) in existing else result.imported)[s.rtype] += 1
        entries = [(pid, child) for pid, child in contacts] + [
            (pid, {**s.row, "source_id": s.sid}) for pid, s in related
        ]
        if not entries:
            return
        fields = ["source_id", "name", "relationship", "phone", "email"]
        defaults = CAREGIVER_INSERT_ONLY
        columns = ["patient_id", *fields, *defaults]
        rows = [[pid, *(child[f] for f in fields), *defaults.values()] for pid, child in entries]
        self.store(pm.Caregiver, columns, rows, ("patient_id", "source_id"), fields[1:])

    def _diagnoses(
        self,
        pid: int,
        refs: list[tuple[str, int]],
        conditions: dict[tuple[int, str], dict[str, Any]],
        key: str,
    ) -> list[dict[str, Any]]:
        found = []
        for ref, rank in refs:
            row = conditions.get((pid, ref))
            if row is not None:
                entry = {"system": row["system"], "code": row["code"], key: rank}
                if key == "rank":
                    entry["display"] = row["display"]
                found.append(entry)
        return found

    def _write_encounters(
        self,
        items: list[tuple[int, Staged]],
        conditions: dict[tuple[int, str], dict[str, Any]],
        result: ChunkResult,
    ) -> dict[tuple[int, str], int]:
        if not items:
            return {}
        existing = self._existing(pm.Encounter, [pid for pid, _ in items])
        fields = list(items[0][1].row)
        pick = itemgetter(*fields)
        at = 2 + fields.index("diagnoses")
        rows = []
        for pid, s in items:
            values = [pid, s.sid, *pick(s.row)]
            diagnoses = self._diagnoses(pid, s.condition_refs, conditions, "rank") if s.condition_refs else []
            values[at] = orjson.dumps(diagnoses).decode()
            rows.append(values)
            (result.updated if (pid, s.sid) in existing else result.imported)[s.rtype] += 1
        columns = ["patient_id", "source_id", *fields]
        returned = self.store(
            pm.Encounter,
            columns,
            rows,
            ("patient_id", "source_id"),
            columns[2:],
            ("id", "patient_id", "source_id"),
        )
        return {(pid, f"Encounter/{sid}"): eid for eid, pid, sid in returned}

    def _stored(self, model: type[Any], refs: set[tuple[int, str]], columns: str) -> list[tuple[Any, ...]]:
        """(patient id, source id, *columns) of the rows of `model` that earlier imports stored and
        that (patient id, "Type/id") references of this chunk name."""
        prefix = f"{model.__name__}/"
        wanted = {(pid, ref[len(prefix) :]) for pid, ref in refs if ref.startswith(prefix)}
        if not wanted or self.fresh:
            return []
        pids = sorted({pid for pid, _ in wanted})
        sids = sorted({sid for _, sid in wanted})
        table = connection.ops.quote_name(model._meta.db_table)
        rows = [
            row
            for start in range(0, len(sids), IN_LIST)
            for row in self._select(
                f"SELECT patient_id, source_id, {columns} FROM {table} WHERE patient_id IN ({self._in(pids)})"
                f" AND source_id IN ({self._in(sids[start : start + IN_LIST])})",
                [*pids, *sids[start : start + IN_LIST]],
            )
        ]
        return [row for row in rows if (row[0], row[1]) in wanted]

    def _find_encounters(self, needed: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
        return {(pid, f"Encounter/{sid}"): eid for pid, sid, eid in self._stored(pm.Encounter, needed, "id")}

    def _find_conditions(self, needed: set[tuple[int, str]]) -> dict[tuple[int, str], dict[str, Any]]:
        """Conditions that diagnoses reference but this import does not carry: stored by earlier ones."""
        found = self._stored(pm.Condition, needed, "system, code, display")
        return {
            (pid, f"Condition/{sid}"): {"system": system, "code": code, "display": display}
            for pid, sid, system, code, display in found
        }

    def _write_facts(
        self,
        table: str,
        items: list[tuple[int, Staged]],
        encounters: dict[tuple[int, str], int],
        conditions: dict[tuple[int, str], dict[str, Any]],
        result: ChunkResult,
    ) -> None:
        model = MODELS[table]
        existing = self._existing(model, [pid for pid, _ in items])
        with_encounter = table in WITH_ENCOUNTER
        fields = list(items[0][1].row)
        pick = itemgetter(*fields)
        columns = ["patient_id", "source_id", *(["encounter_id"] if with_encounter else []), *fields]
        json_at = [columns.index(c) for c in fields if c in JSON_COLUMNS]
        rows = []
        for pid, s in items:
            values: list[Any] = [pid, s.sid]
            if with_encounter:
                eid = None
                if s.encounter_ref:
                    eid = encounters.get((pid, s.encounter_ref))
                    if eid is None:
                        reason = f"{s.encounter_ref} not found for this patient; imported without it"
                        result.issues.append(("warning", s, f"{s.rtype}.encounter", reason))
                values.append(eid)
            values.extend(pick(s.row))
            for at in json_at:  # a claim's coded diagnoses, then those it references
                found = (
                    self._diagnoses(pid, s.condition_refs, conditions, "sequence") if s.condition_refs else []
                )
                values[at] = orjson.dumps(values[at] + found).decode()
            rows.append(values)
            (result.updated if (pid, s.sid) in existing else result.imported)[s.rtype] += 1
        update = columns[2:]
        if table != "observation":
            self.store(model, columns, rows, ("patient_id", "source_id"), update)
            return
        panels = {(pid, s.sid): s for pid, s in items if s.children}
        returned = self.store(
            model, columns, rows, ("patient_id", "source_id"), update, ("id", "patient_id", "source_id")
        )
        component_fields = ["source_id", *fields]
        pick = itemgetter(*component_fields)
        component_rows = []
        for oid, pid, sid in returned:
            panel = panels.get((pid, sid))
            if panel is None:
                continue
            eid = encounters.get((pid, panel.encounter_ref)) if panel.encounter_ref else None
            for _kind, child in panel.children:
                component_rows.append([pid, eid, oid, *pick(child)])
        component_columns = ["patient_id", "encounter_id", "panel_id", *component_fields]
        self.store(
            model,
            component_columns,
            component_rows,
            ("patient_id", "source_id"),
            component_columns[1:3] + fields,
        )


def _older(
    last_updated: str | None, version: int | None, stored_updated: str | None, stored_version: int | None
) -> bool:
    if last_updated and stored_updated:
        return last_updated < stored_updated
    if version is not None and stored_version is not None:
        return version < stored_version
    return False
