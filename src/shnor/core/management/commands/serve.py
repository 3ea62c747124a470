"""The web application and its background worker, as one command.

The web side is gunicorn with a process per core: Python runs one thread at a time, so a single
process left the second core idle (6.5 requests/s at 20 users). gunicorn runs as a child process
beside the supervised worker rather than inside this one: its master forks web processes at any
moment, and a fork taken while the supervisor thread starts a worker would hold that worker's
start-up pipe open and hang the supervisor."""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from shnor.core.supervisor import WorkerSupervisor, stop_on_sigterm

WEB_STOP_TIMEOUT = 30  # seconds for requests in flight to finish


def web_command(bind: str, processes: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "shnor.wsgi:application",
        f"--bind={bind}",
        f"--workers={max(1, processes)}",
        "--worker-class=gthread",
        f"--threads={max(1, threads)}",
        # a process is replaced after this many requests, giving back what it gathered
        "--max-requests=5000",
        "--max-requests-jitter=500",
        "--timeout=120",
        "--graceful-timeout=20",
        "--name=shnor",
        "--error-logfile=-",
        "--log-level=warning",
    ]


class Command(BaseCommand):
    help = "Запустить веб-приложение вместе с фоновым обработчиком задач."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--processes",
            type=int,
            default=int(os.environ.get("SHNOR_WEB_PROCESSES") or os.cpu_count() or 1),
            help="процессов веб-сервера (по умолчанию — по числу ядер)",
        )
        parser.add_argument("--threads", type=int, default=4, help="потоков в каждом процессе")

    def handle(
        self, *args: Any, addrport: str, processes: int, threads: int, **options: Any
    ) -> None:
        host, _, port = addrport.rpartition(":")
        call_command("migrate", verbosity=0, interactive=False)
        worker = WorkerSupervisor()
        atexit.register(worker.stop)
        stop_on_sigterm()
        worker.start()
        self.stdout.write("Фоновый обработчик запущен")
        web = subprocess.Popen(web_command(f"{host or '127.0.0.1'}:{port}", processes, threads))
        self.stdout.write(f"Откройте http://{host or '127.0.0.1'}:{port}/", ending="\n")
        self.stdout.flush()
        try:
            code = web.wait()
            if code:
                raise SystemExit(f"веб-сервер завершился с кодом {code}")
        finally:
            if web.poll() is None:
                web.terminate()  # gunicorn finishes the requests in flight, then stops
                try:
                    web.wait(WEB_STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    web.kill()
                    web.wait()
            worker.stop()
