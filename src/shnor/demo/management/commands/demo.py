from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandError

from shnor.core.system import ConsoleCommand, SystemUser
from shnor.demo.generator import DEMO_LOGINS, PASSWORD, YEARS, DemoRegion
from shnor.demo.support import seed_support
from shnor.identification.actions import do_run_identification
from shnor.identification.models import Methodology, Run, SchoolStatus
from shnor.indicators.actions import do_create_round
from shnor.registry.models import Region
from shnor.staff.actions import do_build_route, do_complete_item
from shnor.staff.models import Teacher


class Command(ConsoleCommand):
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

    def routes(self, system: SystemUser) -> None:
        """ИОМ for half of the teachers with deficits in listed schools, a quarter completed."""
        listed = SchoolStatus.objects.filter(
            run=Run.objects.filter(methodology__code="federal", year=YEARS[-1]).latest("created"),
            status="low_results",
        ).values_list("school_id", flat=True)
        teachers = Teacher.objects.filter(school__in=listed, deficits__isnull=False).distinct()
        for number, teacher in enumerate(teachers.order_by("pk")):
            if number % 2:
                continue
            route = do_build_route(
                teacher, YEARS[-1], acting_user=system, today=date(YEARS[-1], 1, 15)
            )
            if number % 4 == 0:
                for item in route.items.all():
                    do_complete_item(item, acting_user=system, on=item.deadline)

    def load(self, seed: int) -> None:
        counts = DemoRegion(seed).build()
        self.stdout.write("Загружено: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
        system = self.system_user()
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
        self.routes(system)
        self.stdout.write(f"Поддержка: {seed_support(system)}")
        region = Region.objects.get()
        for year, month in ((YEARS[-2], 9), (YEARS[-1], 2)):
            self.stdout.write(
                f"Срез мониторинга: {do_create_round(region, year, month, acting_user=system)}"
            )
