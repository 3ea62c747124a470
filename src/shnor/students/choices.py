from __future__ import annotations

from django.db import models


class DifficultyReason(models.TextChoices):
    """Why a student is in the bank; the criteria that suggest each are in criteria.yaml."""

    VPR_FAIL = "vpr_fail", "«2» на ВПР"
    GIA_FAIL = "gia_fail", "«2» на ГИА"
    BELOW_MINIMUM = "below_minimum", "ниже минимального балла"
    TERM_MARKS = "term_marks", "«2» за четверть (полугодие)"
    REFERRAL = "referral", "направление учителя"
    DISABILITY = "disability", "ОВЗ"


class DifficultyStatus(models.TextChoices):
    """The school's decision on a suggestion; «предложено» is never stored (it is computed)."""

    SUGGESTED = "suggested", "предложено"
    CONFIRMED = "confirmed", "включён в банк"
    DISMISSED = "dismissed", "отклонено школой"


STORED_STATUSES = [
    (DifficultyStatus.CONFIRMED.value, DifficultyStatus.CONFIRMED.label),
    (DifficultyStatus.DISMISSED.value, DifficultyStatus.DISMISSED.label),
]


class Executor(models.TextChoices):
    """Who carries out a step of a student's route: a named teacher of the school, or a
    specialist by role only (tutors and ППМС specialists are not in the teachers' list)."""

    TEACHER = "teacher", "учитель-предметник"
    CLASS_TEACHER = "class_teacher", "классный руководитель"
    TUTOR = "tutor", "тьютор"
    PSYCHOLOGIST = "psychologist", "педагог-психолог (Центр ППМС)"
    SPEECH_THERAPIST = "speech_therapist", "учитель-логопед (Центр ППМС)"
    DEFECTOLOGIST = "defectologist", "учитель-дефектолог (Центр ППМС)"
    SOCIAL_PEDAGOGUE = "social_pedagogue", "социальный педагог"


class Overcome(models.TextChoices):
    """What the next procedure says about a difficulty."""

    OVERCOME = "overcome", "затруднение преодолено"
    PARTLY = "partly", "есть улучшение, затруднение сохраняется"
    NOT_OVERCOME = "not_overcome", "затруднение не преодолено"
    WAITING = "waiting", "ждём следующей процедуры"
