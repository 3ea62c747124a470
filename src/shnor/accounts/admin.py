"""User administration for superusers: role and scope beside Django's own fields."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from shnor.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
    autocomplete_fields = ("school", "schools")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "Роль и зона доступа",
            {"fields": ("role", "region", "municipality", "school", "schools")},
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Роль и зона доступа", {"fields": ("role", "region", "municipality", "school")}),
    )
