"""Rendered resources: valid FHIR R4, internally consistent, clinically coherent."""

import importlib
from collections import defaultdict
from datetime import date, datetime
from statistics import mean
from typing import Any

import pytest

from carenav.synth import catalog as cat
from carenav.synth.fhir import RESOURCE_TYPES
from carenav.synth.generate import iter_resources

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def sample() -> dict[str, list[dict]]:
    """Resources of 2,000 patients, by type."""
    by_type: dict[str, list[dict]] = defaultdict(list)
    for resource_type, resource in iter_resources(11, AS_OF, 0, 2000):
        by_type[resource_type].append(resource)
    return by_type


def _model(resource_type: str) -> Any:
    return getattr(importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}"), resource_type)


def test_resources_validate_as_fhir_r4() -> None:
    errors: list[str] = []
    seen: set[str] = set()
    for resource_type, resource in iter_resources(5, AS_OF, 0, 60):
        seen.add(resource_type)
        try:
            _model(resource_type).model_validate(resource)
        except ValueError as exc:
            errors.append(f"{resource_type}/{resource['id']}: {exc}")
    assert seen == set(RESOURCE_TYPES)
    assert errors == []


def test_ids_are_unique_and_references_resolve(sample: dict[str, list[dict]]) -> None:
    ids = {t: {r["id"] for r in rows} for t, rows in sample.items()}
    assert all(len(ids[t]) == len(rows) for t, rows in sample.items())
    references: list[str] = []
    for rows in sample.values():
        for r in rows:
            for key in ("subject", "patient", "beneficiary", "encounter"):
                if isinstance(r.get(key), dict) and "reference" in r[key]:
                    references.append(r[key]["reference"])
            references += [d["condition"]["reference"] for d in r.get("diagnosis", []) if "condition" in d]
            references += [x["reference"] for x in r.get("reasonReference", [])]
            references += [i["coverage"]["reference"] for i in r.get("insurance", [])]
            references += [e["reference"] for item in r.get("item", []) for e in item.get("encounter", [])]
    assert len(references) > 50_000
    dangling = [ref for ref in references if ref.split("/")[1] not in ids[ref.split("/")[0]]]
    assert dangling == []


def test_nothing_happens_after_the_as_of_day(sample: dict[str, list[dict]]) -> None:
    def day(value: str) -> date:
        return datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)

    stamps = [r["period"]["end"] for r in sample["Encounter"]]
    stamps += [r["effectiveDateTime"] for r in sample["Observation"]]
    stamps += [r["created"] for r in sample["Claim"]] + [r["authoredOn"] for r in sample["MedicationRequest"]]
    stamps += [r["onsetDateTime"] for r in sample["Condition"]]
    assert max(day(s) for s in stamps) <= AS_OF
    for e in sample["Encounter"]:
        assert e["period"]["start"] < e["period"]["end"]


def _problems(sample: dict[str, list[dict]]) -> dict[str, dict[str, str]]:
    """Patient reference -> condition key -> Condition id (problem list only)."""
    lookup: dict[tuple[str, str], str] = {}
    for spec in cat.CONDITIONS + cat.SOCIAL_NEEDS:
        for v in spec.variants:
            for code in (v.icd, v.snomed):
                if code is not None:
                    lookup.setdefault((code.system, code.code), spec.key)
    problems: dict[str, dict[str, str]] = defaultdict(dict)
    for c in sample["Condition"]:
        if c["category"][0]["coding"][0]["code"] == "problem-list-item":
            coding = c["code"]["coding"]
            assert len(coding) == 1
            problems[c["subject"]["reference"]][lookup[(coding[0]["system"], coding[0]["code"])]] = c["id"]
    return problems


def _values(sample: dict[str, list[dict]], loinc: set[str]) -> dict[str, list[float]]:
    values: dict[str, list[float]] = defaultdict(list)
    for o in sample["Observation"]:
        if o["code"]["coding"][0]["code"] in loinc and "valueQuantity" in o:
            values[o["subject"]["reference"]].append(o["valueQuantity"]["value"])
    return values


def _split(
    values: dict[str, list[float]], problems: dict[str, dict[str, str]], key: str
) -> tuple[float, float]:
    having = [v for p, vs in values.items() for v in vs if key in problems[p]]
    others = [v for p, vs in values.items() for v in vs if key not in problems[p]]
    return mean(having), mean(others)


def test_labs_are_consistent_with_conditions(sample: dict[str, list[dict]]) -> None:
    problems = _problems(sample)
    diabetic, other = _split(_values(sample, {"4548-4"}), problems, "diabetes")
    assert diabetic > 7.0 and other < 5.8
    ckd, other = _split(_values(sample, {"33914-3", "62238-1"}), problems, "ckd")
    assert ckd < 55 and other > 70
    bnp = _values(sample, {"30934-4"})
    assert all("heart_failure" in problems[p] for p in bnp if max(bnp[p]) > 1000)
    assert mean(v for p, vs in bnp.items() if "heart_failure" in problems[p] for v in vs) > 300


