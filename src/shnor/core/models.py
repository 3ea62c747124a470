"""Shared machinery: the base of domain tables, the audit trail and the job queue."""

from __future__ import annotations

from typing import Any, ClassVar, Self, TypeVar

from django.conf import settings
from django.db import models

from shnor.core.choices import JobStatus

_M = TypeVar("_M", bound=models.Model)


def concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The stored field `name` of `model` (imports and bulk writes name no reverse relation)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model.__name__}.{name} is not a stored field"
    return field


class ScopedQuerySet(models.QuerySet[_M]):
    def restrict(self, user: Any, action: str = "view") -> Self:
        from shnor.core.scope import restrict

        return restrict(self, user, action)


class DomainModel(models.Model):
    """Base of domain tables: creation and update stamps and the scoped manager."""

    created = models.DateTimeField("создано", auto_now_add=True)
    updated = models.DateTimeField("изменено", auto_now=True)

    objects = ScopedQuerySet.as_manager()

    # Writes to a stamped table renew its change stamp in the writing transaction
    # (core/snapshots.py); values derived from the table (indicators, cached pages, columnar
    # snapshots) are keyed on the stamps of what they read, so no write goes unnoticed, bulk
    # updates and deletes included.
    stamped: ClassVar[bool] = False

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One write that matters, by whom, from the web, the console or a job."""

    created = models.DateTimeField("когда", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    action = models.CharField("действие", max_length=64)
    object_type = models.CharField("объект", max_length=64, blank=True)
    object_id = models.CharField("идентификатор объекта", max_length=64, blank=True)
    summary = models.TextField("описание", blank=True)
    data = models.JSONField("данные", default=dict, blank=True)

    class Meta:
        verbose_name = "запись журнала"
        verbose_name_plural = "журнал действий"
        ordering = ["-created"]

    # Words for the journal's page, set by core/journal.described; not stored.
    action_label: str
    object_label: str
    console: str
    changes: list[tuple[str, Any, Any]]

    def __str__(self) -> str:
        return f"{self.created:%d.%m.%Y %H:%M} {self.action} {self.summary}"


class Job(models.Model):
    """A unit of long work for the background worker, with its progress and outcome."""

    kind = models.CharField("вид", max_length=64)
    title = models.CharField("название", max_length=255)
    params = models.JSONField("параметры", default=dict)
    status = models.CharField(
        "состояние",
        max_length=16,
        choices=JobStatus.choices,
        default=JobStatus.QUEUED,
        db_index=True,
    )
    progress = models.PositiveIntegerField("выполнено", default=0)
    total = models.PositiveIntegerField("всего", default=0)
    message = models.CharField("сообщение", max_length=255, blank=True)
    result = models.JSONField("результат", default=dict, blank=True)
    error = models.TextField("ошибка", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="запустил",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created = models.DateTimeField("поставлено", auto_now_add=True)
    started = models.DateTimeField("начато", null=True, blank=True)
    finished = models.DateTimeField("завершено", null=True, blank=True)
    # «host:pid» of the worker running the job: a worker that finds the process gone on its own
    # host requeues the job at once instead of waiting for the heartbeat to go stale (core/jobs.py)
    worker = models.CharField("обработчик", max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField("попыток", default=0)

    class Meta:
        verbose_name = "фоновая задача"
        verbose_name_plural = "фоновые задачи"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return int(100 * self.progress / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class DataStamp(models.Model):
    """A random value that database triggers replace on every write to a table, in the writing
    transaction; a columnar snapshot of the table is valid for one stamp (core/snapshots.py)."""

    table_name = models.CharField("таблица", max_length=63, primary_key=True)
    stamp = models.CharField("отметка", max_length=32)

    class Meta:
        verbose_name = "отметка изменения таблицы"
        verbose_name_plural = "отметки изменения таблиц"

    def __str__(self) -> str:
        return f"{self.table_name}: {self.stamp}"
