import datetime as dt

import pytest

from carenav.core.errors import NotFound
from carenav.patients import selectors
from carenav.patients.models import Encounter, Observation, PatientIdentifier
from tests.factories import add_condition, add_encounter, add_observation, make_patient

pytestmark = pytest.mark.django_db


def test_search_by_name_folds_accents_and_matches_either_order(care_manager, org) -> None:
    rosa = make_patient(org, family_name="Muñoz", given_name="Rosa")
    make_patient(org, family_name="Munro", given_name="Ian")
    assert list(selectors.patient_list_for(care_manager, query="munoz")) == [rosa]
    assert list(selectors.patient_list_for(care_manager, query="rosa mun")) == [rosa]
    assert list(selectors.patient_list_for(care_manager, query="Muñoz, R")) == [rosa]
    assert len(selectors.patient_list_for(care_manager, query="mun")) == 2


def test_search_by_birth_date_and_identifier(care_manager, org) -> None:
    p = make_patient(org, birth_date=dt.date(1944, 2, 29), mrn="A-1001")
    make_patient(org, birth_date=dt.date(1944, 3, 1))
    PatientIdentifier.objects.create(patient=p, system="http://hospital.example/mrn", value="778899")
    assert list(selectors.patient_list_for(care_manager, query="1944-02-29")) == [p]
    assert list(selectors.patient_list_for(care_manager, query="2/29/1944")) == [p]
    assert list(selectors.patient_list_for(care_manager, query="778899")) == [p]
    assert list(selectors.patient_list_for(care_manager, query="A-1001")) == [p]
    assert list(selectors.patient_list_for(care_manager, query="1944-02-30")) == []


def test_get_out_of_scope_is_not_found(care_manager, other_patient) -> None:
    with pytest.raises(NotFound):
        selectors.patient_get_for(care_manager, other_patient.pk)


def test_chart_collects_latest_values_and_acute_counts(care_manager, patient) -> None:
    add_condition(patient, "I50.22", display="Chronic systolic heart failure", onset_date=dt.date(2024, 1, 5))
    add_condition(patient, "J06.9", display="URI", clinical_status="resolved")
    add_encounter(
        patient, Encounter.Class.INPATIENT, "2026-10-01", "2026-10-06", discharge_disposition="home"
    )
    add_encounter(patient, Encounter.Class.EMERGENCY, "2026-06-01", "2026-06-01")
    add_encounter(patient, Encounter.Class.INPATIENT, "2025-01-01", "2025-01-03")  # older than 12 months
    add_observation(patient, "4548-4", 8.1, "%", "2026-01-10", display="HbA1c", category="laboratory")
    add_observation(patient, "4548-4", 7.4, "%", "2026-09-10", display="HbA1c", category="laboratory")
    bp = Observation.objects.create(
        patient=patient,
        loinc="85354-9",
        display="Blood pressure",
        effective=dt.datetime(2026, 9, 10, tzinfo=dt.UTC),
        category="vital-signs",
    )
    Observation.objects.create(
        patient=patient, panel=bp, loinc="8480-6", value_num=142, unit="mm[Hg]", effective=bp.effective
    )
    Observation.objects.create(
        patient=patient, panel=bp, loinc="8462-4", value_num=88, unit="mm[Hg]", effective=bp.effective
    )

    chart = selectors.patient_chart_for(care_manager, patient.pk, today=dt.date(2026, 11, 24))

    assert [c.code for c in chart.problems] == ["I50.22"]
    assert [o.value_num for o in chart.labs] == [7.4]
    assert [o.loinc for o in chart.vitals] == ["85354-9"]
    assert chart.acute_last_year == {"inpatient": 1, "emergency": 1}
    assert chart.encounters[0].length_of_stay_days == 5


def test_chart_query_count_does_not_grow_with_history(
    care_manager, patient, django_assert_max_num_queries
) -> None:
    for i in range(40):
        add_observation(
            patient, "2951-2", 135 + i % 5, "mmol/L", f"2026-0{1 + i % 9}-1{i % 9}", category="laboratory"
        )
        add_encounter(patient, Encounter.Class.AMBULATORY, f"2025-0{1 + i % 9}-1{i % 9}")
        add_condition(patient, f"E11.{i % 9}")
    with django_assert_max_num_queries(14):
        selectors.patient_chart_for(care_manager, patient.pk, today=dt.date(2026, 11, 24))
