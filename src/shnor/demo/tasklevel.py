"""Task-level ВПР results of the demo region: a task catalogue in our own words and students'
papers of the last two demo years (mathematics and Russian, grades 5 and 8), with planted weak
skills and a few schools with signs of non-objective results, so that the weak-skills and
objectivity pages have something to find.

Scores follow a simple response model: a student's ability around the school's level (read from
its share of «2» in the school results), a task's difficulty by its level, a binomial score per
task; everything is drawn with numpy in whole arrays, so the 60,000 papers load in seconds."""

from __future__ import annotations

from typing import Any

import numpy as np

from shnor.assessments.models import ProcedureKind, Result, Subject
from shnor.core.bulk import analyze, insert_rows
from shnor.demo.generator import SMALL_MUNICIPALITY, YEARS
from shnor.registry.models import School
from shnor.taskresults.models import SCORE_SEPARATOR, Paper, Task
from shnor.taskresults.paper_import import PAPER_FIELDS

# label, max score, code, checked skill, level («б», «п», «в»)
CATALOGUES: dict[tuple[str, int], list[tuple[str, int, str, str, str]]] = {
    ("Математика", 5): [
        ("1", 1, "1.1", "Сравнивать натуральные числа и читать их запись", "б"),
        ("2", 1, "1.3", "Выполнять арифметические действия с натуральными числами", "б"),
        ("3", 1, "1.5", "Находить часть числа и число по его части", "б"),
        ("4", 1, "2.1", "Сравнивать и упорядочивать обыкновенные дроби", "б"),
        ("5", 1, "2.2", "Складывать и вычитать дроби с одинаковыми знаменателями", "б"),
        ("6", 1, "3.1", "Читать данные таблиц и диаграмм", "б"),
        ("7", 1, "4.2", "Находить периметр и площадь прямоугольника", "б"),
        ("8", 2, "5.1", "Решать текстовые задачи на движение и работу", "п"),
        ("9", 1, "4.4", "Строить фигуры на клетчатой бумаге", "п"),
        ("10", 2, "5.3", "Решать задачи в несколько действий с практическим содержанием", "п"),
        ("11", 1, "6.1", "Рассуждать о пространственных формах", "в"),
        ("12", 2, "6.3", "Решать логические задачи перебором вариантов", "в"),
    ],
    ("Математика", 8): [
        ("1", 1, "1.2", "Выполнять действия с рациональными числами", "б"),
        ("2", 1, "1.4", "Находить значения степеней и выражений с ними", "б"),
        ("3", 1, "2.1", "Решать линейные уравнения", "б"),
        ("4", 1, "2.3", "Преобразовывать многочлены по формулам сокращённого умножения", "б"),
        ("5", 1, "3.1", "Читать графики линейной функции", "б"),
        ("6", 1, "4.1", "Применять свойства углов и треугольников", "б"),
        ("7", 1, "5.2", "Находить вероятность в простейших опытах", "б"),
        ("8", 1, "3.3", "Определять по графику свойства функции", "п"),
        ("9", 2, "2.5", "Решать квадратные уравнения", "п"),
        ("10", 2, "4.3", "Вычислять площади многоугольников", "п"),
        ("11", 2, "5.4", "Составлять уравнение по условию задачи", "п"),
        ("12", 1, "6.2", "Обосновывать геометрические утверждения", "в"),
        ("13", 2, "6.4", "Решать задачи с параметром на числовой прямой", "в"),
        ("14", 2, "6.5", "Доказывать утверждения о делимости", "в"),
    ],
    ("Русский язык", 5): [
        ("1(1)", 4, "1.1", "Списывать текст с пропусками орфограмм и пунктограмм", "б"),
        ("1(2)", 3, "1.2", "Писать слова с проверяемыми гласными в корне", "б"),
        ("1(3)", 2, "1.3", "Расставлять знаки препинания при однородных членах", "б"),
        ("2", 3, "2.1", "Выполнять морфемный и словообразовательный разбор", "б"),
        ("3", 2, "2.2", "Определять части речи по их признакам", "б"),
        ("4", 2, "3.1", "Распознавать ударение в словах", "б"),
        ("5", 2, "3.2", "Выделять грамматическую основу предложения", "п"),
        ("6", 2, "4.1", "Находить предложения с прямой речью и обращением", "п"),
        ("7", 2, "4.2", "Определять главную мысль текста", "п"),
        ("8", 2, "5.1", "Составлять план текста", "п"),
        ("9", 2, "5.2", "Толковать значение слова по контексту", "в"),
        ("10", 2, "5.4", "Формулировать ответ на вопрос по тексту своими словами", "в"),
    ],
    ("Русский язык", 8): [
        ("1(1)", 4, "1.1", "Писать текст под диктовку с изученными орфограммами", "б"),
        ("1(2)", 3, "1.4", "Писать -н- и -нн- в причастиях и прилагательных", "б"),
        ("2", 3, "2.1", "Выполнять синтаксический разбор предложения", "б"),
        ("3", 2, "2.3", "Различать слитное и раздельное написание «не»", "б"),
        ("4", 2, "3.1", "Обособлять определения и обстоятельства", "б"),
        ("5", 2, "3.2", "Расставлять знаки при вводных словах", "б"),
        ("6", 2, "3.4", "Находить грамматические ошибки в предложении", "п"),
        ("7", 2, "4.1", "Определять тип односоставного предложения", "п"),
        ("8", 2, "4.3", "Находить в тексте средства выразительности", "п"),
        ("9", 2, "5.1", "Определять тему и основную мысль текста", "п"),
        ("10", 2, "5.2", "Выписывать из текста нужную информацию", "п"),
        ("11", 2, "5.3", "Объяснять значение фразеологизма", "в"),
        ("12", 2, "5.5", "Аргументировать собственное мнение о прочитанном", "в"),
        ("13", 2, "6.1", "Создавать связное высказывание по теме текста", "в"),
    ],
}
LEVELS = {"б": "базовый", "п": "повышенный", "в": "высокий"}
DIFFICULTY = {"б": -1.1, "п": 0.2, "в": 1.1}
PER_CLASS = 25
# Shares of the maximum total at which the marks 3, 4 and 5 begin.
BOUNDARIES = (0.3, 0.55, 0.8)

