from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    REGION = "region", "Региональный координатор"
    MUNICIPALITY = "municipality", "Муниципальный координатор"
    CURATOR = "curator", "Куратор"
    SCHOOL = "school", "Администрация школы"
    OBSERVER = "observer", "Наблюдатель"


class Action(models.TextChoices):
    VIEW = "view", "просмотр"
    VIEW_PERSONAL = "view_personal", "просмотр персональных данных"
    CHANGE = "change", "изменение"
    IMPORT = "import", "загрузка данных"
    RUN = "run", "запуск расчётов"
    MANAGE_STAFF = "manage_staff", "ведение данных о педагогах"
    EDIT_PROGRAMME = "edit_programme", "ведение программы поддержки"
    APPROVE_PROGRAMME = "approve_programme", "утверждение программ"
    CONFIRM_MEASURE = "confirm_measure", "подтверждение выполнения мероприятий"
    RECORD_VISIT = "record_visit", "планирование и запись посещений"
    MANAGE_SUPPORT = "manage_support", "назначение кураторов и партнёров"
    SELF_DIAGNOSIS = "self_diagnosis", "заполнение анкеты самодиагностики школы"
    MANAGE_STUDENTS = "manage_students", "ведение банка обучающихся с затруднениями в обучении"
