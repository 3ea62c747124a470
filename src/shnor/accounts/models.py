"""Users: each has one role and the scope that goes with it."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from shnor.accounts.choices import Role


class User(AbstractUser):
    """A person using the system, with a role and a scope (region, municipality or school; a
    curator's schools come from the curator's assignments in force, see core/scope.py)."""

    role = models.CharField("роль", max_length=16, choices=Role.choices, default=Role.OBSERVER)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="регион",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    municipality = models.ForeignKey(
        "registry.Municipality",
        verbose_name="муниципалитет",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    school = models.ForeignKey(
        "registry.School",
        verbose_name="школа",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_users",
    )

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"

    def clean(self) -> None:
        required: dict[str, str] = {
            Role.REGION: "region",
            Role.OBSERVER: "region",
            Role.MUNICIPALITY: "municipality",
            Role.SCHOOL: "school",
        }
        field = required.get(self.role)
        if field and getattr(self, f"{field}_id") is None:
            raise ValidationError({field: "Для этой роли нужно указать зону доступа."})

    @property
    def scope_label(self) -> str:
        if self.is_superuser:
            return "вся система"
        if self.role == Role.MUNICIPALITY and self.municipality:
            return self.municipality.name
        if self.role == Role.SCHOOL and self.school:
            return self.school.short_name
        if self.role == Role.CURATOR:
            from shnor.core.scope import curator_assignments  # core.scope imports this module

            schools = curator_assignments(self).values("school").distinct().count()
            return f"закреплено школ: {schools}"
        return self.region.name if self.region else "—"


class LoginFailure(models.Model):
    """A wrong password: counted per user name and per address to refuse password guessing
    (accounts/throttling.py); rows older than the counting window are removed as new ones come."""

    username = models.CharField("имя пользователя", max_length=150, db_index=True)
    address = models.GenericIPAddressField("адрес", null=True, blank=True, db_index=True)
    created = models.DateTimeField("когда", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "неудачная попытка входа"
        verbose_name_plural = "неудачные попытки входа"

    def __str__(self) -> str:
        return f"{self.username} {self.address or ''} {self.created:%d.%m.%Y %H:%M}"
