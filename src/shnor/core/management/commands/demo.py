from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shnor.core.system import SystemUser
from shnor.demo.generator import DEMO_LOGINS, PASSWORD, YEARS, DemoRegion
from shnor.identification.models import Methodology
from shnor.identification.services import do_run_identification
from shnor.indicators.rounds import do_create_round
from shnor.registry.models import Region


class Command(BaseCommand):
    help = "Загрузить демонстрационный регион (вымышленные школы) и выполнить выявление."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--if-empty", action="store_true", help="ничего не делать, если в базе уже есть регион"
        )

    def handle(self, *args: Any, seed: int, if_empty: bool, **options: Any) -> None:
        if Region.objects.exists():
            if not if_empty:
                raise CommandError("В базе уже есть данные; демо загружается в пустую базу.")
            self.stdout.write("Данные уже загружены.")
        else:
            self.load(seed)
        self.stdout.write(
            f"Демо-входы (пароль «{PASSWORD}»): " + "; ".join(f"{u} — {r}" for u, r in DEMO_LOGINS)
        )

    def load(self, seed: int) -> None:
        counts = DemoRegion(seed).build()
        self.stdout.write("Загружено: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
        system = SystemUser()
        for code, year in (
            ("federal", YEARS[-3]),
            ("federal", YEARS[-2]),
            ("federal", YEARS[-1]),
            ("strezhevoy", YEARS[-1]),
            ("sayansky", YEARS[-1]),
            ("comparative", YEARS[-1]),
        ):
            methodology = Methodology.objects.filter(code=code).order_by("-version").first()
            run = do_run_identification(methodology, year, acting_user=system)
            self.stdout.write(f"Выявление {code} {year}: {run.counts}")
        region = Region.objects.get()
        for year, month in ((YEARS[-2], 9), (YEARS[-1], 2)):
            self.stdout.write(
                f"Срез мониторинга: {do_create_round(region, year, month, acting_user=system)}"
            )
