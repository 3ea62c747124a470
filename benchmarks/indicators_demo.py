"""Computing every indicator for the demo region (301 schools, 5 years): time of a full compute
and of a read of current values when the data has not changed.

    DATABASE_URL=… python benchmarks/indicators_demo.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import backend, best_of, setup_django


def main() -> None:
    setup_django(Path(tempfile.mkdtemp(prefix="shnor-bench-")))
    from django.core.management import call_command

    from shnor.indicators.catalogue import indicators
    from shnor.indicators.engine import compute, current_values
    from shnor.registry.models import Region

    call_command("demo", verbosity=0)
    region = Region.objects.get().pk
    years = [2021, 2022, 2023, 2024, 2025]
    full, values = best_of(3, lambda: compute(region, years))
    cached, _ = best_of(3, lambda: current_values(region, years))
    print(
        f"indicator benchmark on {backend()}: {len(indicators())} indicators × {len(years)} "
        f"years for the demo region → {values.height:,} values"
    )
    print(f"  full compute: {full:.2f} s; current values with unchanged data: {cached:.3f} s")


if __name__ == "__main__":
    main()
