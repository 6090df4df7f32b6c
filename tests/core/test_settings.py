"""Settings come from the environment, with secure defaults when DEBUG is off."""

import json
import os
import subprocess
import sys

PROBE = (
    "import json, django; from django.conf import settings as s; django.setup(); print(json.dumps({"
    "'debug': s.DEBUG, 'cookie': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE, 'hsts': s.SECURE_HSTS_SECONDS,"
    "'hasher': s.PASSWORD_HASHERS[0], 'engine': s.DATABASES['default']['ENGINE'], 'xfo': s.X_FRAME_OPTIONS}))"
)


def _settings(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CARENAV_HTTPS", "DEBUG", "DATABASE_URL", "SECRET_KEY"}
    }
    clean |= {"DJANGO_SETTINGS_MODULE": "carenav.settings", "CARENAV_HOME": str(tmp_path), **env}
    return subprocess.run([sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True)


def test_defaults_are_secure_and_embedded(tmp_path) -> None:
    result = _settings(tmp_path)
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["cookie"] and values["csrf"] and values["hsts"] > 0
    assert values["hasher"].endswith("Argon2PasswordHasher")
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["xfo"] == "DENY"
    assert (tmp_path / "secret_key").exists()


def test_secret_key_is_kept_between_runs(tmp_path) -> None:
    _settings(tmp_path)
    first = (tmp_path / "secret_key").read_text()
    _settings(tmp_path)
    assert (tmp_path / "secret_key").read_text() == first


def test_production_requires_secret_key_and_hosts(tmp_path) -> None:
    result = _settings(tmp_path, CARENAV_PRODUCTION="1")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
    result = _settings(tmp_path, CARENAV_PRODUCTION="1", SECRET_KEY="x" * 50)
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr
    result = _settings(
        tmp_path, CARENAV_PRODUCTION="1", SECRET_KEY="x" * 50, ALLOWED_HOSTS="care.example.org"
    )
    assert result.returncode == 0, result.stderr


def test_database_url_selects_postgres(tmp_path) -> None:
    values = json.loads(_settings(tmp_path, DATABASE_URL="postgres://u:p@db.example:5432/carenav").stdout)
    assert values["engine"] == "django.db.backends.postgresql"


def test_debug_turns_off_https_only_cookies(tmp_path) -> None:
    values = json.loads(_settings(tmp_path, DEBUG="1").stdout)
    assert values["debug"] is True and values["cookie"] is False
