"""Aggregate pictures (no personal data): deficits by subject, the municipal order for courses
(with the skills weak in several schools of a municipality), and the staffing analysis of
seed 001 per subject."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font

from shnor.core.tabular import xlsx_bytes
from shnor.registry.models import School
from shnor.staff.choices import AgeBand, Category, DeficitKind
from shnor.staff.models import Deficit, Teacher
from shnor.taskresults.weak_skills import WeakSkillRule, region_topics, subject_names

WEAK_SKILL_NEED = "предметный: западающие умения"


def deficits_by_subject(deficits: QuerySet[Deficit]) -> list[dict[str, Any]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for subject, kind in deficits.values_list("subject", "kind"):
        counts[subject or "общие (без предмета)"][kind] += 1
    return [
        {
            "subject": subject,
            "counts": [kinds.get(k.value, 0) for k in DeficitKind],
            "total": sum(kinds.values()),
        }
        for subject, kinds in sorted(counts.items(), key=lambda item: -sum(item[1].values()))
    ]


def course_order(
    deficits: QuerySet[Deficit], weak_skills: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Needed course topics: one row per kind, subject and topic, with how many teachers need it
    and from how many schools; `weak_skills` (rows of `weak_skill_needs`) join the ranking."""
    needs: dict[tuple[str, str, str], dict[str, set[int]]] = defaultdict(
        lambda: {"teachers": set(), "schools": set()}
    )
    for kind, subject, topic, teacher, school in deficits.values_list(
        "kind", "subject", "topic", "teacher_id", "teacher__school_id"
    ):
        need = needs[(kind, subject, topic)]
        need["teachers"].add(teacher)
        need["schools"].add(school)
    rows = [
        {
            "kind": kind,
            "subject": subject,
            "topic": topic,
            "teachers": len(need["teachers"]),
            "schools": len(need["schools"]),
        }
        for (kind, subject, topic), need in sorted(
            needs.items(), key=lambda item: (-len(item[1]["teachers"]), item[0])
        )
    ]
    return sorted([*rows, *(weak_skills or [])], key=lambda r: -r["teachers"])


def weak_skill_needs(schools: QuerySet[School]) -> list[dict[str, Any]]:
    """A course topic for every skill weak in several schools of a municipality (the default
    rule of taskresults/weak_skills.py), counted over the given schools: the schools where it
    is weak and their teachers of the subject."""
    in_scope = set(schools.values_list("pk", flat=True))
    regions = set(
        School.objects.filter(pk__in=in_scope).values_list("municipality__region_id", flat=True)
    )
    names = subject_names()
    teachers: dict[int, list[Teacher]] = defaultdict(list)
    for teacher in Teacher.objects.filter(school__in=in_scope):
        teachers[teacher.school_id].append(teacher)
    needs = []
    for region_id in sorted(regions):
        for topic in region_topics(region_id, WeakSkillRule()).to_dicts():
            where = in_scope.intersection(topic["school_ids"])
            if not where:
                continue
            subject = names.get(topic["subject_id"], "")
            wanted = subject.casefold()
            skill = topic["skill"] or f"задание {topic['tasks']}"
            needs.append(
                {
                    "kind": WEAK_SKILL_NEED,
                    "subject": subject,
                    "topic": f"«{skill}» ({topic['kind']} {topic['year']}, {topic['grade']} класс)",
                    "teachers": sum(
                        1
                        for pk in where
                        for t in teachers[pk]
                        if wanted in (s.casefold() for s in t.subject_list)
                    ),
                    "schools": len(where),
                }
            )
    return needs


def course_order_xlsx(rows: list[dict[str, Any]], territory: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "Заказ на ПК"
    sheet.append([f"Муниципальный заказ на повышение квалификации: {territory}"])
    sheet["A1"].font = Font(bold=True)
    sheet.append(["Вид дефицита", "Предмет", "Тема курсов", "Педагогов", "Школ"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row["kind"], row["subject"], row["topic"], row["teachers"], row["schools"]])
    for letter, width in zip("ABCDE", (26, 22, 70, 12, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    return xlsx_bytes(workbook)


def staffing(teachers: QuerySet[Teacher]) -> list[dict[str, Any]]:
    """Per subject: teachers, highest/first category, over 55, load over 30 hours (seed 001)."""
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for teacher in teachers:
        for subject in teacher.subject_list or ["без предмета"]:
            row = rows[subject]
            row["total"] += 1
            row["category"] += teacher.category in (Category.HIGHEST, Category.FIRST)
            row["over_55"] += teacher.age_band == AgeBand.OVER_55
            row["overload"] += bool(teacher.load_hours and teacher.load_hours > 30)
    return [{"subject": s, **c} for s, c in sorted(rows.items(), key=lambda i: -i[1]["total"])]
