"""The dashboard page «Эффективность поддержки»: supported schools against comparable ones and
the exit of listed schools, the same sections as the programme-effectiveness справка."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from shnor.accounts.choices import Role
from shnor.accounts.http import AuthenticatedHttpRequest
from shnor.core.params import Params, id_field, year_field
from shnor.indicators.support_effect import page_sections, support_effect_sections
from shnor.indicators.views import years_and_region
from shnor.registry.models import Municipality


class EffectivenessParams(Params):
    year = year_field()
    municipality = id_field()


@login_required
def effectiveness(request: AuthenticatedHttpRequest) -> HttpResponse:
    region, years, year = years_and_region(request)
    params = EffectivenessParams.parse(request.GET)
    places = Municipality.objects.restrict(request.user).filter(region=region).order_by("name")
    chosen = None
    if request.user.role == Role.MUNICIPALITY:
        chosen = places.first()  # the scope leaves the coordinator's own municipality only
    elif params["municipality"]:
        chosen = places.filter(pk=params["municipality"]).first()
    sections = support_effect_sections(request.user, region, chosen, year)
    return render(
        request,
        "indicators/effectiveness.html",
        {
            "title": f"Эффективность поддержки: {chosen.name if chosen else region.name}",
            "year": year,
            "years": years,
            "municipalities": places,
            "chosen": chosen,
            "may_choose": request.user.role != Role.MUNICIPALITY,
            "sections": page_sections(sections),
        },
    )
