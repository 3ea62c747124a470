"""The database-backed job queue: enqueue, claim, run with progress, record the outcome, recover
the jobs of workers that died.

Works the same on SQLite and PostgreSQL: a worker claims a job with a conditional UPDATE and
checks the row count, so two workers never run the same job.

A running job's progress and heartbeat live in a small file of the data folder, not in the
database: an import writes in one transaction, and on SQLite that transaction holds the only
write lock of the database until the end, so no other connection could record progress (or a
heartbeat) while it runs. The web process and the worker share the data folder anyway (it holds
the uploaded files the worker reads). A running job whose heartbeat is older than
`DEAD_AFTER_SECONDS`, or whose worker process is gone from this host, is requeued — imports are
atomic, so running one again is safe — up to `MAX_ATTEMPTS` runs, then failed.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import signal
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from shnor.core.choices import JobStatus
from shnor.core.models import Job
from shnor.core.supervisor import stop_on_sigterm
from shnor.core.tabular import UnreadableFile, csv_cell
from shnor.core.uploads import release_upload, remove_old_uploads

log = logging.getLogger("shnor.jobs")

HEARTBEAT_SECONDS = 5.0  # how often a running job's state file is renewed
DEAD_AFTER_SECONDS = 60.0  # a running job not renewed for this long has lost its worker
MAX_ATTEMPTS = 3  # runs a job gets before a lost worker fails it instead of requeueing it
SWEEP_SECONDS = 15.0  # how often a worker looks for lost jobs and old uploads
PROGRESS_SECONDS = 0.5  # a job's progress is written at most this often
PROBLEMS_KEPT = 1000  # problems kept in a job's result; the full list goes to a CSV file

# Errors whose message is written for the user (a file that cannot be read, a rule broken);
# anything else is our fault and shows as an internal error, its traceback in the log only.
USER_ERRORS = (ValidationError, UnreadableFile)
INTERNAL_ERROR = "Внутренняя ошибка; подробности в журнале сервера"

JobFunction = Callable[["Progress", dict[str, Any], Any], dict[str, Any]]
_registry: dict[str, JobFunction] = {}


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a function as the body of jobs of kind `name`."""

    def register(func: JobFunction) -> JobFunction:
        _registry[name] = func
        return func

    return register


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class LiveState:
    """A running job's progress, message and heartbeat time, as a JSON file replaced whole."""

    def __init__(self, pk: int) -> None:
        self.path = Path(settings.DATA_DIR) / "jobs" / f"{pk}.json"
        self.values: dict[str, Any] = {"progress": 0, "total": 0, "message": ""}
        self._lock = threading.Lock()  # the job's thread and its heartbeat both write

    def write(self, **values: Any) -> None:
        with self._lock:
            self.values.update(values)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            draft = self.path.with_suffix(".tmp")
            draft.write_text(json.dumps({**self.values, "beat": time.time()}))
            os.replace(draft, self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    @classmethod
    def read(cls, pk: int) -> dict[str, Any] | None:
        try:
            return json.loads(cls(pk).path.read_text())
        except (OSError, ValueError):
            return None


class Heartbeat(threading.Thread):
    """Renews a job's state file every few seconds, whatever the job's own thread is doing."""

    def __init__(self, state: LiveState) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.state = state
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            self.state.write()

    def __enter__(self) -> Heartbeat:
        self.state.write()
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.join()


class Progress:
    """Progress reporting for long work; a job's progress is written every `PROGRESS_SECONDS`."""

    def __init__(self, state: LiveState | None = None, console: Any = None) -> None:
        self.state = state
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
        if self.state is None:
            return
        now = time.monotonic()
        if not force and now - self._last_write < PROGRESS_SECONDS and self.done < self.total:
            return
        self._last_write = now
        fields: dict[str, Any] = {"progress": min(self.done, self.total), "total": self.total}
        if message:
            fields["message"] = message[:255]
        self.state.write(**fields)


def with_live_progress(job: Job) -> Job:
    """The job with the progress its worker last reported, for pages (not saved)."""
    state = LiveState.read(job.pk) if job.status == JobStatus.RUNNING else None
    if state:
        job.progress, job.total = state["progress"], state["total"]
        job.message = state["message"] or job.message
    return job


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
            status=JobStatus.RUNNING,
            started=timezone.now(),
            worker=worker_id(),
            attempts=job.attempts + 1,
            progress=0,
            total=0,
        )
        if claimed == 1:
            job.refresh_from_db()
            return job
    return None


def failure_message(exc: BaseException) -> str:
    """One line for the job page: our own message, or a pointer to the server log."""
    if not isinstance(exc, USER_ERRORS):
        return INTERNAL_ERROR
    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return f"Не удалось выполнить: {first_line}"[:255] if first_line else INTERNAL_ERROR


def problems_folder() -> Path:
    return Path(settings.DATA_DIR) / "job_reports"


# A full problem list names the file's cells, teachers' names among them: it is kept as long
# as a coordinator needs it to fix the file, then removed by the worker's sweep.
PROBLEM_REPORT_DAYS = 30


