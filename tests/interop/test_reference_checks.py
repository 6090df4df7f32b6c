"""PostgreSQL: a chunk of new patients is written with the per-row foreign-key triggers off and its
references checked once per table (`Writer._check_references`); those checks must catch what the
triggers would have, and the triggers must stay on where switching them off is not safe."""

from collections import Counter

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from carenav.accounts.models import Organization
from carenav.interop.writer import Writer
from carenav.patients.models import Condition, Encounter, Patient

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite checks foreign keys without per-row triggers; there is nothing to switch off",
    ),
]


def role_setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return str(cursor.fetchone()[0])


def chunk_without_triggers(org: Organization, **condition: int | None) -> tuple[Writer, Patient]:
    """A patient and one condition of it inserted the way a chunk is (triggers off) and counted as
    the chunk's rows; `condition` overrides the condition's references."""
    writer = Writer(org.pk)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    patient = Patient.objects.create(organization=org, source_id="p1", family_name="Okafor")
    encounter = Encounter.objects.create(patient=patient, encounter_class="ambulatory", start=timezone.now())
    references = {"patient_id": patient.pk, "encounter_id": encounter.pk, **condition}
    Condition.objects.create(system="icd10cm", code="I10", **references)
    writer.inserted = Counter({Patient: 1, Encounter: 1, Condition: 1})
    return writer, patient


def test_the_checks_pass_a_whole_chunk_and_switch_the_triggers_back_on(org: Organization) -> None:
    with transaction.atomic():
        writer, patient = chunk_without_triggers(org)
        assert role_setting() == "replica"
        writer._check_references([patient.pk])
        assert role_setting() == "origin"


def test_a_reference_to_a_row_that_does_not_exist_fails_the_chunk(org: Organization) -> None:
    with pytest.raises(IntegrityError, match="1 references to rows that do not exist"), transaction.atomic():
        writer, patient = chunk_without_triggers(org, encounter_id=10**9)
        writer._check_references([patient.pk])


def test_a_row_pointing_at_a_patient_outside_the_chunk_fails_it(org: Organization) -> None:
    """Rows are found by the chunk's patients; one pointing elsewhere (here: at no patient at all)
    is missing from the count."""
    with pytest.raises(IntegrityError, match="1 rows written .* 0 found"), transaction.atomic():
        writer, patient = chunk_without_triggers(org, patient_id=10**9)
        writer._check_references([patient.pk])


def test_a_patient_id_that_is_not_a_patient_of_the_chunk_is_probed(org: Organization) -> None:
    """Rows found by their patient skip the probe of it only when the patients query accounts for
    every id they were looked up by."""
    with pytest.raises(IntegrityError, match="1 references to rows that do not exist"), transaction.atomic():
        writer, patient = chunk_without_triggers(org, patient_id=10**9)
        writer._check_references([patient.pk, 10**9])


@pytest.mark.django_db(transaction=True)
def test_the_organization_cannot_be_deleted_before_the_chunk_commits(org: Organization) -> None:
    """The triggers would lock the organization each patient points to; the checks lock it once."""
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        with transaction.atomic():
            writer, patient = chunk_without_triggers(org)
            writer._check_references([patient.pk])
            with other.cursor() as cursor:
                cursor.execute("SET lock_timeout = '200ms'")
                with pytest.raises(psycopg.errors.LockNotAvailable):
                    cursor.execute("DELETE FROM accounts_organization WHERE id = %s", [org.pk])
            transaction.set_rollback(True)
    finally:
        other.close()


def test_the_triggers_stay_on_for_a_role_without_the_privilege_or_for_tables_with_triggers(
    org: Organization,
) -> None:
    assert Writer(org.pk).checks_per_chunk  # the test cluster's role is a superuser
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE ROLE carenav_importer NOSUPERUSER")
        cursor.execute("SET LOCAL ROLE carenav_importer")
        assert not Writer(org.pk).checks_per_chunk
        if cursor.connection.info.server_version >= 150000:
            cursor.execute("RESET ROLE")
            cursor.execute("GRANT SET ON PARAMETER session_replication_role TO carenav_importer")
            cursor.execute("SET LOCAL ROLE carenav_importer")
            assert Writer(org.pk).checks_per_chunk
        cursor.execute("RESET ROLE")
        cursor.execute(
            "CREATE FUNCTION audit_noop() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER audit_noop AFTER INSERT ON patients_claim FOR EACH ROW EXECUTE FUNCTION audit_noop()"
        )
        assert not Writer(org.pk).checks_per_chunk  # "replica" would switch it off
        cursor.execute("ALTER TABLE patients_claim ENABLE ALWAYS TRIGGER audit_noop")
        assert Writer(org.pk).checks_per_chunk  # fires in either setting
