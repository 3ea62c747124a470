"""Writes of the monitoring campaigns, each one transaction with its journal row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from shnor.campaigns.models import Assignment, Campaign
from shnor.core.audit import record_audit
from shnor.registry.models import School


@transaction.atomic
def do_create_campaign(campaign: Campaign, *, acting_user: Any) -> Campaign:
    """Save a new campaign whose definition was validated (campaigns/definition.py)."""
    campaign.created_by = acting_user if getattr(acting_user, "pk", None) else None
    campaign.full_clean()
    campaign.save()
    record_audit(
        "campaigns.campaign_created",
        actor=acting_user,
        target=campaign,
        summary=str(campaign),
        before={},
    )
    return campaign


@transaction.atomic
def do_send_campaign(
    campaign: Campaign, schools: Iterable[School], *, acting_user: Any
) -> list[Assignment]:
    """Send the form to the schools not yet holding it."""
    holding = set(campaign.assignments.values_list("school_id", flat=True))
    added = [
        Assignment.objects.create(campaign=campaign, school=school)
        for school in schools
        if school.pk not in holding
    ]
    record_audit(
        "campaigns.campaign_sent",
        actor=acting_user,
        target=campaign,
        summary=f"{campaign}: школ {len(added)}",
        schools=[a.school.code for a in added],
    )
    return added


@transaction.atomic
def do_save_answers(
    assignment: Assignment, answers: dict[str, Any], *, submit: bool, acting_user: Any
) -> Assignment:
    """Keep a school's answers (validated by AnswersForm: strict when submitting), as a draft
    or submitted. A submitted form can be corrected and submitted again; a draft after it
    returns it to the draft state."""
    now = timezone.now()
    assignment.answers = answers
    assignment.saved = now
    assignment.submitted = now if submit else None
    assignment.save()
    record_audit(
        "campaigns.answers_submitted" if submit else "campaigns.answers_saved",
        actor=acting_user,
        target=assignment,
        summary=str(assignment),
        answers=len(answers),
    )
    return assignment
