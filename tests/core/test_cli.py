import pytest
from django.core.management import CommandError, call_command

from carenav.accounts.models import User
from carenav.cli import main
from tests.factories import make_org


def test_help_lists_carenav_commands(capsys, db) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("serve", "demo", "user"):
        assert f"  {command} " in out
    assert "DATABASE_URL" in out


@pytest.mark.django_db
def test_user_create_list_and_deactivate(capsys) -> None:
    make_org("riverside")
    # call_command, not main(): Django's command runner closes the test's database connection on exit.
    call_command(
        "user",
        "create",
        "maria",
        "--org",
        "riverside",
        "--role",
        "care_manager",
        "--discipline",
        "CHW",
        "--language",
        "es",
        "--credential",
        "CHW-cert",
    )
    out = capsys.readouterr().out
    assert "Created maria" in out and "Password: " in out
    password = out.rsplit("Password: ", 1)[1].strip()
    user = User.objects.get(username="maria")
    assert user.check_password(password)
    assert (user.role, user.discipline, user.languages, user.credentials) == (
        "care_manager",
        "CHW",
        ["es"],
        ["CHW-cert"],
    )
    call_command("user", "list", "--org", "riverside")
    assert "maria" in capsys.readouterr().out
    call_command("user", "deactivate", "maria")
    user.refresh_from_db()
    assert user.is_active is False


@pytest.mark.django_db
def test_user_create_for_unknown_org_is_a_clear_error(capsys) -> None:
    with pytest.raises(CommandError, match="No organization with slug 'nowhere'"):
        call_command("user", "create", "x", "--org", "nowhere")
