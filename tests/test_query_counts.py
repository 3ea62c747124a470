"""The busiest pages keep a bounded number of queries whatever the number of schools."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shnor.core.system import SystemUser
from shnor.demo.generator import YEARS, DemoRegion
from shnor.demo.support import seed_support
from shnor.identification.actions import do_run_identification
from shnor.identification.models import Methodology, Run
from shnor.support.models import Programme


@pytest.fixture
def demo(db: Any) -> Client:
    DemoRegion(seed=5).build()
    do_run_identification(
        Methodology.objects.get(code="federal"), YEARS[-1], acting_user=SystemUser()
    )
    seed_support(SystemUser())
    client = Client()
    client.login(username="region", password="demo")
    return client


def test_busiest_pages_have_bounded_queries(
    demo: Client, django_assert_max_num_queries: Any
) -> None:
    run = Run.objects.get()
    pages = {
        reverse("home"): 12,
        reverse("schools"): 12,
        reverse("identification:run", args=[run.pk]): 20,
        reverse("identification:index"): 12,
        reverse("school", args=[run.statuses.first().school_id]): 45,
        reverse("risks:heatmap"): 15,
        reverse("support:index"): 20,
        reverse("support:programme", args=[Programme.objects.latest("pk").pk]): 16,
        reverse("support:school", args=[Programme.objects.latest("pk").school_id]): 18,
        reverse("support:timeline"): 8,
    }
    for url, limit in pages.items():
        demo.get(url)  # the first view after a data change recomputes stored indicator values
        with django_assert_max_num_queries(limit):
            assert demo.get(url).status_code == 200, url
