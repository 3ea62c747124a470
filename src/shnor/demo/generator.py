"""A seeded fictional region for demonstrations and tests: about 20 municipalities, 300 schools,
five years of context and results, territory averages and a demo user per role.

One municipality («Таёжный район») has 13 small rural schools in the spirit of seed 000: some
with chronic low results, some improving, some with resource deficits, basic schools without
grade 11, classes of a few pupils."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from shnor.accounts.choices import Role
from shnor.accounts.models import User
from shnor.assessments.choices import ReferenceLevel
from shnor.assessments.models import ProcedureKind, ReferenceResult, Result, Subject
from shnor.core.bulk import analyze
from shnor.registry.choices import TOP_GRADE, Locality, SchoolKind
from shnor.registry.models import Municipality, Region, School, SchoolContext
from shnor.risks.catalogue import questionnaire
from shnor.risks.models import SurveyAnswer
from shnor.staff.choices import AgeBand, Category, DeficitKind, Experience
from shnor.staff.models import Deficit, Teacher

REGION = "Северо-Озёрская область"
SMALL_MUNICIPALITY = "Таёжный район"
CITIES = ["г. Озёрск", "г. Светлогорск", "г. Каменск-Северный"]
DISTRICTS = [
    "Берёзовский",
    "Кедровский",
    "Сосновский",
    "Ольховский",
    "Рябиновский",
    "Клюквенный",
    "Медвежьегорский",
    "Лосиноостровский",
    "Заречный",
    "Луговой",
    "Приозёрный",
    "Верхнеборский",
    "Каменский",
    "Ключевской",
    "Полянский",
    "Белоярский",
]
VILLAGES = [
    "Тугачи",
    "Кедровка",
    "Малая Ирба",
    "Большой Арбай",
    "Гладково",
    "Унер",
    "Нагорное",
    "Орье",
    "Вознесенка",
    "Кулижниково",
    "Тинская",
    "Межово",
    "Агинское",
    "Сухая Речка",
    "Бор",
    "Вершино",
    "Новоалександровка",
    "Ивановка",
    "Петровка",
    "Лесное",
    "Кордово",
    "Еловка",
    "Пихтовка",
    "Заимка",
    "Сосновый Лог",
    "Ключи",
    "Берёзовка",
    "Тальники",
]
YEARS = [2022, 2023, 2024, 2025, 2026]
SURNAMES = [
    "Иванова",
    "Петрова",
    "Смирнова",
    "Кузнецова",
    "Попова",
    "Соколова",
    "Лебедева",
    "Козлова",
    "Новикова",
    "Морозова",
    "Волкова",
    "Алексеева",
    "Егорова",
    "Павлова",
    "Семенов",
    "Голубев",
    "Виноградов",
    "Богданов",
    "Воробьёв",
    "Фёдоров",
]
FIRST_NAMES = [
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Татьяна",
    "Наталья",
    "Ирина",
    "Светлана",
    "Сергей",
    "Андрей",
    "Алексей",
    "Николай",
    "Галина",
    "Людмила",
    "Вера",
]
# Subject deficits belong to the subject the teacher teaches; the others to any teacher.
SUBJECT_DEFICITS = {
    "Русский язык": [
        "орфография и пунктуация в сложном предложении",
        "смысловое чтение и работа с текстом",
        "подготовка к итоговому сочинению",
    ],
    "Математика": [
        "решение задач с параметром",
        "текстовые задачи",
        "геометрические задачи на вычисление",
    ],
    "Начальные классы": [
        "смысловое чтение в начальной школе",
        "вычислительные навыки и текстовые задачи в 4 классе",
    ],
    "Физика": ["решение расчётных задач", "организация лабораторных работ"],
    "Химия": ["решение расчётных задач по химии"],
    "История": ["работа с историческими источниками"],
    "Английский язык": ["обучение устной речи"],
    "География": ["работа с картой"],
}
GENERAL_DEFICITS = [
    ("методический", "формирующее оценивание"),
    ("методический", "дифференцированное обучение"),
    ("методический", "функциональная грамотность на уроке"),
    ("психолого-педагогический", "работа с обучающимися с ОВЗ"),
    ("психолого-педагогический", "мотивация обучающихся с низкими результатами"),
]
PASSWORD = "demo"

# (kind, subject, grades, base share of «2»/below minimum for an average school)
PROCEDURES = [
    ("ВПР", "Русский язык", [4, 5, 6, 7, 8], 0.06),
    ("ВПР", "Математика", [4, 5, 6, 7, 8], 0.07),
    ("ОГЭ", "Русский язык", [9], 0.03),
    ("ОГЭ", "Математика", [9], 0.05),
    ("ЕГЭ", "Русский язык", [11], 0.01),
    ("ЕГЭ", "Математика профильная", [11], 0.06),
    ("ЕГЭ", "Математика базовая", [11], 0.02),
    ("ФГ", "Читательская грамотность", [4, 6], None),
    ("ФГ", "Естественнонаучная грамотность", [8], None),
]


@dataclass
class Profile:
    """The hidden truth behind a school's figures: ability, trend, and hardship."""

    ability: float
    trend: float
    hardship: float
    internet: bool
    students: int


def logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def logit(p: float) -> float:
    return math.log(p / (1 - p))


class DemoRegion:
    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        self.counter = 0

    # -- organisations -----------------------------------------------------------------

    def school_code(self) -> str:
        self.counter += 1
        return f"{600000 + self.counter}"

    def plan_municipality(self, name: str, city: bool) -> list[dict[str, Any]]:
        rng = self.rng
        plans: list[dict[str, Any]] = []
        if city:
            count = rng.randint(16, 24)
            for i in range(1, count + 1):
                kind = rng.choices(
                    [SchoolKind.SOSH, SchoolKind.GYMNASIUM, SchoolKind.LYCEUM, SchoolKind.OOSH],
                    [70, 12, 8, 5],
                )[0]
                title = {
                    SchoolKind.GYMNASIUM: f"МАОУ «Гимназия № {i}»",
                    SchoolKind.LYCEUM: f"МАОУ «Лицей № {i}»",
                    SchoolKind.OOSH: f"МБОУ «ООШ № {i}»",
                }.get(kind, f"МБОУ «СОШ № {i}»")
                plans.append(
                    {
                        "name": f"{title} {name}",
                        "kind": kind,
                        "locality": Locality.CITY,
                        "distance": 0,
                        "profile": Profile(
                            rng.gauss(
                                0.3 if kind in (SchoolKind.GYMNASIUM, SchoolKind.LYCEUM) else 0, 0.6
                            )
                            + (0.8 if kind != SchoolKind.SOSH else 0),
                            rng.gauss(0, 0.08),
                            rng.uniform(0, 0.5),
                            True,
                            rng.randint(450, 1300),
                        ),
                    }
                )
            plans.append(
                {
                    "name": f"ГКОУ «Специальная (коррекционная) школа» {name}",
                    "kind": SchoolKind.SPECIAL,
                    "locality": Locality.CITY,
                    "distance": 0,
                    "profile": Profile(-1.6, 0, 0.8, True, 120),
                }
            )
            return plans
        count = rng.randint(11, 16)
        for _ in range(count):
            village = rng.choice(VILLAGES)
            kind = rng.choices(
                [SchoolKind.SOSH, SchoolKind.OOSH, SchoolKind.NOSH, SchoolKind.BRANCH],
                [60, 25, 8, 7],
            )[0]
            hardship = rng.uniform(0.3, 1.0)
            size = {
                SchoolKind.SOSH: (120, 520),
                SchoolKind.OOSH: (25, 110),
                SchoolKind.NOSH: (8, 30),
                SchoolKind.BRANCH: (15, 60),
            }[kind]
            plans.append(
                {
                    "name": f"МКОУ {kind if kind != SchoolKind.BRANCH else 'ООШ'} с. {village}"
                    + (" (филиал)" if kind == SchoolKind.BRANCH else ""),
                    "kind": kind,
                    "locality": Locality.VILLAGE,
                    "distance": round(rng.uniform(5, 120), 1),
                    "profile": Profile(
                        rng.gauss(-0.25 * hardship, 0.45),
                        rng.gauss(0, 0.08),
                        hardship,
                        rng.random() > 0.2,
                        rng.randint(*size),
                    ),
                }
            )
        return plans

    def plan_small_municipality(self) -> list[dict[str, Any]]:
        """Thirteen small rural schools, each with a story a coordinator would recognise."""
        stories = [
            ("Тугачинская СОШ", SchoolKind.SOSH, -1.7, -0.05, False, 96),  # chronic low
            ("Унерская ООШ", SchoolKind.OOSH, -1.5, 0.0, False, 38),  # chronic low, no 11
            ("Нагорновская СОШ", SchoolKind.SOSH, -1.4, 0.45, True, 140),  # improving
            ("Орьевская ООШ", SchoolKind.OOSH, -1.2, 0.35, True, 31),  # improving
            ("Вознесенская СОШ", SchoolKind.SOSH, -0.6, -0.25, True, 160),  # declining
            ("Межовская ООШ", SchoolKind.OOSH, -0.4, 0.0, False, 22),  # resource deficit
            ("Кулижниковская НОШ", SchoolKind.NOSH, -0.2, 0.0, False, 11),  # tiny, grades 1–4
            ("Тинская СОШ", SchoolKind.SOSH, 0.1, 0.05, True, 210),
            ("Агинская СОШ № 1", SchoolKind.SOSH, 0.6, 0.05, True, 620),  # district centre
            ("Агинская СОШ № 2", SchoolKind.SOSH, 0.3, 0.0, True, 480),
            ("Сухореченская ООШ", SchoolKind.OOSH, -0.9, 0.1, True, 27),
            ("Большеарбайская СОШ", SchoolKind.SOSH, -1.0, -0.1, False, 88),
            ("Малоирбинская ООШ (филиал)", SchoolKind.BRANCH, -0.7, 0.0, True, 17),
        ]
        return [
            {
                "name": f"МКОУ {name}",
                "kind": kind,
                "locality": Locality.CITY if "Агинская" in name else Locality.VILLAGE,
                "distance": 0 if "Агинская" in name else round(self.rng.uniform(12, 95), 1),
                "profile": Profile(ability, trend, 0.5 if ability > 0 else 0.9, internet, students),
            }
            for name, kind, ability, trend, internet, students in stories
        ]

    # -- yearly figures ----------------------------------------------------------------

    def context(self, school: School, profile: Profile, year: int) -> SchoolContext:
        rng = self.rng
        students = max(5, int(profile.students * (1 + rng.gauss(0, 0.03))))
        teachers = max(2, int(students / (9 if school.locality == Locality.VILLAGE else 14)) + 4)
        vacancies = (
            rng.choices([0, 1, 2, 3], [60, 25, 10, 5])[0]
            if profile.hardship > 0.6
            else rng.choices([0, 1], [85, 15])[0]
        )
        computers = max(1, int(students / rng.uniform(3, 8 if profile.internet else 22)))
        return SchoolContext(
            school=school,
            year=year,
            students=students,
            students_ovz=int(students * rng.uniform(0.02, 0.12)),
            teachers=teachers,
            vacancies=vacancies,
            teachers_over_55=int(teachers * rng.uniform(0.15, 0.45)),
            stable_internet=profile.internet or (year >= YEARS[-2] and rng.random() < 0.4),
            computers=computers,
            low_income_pct=Decimal(
                str(round(min(80, 8 + 40 * profile.hardship + rng.gauss(0, 4)), 1))
            ),
            single_parent_pct=Decimal(
                str(round(min(60, 12 + 20 * profile.hardship + rng.gauss(0, 3)), 1))
            ),
            non_native_pct=Decimal(str(round(max(0, rng.gauss(3 + 6 * profile.hardship, 2)), 1))),
        )

    def result(
        self,
        school: School,
        profile: Profile,
        year: int,
        kind: ProcedureKind,
        subject: Subject,
        grade: int,
        base: float | None,
    ) -> Result | None:
        rng = self.rng
        level = profile.ability + profile.trend * (year - YEARS[0]) + rng.gauss(0, 0.25)
        enrolled = max(1, int(profile.students / 11 * rng.uniform(0.8, 1.2)))
        if kind.code == "ЕГЭ":
            enrolled = max(1, int(enrolled * 0.55))
        participants = sum(1 for _ in range(enrolled) if rng.random() < 0.93)
        if participants == 0:
            return None
        row = Result(
            school=school,
            year=year,
            kind=kind,
            subject=subject,
            grade=grade,
            enrolled=enrolled,
            participants=participants,
        )
        if base is None:  # functional literacy: a mean percentage of the maximum score
            mean = max(5.0, min(95.0, 52 + 9 * level + rng.gauss(0, 3)))
            row.mean_score = Decimal(str(round(mean, 2)))
            return row
        p_low = logistic(logit(base) - 1.1 * level)
        row.below_min = sum(1 for _ in range(participants) if rng.random() < p_low)
        below = row.below_min
        if kind.code == "ЕГЭ" and subject.name != "Математика базовая":
            row.mean_score = Decimal(
                str(round(max(20, min(95, 62 + 9 * level + rng.gauss(0, 3))), 2))
            )
            return row
        rest = participants - below
        p5 = logistic(-1.3 + 0.9 * level)
        p4 = logistic(0.3 + 0.7 * level)
        fives = sum(1 for _ in range(rest) if rng.random() < p5)
        fours = sum(1 for _ in range(rest - fives) if rng.random() < p4)
        row.mark2, row.mark5, row.mark4 = below, fives, fours
        row.mark3 = rest - fives - fours
        row.mean_score = Decimal(
            str(round((2 * below + 3 * row.mark3 + 4 * fours + 5 * fives) / participants, 2))
        )
        if kind.code == "ВПР":
            inflated = profile.hardship > 0.8 and rng.random() < 0.3
            lowered = int(participants * rng.uniform(0.05, 0.25))
            raised = int(
                participants * (rng.uniform(0.15, 0.3) if inflated else rng.uniform(0.0, 0.06))
            )
            row.lowered, row.raised = lowered, raised
            row.confirmed = participants - lowered - raised
        return row

    def survey(self, school: School, profile: Profile, year: int) -> list[SurveyAnswer]:
        """Self-diagnosis answers: harder contexts answer unfavourably more often."""
        rng = self.rng
        low, high = questionnaire()["scale"]["min"], questionnaire()["scale"]["max"]
        answers = []
        for question in questionnaire()["questions"]:
            chance = 0.1 + 0.5 * profile.hardship - 0.15 * profile.ability + rng.gauss(0, 0.1)
            bad = rng.random() < min(0.9, max(0.05, chance))
            # a positive statement answered badly gets a low mark, a negative one a high mark
            value = (
                rng.choice([low, low + 1])
                if bad != bool(question.get("negative"))
                else rng.choice([high - 1, high])
            )
            answers.append(
                SurveyAnswer(school=school, year=year, question=question["code"], value=value)
            )
        return answers

    def staff(
        self, school: School, profile: Profile, teachers: int, listed: bool
    ) -> tuple[list[Teacher], list[Deficit]]:
        """Teachers with fictional names; in hard schools more deficits."""
        rng = self.rng
        people, deficits = [], []
        subjects = [
            "Русский язык, Литература",
            "Математика",
            "Математика, Информатика",
            "Начальные классы",
            "Физика",
            "Химия, Биология",
            "История, Обществознание",
            "Английский язык",
            "География",
            "Физическая культура",
        ]
        for n in range(min(teachers, 30)):
            name = (
                f"{rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)[0]}. "
                f"{rng.choice(FIRST_NAMES)[0]}. ({n + 1})"
            )
            teacher = Teacher(
                school=school,
                full_name=name,
                subjects=subjects[n % len(subjects)],
                category=rng.choices([c.value for c in Category], [25, 35, 25, 15])[0],
                experience=rng.choice([e.value for e in Experience]),
                age_band=rng.choices([a.value for a in AgeBand], [20, 55, 25])[0],
                load_hours=Decimal(str(rng.choice([18, 24, 27, 30, 32, 36]))),
                in_regional_network=rng.random() < 0.15,
                in_methodical_asset=rng.random() < 0.05,
            )
            people.append(teacher)
            if rng.random() < (0.5 if listed else 0.15) + 0.2 * profile.hardship:
                subject = teacher.subject_list[0]
                kind: str
                if subject in SUBJECT_DEFICITS and rng.random() < 0.5:
                    kind, topic = DeficitKind.SUBJECT, rng.choice(SUBJECT_DEFICITS[subject])
                else:
                    kind, topic = rng.choice(GENERAL_DEFICITS)
                deficits.append(
                    Deficit(
                        teacher=teacher,
                        kind=kind,
                        topic=topic,
                        subject=subject if kind == DeficitKind.SUBJECT else "",
                        source="диагностика ЦНППМ",
                        found_on=date(YEARS[-1], 6, 15),
                    )
                )
        return people, deficits

    # -- the whole region --------------------------------------------------------------

    @transaction.atomic
    def build(self) -> dict[str, int]:
        region, _ = Region.objects.get_or_create(name=REGION)
        kinds = {k.code: k for k in ProcedureKind.objects.all()}
        subjects = {s.name: s for s in Subject.objects.all()}
        places = (
            [(SMALL_MUNICIPALITY, self.plan_small_municipality())]
            + [(c, self.plan_municipality(c, city=True)) for c in CITIES]
            + [(f"{d} район", self.plan_municipality(f"{d} район", city=False)) for d in DISTRICTS]
        )
        profiles: list[tuple[School, Profile]] = []
        for name, plans in places:
            municipality = Municipality.objects.create(region=region, name=name)
            for plan in plans:
                school = School.objects.create(
                    code=self.school_code(),
                    name=plan["name"],
                    municipality=municipality,
                    kind=plan["kind"],
                    locality=plan["locality"],
                    distance_km=Decimal(str(plan["distance"])),
                )
                profiles.append((school, plan["profile"]))
        contexts, results = [], []
        for school, profile in profiles:
            top = TOP_GRADE[SchoolKind(school.kind)]
            for year in YEARS:
                contexts.append(self.context(school, profile, year))
                for kind_code, subject_name, grades, base in PROCEDURES:
                    for grade in grades:
                        if grade > top:
                            continue
                        row = self.result(
                            school,
                            profile,
                            year,
                            kinds[kind_code],
                            subjects[subject_name],
                            grade,
                            base,
                        )
                        if row is not None:
                            results.append(row)
        answers = [
            answer
            for school, profile in profiles
            for year in YEARS[-2:]
            for answer in self.survey(school, profile, year)
        ]
        SurveyAnswer.objects.bulk_create(answers, batch_size=2000)
        SchoolContext.objects.bulk_create(contexts, batch_size=2000)
        teachers, deficits = [], []
        last_context = {c.school_id: c for c in contexts if c.year == YEARS[-1]}
        for school, profile in profiles:
            people, found = self.staff(
                school, profile, last_context[school.pk].teachers or 5, profile.ability < -0.8
            )
            teachers += people
            deficits += found
        Teacher.objects.bulk_create(teachers, batch_size=2000)
        Deficit.objects.bulk_create(deficits, batch_size=2000)
        Result.objects.bulk_create(results, batch_size=2000)
        references = self.references(region, results)
        ReferenceResult.objects.bulk_create(references, batch_size=2000)
        self.users(region)
        analyze()
        return {
            "municipalities": len(places),
            "schools": len(profiles),
            "results": len(results),
            "contexts": len(contexts),
            "references": len(references),
            "survey_answers": len(answers),
            "teachers": len(teachers),
            "deficits": len(deficits),
        }

    def references(self, region: Region, results: list[Result]) -> list[ReferenceResult]:
        """Published averages as ФИС ОКО would give them: municipality, region, Russia."""
        sums: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0, 0, 0.0, 0])
        for r in results:
            municipality = r.school.municipality
            for level, territory in (
                (ReferenceLevel.MUNICIPALITY, municipality),
                (ReferenceLevel.REGION, None),
            ):
                total = sums[
                    (
                        level,
                        territory.pk if territory else None,
                        r.year,
                        r.kind.pk,
                        r.subject.pk,
                        r.grade,
                    )
                ]
                total[0] += r.participants
                total[1] += r.below_min or 0
                if r.mean_score is not None:
                    total[2] += float(r.mean_score) * r.participants
                    total[3] += r.participants
        names = dict(Municipality.objects.filter(region=region).values_list("pk", "name"))
        rows = []
        for (level, mid, year, kind_id, subject_id, grade), (p, b, m, mp) in sums.items():
            has_below = not (kind_id and ProcedureKind.objects.get(pk=kind_id).code == "ФГ")
            common = dict(
                year=year,
                kind_id=kind_id,
                subject_id=subject_id,
                grade=grade,
                participants=int(p),
                below_min=int(b) if has_below else None,
                mean_score=Decimal(str(round(m / mp, 2))) if mp else None,
            )
            if level == ReferenceLevel.MUNICIPALITY:
                rows.append(
                    ReferenceResult(
                        level=level,
                        territory=names[mid],
                        municipality_id=mid,
                        region=region,
                        **common,
                    )
                )
            else:
                rows.append(
                    ReferenceResult(level=level, territory=region.name, region=region, **common)
                )
                russia = dict(
                    common,
                    participants=int(p) * 180,
                    below_min=int(b * 180 * 0.92) if has_below else None,
                )
                rows.append(
                    ReferenceResult(
                        level=ReferenceLevel.RUSSIA, territory="Российская Федерация", **russia
                    )
                )
        return rows

    def users(self, region: Region) -> None:
        small = Municipality.objects.get(region=region, name=SMALL_MUNICIPALITY)
        small_schools = list(School.objects.filter(municipality=small).order_by("code"))
        specs: list[tuple[str, str, dict[str, Any]]] = [
            (
                "admin",
                "Администратор",
                {"role": Role.REGION, "region": region, "is_superuser": True, "is_staff": True},
            ),
            ("region", "Ирина Соколова", {"role": Role.REGION, "region": region}),
            ("mun", "Марина Ковалёва", {"role": Role.MUNICIPALITY, "municipality": small}),
            ("curator", "Олег Петров", {"role": Role.CURATOR}),
            ("curator2", "Светлана Иванова", {"role": Role.CURATOR}),
            ("school", "Анна Смирнова", {"role": Role.SCHOOL, "school": small_schools[0]}),
            ("observer", "Наблюдатель", {"role": Role.OBSERVER, "region": region}),
        ]
        for username, full_name, fields in specs:
            first, _, last = full_name.partition(" ")
            user = User.objects.create(
                username=username, first_name=first, last_name=last, **fields
            )
            user.set_password(PASSWORD)
            user.save()


DEMO_LOGINS = [
    ("region", "региональный координатор"),
    ("mun", "муниципальный координатор"),
    ("curator", "куратор"),
    ("school", "администрация школы"),
    ("observer", "наблюдатель"),
    ("admin", "администратор"),
]