def test_blood_pressure_and_weight_fit_the_patient(sample: dict[str, list[dict]]) -> None:
    problems = _problems(sample)
    systolic: dict[str, list[float]] = defaultdict(list)
    for o in sample["Observation"]:
        if o["code"]["coding"][0]["code"] == "85354-9":
            codes = [c["code"]["coding"][0]["code"] for c in o["component"]]
            assert codes == ["8480-6", "8462-4"]
            systolic[o["subject"]["reference"]].append(o["component"][0]["valueQuantity"]["value"])
    hypertensive, other = _split(systolic, problems, "hypertension")
    assert hypertensive > other + 4
    obese, other = _split(_values(sample, {"39156-5"}), problems, "obesity")
    assert obese >= 30 > other


def test_inpatient_stays_carry_discharge_labs_and_disposition(sample: dict[str, list[dict]]) -> None:
    stays = {e["id"]: e for e in sample["Encounter"] if e["class"]["code"] == "IMP"}
    assert len(stays) > 100
    for e in stays.values():
        assert e["hospitalization"]["dischargeDisposition"]["coding"][0]["code"] in cat.DISPOSITIONS
        assert e["priority"]["coding"][0]["code"] in ("EM", "UR", "EL")
        assert e["diagnosis"][0]["rank"] == 1
    discharge_labs = [
        o
        for o in sample["Observation"]
        if o.get("encounter", {}).get("reference", "").removeprefix("Encounter/") in stays
        and o["code"]["coding"][0]["code"] in ("718-7", "2951-2")
    ]
    assert len(discharge_labs) > len(stays)  # two per stay for most stays
    for o in discharge_labs:
        stay = stays[o["encounter"]["reference"].removeprefix("Encounter/")]
        assert o["effectiveDateTime"][:10] == stay["period"]["end"][:10]
    low_hb = [
        o
        for o in discharge_labs
        if o["code"]["coding"][0]["code"] == "718-7" and o["valueQuantity"]["value"] < 12
    ]
    assert 0.2 < len(low_hb) / (len(discharge_labs) / 2) < 0.8


def test_medications_fit_the_conditions_they_treat(sample: dict[str, list[dict]]) -> None:
    rxcui_to_key = {d.rxcui: k for k, d in cat.DRUGS.items()}
    allowed: dict[str, set[str]] = defaultdict(set)
    for condition, groups in cat.PRESCRIBING.items():
        for _, options in groups:
            for _, drug in options:
                allowed[drug].add(condition)
    for drug in ("metformin", "insulin_glargine", "empagliflozin", "glipizide", "atorvastatin", "gabapentin"):
        allowed[drug].add("diabetes")
    allowed["ferrous_sulfate"].add("ckd")
    conditions = {c["id"]: c for c in sample["Condition"]}
    lookup = {
        (code.system, code.code): spec.key
        for spec in cat.CONDITIONS
        for v in spec.variants
        for code in (v.icd, v.snomed)
        if code is not None
    }
    assert len(sample["MedicationRequest"]) > 2000
    for m in sample["MedicationRequest"]:
        drug = rxcui_to_key[m["medicationCodeableConcept"]["coding"][0]["code"]]
        treated = conditions[m["reasonReference"][0]["reference"].removeprefix("Condition/")]
        coding = treated["code"]["coding"][0]
        assert lookup[(coding["system"], coding["code"])] in allowed[drug], (drug, coding)
        assert m["status"] in ("active", "stopped") and m["dosageInstruction"][0]["text"]


def test_each_patient_record_uses_one_code_system_and_the_mix_is_even(sample: dict[str, list[dict]]) -> None:
    systems: dict[str, set[str]] = defaultdict(set)
    chronic = {
        (code.system, code.code)
        for spec in cat.CONDITIONS
        for v in spec.variants
        for code in (v.icd, v.snomed)
        if code
    }
    for c in sample["Condition"]:
        coding = c["code"]["coding"][0]
        if (coding["system"], coding["code"]) in chronic:
            systems[c["subject"]["reference"]].add(coding["system"])
    assert all(len(s) == 1 for s in systems.values())
    snomed = sum(cat.SNOMED in s for s in systems.values()) / len(systems)
    assert 0.45 < snomed < 0.55


def test_claims_cost_more_for_inpatient_care(sample: dict[str, list[dict]]) -> None:
    by_class: dict[str, list[float]] = defaultdict(list)
    encounters = {e["id"]: e["class"]["code"] for e in sample["Encounter"]}
    for claim in sample["Claim"]:
        encounter = claim["item"][0]["encounter"][0]["reference"].removeprefix("Encounter/")
        by_class[encounters[encounter]].append(claim["total"]["value"])
        assert claim["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["system"] == cat.ICD10CM
    assert min(by_class["IMP"]) >= 8000 and mean(by_class["IMP"]) < 60000
    assert min(by_class["EMER"]) >= 900 and max(by_class["EMER"]) <= 4500
    assert min(by_class["AMB"]) >= 100 and max(by_class["AMB"]) <= 300
