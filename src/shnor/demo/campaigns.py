"""The demo's monitoring campaign: «Таёжный район», September of the last demo year, sent to
the district's schools; most answered, some did not and are overdue."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from shnor.campaigns.actions import do_create_campaign, do_save_answers, do_send_campaign
from shnor.campaigns.choices import RoundMonth
from shnor.campaigns.definition import parse, template_text
from shnor.campaigns.models import Campaign
from shnor.demo.generator import SMALL_MUNICIPALITY, YEARS
from shnor.registry.models import Municipality, School


def seed_campaigns(system: Any, today: date) -> int:
    municipality = Municipality.objects.get(name=SMALL_MUNICIPALITY)
    campaign = do_create_campaign(
        Campaign(
            region_id=municipality.region_id,
            municipality=municipality,
            title="Мониторинг эффективности ШППКО",
            year=YEARS[-1],
            month=RoundMonth.SEPTEMBER,
            deadline=today - timedelta(days=20),
            definition=parse(template_text()),
        ),
        acting_user=system,
    )
    schools = list(School.objects.filter(municipality=municipality).order_by("code"))
    assignments = do_send_campaign(campaign, schools, acting_user=system)
    # the demo school (the first) and two more stay unanswered: the overdue view shows them
    for n, assignment in enumerate(assignments[3:]):
        answers = {
            "q1": n % 3 != 0,
            "q2": n % 2 == 0,
            "q4": n % 4,
            "t1_1_1": 12 + n,
        }
        do_save_answers(assignment, answers, submit=True, acting_user=system)
    return len(assignments)
