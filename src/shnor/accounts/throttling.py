"""Login throttling: after too many wrong passwords for one user name (or from one address)
within a window, further attempts are refused until the window has passed."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from shnor.accounts.models import LoginFailure


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:  # a test client's login() authenticates without a request
        return None
    return request.META.get("REMOTE_ADDR") or None


def normalised(username: str) -> str:
    return username.strip().lower()[:150]


def locked_minutes(username: str, address: str | None) -> int:
    """Minutes until the next attempt is allowed (0: allowed now)."""
    now = timezone.now()
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    recent = LoginFailure.objects.filter(created__gte=now - window)
    free_at = now
    for rows, limit in (
        (recent.filter(username=normalised(username)), settings.LOGIN_FAILURE_LIMIT),
        (
            recent.filter(address=address) if address else recent.none(),
            settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        ),
    ):
        # the limit-th newest failure leaves the window last among those that lock
        times = list(rows.order_by("-created").values_list("created", flat=True)[:limit])
        if len(times) >= limit:
            free_at = max(free_at, times[-1] + window)
    return math.ceil((free_at - now).total_seconds() / 60)


@receiver(user_login_failed)
def record_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    now = timezone.now()
    LoginFailure.objects.filter(
        created__lt=now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    ).delete()
    LoginFailure.objects.create(
        username=normalised(str(credentials.get("username", ""))), address=client_address(request)
    )


@receiver(user_logged_in)
def forget_failures(sender: Any, user: Any, **kwargs: Any) -> None:
    # a colleague who finally typed the password right starts afresh
    LoginFailure.objects.filter(username=normalised(user.get_username())).delete()
