"""Who may see what: the one place where a user's role and scope become a queryset filter.

Every scoped model declares `scope_paths`, the lookups from its rows to a region, a municipality
and a school. `restrict(queryset, user, action)` turns the user's role into a filter over those
lookups; views, exports, imports and jobs all go through it.

A curator's schools are those of the curator's assignments in force today (support's
`CuratorAssignment`, reached through its reverse relation `assignments` on the user, so that core
imports no domain app): an assignment opens a school on its first day and closes it after its
last, without any list to keep in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Q, QuerySet

from shnor.accounts.choices import Action, Role

if TYPE_CHECKING:
    from shnor.accounts.models import User

QS = TypeVar("QS", bound=QuerySet[Any])


@dataclass(frozen=True)
class ScopePaths:
    """Lookups from a model's rows to its region, municipality and school ("" = none)."""

    region: str
    municipality: str = ""
    school: str = ""
    # The rows hold personal data (teachers): pages read them with Action.VIEW_PERSONAL, and
    # the journal shows their events only to those who may (core/audit.py).
    personal: bool = False

    @classmethod
    def via_school(cls, field: str, *, personal: bool = False) -> ScopePaths:
        prefix = f"{field}__" if field else ""
        return cls(
            region=f"{prefix}municipality__region",
            municipality=f"{prefix}municipality",
            school=field or "pk",
            personal=personal,
        )


# Which actions each role may take at all; the scope then narrows the rows.
# Teachers' personal data is for the school, its curator and the municipal coordinator only.
# Support is municipal work (DOMAIN §1): the school keeps its programme, the curator records
# visits and confirms measures, the municipality approves and assigns; the region reads.
SUPPORT_ACTIONS = frozenset(
    {
        Action.EDIT_PROGRAMME,
        Action.APPROVE_PROGRAMME,
        Action.CONFIRM_MEASURE,
        Action.RECORD_VISIT,
        Action.MANAGE_SUPPORT,
    }
)
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.REGION: frozenset(Action.values)
    - {Action.VIEW_PERSONAL, Action.MANAGE_STAFF, Action.SELF_DIAGNOSIS, Action.MANAGE_STUDENTS}
    - SUPPORT_ACTIONS,
    # the bank of students with difficulties is the school's own decision (issue #17)
    Role.MUNICIPALITY: frozenset(Action.values) - {Action.MANAGE_STUDENTS},
    Role.CURATOR: frozenset(
        {Action.VIEW, Action.VIEW_PERSONAL, Action.CONFIRM_MEASURE, Action.RECORD_VISIT}
    ),
    Role.SCHOOL: frozenset(
        {
            Action.VIEW,
            Action.VIEW_PERSONAL,
            Action.MANAGE_STAFF,
            Action.EDIT_PROGRAMME,
            Action.SELF_DIAGNOSIS,
            Action.MANAGE_STUDENTS,
        }
    ),
    Role.OBSERVER: frozenset({Action.VIEW}),
}


def can(user: User | Any, action: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return action in ROLE_ACTIONS.get(user.role, frozenset())


def scope_key(user: User | Any) -> str:
    """The account with what its scope is made of today (role, places, the day: a curator's
    assignments are in force by dates), for the keys of values computed within one user's
    scope; a changed role or place makes a new key. The assignments themselves are data, in
    the stamps such keys are combined with."""
    return ":".join(
        str(part)
        for part in (
            user.pk,
            user.role,
            user.region_id,
            user.municipality_id,
            user.school_id,
            int(user.is_superuser),
            date.today(),
        )
    )


def in_force(on: date) -> Q:
    """The filter of assignments (anything with `starts` and an optional `ends`) in force on
    the day, both ends included."""
    return Q(starts__lte=on) & (Q(ends__isnull=True) | Q(ends__gte=on))


def curator_assignments(user: User, on: date | None = None) -> QuerySet[Any]:
    """The curator's assignments in force on the day (today by default)."""
    return user.assignments.filter(in_force(on or date.today()))


def scope_filter(paths: ScopePaths, user: User) -> Q:
    """The filter that keeps the rows inside the user's scope."""
    nothing = Q(pk__in=[])
    if user.role in (Role.REGION, Role.OBSERVER):
        return Q(**{paths.region: user.region_id}) if user.region_id else nothing
    if user.role == Role.MUNICIPALITY:
        if not user.municipality_id:
            return nothing
        if paths.municipality:
            return Q(**{paths.municipality: user.municipality_id})
        assert user.municipality is not None  # its id is set
        return Q(**{paths.region: user.municipality.region_id})
    if user.role == Role.CURATOR:
        assignments = curator_assignments(user)
        if paths.school:
            return Q(**{f"{paths.school}__in": assignments.values("school_id")})
        if paths.municipality:
            return Q(**{f"{paths.municipality}__in": assignments.values("school__municipality")})
        return Q(**{f"{paths.region}__in": assignments.values("school__municipality__region")})
    if user.role == Role.SCHOOL:
        if not user.school_id:
            return nothing
        if paths.school:
            return Q(**{paths.school: user.school_id})
        school = user.school
        assert school is not None  # its id is set
        if paths.municipality:
            return Q(**{paths.municipality: school.municipality_id})
        return Q(**{paths.region: school.municipality.region_id})
    return nothing


def restrict(queryset: QS, user: User | Any, action: str = Action.VIEW) -> QS:
    """Narrow `queryset` to what `user` may do `action` on."""
    if not can(user, action):
        return queryset.none()
    if user.is_superuser:
        return queryset
    paths: ScopePaths = queryset.model.scope_paths
    return queryset.filter(scope_filter(paths, user))
