from __future__ import annotations

from django.contrib import admin

from shnor.core.admin import AuditedAdmin
from shnor.registry.models import Municipality, Region, School


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    search_fields = ("name",)


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdmin):
    list_display = ("name", "region")
    list_filter = ("region",)
    search_fields = ("name",)


@admin.register(School)
class SchoolAdmin(AuditedAdmin):
    list_display = ("code", "name", "municipality", "kind", "locality")
    list_filter = ("kind", "locality", "municipality")
    search_fields = ("code", "name")
