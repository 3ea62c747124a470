"""Who sees which campaigns and forms, and where the schools stand: completion per school, the
overdue forms and the count the navigation shows as a reminder."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.db.models import QuerySet

from shnor.accounts.choices import Action, Role
from shnor.campaigns.choices import Completion
from shnor.campaigns.models import Assignment, Campaign
from shnor.core.scope import can, restrict

# Filling a form in is the school's questionnaire work, as its self-diagnosis is.
FILL_ACTION = Action.SELF_DIAGNOSIS


def may_compose(user: Any) -> bool:
    """Coordinators of the region or of a municipality compose and send campaigns."""
    return can(user, Action.CHANGE) and (
        user.is_superuser or user.role in (Role.REGION, Role.MUNICIPALITY)
    )


def visible_assignments(user: Any) -> QuerySet[Assignment]:
    return restrict(Assignment.objects.all(), user).select_related("campaign", "school")


def writable_campaigns(user: Any) -> QuerySet[Campaign]:
    """The campaigns the user composes and sends: a coordinator's own territory's."""
    if not may_compose(user):
        return Campaign.objects.none()
    return restrict(Campaign.objects.all(), user, Action.CHANGE)


def visible_campaigns(user: Any) -> QuerySet[Campaign]:
    """A coordinator's campaigns, and for everyone the campaigns sent to schools in scope."""
    own = writable_campaigns(user)
    sent = visible_assignments(user).values("campaign")
    return Campaign.objects.filter(pk__in=own.values("pk")) | Campaign.objects.filter(pk__in=sent)


def fillable(user: Any) -> QuerySet[Assignment]:
    return restrict(Assignment.objects.all(), user, FILL_ACTION)


def completion_counts(assignments: list[Assignment], today: date) -> dict[str, int]:
    counted = Counter(a.completion(today) for a in assignments)
    return {member.label: counted[member] for member in Completion}


def overdue(user: Any, today: date) -> QuerySet[Assignment]:
    """Forms past their deadline and not submitted, in the user's scope."""
    return (
        visible_assignments(user)
        .filter(submitted__isnull=True, campaign__deadline__lt=today)
        .select_related("school__municipality")
        .order_by("campaign__deadline", "school__name")
    )


def waiting_count(user: Any, today: date) -> int:
    """The navigation's reminder: a school's forms still to submit; a coordinator's overdue
    forms."""
    if user.role == Role.SCHOOL:
        return fillable(user).filter(submitted__isnull=True).count()
    if may_compose(user):
        return overdue(user, today).count()
    return 0
