"""The request type of views behind `login_required`."""

from __future__ import annotations

from django.http import HttpRequest

from shnor.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose user has signed in: `login_required` turns everyone else away, so the
    user is ours and never anonymous. For annotations only; Django builds the requests."""

    user: User
