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