def remove_old_problem_reports() -> int:
    """Delete full problem lists older than PROBLEM_REPORT_DAYS; returns how many."""
    folder = problems_folder()
    if not folder.is_dir():
        return 0
    oldest = time.time() - PROBLEM_REPORT_DAYS * 86400
    stale = [p for p in folder.iterdir() if p.is_file() and p.stat().st_mtime < oldest]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def keep_problems(job: Job, result: dict[str, Any]) -> dict[str, Any]:
    """Store the first `PROBLEMS_KEPT` problems with the job and the whole list as a CSV file:
    a file with 191,030 problems made 132 MB of JSON in the row and a 53 MB page."""
    problems = result.get("problems")
    if not problems:
        return result
    folder = problems_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{job.pk}-{uuid.uuid4().hex[:12]}.csv"
    with (folder / name).open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["Ошибка"])
        # a problem names the file, and a file named «=…» would be a live formula in Excel
        writer.writerows([csv_cell(p)] for p in problems)
    return {
        **result,
        "problems": problems[:PROBLEMS_KEPT],
        "problem_count": len(problems),
        "problem_file": name,
    }


def run(job: Job) -> Job:
    """Run a claimed job to its end and record the outcome. Never raises, except when the worker
    is being stopped: then the job goes back to the queue, to run again on the next start."""
    mine = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=job.worker)
    state = LiveState(job.pk)
    progress = Progress(state)
    try:
        with Heartbeat(state):
            func = _registry.get(job.kind)
            if func is None:
                raise KeyError(f"unknown job kind {job.kind!r}")
            result = keep_problems(job, func(progress, job.params, job.user) or {})
        mine.update(
            status=JobStatus.DONE,
            result=result,
            finished=timezone.now(),
            message="Готово",
            progress=progress.total,
            total=progress.total,
        )
        release_upload(job.params)
    except Exception as exc:  # a failed job must be recorded, whatever failed
        log.exception("job %s (%s) failed", job.pk, job.kind)
        mine.update(
            status=JobStatus.FAILED,
            error=f"{exc}\n\n{traceback.format_exc()}",
            finished=timezone.now(),
            message=failure_message(exc),
        )
        release_upload(job.params)
    except (SystemExit, KeyboardInterrupt):
        log.warning("job %s (%s) interrupted: back to the queue", job.pk, job.kind)
        mine.update(
            status=JobStatus.QUEUED,
            worker="",
            attempts=job.attempts - 1,  # a stopped worker is no fault of the job
            message="Обработчик задач остановлен; задача снова в очереди",
        )
        raise
    finally:
        state.remove()
    job.refresh_from_db()
    return job


def run_pending() -> int:
    """Run every queued job now (console and tests); returns how many ran."""
    count = 0
    while (job := claim_next()) is not None:
        run(job)
        count += 1
    return count


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def worker_lost(job: Job) -> bool:
    state = LiveState.read(job.pk)
    beat = state["beat"] if state else (job.started.timestamp() if job.started else 0.0)
    if time.time() - beat > DEAD_AFTER_SECONDS:
        return True
    host, _, pid = job.worker.rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not process_alive(int(pid))


def recover_lost_jobs() -> int:
    """Requeue (or, after `MAX_ATTEMPTS` runs, fail) running jobs whose worker is gone."""
    recovered = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING):
        if not worker_lost(job):
            continue
        lost = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=job.worker)
        if job.attempts >= MAX_ATTEMPTS:
            changed = lost.update(
                status=JobStatus.FAILED,
                finished=timezone.now(),
                message="Не удалось выполнить: обработчик задач останавливался во время этой "
                f"задачи (попыток: {job.attempts})",
                error=f"worker {job.worker or '?'} lost; attempts: {job.attempts}",
            )
            if changed:
                release_upload(job.params)
        else:
            changed = lost.update(
                status=JobStatus.QUEUED,
                worker="",
                progress=0,
                total=0,
                message="Обработчик задач остановился; задача снова в очереди "
                f"(попытка {job.attempts + 1} из {MAX_ATTEMPTS})",
            )
        if changed:
            LiveState(job.pk).remove()
            log.warning("job %s: worker %s lost after %s runs", job.pk, job.worker, job.attempts)
            recovered += 1
    return recovered


def follow_parent(parent: int) -> None:
    """Stop this worker when the process that started it is gone (even killed outright), so a
    restarted `shnor serve` never finds a second worker of the old one still running."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        log.warning("parent process %s is gone: stopping", parent)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def work_forever(poll_seconds: float = 1.0, parent: int | None = None) -> None:
    stop_on_sigterm()  # the running job goes back to the queue (run)
    if parent is not None:
        follow_parent(parent)
    log.info("worker %s started", worker_id())
    next_sweep = 0.0  # at once: the jobs of a worker that died before this one started
    while True:
        close_old_connections()
        try:
            if time.monotonic() >= next_sweep:
                recover_lost_jobs()
                remove_old_uploads()
                remove_old_problem_reports()
                next_sweep = time.monotonic() + SWEEP_SECONDS
            job = claim_next()
        except (DatabaseError, OSError):  # e.g. SQLite locked by another worker's long import
            log.exception("worker %s: the queue is unreachable for now", worker_id())
            job = None
        if job is None:
            time.sleep(poll_seconds)
            continue
        log.info("job %s: %s", job.pk, job.title)
        run(job)
