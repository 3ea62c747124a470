"""The database-backed job queue: enqueue, claim, run with progress, record the outcome.

Works the same on SQLite and PostgreSQL: a worker claims a job with a conditional UPDATE and
checks the row count, so two workers never run the same job.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections
from django.db.models import F
from django.utils import timezone

from shnor.core.choices import JobStatus
from shnor.core.models import Job

log = logging.getLogger("shnor.jobs")

JobFunction = Callable[["Progress", dict[str, Any], Any], dict[str, Any]]
_registry: dict[str, JobFunction] = {}


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a function as the body of jobs of kind `name`."""

    def register(func: JobFunction) -> JobFunction:
        _registry[name] = func
        return func

    return register


class Progress:
    """Progress reporting for long work; writes to the job row at most twice a second."""

    def __init__(self, job: Job | None = None, console: Any = None) -> None:
        self.job = job
        self.console = console
        self.done = 0
        self.total = 0
        self._last_write = 0.0

    def start(self, total: int, message: str = "") -> None:
        self.total, self.done = total, 0
        if self.console is not None:
            self.console.reset(total=total)
            self.console.set_description(message)
        self._save(message, force=True)

    def advance(self, step: int = 1, message: str = "") -> None:
        self.done += step
        if self.console is not None:
            self.console.update(step)
        self._save(message)

    def _save(self, message: str, force: bool = False) -> None:
        if self.job is None:
            return
        now = time.monotonic()
        if not force and now - self._last_write < 0.5 and self.done < self.total:
            return
        self._last_write = now
        fields = {"progress": min(self.done, self.total), "total": self.total}
        if message:
            fields["message"] = message[:255]
        Job.objects.filter(pk=self.job.pk).update(**fields)


def enqueue(kind: str, title: str, params: dict[str, Any], user: Any) -> Job:
    if kind not in _registry:
        raise KeyError(f"unknown job kind {kind!r}")
    return Job.objects.create(
        kind=kind, title=title, params=params, user=user if getattr(user, "pk", None) else None
    )


def claim_next() -> Job | None:
    """Take the oldest queued job, or None; safe against concurrent workers."""
    for job in Job.objects.filter(status=JobStatus.QUEUED).order_by("created")[:5]:
        claimed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started=timezone.now()
        )
        if claimed == 1:
            job.refresh_from_db()
            return job
    return None


def run(job: Job) -> Job:
    """Run a claimed job to its end and record the outcome; never raises."""
    func = _registry.get(job.kind)
    try:
        if func is None:
            raise KeyError(f"unknown job kind {job.kind!r}")
        result = func(Progress(job), job.params, job.user)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE,
            result=result or {},
            finished=timezone.now(),
            message="Готово",
            progress=F("total"),
        )
    except Exception as exc:  # a failed job must be recorded, whatever failed
        log.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=f"{exc}\n\n{traceback.format_exc()}",
            finished=timezone.now(),
            message=str(exc)[:255],
        )
    job.refresh_from_db()
    return job


def run_pending() -> int:
    """Run every queued job now (console and tests); returns how many ran."""
    count = 0
    while (job := claim_next()) is not None:
        run(job)
        count += 1
    return count


def work_forever(poll_seconds: float = 1.0) -> None:
    log.info("worker started")
    while True:
        close_old_connections()
        job = claim_next()
        if job is None:
            time.sleep(poll_seconds)
            continue
        log.info("job %s: %s", job.pk, job.title)
        run(job)
