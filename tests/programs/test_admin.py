"""Organizations choose their programs in the admin, and only for themselves."""

import pytest

from carenav.audit.models import AuditEvent
from carenav.programs.models import OrganizationProgram
from tests.conftest import login
from tests.programs.conftest import offer

pytestmark = pytest.mark.django_db
URL = "/admin/programs/organizationprogram/"


def test_org_admin_sees_and_adds_only_their_own(org, other_org, org_admin, care_manager) -> None:
    offer(other_org, "CCM")
    client = login(org_admin)
    assert "CCM at" not in client.get(URL).content.decode()
    form = client.get(f"{URL}add/").content.decode()
    assert org.name in form and other_org.name not in form
    added = client.post(f"{URL}add/", {"organization": other_org.pk, "program_code": "BHI", "active": "on"})
    assert added.status_code == 200 and not OrganizationProgram.objects.filter(program_code="BHI").exists()
    client.post(f"{URL}add/", {"organization": org.pk, "program_code": "BHI", "active": "on"})
    assert OrganizationProgram.objects.get(program_code="BHI").organization == org
    assert AuditEvent.objects.filter(action="program.configure", actor=org_admin).exists()
    assert login(care_manager).get(URL).status_code in (302, 403)
