from django.db import migrations

INDEXES = {
    "patient_family_pattern": "family_norm",
    "patient_given_pattern": "given_norm",
}


def create(apps, schema_editor):
    # PostgreSQL only: LIKE 'prefix%' uses an index only with a pattern operator class when the
    # database collation is not C. SQLite searches by range on the ordinary indexes instead.
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON patients_patient (organization_id, {column} varchar_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
