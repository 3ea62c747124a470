from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Запустить веб-приложение вместе с фоновым обработчиком задач."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, addrport: str, **options: Any) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        worker = subprocess.Popen([sys.executable, "-m", "shnor", "worker"])
        self.stdout.write(f"Фоновый обработчик запущен (pid {worker.pid})")
        self.stdout.write(f"Откройте http://{addrport}/")
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