# Skills weak in most schools of «Таёжный район»: a topic for its РМО.
MUNICIPAL_WEAK = {("Математика", 5): ("4", "5")}
# Schools with signs of non-objective results, and which: «five» — too many «5» against the
# region; «boundary» — totals piling just above the mark boundaries; «inverted» — easy tasks done
# worse than hard ones; «journal» — ВПР marks far above the journal marks.
NONOBJECTIVE_SCHOOLS: dict[str, tuple[str, ...]] = {
    "600010": ("five", "journal"),  # Агинская СОШ № 2 of «Таёжный район»
    "600031": ("five", "journal"),
    "600058": ("boundary",),
    "600087": ("inverted", "five"),
    "600134": ("journal",),
    "600176": ("boundary", "inverted"),
}
WEAK_SCHOOLS = 15


def catalogue_tasks(
    catalogue: list[tuple[str, int, str, str, str]],
    year: int,
    kind: ProcedureKind,
    subject: Subject,
    grade: int,
) -> list[Task]:
    """A demo catalogue as the tasks of one paper."""
    return [
        Task(
            year=year,
            kind=kind,
            subject=subject,
            grade=grade,
            label=label,
            task_order=order,
            max_score=top,
            skill_code=code,
            skill=skill,
            level=LEVELS[level],
        )
        for order, (label, top, code, skill, level) in enumerate(catalogue, start=1)
    ]


