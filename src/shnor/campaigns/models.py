"""Monitoring campaigns: a coordinator's form sent to chosen schools with a deadline, one round
(February or September of a year), and each school's answers to it, kept per round."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from shnor.campaigns.choices import Completion, RoundMonth
from shnor.core.models import DomainModel
from shnor.core.scope import ScopePaths


class Campaign(DomainModel):
    """A form (campaigns/definition.py) of the region or of a municipality (none: the region's
    own) for one monitoring round."""

    stamped = True

    region = models.ForeignKey(
        "registry.Region", verbose_name="регион", on_delete=models.CASCADE, related_name="campaigns"
    )
    municipality = models.ForeignKey(
        "registry.Municipality",
        verbose_name="муниципалитет",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="campaigns",
    )
    title = models.CharField("название", max_length=300)
    year = models.PositiveSmallIntegerField("год")
    month = models.PositiveSmallIntegerField("раунд", choices=RoundMonth.choices)
    deadline = models.DateField("срок сдачи")
    definition = models.JSONField("форма", default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="составил",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )

    scope_paths = ScopePaths(region="region", municipality="municipality")

    class Meta:
        verbose_name = "мониторинговая кампания"
        verbose_name_plural = "мониторинговые кампании"
        ordering = ["-year", "-month", "-created"]

    def __str__(self) -> str:
        return f"{self.title} ({self.round_label})"

    @property
    def round_label(self) -> str:
        return f"{self.get_month_display()} {self.year}"


class Assignment(DomainModel):
    """One school's copy of a campaign's form: its answers (by field name, see
    campaigns/answering.py), saved as a draft and then submitted."""

    stamped = True

    campaign = models.ForeignKey(
        Campaign, verbose_name="кампания", on_delete=models.CASCADE, related_name="assignments"
    )
    school = models.ForeignKey(
        "registry.School",
        verbose_name="школа",
        on_delete=models.CASCADE,
        related_name="campaign_assignments",
    )
    answers = models.JSONField("ответы", default=dict, blank=True)
    saved = models.DateTimeField("сохранено", null=True, blank=True)
    submitted = models.DateTimeField("сдано", null=True, blank=True)

    scope_paths = ScopePaths.via_school("school")

    class Meta:
        verbose_name = "форма школы"
        verbose_name_plural = "формы школ"
        ordering = ["school__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "school"], name="assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.campaign}"

    def completion(self, today: date) -> Completion:
        if self.submitted:
            return Completion.SUBMITTED
        if self.campaign.deadline < today:
            return Completion.OVERDUE
        return Completion.DRAFT if self.saved else Completion.NOT_STARTED
