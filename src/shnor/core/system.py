"""The acting user of console commands: the whole system, optionally pinned to one region."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shnor.accounts.choices import Role


@dataclass
class SystemUser:
    """Stands for «the operator at the console»; audit rows record no person for it."""

    region: Any = None
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
