"""The navigation a user sees: only the sections their role may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from shnor.core.audit import may_read_journal
from shnor.core.importing import importable
from shnor.registry.models import School
from shnor.support.schedule import overdue_count


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"nav": []}
    items = [("Обзор", reverse("home"))]
    # a user without a school in scope (a curator before the first assignment) has no data
    # pages to open: only the overview, which says so, and support
    has_schools = School.objects.restrict(user).exists()
    if has_schools:
        items.append(("Школы", reverse("schools")))
        items.append(("Выявление", reverse("identification:index")))
        items.append(("Риски", reverse("risks:heatmap")))
        items.append(("Показатели", reverse("indicators:regional")))
        items.append(("Педагоги", reverse("staff:index")))
    support = reverse("support:index")
    items.append(("Поддержка", support))
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
                "badge": overdue_count(user) if u == support else 0,
            }
            for t, u in items
        ]
    }
