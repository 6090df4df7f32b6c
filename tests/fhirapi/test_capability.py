"""The CapabilityStatement is valid FHIR R4 and generated from the search table."""

import datetime as dt

from carenav.fhirapi.capability import capability_statement
from carenav.fhirapi.search import SEARCH_PARAMS
from tests.fhirapi.conftest import assert_valid


def test_statement_lists_exactly_the_search_table() -> None:
    statement = capability_statement(
        "https://carenav.example/fhir",
        software_version="0.1.0",
        date=dt.datetime(2026, 11, 24, tzinfo=dt.UTC),
    )
    assert_valid(statement)
    (rest,) = statement["rest"]
    served = {r["type"]: {p["name"] for p in r["searchParam"]} for r in rest["resource"]}
    assert served == {kind: set(params) for kind, params in SEARCH_PARAMS.items()}
    assert all({i["code"] for i in r["interaction"]} == {"read", "search-type"} for r in rest["resource"])
    patient = next(r for r in rest["resource"] if r["type"] == "Patient")
    assert patient["operation"][0]["name"] == "everything"
    assert statement["implementation"]["url"] == "https://carenav.example/fhir"
