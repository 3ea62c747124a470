"""Account pages that are more than Django's own: a password change that the journal records."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from shnor.accounts.http import AuthenticatedHttpRequest
from shnor.core.audit import record_audit


class AuditedPasswordChangeView(auth_views.PasswordChangeView):
    request: AuthenticatedHttpRequest  # the view is for signed-in users only

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record_audit(
            "accounts.password_changed",
            actor=self.request.user,
            target=self.request.user,
            summary=f"{self.request.user}: пароль изменён самим пользователем",
        )
        return response
