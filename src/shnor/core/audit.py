"""The audit trail, written explicitly by actions so that console and jobs are audited too."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from shnor.core.models import AuditEvent


def record_audit(
    action: str, *, actor: Any, target: Model | None = None, summary: str = "", **data: Any
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=target._meta.label if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        summary=summary,
        data=data,
    )
