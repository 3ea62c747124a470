from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shnor.core.jobs import run_pending, work_forever


class Command(BaseCommand):
    help = "Фоновый обработчик задач (загрузки, выявление, отчёты)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="выполнить очередь и выйти")
        parser.add_argument(
            "--parent",
            type=int,
            help="номер процесса, запустившего обработчик (shnor serve): без него обработчик "
            "останавливается",
        )

    def handle(self, *args: Any, once: bool, parent: int | None, **options: Any) -> None:
        if once:
            self.stdout.write(f"Выполнено задач: {run_pending()}")
            return
        work_forever(parent=parent)
