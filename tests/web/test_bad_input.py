"""Nothing a person types should produce a server error."""

import pytest
from django.test import Client

from tests.conftest import login, token_headers

pytestmark = pytest.mark.django_db

ODD_QUERIES = [
    "'; DROP TABLE patients_patient; --",
    "%",
    "_",
    "\\",
    "🙂",
    "a" * 500,
    "2026-02-30",
    "13/45/2020",
    " ",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_searches(care_manager, patient, query) -> None:
    assert login(care_manager).get("/patients/", {"q": query}).status_code == 200
    assert Client().get("/api/patients", {"q": query}, **token_headers(care_manager)).status_code == 200


@pytest.mark.parametrize("page", ["-1", "0", "abc", "999999", "1e9"])
def test_odd_pages(care_manager, patient, page) -> None:
    assert login(care_manager).get("/patients/", {"page": page}).status_code == 200


@pytest.mark.parametrize("patient_id", ["0", "99999999999999999999", "9223372036854775808"])
def test_huge_or_absent_ids_are_404(care_manager, patient_id) -> None:
    assert login(care_manager).get(f"/patients/{patient_id}/").status_code == 404
    assert Client().get(f"/api/patients/{patient_id}", **token_headers(care_manager)).status_code in (
        404,
        422,
    )


def test_bad_token_is_401(patient) -> None:
    response = Client().get("/api/patients", HTTP_AUTHORIZATION="Bearer nonsense")
    assert response.status_code == 401
