"""Measure catalog: lookups, unit conversion, wrong units refused."""

import pytest

from carenav.careplans import measures


def test_catalog_loads_with_unique_codes() -> None:
    cat = measures.catalog()
    hba1c = cat.get(measures.LOINC, "4548-4")
    assert hba1c is not None and hba1c.unit == "%"
    assert cat.by_code("29463-7").label("es") == "Peso"


def test_weight_converts_pounds_and_refuses_other_units() -> None:
    weight = measures.catalog().by_code("29463-7")
    assert weight.to_canonical(176.0, "[lb_av]") == pytest.approx(79.832, abs=0.001)
    assert weight.to_canonical(176.0, "lb") == pytest.approx(79.832, abs=0.001)
    assert weight.to_canonical(80.0, "kg") == 80.0
    with pytest.raises(measures.UnitError, match="measured in kg .*not mg/dL"):
        weight.to_canonical(80.0, "mg/dL")


def test_hba1c_in_mmol_per_mol_is_refused() -> None:
    with pytest.raises(measures.UnitError, match="HbA1c is measured in %"):
        measures.catalog().by_code("4548-4").to_canonical(53, "mmol/mol")


def test_plausibility() -> None:
    with pytest.raises(ValueError, match="outside the plausible range"):
        measures.catalog().by_code("44261-6").check_plausible(30)
    measures.catalog().by_code("44261-6").check_plausible(27)


def test_resolve_custom_and_unlisted_loinc() -> None:
    custom = measures.resolve(measures.catalog().custom_system, "walks", "Walks per week", "{#}/wk")
    assert custom.unit == "{#}/wk" and custom.display == "Walks per week"
    glucose = measures.resolve(measures.LOINC, "1558-6", "Fasting glucose", "mg/dL")
    assert glucose.system == measures.LOINC
    with pytest.raises(ValueError, match="needs a name and a unit"):
        measures.resolve(measures.LOINC, "1558-6", "Fasting glucose", "")
