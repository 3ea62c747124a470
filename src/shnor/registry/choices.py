from __future__ import annotations

from django.db import models


class SchoolKind(models.TextChoices):
    SOSH = "СОШ", "СОШ"
    OOSH = "ООШ", "ООШ"
    NOSH = "НОШ", "НОШ"
    GYMNASIUM = "гимназия", "гимназия"
    LYCEUM = "лицей", "лицей"
    BRANCH = "филиал", "филиал"
    SPECIAL = "коррекционная", "специальная (коррекционная)"


# The highest grade each kind of school teaches; a branch is taken as a basic school.
TOP_GRADE = {
    SchoolKind.SOSH: 11,
    SchoolKind.GYMNASIUM: 11,
    SchoolKind.LYCEUM: 11,
    SchoolKind.OOSH: 9,
    SchoolKind.BRANCH: 9,
    SchoolKind.SPECIAL: 9,
    SchoolKind.NOSH: 4,
}


class Locality(models.TextChoices):
    CITY = "город", "город"
    VILLAGE = "село", "село"
