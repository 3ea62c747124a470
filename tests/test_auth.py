"""Authentication and safe defaults: password rules, login throttling, password change, security
headers and the Content-Security-Policy, safe `next`, error pages, production settings."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.views import defaults

from shnor.accounts.models import LoginFailure
from shnor.core.models import AuditEvent
from shnor.settings import stored_secret_key
from shnor.support.models import CuratorAssignment

SHNOR = shutil.which("shnor") or str(Path(sys.executable).with_name("shnor"))
# The production environment documented in the README («Production»).
PRODUCTION = {
    "SHNOR_DEBUG": "0",
    "SHNOR_HTTPS": "1",
    "SHNOR_SECRET_KEY": "k" * 20 + "production-secret-key-of-at-least-fifty-chars",
    "SHNOR_ALLOWED_HOSTS": "shnor.example.ru",
}


def login(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password})


def test_it_rejects_a_one_character_password_in_russian(world: dict[str, Any]) -> None:
    with translation.override("ru"), pytest.raises(ValidationError) as caught:
        validate_password("1", world["users"]["school"])
    text = " ".join(caught.value.messages)
    assert "слишком короткий" in text and "состоит только из цифр" in text
    validate_password("Ранний-Рассвет-2026", world["users"]["school"])  # a fine one passes


def test_it_locks_a_user_name_after_five_wrong_passwords_and_says_so(
    world: dict[str, Any],
) -> None:
    client = Client()
    for _ in range(5):
        page = login(client, "school", "wrong").content.decode()
        assert "Неверное имя пользователя или пароль" in page
    refused = login(client, "school", "x")  # the right password, too late
    page = refused.content.decode()
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert "Слишком много неудачных попыток входа" in page and "повторите через 15 мин" in page
    # other people at other computers are not locked out
    assert login(Client(REMOTE_ADDR="10.0.0.2"), "region", "x").status_code == 302
    # once the failures are older than the window, the right password works again
    LoginFailure.objects.update(created=timezone.now() - timedelta(minutes=16))
    assert login(client, "school", "x").status_code == 302
    assert not LoginFailure.objects.filter(username="school").exists()


def test_it_locks_an_address_guessing_many_user_names(world: dict[str, Any]) -> None:
    client = Client(REMOTE_ADDR="10.0.0.9")
    for n in range(20):
        login(client, f"guess{n}", "wrong")
    page = login(client, "region", "x").content.decode()
    assert "Слишком много неудачных попыток входа" in page
    assert login(Client(REMOTE_ADDR="10.0.0.10"), "region", "x").status_code == 302


def test_the_admin_login_is_throttled_too(world: dict[str, Any]) -> None:
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "region", "password": "wrong"})
    page = client.post("/admin/login/", {"username": "region", "password": "x"})
    assert "Слишком много неудачных попыток входа" in page.content.decode()


def test_a_school_user_changes_the_password(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["school"])
    assert reverse("password_change") in client.get(reverse("home"), follow=True).content.decode()
    url = reverse("password_change")
    weak = client.post(
        url, {"old_password": "x", "new_password1": "1", "new_password2": "1"}
    ).content.decode()
    assert "слишком короткий" in weak
    done = client.post(
        url,
        {
            "old_password": "x",
            "new_password1": "Ранний-Рассвет-2026",
            "new_password2": "Ранний-Рассвет-2026",
        },
    )
    assert done.status_code == 302 and done.url == reverse("password_change_done")
    assert Client().login(username="school", password="Ранний-Рассвет-2026")
    assert not Client().login(username="school", password="x")
    # the journal records the change (never the password) with its author
    event = AuditEvent.objects.get(action="accounts.password_changed")
    assert event.actor == world["users"]["school"] and "Ранний" not in str(event.data)


def test_pages_carry_a_content_security_policy_with_a_nonce_for_their_scripts(
    world: dict[str, Any],
) -> None:
    client = Client()
    client.force_login(world["users"]["region"])
    response = client.get(reverse("home"))
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy and "object-src 'none'" in policy
    assert "'unsafe-eval'" not in policy
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    inline = [s for s in scripts if "src=" not in s]
    assert inline and all(f'nonce="{nonce}"' in s for s in inline)
    assert client.get(reverse("home")).headers["Content-Security-Policy"] != policy  # fresh


def test_security_headers(world: dict[str, Any]) -> None:
    response = Client().get(reverse("login"))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response.headers


def test_static_files_are_served_with_debug_off(settings: Any) -> None:
    assert settings.DEBUG is False
    response = Client().get("/static/vendor/htmx-2.0.11.min.js")
    assert response.status_code == 200
    assert b"htmx" in b"".join(response.streaming_content)


def test_curator_forms_follow_next_only_within_the_site(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["municipality"])
    url = reverse("support:curators")
    assignment = str(CuratorAssignment.objects.get().pk)
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(url, {"action": "end", "id": assignment, "next": target})
        assert response.status_code == 302 and response.url == url, target
    own = client.post(url, {"action": "end", "id": assignment, "next": "/schools/?q=1"})
    assert own.url == "/schools/?q=1"


def test_error_pages_are_russian(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["region"])
    missing = client.get("/schools/999999/")
    assert missing.status_code == 404 and "Страница не найдена" in missing.content.decode()
    assert "Обзор" in missing.content.decode()  # on the site's layout, with its menu
    bad = client.get("/schools/?municipality=abc")
    assert bad.status_code == 400 and "Неверный запрос" in bad.content.decode()
    forged = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "region"})
    assert forged.status_code == 403 and "Доступ запрещён" in forged.content.decode()
    failed = defaults.server_error(RequestFactory().get("/"))
    assert failed.status_code == 500 and "Ошибка сервера" in failed.content.decode()


def test_the_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    key = stored_secret_key(tmp_path)
    assert len(key) >= 50 and stored_secret_key(tmp_path) == key
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def run_shnor(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHNOR_")}
    return subprocess.run(
        [SHNOR, *args],
        env={**clean, "SHNOR_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_defaults_are_safe_without_any_setting(tmp_path: Path) -> None:
    shown = run_shnor(tmp_path, "diffsettings", "--all")
    assert shown.returncode == 0, shown.stderr
    assert "DEBUG = False" in shown.stdout
    assert "ALLOWED_HOSTS = ['localhost', '127.0.0.1', '[::1]']" in shown.stdout
    assert (tmp_path / "secret_key").exists()


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path: Path) -> None:
    checked = run_shnor(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout
