"""Jobs that survive their workers: heartbeat and recovery, progress seen while an import's
transaction is open, `shnor serve` keeping one worker alive, failures in one Russian line and
problem lists capped in storage and paged."""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from shnor.core import jobs
from shnor.core.models import Job
from shnor.registry.models import Region
from tests.worker_jobs import COMMAND

ROOT = Path(__file__).resolve().parents[1]
WAIT = 60.0  # seconds any one thing may take on a busy machine before the test gives up


def wait_for(what: str, check: Callable[[], Any]) -> Any:
    """Poll `check` until it returns something true; fail after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {WAIT:.0f} s: {what}")


# --- in-process: recovery rules, progress, failures, problems ----------------------------


@jobs.job_kind("test.steps")
def steps(progress: jobs.Progress, params: dict[str, Any], user: Any) -> dict[str, Any]:
    if "stop" in params:
        raise SystemExit(0)  # what SIGTERM raises in a worker
    if "fail" in params:
        raise ValidationError(params["fail"]) if params["fail"] else RuntimeError("secret детали")
    return {"summary": "Готово", "problems": [f"строка {n} — ошибка" for n in range(params["n"])]}


def claimed_job(user: Any = None, **params: Any) -> Job:
    jobs.enqueue("test.steps", "Шаги", params, user)
    job = jobs.claim_next()
    assert job is not None and job.status == "running" and job.worker == jobs.worker_id()
    return job


def make_stale(job: Job) -> None:
    state = jobs.LiveState(job.pk)
    state.write(progress=1, total=2)
    values = json.loads(state.path.read_text())
    state.path.write_text(json.dumps({**values, "beat": time.time() - 2 * jobs.DEAD_AFTER_SECONDS}))


def test_it_requeues_a_job_whose_heartbeat_stopped_then_fails_it(world: dict[str, Any]) -> None:
    job = claimed_job(n=0)
    assert jobs.recover_lost_jobs() == 0  # fresh heartbeat, this very process: alive
    for attempt in range(1, jobs.MAX_ATTEMPTS):
        make_stale(job)
        assert jobs.recover_lost_jobs() == 1
        job.refresh_from_db()
        assert job.status == "queued" and job.attempts == attempt and job.worker == ""
        assert f"попытка {attempt + 1} из {jobs.MAX_ATTEMPTS}" in job.message
        job = jobs.claim_next()
        assert job is not None and job.attempts == attempt + 1
    make_stale(job)
    assert jobs.recover_lost_jobs() == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.finished
    assert job.message.startswith("Не удалось выполнить: обработчик задач останавливался")
    assert not jobs.LiveState(job.pk).path.exists()


def test_it_requeues_at_once_a_job_whose_worker_process_is_gone(world: dict[str, Any]) -> None:
    job = claimed_job(n=0)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    Job.objects.filter(pk=job.pk).update(worker=f"{socket.gethostname()}:{gone.pid}")
    jobs.LiveState(job.pk).write()  # a fresh heartbeat: the process check alone decides
    assert jobs.recover_lost_jobs() == 1
    assert Job.objects.get(pk=job.pk).status == "queued"


def test_a_job_of_another_host_waits_for_its_heartbeat(world: dict[str, Any]) -> None:
    job = claimed_job(n=0)
    Job.objects.filter(pk=job.pk).update(worker="elsewhere:1")
    jobs.LiveState(job.pk).write()
    assert jobs.recover_lost_jobs() == 0
    assert Job.objects.get(pk=job.pk).status == "running"


def test_a_stopped_worker_puts_its_job_back_in_the_queue(world: dict[str, Any]) -> None:
    job = claimed_job(stop=True)
    with pytest.raises(SystemExit):
        jobs.run(job)
    job.refresh_from_db()
    assert job.status == "queued" and job.attempts == 0 and job.worker == ""
    assert job.message == "Обработчик задач остановлен; задача снова в очереди"
    assert not jobs.LiveState(job.pk).path.exists()


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_while_the_job_transaction_is_open(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "PROGRESS_SECONDS", 0)  # every step written
    owner = world["users"]["region"]
    job = claimed_job(owner, n=0)
    client = Client()
    client.force_login(owner)
    seen: list[str] = []

    def look() -> None:  # another thread: another database connection, as the web process
        seen.append(client.get(reverse("job_status", args=[job.pk])).content.decode())

    progress = jobs.Progress(jobs.LiveState(job.pk))
    with transaction.atomic():
        Region.objects.create(name="Пишется в транзакции")  # SQLite: the write lock is held
        progress.start(10, "Загрузка: строки")
        progress.advance(4)
        reader = threading.Thread(target=look)
        reader.start()
        reader.join(WAIT)
    assert seen and "40%" in seen[0] and "Загрузка: строки" in seen[0]


def test_a_failed_job_shows_one_russian_line_and_never_the_traceback(
    world: dict[str, Any],
) -> None:
    owner = world["users"]["region"]
    client = Client()
    client.force_login(owner)
    ours = jobs.run(claimed_job(owner, fail="файл повреждён: нет листа «Данные»"))
    assert ours.status == "failed"
    assert ours.message == "Не удалось выполнить: файл повреждён: нет листа «Данные»"
    internal = jobs.run(claimed_job(owner, fail=""))
    assert internal.message == jobs.INTERNAL_ERROR and "Traceback" in internal.error
    page = client.get(reverse("job", args=[internal.pk])).content.decode()
    assert jobs.INTERNAL_ERROR in page
    assert "Traceback" not in page and "secret" not in page and "RuntimeError" not in page


def test_problem_lists_are_capped_in_storage_paged_and_downloadable(
    world: dict[str, Any],
) -> None:
    owner = world["users"]["region"]
    job = jobs.run(claimed_job(owner, n=2500))
    assert len(job.result["problems"]) == jobs.PROBLEMS_KEPT
    assert job.result["problem_count"] == 2500
    assert len(json.dumps(job.result, ensure_ascii=False)) < 25_000  # 2,500 would be 50,000
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "Ошибки в файле (2500)" in page and "здесь показаны первые 1000" in page
    assert page.count("<li>строка") == 100 and "строка 99 —" in page and "строка 100 —" not in page
    second = client.get(reverse("job", args=[job.pk]), {"page": 2}).content.decode()
    assert "строка 100 —" in second and "страница 2 из 10" in second
    assert client.get(reverse("job", args=[job.pk]), {"page": "x"}).status_code == 400
    download = client.get(reverse("job_problems", args=[job.pk]))
    rows = list(csv.reader(b"".join(download.streaming_content).decode("utf-8-sig").splitlines()))
    assert rows[0] == ["Ошибка"] and len(rows) == 2501 and rows[-1] == ["строка 2499 — ошибка"]
    outsider = Client()
    outsider.force_login(world["users"]["municipality"])
    assert outsider.get(reverse("job_problems", args=[job.pk])).status_code == 404


# --- real processes: a worker killed mid-job, `shnor serve` supervising its worker -------


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of processes sharing a data folder and a migrated database of their own
    (pytest's SQLite test database lives in memory, out of their reach)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shnor.settings",
        "SHNOR_DATA_DIR": str(tmp_path),
        "SHNOR_FAST_HASHER": "1",
    }
    server = os.environ.get("DATABASE_URL", "")
    name = f"shnor_jobs_{uuid.uuid4().hex[:10]}"
    if server.startswith("postgres"):
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{server.rsplit('/', 1)[0]}/{name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    subprocess.run(
        [sys.executable, "-m", "shnor", "migrate", "-v0"], env=env, check=True, timeout=WAIT * 2
    )
    yield env
    if server.startswith("postgres"):
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Every process a test starts; whatever is still running at the end is killed."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def job_row(env: dict[str, str], pk: int) -> dict[str, Any]:
    url = env["DATABASE_URL"]
    sql = "SELECT status, attempts, worker, message FROM core_job WHERE id = "
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)) as db:
            row = db.execute(sql + "?", (pk,)).fetchone()
    else:
        with psycopg.connect(url) as db:
            row = db.execute(sql + "%s", (pk,)).fetchone()
    return dict(zip(("status", "attempts", "worker", "message"), row, strict=True))


def start(
    processes: list[subprocess.Popen[bytes]], command: list[str], env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
    processes.append(process)
    return process


def test_a_job_of_a_killed_worker_is_requeued_and_finished_by_the_next(
    own_database: dict[str, str], processes: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    env = own_database
    queued = subprocess.run(
        [*COMMAND, "enqueue", "2"], env=env, cwd=ROOT, capture_output=True, check=True
    )
    pk = int(queued.stdout.split()[-1])
    first = start(processes, [*COMMAND, "worker"], env, tmp_path / "first.log")
    state = tmp_path / "jobs" / f"{pk}.json"

    def progress() -> int:
        try:
            return json.loads(state.read_text())["progress"]
        except (OSError, ValueError):  # not written yet
            return 0

    wait_for("the first worker is half-way through the job", progress)
    first.kill()  # SIGKILL: no chance to put the job back
    first.wait()
    assert job_row(env, pk)["status"] == "running"
    assert job_row(env, pk)["worker"].endswith(f":{first.pid}")
    second = start(processes, [*COMMAND, "worker"], env, tmp_path / "second.log")
    done = wait_for("the job is finished", lambda: job_row(env, pk)["status"] == "done")
    assert done
    row = job_row(env, pk)
    assert row["attempts"] == 2 and row["worker"].endswith(f":{second.pid}")
    assert f"job {pk}: worker" in (tmp_path / "second.log").read_text()  # the recovery, logged


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def job_workers(pid: int) -> set[int]:
    """The background workers among a server's children (the others serve the web)."""
    found = set()
    for child in children(pid):
        try:
            if "--parent" in Path(f"/proc/{child}/cmdline").read_text():
                found.add(child)
        except OSError:
            continue
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_serve_restarts_its_worker_and_stops_it_on_exit(
    own_database: dict[str, str], processes: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serve = start(
        processes,
        [sys.executable, "-m", "shnor", "serve", f"127.0.0.1:{port}"],
        own_database,
        tmp_path / "serve.log",
    )
    first = wait_for("serve starts a worker", lambda: job_workers(serve.pid))
    assert len(first) == 1
    (worker,) = first
    assert "worker" in Path(f"/proc/{worker}/cmdline").read_text()
    web = wait_for("serve starts its web processes", lambda: children(serve.pid) - first)
    os.kill(worker, signal.SIGKILL)
    second = wait_for("serve starts another worker", lambda: job_workers(serve.pid) - first)
    assert len(job_workers(serve.pid)) == 1  # never two at once
    (replacement,) = second
    serve.send_signal(signal.SIGTERM)
    assert serve.wait(timeout=WAIT) == 0
    assert not running(replacement) and not running(worker)
    assert not any(running(p) for p in web)  # the web processes stop with the server
    assert "exited with code -9" in (tmp_path / "serve.log").read_text()


def test_full_problem_lists_are_removed_after_their_days(settings: Any, tmp_path: Path) -> None:
    from shnor.core.jobs import PROBLEM_REPORT_DAYS, problems_folder, remove_old_problem_reports

    settings.DATA_DIR = tmp_path
    folder = problems_folder()
    folder.mkdir(parents=True)
    old, fresh = folder / "1-old.csv", folder / "2-fresh.csv"
    old.write_text("x")
    fresh.write_text("x")
    past = time.time() - (PROBLEM_REPORT_DAYS + 1) * 86400
    os.utime(old, (past, past))
    assert remove_old_problem_reports() == 1
    assert not old.exists() and fresh.exists()
