"""Import runs and issues in the admin: read-only, visible only to the run's organization."""

from pathlib import Path
from typing import Any

import pytest

from carenav.accounts.models import Organization
from carenav.interop.services import import_paths
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_admin_lists_own_runs_read_only_and_hides_others(
    org: Organization, other_org: Organization, org_admin: Any, clinosim_dir: Path, synthea_dir: Path
) -> None:
    mine = import_paths([clinosim_dir], organization=org, progress=False)
    theirs = import_paths([synthea_dir], organization=other_org, progress=False)
    client = login(org_admin)
    listing = client.get("/admin/interop/importrun/")
    assert listing.status_code == 200
    assert f"/admin/interop/importrun/{mine.pk}/change/" in listing.content.decode()
    assert f"/admin/interop/importrun/{theirs.pk}/change/" not in listing.content.decode()
    detail = client.get(f"/admin/interop/importrun/{mine.pk}/change/")
    assert detail.status_code == 200 and "MedicationAdministration.dosage" in detail.content.decode()
    assert client.get(f"/admin/interop/importrun/{theirs.pk}/change/").status_code == 404
    assert client.get("/admin/interop/importrun/add/").status_code == 403
    issues = client.get("/admin/interop/importissue/?severity=error")
    assert issues.status_code == 200 and "unknown element" in issues.content.decode()
    response = client.post(f"/admin/interop/importrun/{mine.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403


def test_care_managers_do_not_see_imports(care_manager: Any) -> None:
    assert login(care_manager).get("/admin/interop/importrun/").status_code in (302, 403)
