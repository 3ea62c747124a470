"""Write actions of assessments: regional forms (layouts) and confirmed school names."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shnor.accounts.choices import Action
from shnor.assessments.layouts import check_mapping, check_signature
from shnor.assessments.models import Layout, SchoolAlias
from shnor.core.audit import record_audit, snapshot
from shnor.registry.models import Region, School


def do_save_layout(
    region: Region,
    name: str,
    signature: list[list[str]],
    mapping: dict[str, Any],
    *,
    acting_user: Any,
) -> Layout:
    """Save (or replace) the region's form of this name; raises LayoutError for a mapping
    that cannot be read."""
    check_signature(signature)
    check_mapping(mapping)
    with transaction.atomic():
        layout = Layout.objects.filter(region=region, name=name).first()
        before = snapshot(layout) if layout is not None else {}
        if layout is None:
            layout = Layout(region=region, name=name)
        layout.signature, layout.mapping = signature, mapping
        layout.save()
        record_audit(
            "assessments.layout_saved",
            actor=acting_user,
            target=layout,
            before=before,
            summary=f"Сохранена форма результатов «{name}»",
        )
    return layout


def do_delete_layout(layout: Layout, *, acting_user: Any) -> None:
    with transaction.atomic():
        record_audit(
            "assessments.layout_deleted",
            actor=acting_user,
            target=layout,
            summary=f"Удалена форма результатов «{layout.name}»",
        )
        layout.delete()


def do_confirm_school_aliases(
    region: Region, pairs: dict[str, tuple[str, int]], *, acting_user: Any
) -> int:
    """Remember confirmed pairs (normalised name → (name as written, school)) as the region's
    aliases, for the schools the user may import for; returns how many were saved."""
    allowed = set(
        School.objects.restrict(acting_user, Action.IMPORT)
        .filter(pk__in={pk for _w, pk in pairs.values()})
        .values_list("pk", flat=True)
    )
    saved = {key: value for key, value in pairs.items() if value[1] in allowed}
    with transaction.atomic():
        for key, (written, school_id) in saved.items():
            SchoolAlias.objects.update_or_create(
                region=region,
                name=key,
                defaults={"written": written[:1000], "school_id": school_id},
            )
        record_audit(
            "assessments.school_aliases_confirmed",
            actor=acting_user,
            summary=f"Подтверждены названия школ: {len(saved)}",
            names={written: school_id for written, school_id in saved.values()},
        )
    return len(saved)
