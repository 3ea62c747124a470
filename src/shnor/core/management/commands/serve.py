from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from waitress import serve

from shnor.wsgi import application


class Command(BaseCommand):
    help = "Запустить веб-приложение (waitress) вместе с фоновым обработчиком задач."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, addrport: str, threads: int, **options: Any) -> None:
        host, _, port = addrport.rpartition(":")
        call_command("migrate", verbosity=0, interactive=False)
        worker = subprocess.Popen([sys.executable, "-m", "shnor", "worker"])
        self.stdout.write(f"Фоновый обработчик запущен (pid {worker.pid})")
        self.stdout.write(f"Откройте http://{host or '127.0.0.1'}:{port}/", ending="\n")
        self.stdout.flush()
        try:
            serve(
                application,
                host=host or "127.0.0.1",
                port=int(port),
                threads=threads,
                ident="shnor",
            )
        finally:
            worker.terminate()
            worker.wait(timeout=10)
