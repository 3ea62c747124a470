"""What each main page costs the server: CPU milliseconds and SQL queries per request, for every
role of the load benchmark, measured in one process (the Django test client, the whole middleware
stack and templates) on a demo database. CPU time, not wall time, so that figures taken on a busy
machine compare before and after a change.

    SHNOR_DATA_DIR=<a folder with the demo loaded> python benchmarks/page_costs.py [--repeat 5]
        [--profile /school/ --as region]   # cProfile of one page, the 30 costliest functions

The pages are those of `load_demo.py`; each is requested once to warm the caches, then
`--repeat` times; the median is printed.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shnor.settings")
os.environ.pop("SHNOR_DEBUG", None)  # as served: debug off


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", help="a path to profile instead of the table")
    parser.add_argument("--as", dest="role", default="region")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from load_demo import ROLES, page_list
    from shnor.accounts.models import User

    settings.ALLOWED_HOSTS = ["testserver"]
    pages = page_list(ROLES)

    def client_of(role: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=role))
        return client

    if args.profile:
        client = client_of(args.role)
        client.get(args.profile)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(args.profile)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        return

    per_role: dict[str, list[float]] = {}
    print(f"{'role':<9} {'page':<34} {'CPU ms':>7} {'queries':>7}")
    for role in ROLES:
        client = client_of(role)
        for path in pages[role]:
            assert client.get(path, follow=True).status_code == 200, f"{role} {path}"
            times = []
            for _ in range(args.repeat):
                reset_queries()
                with CaptureQueriesContext(connection) as queries:
                    started = time.process_time()
                    client.get(path, follow=True)
                    times.append(time.process_time() - started)
            median = statistics.median(times) * 1000
            per_role.setdefault(role, []).append(median)
            print(f"{role:<9} {path:<34} {median:7.1f} {len(queries):7d}")
    # the load benchmark's mix: as many users per role, each page of a role equally often
    mix = statistics.mean(statistics.mean(costs) for costs in per_role.values())
    print(f"mean CPU per request in the load benchmark's mix: {mix:.1f} ms")


if __name__ == "__main__":
    main()
