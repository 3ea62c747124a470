"""Curators: who may be assigned in a municipality and the assignments in force. The writes
(assign to schools, end, record a visit whose follow-up measures go into the school's programme)
are in support/actions.py."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from shnor.accounts.choices import Role
from shnor.accounts.models import User
from shnor.core.scope import in_force
from shnor.registry.models import Municipality
from shnor.support.models import CuratorAssignment


def curators_for(municipality: Municipality) -> QuerySet[User]:
    """The curators a municipality can assign: those of its region or of no region."""
    return User.objects.filter(role=Role.CURATOR, is_active=True).filter(
        Q(region=municipality.region_id) | Q(region__isnull=True)
    )


def active_assignments(on: date | None = None) -> QuerySet[CuratorAssignment]:
    return CuratorAssignment.objects.filter(in_force(on or date.today()))
