"""Login forms that refuse attempts while a user name or an address is throttled."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from shnor.accounts.throttling import client_address, locked_minutes


class ThrottledLogin:
    """Checked before the password, so a locked account gives no hint whether it was right."""

    request: Any

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")  # type: ignore[attr-defined]
        minutes = locked_minutes(str(username), client_address(self.request))
        if minutes:
            raise forms.ValidationError(
                "Слишком много неудачных попыток входа. Вход приостановлен, "
                "повторите через %(minutes)s мин.",
                code="throttled",
                params={"minutes": minutes},
            )
        return super().clean()  # type: ignore[misc]


class LoginForm(ThrottledLogin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Неверное имя пользователя или пароль.",
    }


class AdminLoginForm(ThrottledLogin, AdminAuthenticationForm):
    pass
