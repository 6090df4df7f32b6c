"""`carenav valueset`: list, show, test and export."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from carenav.terminology import valuesets
from carenav.terminology.management.commands.valueset import Command


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("valueset", *args, stdout=out)
    return out.getvalue()


def test_help_teaches_with_examples() -> None:
    text = Command().create_parser("carenav", "valueset").format_help()
    for example in (
        "carenav valueset list --valueset chronic",
        "carenav valueset show chronic heart_failure",
    ):
        assert example in text
    assert "carenav valueset test I50.22" in text


def test_list_shows_every_value_set_with_its_version() -> None:
    out = run("list")
    for vs in valuesets.load_valuesets().values():
        assert vs.id in out
    assert "2026.11" in out


def test_list_one_value_set_shows_categories_and_attributes() -> None:
    out = run("list", "--valueset", "chronic")
    assert "heart_failure" in out
    assert "high risk (PCM candidate)" in out
    assert "I50, I11.0" in out


def test_show_prints_every_code_of_a_category() -> None:
    out = run("show", "charlson", "chf")
    assert (
        "I09.9, I11.0, I13.0, I13.2, I25.5, I42.0, I42.5, I42.6, I42.7, I42.8, I42.9, I43, I50, P29.0" in out
    )
    assert "ICD-10-CM additions: I09.81" in out
    assert "88805009" in out
    assert "1987: +1, Quan 2011: +2" in out


def test_show_unknown_category_lists_the_keys() -> None:
    with pytest.raises(CommandError, match="no category 'gout'.*heart_failure"):
        run("show", "chronic", "gout")
    with pytest.raises(CommandError, match="no value set 'elixhauser'"):
        run("show", "elixhauser", "chf")


def test_test_explains_each_code_and_detects_the_system() -> None:
    out = run("test", "I50.22", "73595000")
    assert "I50.22 → Heart failure (chronic v2026.11); Charlson chf (1987: +1, Quan 2011: +2)" in out
    assert "I50.22 matches ICD-10-CM prefix I50 (chronic:heart_failure)" in out
    assert "73595000 → Stress (sdoh v2026.11, Gravity stress)" in out


def test_test_with_an_explicit_system() -> None:
    assert "no category" in run("test", "44054006", "--system", "icd10cm")
    assert "Diabetes mellitus" in run("test", "44054006", "--system", "snomed")


def test_export_writes_every_lookup_row_as_csv() -> None:
    rows = list(csv.reader(io.StringIO(run("export"))))
    assert rows[0] == ["valueset", "version", "category", "system", "code_or_prefix", "match_kind"]
    assert [tuple(r) for r in rows[1:]] == valuesets.lookup_rows()
