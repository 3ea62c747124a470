"""User administration for superusers: role and scope beside Django's own fields."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest, HttpResponse

from shnor.accounts.forms import AdminLoginForm
from shnor.accounts.models import User
from shnor.core.admin import AuditedAdmin
from shnor.core.audit import record_audit

admin.site.login_form = AdminLoginForm  # the admin's login is throttled like the app's


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = (
        "username",
        "last_name",
        "first_name",
        "role",
        "region",
        "municipality",
        "school",
        "is_active",
    )
    list_filter = ("role", "is_active", "region", "municipality")
    autocomplete_fields = ("school",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "Роль и зона доступа",
            {"fields": ("role", "region", "municipality", "school")},
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Роль и зона доступа", {"fields": ("role", "region", "municipality", "school")}),
    )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's page that sets another user's password; journalled without the password."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            record_audit(
                "accounts.password_changed",
                actor=request.user,
                target=user,
                summary=f"Пароль пользователя {user.username} задан администратором",
            )
        return response
