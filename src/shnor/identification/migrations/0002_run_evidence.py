"""Evidence moves from every school's row to one compressed Arrow table per run (RunEvidence);
the evidence already stored is carried over before the column goes."""

import io

import django.db.models.deletion
import polars as pl
from django.db import migrations, models

SCHEMA = {
    "school_id": pl.Int64,
    "indicator": pl.Utf8,
    "applicable": pl.Boolean,
    "triggered": pl.Boolean,
    "value": pl.Float64,
    "reference": pl.Float64,
    "threshold": pl.Float64,
    "compare": pl.Utf8,
    "window": pl.Utf8,
    "detail": pl.Utf8,
}


def carry_over(apps, schema_editor):
    Run = apps.get_model("identification", "Run")
    RunEvidence = apps.get_model("identification", "RunEvidence")
    SchoolStatus = apps.get_model("identification", "SchoolStatus")
    for run in Run.objects.iterator():
        order = {spec["code"]: n for n, spec in enumerate(run.definition["indicators"])}
        rows = [
            {**{k: item.get(k) for k in SCHEMA if k != "school_id"}, "school_id": school_id}
            for school_id, evidence in SchoolStatus.objects.filter(run=run)
            .order_by("school_id")
            .values_list("school_id", "evidence")
            .iterator(chunk_size=2000)
            for item in sorted(evidence, key=lambda e: order.get(e.get("indicator"), len(order)))
        ]
        buffer = io.BytesIO()
        pl.DataFrame(rows, schema=SCHEMA).write_ipc(buffer, compression="zstd")
        RunEvidence.objects.create(run=run, data=buffer.getvalue())


class Migration(migrations.Migration):

    dependencies = [
        ('identification', '0001_initial'),
        ('registry', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='RunEvidence',
            fields=[
                ('run', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='identification.run', verbose_name='запуск')),
                ('data', models.BinaryField(verbose_name='данные')),
            ],
            options={
                'verbose_name': 'доказательства запуска',
                'verbose_name_plural': 'доказательства запусков',
            },
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='schoolstatus',
            name='evidence',
        ),
        migrations.AlterField(
            model_name='schoolstatus',
            name='run',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='statuses', to='identification.run', verbose_name='запуск'),
        ),
        migrations.AlterField(
            model_name='schoolstatus',
            name='school',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='identification_statuses', to='registry.school', verbose_name='школа'),
        ),
    ]
