"""The audit trail, written explicitly by actions so that console and jobs are audited too.

Every row names the actor (an account; from the console also the operating-system user), the
time, the object, what changed (`changes`: field → [before, after]) and the object's place
(`scope`: region, municipality, school, whether it holds personal data), so that the journal
shows each coordinator the events of their territory only.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.signals import user_login_failed
from django.db.models import F, Model, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.http import HttpRequest

from shnor.accounts.choices import Action, Role
from shnor.accounts.models import User
from shnor.core.models import AuditEvent
from shnor.core.scope import ScopePaths, can, curator_assignments

# Russian words for every action code written to the journal. An import is written as
# `import.<kind>` (or `import.<kind>.failed`) and named after its importer's title.
ACTION_LABELS: dict[str, str] = {
    "accounts.login_failed": "Неудачная попытка входа",
    "accounts.password_changed": "Смена пароля",
    "admin.added": "Добавление в администрировании",
    "admin.changed": "Изменение в администрировании",
    "admin.deleted": "Удаление в администрировании",
    "assessments.layout_deleted": "Удаление формы результатов",
    "assessments.layout_saved": "Сохранение формы результатов",
    "assessments.school_aliases_confirmed": "Подтверждение названий школ",
    "campaigns.answers_saved": "Сохранение черновика ответов на мониторинг",
    "campaigns.answers_submitted": "Сдача ответов на мониторинг",
    "campaigns.campaign_created": "Создание мониторинговой кампании",
    "campaigns.campaign_sent": "Рассылка формы мониторинга школам",
    "core.backup_made": "Резервная копия",
    "core.restored": "Восстановление из резервной копии",
    "events.document_published": "Публикация документа",
    "events.document_recorded": "Запись документа в реестр",
    "events.document_unpublished": "Снятие документа с публикации",
    "events.event_recorded": "Запись мероприятия",
    "events.participant_removed": "Исключение участника мероприятия",
    "events.participants_added": "Добавление участников мероприятия",
    "identification.methodology_loaded": "Загрузка методики из файла",
    "identification.methodology_saved": "Сохранение версии методики",
    "identification.official_list": "Загрузка официального перечня",
    "identification.primary_methodology": "Выбор основной методики",
    "identification.run": "Выявление по методике",
    "indicators.round_created": "Срез мониторинга",
    "risks.survey_saved": "Сохранение анкеты самодиагностики",
    "staff.deficit_recorded": "Запись профессионального дефицита",
    "staff.item_completed": "Выполнение шага ИОМ",
    "staff.route_built": "Составление ИОМ",
    "students.difficulty_confirmed": "Включение обучающегося в банк затруднений",
    "students.difficulty_dismissed": "Отклонение предложения банка затруднений",
    "students.route_built": "Составление ИОМ обучающегося",
    "students.step_added": "Добавление шага ИОМ обучающегося",
    "students.step_completed": "Выполнение шага ИОМ обучающегося",
    "students.note_added": "Запись о продвижении обучающегося",
    "support.curator_assigned": "Закрепление куратора",
    "support.curator_released": "Окончание закрепления куратора",
    "support.measure_added": "Добавление мероприятия",
    "support.skill_measure_added": "Добавление мероприятия по западающему умению",
    "support.measure_changed": "Изменение мероприятия",
    "support.measure_confirmed": "Подтверждение выполнения мероприятия",
    "support.measure_removed": "Удаление мероприятия",
    "support.measure_status": "Отметка о выполнении мероприятия",
    "support.note_added": "Комментарий к мероприятию",
    "support.partnership_added": "Создание сетевой пары",
    "support.partnership_ended": "Окончание сетевой пары",
    "support.programme_approved": "Утверждение программы",
    "support.programme_created": "Создание программы",
    "support.programme_revised": "Корректировка программы",
    "support.visit_recorded": "Запись посещения куратора",
}
IMPORT_PREFIX, FAILED_SUFFIX = "import.", ".failed"

# Who opens the journal page: coordinators (their territory) and administrators (everything).
JOURNAL_ROLES = frozenset({Role.REGION, Role.MUNICIPALITY})

# Never written to the journal, whatever form they come from.
SECRET_FIELDS = ("password",)


def import_labels() -> dict[str, str]:
    from shnor.core.importing import IMPORTERS  # importing writes the journal: imported late

    labels = {}
    for kind, importer in IMPORTERS.items():
        labels[f"{IMPORT_PREFIX}{kind}"] = f"Загрузка данных: {importer.title}"
        labels[f"{IMPORT_PREFIX}{kind}{FAILED_SUFFIX}"] = f"Загрузка отклонена: {importer.title}"
    return labels


def action_labels() -> dict[str, str]:
    return {**ACTION_LABELS, **import_labels()}


def action_label(code: str) -> str:
    return action_labels().get(code, code)


def jsonable(value: Any) -> Any:
    """A field value as the journal keeps it: numbers and text as they are, the rest as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, list | tuple | set | QuerySet):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def snapshot(obj: Model) -> dict[str, Any]:
    """The object's own field values (foreign keys as ids), to compare after a change."""
    return {
        f.attname: jsonable(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if not f.primary_key
        and f.name not in ("created", "updated")
        and not any(secret in f.name for secret in SECRET_FIELDS)
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """field → [before, after] for the fields whose values differ."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def scope_of_user(user: Any) -> dict[str, Any]:
    """The territory of an account (or of the console's SystemUser)."""
    school = getattr(user, "school", None) if getattr(user, "school_id", None) else None
    municipality = (
        getattr(user, "municipality", None) if getattr(user, "municipality_id", None) else None
    )
    region_id = getattr(user, "region_id", None)
    if school is not None:
        municipality = school.municipality
    if municipality is not None:
        region_id = municipality.region_id
    return {
        "region": region_id,
        "municipality": municipality.pk if municipality is not None else None,
        "school": school.pk if school is not None else None,
        "personal": False,
    }


def scope_of(target: Model | None, actor: Any) -> dict[str, Any]:
    """Where the event belongs: the target's territory when its model declares one, an
    account's own territory, else the actor's (a methodology saved by a regional coordinator
    belongs to the region)."""
    paths: ScopePaths | None = getattr(type(target), "scope_paths", None)
    if target is not None and paths is not None:
        lookups = {
            f"scope_{name}": F(path)
            for name in ("region", "municipality", "school")
            if (path := getattr(paths, name))
        }
        row = type(target)._base_manager.filter(pk=target.pk).values(**lookups).first() or {}
        return {
            "region": row.get("scope_region"),
            "municipality": row.get("scope_municipality"),
            "school": row.get("scope_school"),
            "personal": paths.personal,
        }
    if target is not None and hasattr(target, "role"):
        return scope_of_user(target)
    return scope_of_user(actor)


def record_audit(
    action: str,
    *,
    actor: Any,
    target: Model | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    **data: Any,
) -> AuditEvent:
    """Write one journal row. `before` is the target's `snapshot` taken before the change
    ({} for a new object): the row then keeps the changed fields with both values."""
    person = getattr(actor, "person", None) or actor
    console = getattr(actor, "console", "")
    if console:
        data["console"] = console
    if before is not None and target is not None:
        data["changes"] = diff(before, snapshot(target))
    data["scope"] = scope_of(target, person)
    return AuditEvent.objects.create(
        actor=person if getattr(person, "pk", None) else None,
        action=action,
        object_type=target._meta.label if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        summary=summary,
        data=jsonable(data),
    )


def visible_events(user: Any) -> QuerySet[AuditEvent]:
    """The journal rows of the user's territory; events about personal data only for those
    who may see it. The same reading of a role as `restrict`, over the stored scope."""
    events = AuditEvent.objects.select_related("actor")
    if not can(user, Action.VIEW):
        return events.none()
    if user.is_superuser:
        return events
    place = Q(pk__in=[])
    if user.role in (Role.REGION, Role.OBSERVER) and user.region_id:
        place = Q(data__scope__region=user.region_id)
    elif user.role == Role.MUNICIPALITY and user.municipality_id:
        place = Q(data__scope__municipality=user.municipality_id)
    elif user.role == Role.SCHOOL and user.school_id:
        place = Q(data__scope__school=user.school_id)
    elif user.role == Role.CURATOR:
        schools = list(curator_assignments(user).values_list("school_id", flat=True))
        place = Q(data__scope__school__in=schools)
    if not can(user, Action.VIEW_PERSONAL):
        place &= Q(data__scope__personal=False)
    return events.filter(place)


def may_read_journal(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and (
        user.is_superuser or user.role in JOURNAL_ROLES
    )


def history_of(obj: Model, user: Any) -> QuerySet[AuditEvent]:
    """The events of one object (a school: also those of everything at the school)."""
    own = Q(object_type=obj._meta.label, object_id=str(obj.pk))
    if obj._meta.label == "registry.School":
        own |= Q(data__scope__school=obj.pk)
    return visible_events(user).filter(own)


@receiver(user_login_failed)
def record_failed_login(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """A wrong password, with the name tried and the address; never the password."""
    username = str(credentials.get("username", ""))[:150]
    account = User.objects.filter(username=username).first()
    record_audit(
        "accounts.login_failed",
        actor=None,
        target=account,
        summary=f"Имя пользователя: {username}",
        username=username,
        address=request.META.get("REMOTE_ADDR", "") if request is not None else "",
    )
