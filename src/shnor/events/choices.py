"""Codes of the events and documents registers, each with its Russian word."""

from __future__ import annotations

from django.db import models


class EventKind(models.TextChoices):
    RMO = "rmo", "РМО"
    SEMINAR = "seminar", "семинар"
    WEBINAR = "webinar", "вебинар"
    LANDING = "landing", "методический десант"
    FIELD_DAY = "field_day", "выездной методический день"
    INTERNSHIP = "internship", "стажировка"
    CONFERENCE = "conference", "конференция"
    TUTOR_GROUP = "tutor_group", "кустовая тьюторская группа"
    METHOD_DAY = "method_day", "единый методический день"
    CONTEST = "contest", "конкурс"
    COURSE = "course", "курсы повышения квалификации"
    DIAGNOSTICS = "diagnostics", "диагностика профессиональных дефицитов"


# Kinds held at a school by a municipal or curators' team: they count for «десанты» (seed 000,
# 1.2.4) together with the curators' visits of the same kinds.
SCHOOL_VISIT_KINDS = (EventKind.LANDING, EventKind.FIELD_DAY)


class EventLevel(models.TextChoices):
    FEDERAL = "federal", "федеральный"
    REGIONAL = "regional", "региональный"
    MUNICIPAL = "municipal", "муниципальный"
    INTERMUNICIPAL = "intermunicipal", "межмуниципальный"
    SCHOOL = "school", "школьный"


class DocumentKind(models.TextChoices):
    ORDER = "order", "приказ"
    INSTRUCTION = "instruction", "распоряжение"
    PROTOCOL = "protocol", "протокол"
    REPORT = "report", "аналитическая справка"
    REGULATION = "regulation", "положение"
    TEAM = "team", "состав команды (рабочей группы)"
    PROGRAMME = "programme", "программа"
    AGREEMENT = "agreement", "договор (соглашение)"


# A справка or a протокол speaks of its own year; an order, a regulation or a programme stays in
# force in the years after it until replaced.
DATED_KINDS = (DocumentKind.REPORT, DocumentKind.PROTOCOL)


class DocumentLevel(models.TextChoices):
    REGION = "region", "региональный"
    MUNICIPALITY = "municipality", "муниципальный"
    SCHOOL = "school", "школьный"


class DocumentPurpose(models.TextChoices):
    """What a document confirms for the indicators that ask «есть ли …» (seed 000, §4)."""

    MONITORING_LOW = "monitoring_low", "показатели мониторинга, определяющие ШНОР"
    PROGRAMME_RISK = "programme_risk", "раздел программы о школах зоны риска"
    MONITORING_RISK = "monitoring_risk", "показатели мониторинга, определяющие школы зоны риска"
    RESULTS_REPORT = "results_report", "справка по мониторингу образовательных результатов"
    DEFICIT_SYSTEM = "deficit_system", "система выявления профессиональных дефицитов"
    SCHOOL_PROGRAMME = "school_programme", "утверждение школьной программы (ШППКО)"
    PROGRAMME_REPORT = "programme_report", "справка об эффективности реализации ШППКО"
    INTERNSHIP_SITES = "internship_sites", "стажировочные площадки (перечень школ)"
    FAILURE_PREVENTION = "failure_prevention", "программа профилактики учебной неуспешности"
    INDIVIDUAL_PLANS = "individual_plans", "индивидуальные учебные планы (ИУП)"
    TUTORING = "tutoring", "тьюторская поддержка обучающихся"
    PRACTICES = "practices", "распространение успешных практик"
    RESOURCE_MONITORING = "resource_monitoring", "мониторинг ресурсных дефицитов"
    SCHOOL_LIST = "school_list", "перечень ШНОР (публикуется по школам)"
