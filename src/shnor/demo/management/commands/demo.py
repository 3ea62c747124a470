from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandError

from shnor.accounts.models import User
from shnor.core.calendar import months_after
from shnor.core.system import ConsoleCommand, SystemUser
from shnor.demo.campaigns import seed_campaigns
from shnor.demo.events import seed_events
from shnor.demo.generator import DEMO_LOGINS, PASSWORD, YEARS, DemoRegion
from shnor.demo.students import seed_students
from shnor.demo.support import seed_support
from shnor.demo.tasklevel import plant_task_results
from shnor.identification.actions import do_run_identification
from shnor.identification.models import Methodology, Run, SchoolStatus
from shnor.indicators.actions import do_create_round
from shnor.registry.models import Region
from shnor.staff.actions import do_build_route, do_complete_item
from shnor.staff.individual_routes import route_year
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

    def routes(self, system: SystemUser, today: date) -> None:
        """ИОМ for half of the teachers with deficits in listed schools, built five months
        before the day of loading for the year a route built then plans; a quarter of them
        completed every step already due."""
        built = months_after(today, -5)
        listed = SchoolStatus.objects.filter(
            run=Run.objects.filter(methodology__code="federal", year=YEARS[-1]).latest("created"),
            status="low_results",
        ).values_list("school_id", flat=True)
        teachers = Teacher.objects.filter(school__in=listed, deficits__isnull=False).distinct()
        for number, teacher in enumerate(teachers.order_by("pk")):
            if number % 2:
                continue
            route = do_build_route(teacher, route_year(built), acting_user=system, today=built)
            if number % 4 == 0:
                for item in route.items.filter(deadline__lt=today):
                    do_complete_item(item, acting_user=system, on=item.deadline)

    def load(self, seed: int) -> None:
        counts = DemoRegion(seed).build()
        self.stdout.write("Загружено: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
        tasks = plant_task_results(seed)
        self.stdout.write(
            "Результаты по заданиям: " + ", ".join(f"{k}: {v}" for k, v in tasks.items())
        )
        system = self.system_user()
        for code, year in (
            ("federal", YEARS[-3]),
            ("federal", YEARS[-2]),
            ("federal", YEARS[-1]),
            ("strezhevoy", YEARS[-1]),
            ("sayansky", YEARS[-1]),
            ("comparative", YEARS[-1]),
            # the separate list of schools with signs of non-objective ВПР results
            ("objectivity", YEARS[-1]),
        ):
            methodology = Methodology.objects.filter(code=code).latest("version")
            run = do_run_identification(methodology, year, acting_user=system)
            self.stdout.write(f"Выявление {code} {year}: {run.counts}")
        today = date.today()
        self.routes(system, today)
        self.stdout.write(f"Поддержка: {seed_support(system, today)}")
        self.stdout.write(f"Мероприятия и документы: {seed_events(system, today)}")
        self.stdout.write(f"Мониторинговая кампания, школ: {seed_campaigns(system, today)}")
        demo_school = User.objects.get(username="school").school
        if demo_school is None:
            raise CommandError("У демонстрационной учётной записи школы не указана школа")
        students = seed_students(system, seed, today, demo_school)
        self.stdout.write(f"Обучающиеся с затруднениями: {students}")
        region = Region.objects.get()
        # February's round shows the previous year, September's the current one: both held.
        for year, month in ((YEARS[-2], 2), (YEARS[-1], 9)):
            self.stdout.write(
                f"Срез мониторинга: {do_create_round(region, year, month, acting_user=system)}"
            )
