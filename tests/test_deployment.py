"""Production settings, as documented (README, archipel/settings.py): with them Django's
deployment checks are clean, and without a secret key the project refuses to start — never
again a development key everyone knows, used in silence."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "archipel.settings",
    "DEBUG": "0",
    "ALLOWED_HOSTS": ".archipel.example",
    "SITE_SCHEME": "https",
}


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    """`manage.py` in a process of its own, with the environment given (no key inherited)."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("SECRET_KEY")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**inherited, **PRODUCTION, **environment},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_deployment_checks_are_clean_with_the_production_settings():
    key = secrets.token_urlsafe(50)
    run = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=key)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues" in run.stdout, run.stdout
    assert "WARNING" not in run.stdout + run.stderr


def test_without_a_secret_key_the_project_refuses_to_start():
    run = manage("check")
    assert run.returncode != 0
    assert "ImproperlyConfigured: No secret key: set SECRET_KEY" in run.stderr, run.stderr


def test_the_secret_key_may_come_from_a_file(tmp_path):
    """As `make run` gives it (var/secret_key), or a systemd credential / container secret."""
    key_file = tmp_path / "secret_key"
    key = secrets.token_urlsafe(50)
    key_file.write_text(key + "\n")
    shell = "from django.conf import settings; print(len(settings.SECRET_KEY))"
    run = manage("shell", "-v", "0", "-c", shell, SECRET_KEY_FILE=str(key_file))
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(len(key))
    missing = manage("check", SECRET_KEY_FILE=str(tmp_path / "missing"))
    assert missing.returncode != 0 and "cannot be read" in missing.stderr
