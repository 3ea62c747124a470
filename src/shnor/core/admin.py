"""The administration writes the journal like any action: who, what, before and after."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from shnor.core.audit import SECRET_FIELDS, jsonable, record_audit


def stored_value(obj: Model | None, name: str) -> Any:
    if obj is None:
        return None
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:  # a form-only field
        return None
    if field.many_to_many:
        return [str(related) for related in getattr(obj, name).all()]
    return jsonable(getattr(obj, name))


class AuditedAdmin(admin.ModelAdmin):
    """Base of every ModelAdmin of the project: additions, changes (the changed form fields
    with both values, never a password) and deletions are journalled in their transaction."""

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:
        # the form has already put the new values on `obj`: the old ones are read back
        stored = type(obj)._base_manager.filter(pk=obj.pk).first() if change else None
        changes = {
            name: [stored_value(stored, name), jsonable(form.cleaned_data.get(name))]
            for name in form.changed_data
            if not any(secret in name for secret in SECRET_FIELDS)
        }
        super().save_model(request, obj, form, change)
        record_audit(
            "admin.changed" if change else "admin.added",
            actor=request.user,
            target=obj,
            summary=str(obj),
            changes=changes,
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        with transaction.atomic():
            self.record_deletion(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.record_deletion(request, obj)
            super().delete_queryset(request, queryset)

    @staticmethod
    def record_deletion(request: HttpRequest, obj: Model) -> None:
        record_audit("admin.deleted", actor=request.user, target=obj, summary=str(obj))