def plant_task_results(seed: int) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    kind = ProcedureKind.objects.get(code="ВПР")
    subjects = {s.name: s for s in Subject.objects.filter(name__in=["Математика", "Русский язык"])}
    tasks = [
        task
        for year in YEARS[-2:]
        for (subject, grade), catalogue in CATALOGUES.items()
        for task in catalogue_tasks(catalogue, year, kind, subjects[subject], grade)
    ]
    Task.objects.bulk_create(tasks)
    low = {
        (school_id, year, subject_id, grade): (participants, below or 0)
        for school_id, year, subject_id, grade, participants, below in Result.objects.filter(
            kind=kind, year__in=YEARS[-2:], grade__in=[5, 8], subject__in=subjects.values()
        ).values_list("school_id", "year", "subject_id", "grade", "participants", "below_min")
    }
    schools = list(School.objects.select_related("municipality").order_by("code"))
    ordinary = [s for s in schools if s.code not in NONOBJECTIVE_SCHOOLS]
    weak_schools = {
        s.pk: (
            list(CATALOGUES)[int(rng.integers(len(CATALOGUES)))],
            int(rng.integers(2, 4)),
        )
        for s in rng.choice(np.array(ordinary, dtype=object), WEAK_SCHOOLS, replace=False)
    }
    rows: list[tuple[Any, ...]] = []
    for school in schools:
        for year in YEARS[-2:]:
            for (subject, grade), catalogue in CATALOGUES.items():
                found = low.get((school.pk, year, subjects[subject].pk, grade))
                if not found or not found[0]:
                    continue
                penalty = np.zeros(len(catalogue))
                planted = weak_schools.get(school.pk)
                if planted and planted[0] == (subject, grade):
                    # a stable choice of skills per school: the same ones both years
                    picks = np.random.default_rng(school.pk).choice(
                        len(catalogue), planted[1], replace=False
                    )
                    penalty[picks] = 2.0
                if school.municipality.name == SMALL_MUNICIPALITY:
                    for label in MUNICIPAL_WEAK.get((subject, grade), ()):
                        penalty[[t[0] for t in catalogue].index(label)] = 2.0
                rows += papers(
                    rng, school, year, kind, subjects[subject], grade, catalogue, found, penalty
                )
    insert_rows(
        Paper,
        PAPER_FIELDS,
        rows,
    )
    analyze(Paper, Task)
    return {"tasks": len(tasks), "papers": len(rows)}


def papers(
    rng: np.random.Generator,
    school: School,
    year: int,
    kind: ProcedureKind,
    subject: Subject,
    grade: int,
    catalogue: list[tuple[str, int, str, str, str]],
    found: tuple[int, int],
    penalty: np.ndarray[Any, Any],
) -> list[tuple[Any, ...]]:
    """A class's papers: `found` is the school's (participants, «2») of the results table."""
    participants, below = found
    count = int(min(participants, PER_CLASS * 2))
    signs = NONOBJECTIVE_SCHOOLS.get(school.code, ())
    level = 0.6 - 3.0 * below / participants
    ability = rng.normal(level, 1.0, count)
    tops = np.array([t[1] for t in catalogue])
    difficulty = np.array([DIFFICULTY[t[4]] for t in catalogue]) + penalty
    if "inverted" in signs:  # basic tasks failed, hard ones solved: answers passed round
        difficulty = np.where(difficulty < 0, 0.8, -1.0)
    chance = 1 / (1 + np.exp(-(ability[:, None] - difficulty[None, :])))
    scores = rng.binomial(tops[None, :], chance)
    total = scores.sum(axis=1)
    full = tops.sum()
    if "boundary" in signs:  # a point or two added to reach the next mark
        for share in BOUNDARIES:
            edge = int(np.ceil(share * full))
            short = (total >= edge - 2) & (total < edge)
            for student in np.flatnonzero(short):
                lacking = edge - total[student]
                room = np.flatnonzero(scores[student] < tops)
                scores[student, room[:lacking]] += 1
            total = scores.sum(axis=1)
    marks = 2 + np.searchsorted(np.ceil(np.array(BOUNDARIES) * full), total, side="right")
    journal = np.clip(marks + rng.choice([-1, 0, 0, 0, 1], count), 2, 5)
    if "five" in signs:
        marks = np.where(rng.random(count) < 0.45, 5, marks)
    if "journal" in signs:
        journal = np.clip(marks - rng.choice([1, 1, 2], count), 2, 5)
    rows = []
    for n in range(count):
        rows.append(
            (
                school.pk,
                year,
                kind.pk,
                subject.pk,
                grade,
                f"{school.code}-{year}-{grade}-{n + 1:03d}",
                str(1 + n % 2),
                float(total[n]),
                int(marks[n]),
                int(journal[n]),
                SCORE_SEPARATOR.join(map(str, scores[n])),
            )
        )
    return rows
