"""The acting user of console commands: the whole system, optionally pinned to one region,
and the person the journal names for it."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shnor.accounts.choices import Role
from shnor.accounts.models import User


def operating_system_user() -> str:
    """Who runs the process; a container may have no name for its user id."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid {os.getuid()}"


@dataclass
class SystemUser:
    """Stands for «the operator at the console», with the console's full rights. The journal
    records `person` (the account named by `--as`) as the actor, and always the operating-system
    user in `console`."""

    region: Any = None
    person: Any = None
    console: str = field(default_factory=operating_system_user)
    pk: None = None
    is_superuser: bool = True
    is_authenticated: bool = True
    role: str = Role.REGION
    username: str = "console"

    @property
    def region_id(self) -> int | None:
        return self.region.pk if self.region is not None else None

    municipality_id = None
    school_id = None


class ConsoleCommand(BaseCommand):
    """A command that writes: every such command takes `--as USER`, the account the journal
    names as the actor (the command keeps the console's rights)."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USER",
            help="пользователь системы, от имени которого записываются действия в журнал "
            "(по умолчанию — пользователь операционной системы)",
        )
        return parser

    def execute(self, *args: Any, **options: Any) -> Any:
        self.as_user: str | None = options.get("as_user")
        return super().execute(*args, **options)

    def system_user(self, region: Any = None) -> SystemUser:
        person = None
        if self.as_user:
            person = User.objects.filter(username=self.as_user, is_active=True).first()
            if person is None:
                raise CommandError(f"--as: нет активного пользователя «{self.as_user}»")
        return SystemUser(region=region, person=person)
