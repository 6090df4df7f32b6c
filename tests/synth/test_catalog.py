"""The clinical catalogue: well-formed codes, coherent targets, and codes carenav's value sets classify."""

import re

import pytest

from carenav.synth import catalog as cat
from carenav.synth.fhir import CAREGIVER
from carenav.terminology.valuesets import classify

ICD10CM_FORMAT = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$")

# Verhoeff dihedral check, as SNOMED CT uses for the last digit of every identifier.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P: list[tuple[int, ...]] = [(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4)]
for _i in range(2, 8):
    _P.append(tuple(_P[1][_P[_i - 1][n]] for n in range(10)))


def verhoeff_valid(number: str) -> bool:
    check = 0
    for i, digit in enumerate(reversed(number)):
        check = _D[check][_P[i % 8][int(digit)]]
    return check == 0


def loinc_valid(code: str) -> bool:
    """LOINC's mod-10 check digit (Luhn over the part before the hyphen)."""
    body, check = code.split("-")
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return (10 - total % 10) % 10 == int(check)


def all_codes() -> set[cat.Code]:
    codes: set[cat.Code] = set()
    for spec in cat.CONDITIONS + cat.SOCIAL_NEEDS:
        for variant in spec.variants:
            codes.update(c for c in (variant.icd, variant.snomed) if c is not None)
    for dx in cat.ACUTE:
        codes.update(c for c in (dx.icd, dx.snomed) if c is not None)
    codes.update(cat.SERVICES.values())
    codes.update(cat.PROCEDURES.values())
    codes.update(cat.ENCOUNTER_TYPES.values())
    return codes


def test_snomed_identifiers_carry_a_valid_check_digit() -> None:
    snomed = [c.code for c in all_codes() if c.system == cat.SNOMED]
    snomed.append(CAREGIVER["coding"][0]["code"])  # type: ignore[index]
    assert len(snomed) > 80
    assert verhoeff_valid("138875005") and not verhoeff_valid("138875006")  # the SNOMED root concept
    assert [c for c in snomed if not verhoeff_valid(c)] == []


def test_icd10cm_codes_are_dotted_and_well_formed() -> None:
    icd = [c.code for c in all_codes() if c.system == cat.ICD10CM]
    assert [c for c in icd if not ICD10CM_FORMAT.match(c)] == []
    assert [c for c in icd if len(c) > 3 and "." not in c] == []


def test_loinc_codes_carry_a_valid_check_digit() -> None:
    loinc = [lab.code.code for lab in (*cat.LABS.values(), *cat.VITALS.values())]
    assert loinc_valid("4548-4") and not loinc_valid("4548-5")
    assert [c for c in loinc if not loinc_valid(c)] == []


def test_drugs_and_prescribing_rules_refer_to_known_things() -> None:
    assert all(d.rxcui.isdigit() for d in cat.DRUGS.values())
    assert len({d.rxcui for d in cat.DRUGS.values()}) == len(cat.DRUGS)
    for condition, groups in cat.PRESCRIBING.items():
        assert condition in cat.CONDITION_BY_KEY
        for probability, options in groups:
            assert 0 < probability <= 1
            assert all(drug in cat.DRUGS and weight > 0 for weight, drug in options)


@pytest.mark.parametrize("spec", cat.CONDITIONS + cat.SOCIAL_NEEDS, ids=lambda s: s.key)
def test_targets_and_loadings_are_coherent(spec: cat.ConditionSpec) -> None:
    assert len(spec.prevalence) == len(cat.AGE_BANDS)
    assert all(0 <= p < 1 for p in spec.prevalence)
    assert sum(w * w for w in spec.loadings.values()) < 1
    assert spec.variants and all(v.icd or v.snomed for v in spec.variants)
    for sex in ("female", "male"):
        assert sum(v.weight for v in spec.variants if v.sex in (None, sex)) > 0
    if spec.parent:
        parent = cat.CONDITION_BY_KEY[spec.parent]
        assert all(c <= p for c, p in zip(spec.prevalence, parent.prevalence, strict=True))


def test_every_charlson_category_can_be_produced() -> None:
    produced = {c for spec in cat.CONDITIONS for v in spec.variants for c in v.categories}
    quan = {"ami", "chf", "pvd", "cevd", "dementia", "copd", "rheumd", "pud", "mld", "diab", "diabwc"}
    quan |= {"hp", "rend", "canc", "msld", "metacanc", "aids"}
    assert {f"charlson:{k}" for k in quan} <= produced


def _categories(code: cat.Code) -> set[str]:
    return {f"{m.valueset}:{m.category}" for m in classify(code.system, code.code)}


@pytest.mark.parametrize("spec", cat.CONDITIONS + cat.SOCIAL_NEEDS, ids=lambda s: s.key)
def test_condition_codes_classify_into_their_intended_categories(spec: cat.ConditionSpec) -> None:
    for variant in spec.variants:
        assert variant.categories, f"{spec.key}: a variant without an intended category"
        for code in (variant.icd, variant.snomed):
            if code is not None:
                missing = set(variant.categories) - _categories(code)
                assert not missing, f"{code.code} {code.display}: not classified as {sorted(missing)}"
    group = "sdoh:" if spec in cat.SOCIAL_NEEDS else ("chronic:", "charlson:", "behavioral_risk:")
    assert all(c.startswith(group) for v in spec.variants for c in v.categories)


@pytest.mark.parametrize("dx", cat.ACUTE, ids=lambda d: d.key)
def test_acute_diagnoses_on_claims_classify_as_intended(dx: cat.AcuteDx) -> None:
    assert set(dx.categories) <= _categories(dx.icd)
