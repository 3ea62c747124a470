"""`{% object_history obj %}`: the last changes of an object on its page, as the viewer may
see them in the journal."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.db.models import Model
from django.urls import reverse

from shnor.core.audit import history_of, may_read_journal
from shnor.core.journal import described

register = template.Library()

SHOWN = 10


@register.inclusion_tag("core/_history.html", takes_context=True)
def object_history(context: dict[str, Any], obj: Model) -> dict[str, Any]:
    user = context["request"].user
    events = described(list(history_of(obj, user).order_by("-created", "-pk")[:SHOWN]))
    journal_url = ""
    if may_read_journal(user):
        query = {"object_type": obj._meta.label, "object_id": obj.pk}
        journal_url = f"{reverse('audit')}?{urlencode(query)}"
    return {"events": events, "journal_url": journal_url}
