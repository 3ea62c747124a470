"""Request parameters read through Django form fields. A page declares its parameters as a
`Params` form; a value that does not fit answers 400 with a Russian message naming the
parameter, so no malformed query string or form field reaches a query or an int() as a 500."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

from shnor.core.cells import CONTROL

MAX_ID = 2**63 - 1  # primary keys are 64-bit; a longer number cannot name a row
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years the data of a school system can be about


class BadParameters(BadRequest):
    """A parameter the page cannot use; the message is shown on the 400 page."""


def id_field(*, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(required=required, min_value=1, max_value=MAX_ID)


def year_field(*, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label="Год", required=required, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )


def text_field(max_length: int = 200) -> forms.CharField:
    """Free text (a search, a title); NUL characters are refused by CharField itself."""
    return forms.CharField(required=False, max_length=max_length)


def choice_field(choices: Iterable[Any]) -> forms.ChoiceField:
    """One of the given codes, or nothing; accepts (code, label) pairs or bare codes."""
    pairs: list[Any] = [c if isinstance(c, tuple | list) else (c, c) for c in choices]
    return forms.ChoiceField(required=False, choices=[("", ""), *pairs])


class Params(forms.Form):
    """Declare the fields of a page's parameters; `parse` returns the cleaned values."""

    @classmethod
    def parse(cls, data: Any, **kwargs: Any) -> dict[str, Any]:
        form = cls(data, **kwargs)
        if not form.is_valid():
            raise BadParameters(
                "; ".join(
                    f"«{name}»: {' '.join(map(str, errors))}"
                    for name, errors in form.errors.items()
                )
            )
        return form.cleaned_data


def parse_id(value: Any, name: str) -> int:
    """A row id given in a parameter; not a positive 64-bit number answers 400."""
    try:
        return id_field(required=True).clean(value)
    except ValidationError as error:
        raise BadParameters(f"«{name}»: {' '.join(error.messages)}") from None


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where a form's `next` asks to go, if that is a page of this site; else the fallback."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def query_without_page(request: HttpRequest) -> str:
    """The page's query string for pager links, encoded, without its page number."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class RejectControlCharacters:
    """Middleware: no parameter of any page or form may hold control characters (other than
    tabs and line breaks) or marks that reverse the text direction. Typed text never does; in a
    name they make one name pass for another, and in a Word or Excel document they break it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, *args: Any) -> None:
        for data in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
            for name, values in data.lists():
                if any(CONTROL.search(v) for v in (name, *values)):
                    raise BadParameters(f"«{name[:50]}»: текст без управляющих символов")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: our own parameter errors on the site's layout with their message; anything
    else (a disallowed host, a broken multipart body) on the plain page, as the request itself
    may be what is wrong."""
    if isinstance(exception, BadParameters):
        return render(request, "400.html", {"message": str(exception)}, status=400)
    # without the request: a disallowed host is refused before the user is known, and the
    # context processors need the user
    return HttpResponseBadRequest(loader.render_to_string("400.html"))
