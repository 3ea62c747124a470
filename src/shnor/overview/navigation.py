"""The navigation a user sees: only the sections their role may use."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from shnor.campaigns.models import Assignment, Campaign
from shnor.campaigns.tracking import waiting_count
from shnor.core.audit import may_read_journal
from shnor.core.derived import derived_from
from shnor.core.importing import importable
from shnor.core.scope import scope_key
from shnor.registry.models import School
from shnor.support.models import CuratorAssignment, Measure, Programme
from shnor.support.schedule import overdue_count


@derived_from(School, CuratorAssignment, Programme, Measure)
def scope_facts(user: Any, scope: str, today: date) -> tuple[bool, int]:
    """Whether the user has schools in scope, and the overdue measures there: read on every
    page, so kept per scope (`scope`: core.scope.scope_key), day and state of the data."""
    return School.objects.restrict(user).exists(), overdue_count(user, today)


@derived_from(Campaign, Assignment)
def campaign_count(user: Any, scope: str, today: date) -> int:
    return waiting_count(user, today)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"nav": []}
    items = [("Обзор", reverse("home"))]
    # a user without a school in scope (a curator before the first assignment) has no data
    # pages to open: only the overview, which says so, and support
    has_schools, overdue = scope_facts(user, scope_key(user), date.today())
    if has_schools:
        items.append(("Школы", reverse("schools")))
        items.append(("Выявление", reverse("identification:index")))
        items.append(("Риски", reverse("risks:heatmap")))
        items.append(("Показатели", reverse("indicators:regional")))
        items.append(("Педагоги", reverse("staff:index")))
        items.append(("Обучающиеся", reverse("students:index")))
    support = reverse("support:index")
    items.append(("Поддержка", support))
    items.append(("Мероприятия и документы", reverse("events:calendar")))
    monitoring = reverse("campaigns:index")
    items.append(("Мониторинг", monitoring))
    if has_schools:
        items.append(("Отчёты", reverse("reports:index")))
    if importable(user):
        items.append(("Загрузка данных", reverse("import")))
    items.append(("Методики", reverse("identification:methodologies")))
    if may_read_journal(user):
        items.append(("Журнал действий", reverse("audit")))
    if user.is_superuser:
        items.append(("Пользователи", reverse("admin:accounts_user_changelist")))
    path = request.path
    return {
        "nav": [
            {
                "title": t,
                "url": u,
                "active": path == u or (u != "/" and path.startswith(u)),
                # in-app notification: overdue measures in the user's scope
                "badge": overdue if u == support else 0,
                # monitoring forms: a school's still to submit, a coordinator's overdue
                "campaign_badge": campaign_count(user, scope_key(user), date.today())
                if u == monitoring
                else 0,
            }
            for t, u in items
        ]
    }
