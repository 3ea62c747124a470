"""Evidence stored compactly (identification/models.py, EVIDENCE_KEYS): what the run's definition
already holds (indicator, label, comparison) is dropped from every school's row, the rest keeps
short keys in the definition's order."""

from django.db import migrations

KEYS = {
    "applicable": "a",
    "triggered": "t",
    "value": "v",
    "reference": "r",
    "threshold": "h",
    "window": "w",
    "detail": "d",
}


def compact(apps, schema_editor):
    SchoolStatus = apps.get_model("identification", "SchoolStatus")
    Run = apps.get_model("identification", "Run")
    for run in Run.objects.iterator():
        codes = [spec["code"] for spec in run.definition["indicators"]]
        changed = []
        for status in SchoolStatus.objects.filter(run=run).iterator(chunk_size=2000):
            by_code = {e["indicator"]: e for e in status.evidence if "indicator" in e}
            if not by_code:
                continue
            status.evidence = [
                {short: by_code.get(code, {}).get(name) for name, short in KEYS.items()}
                for code in codes
            ]
            changed.append(status)
        SchoolStatus.objects.bulk_update(changed, ["evidence"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("identification", "0001_initial")]

    operations = [migrations.RunPython(compact, migrations.RunPython.noop)]
