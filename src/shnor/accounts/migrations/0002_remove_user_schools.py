# A curator's schools come from the curator's assignments in force (core/scope.py), not from a
# list kept in step by hand.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="user",
            name="schools",
        ),
    ]
