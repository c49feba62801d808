import django.contrib.postgres.fields.ranges
import django.contrib.postgres.indexes
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("trips", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="offer",
            name="active_window",
            field=django.contrib.postgres.fields.ranges.DateTimeRangeField(null=True),
        ),
        migrations.RunSQL(
            "UPDATE trips_offer SET active_window = tstzrange("
            "departure_at - margin_minutes * interval '1 minute', "
            "departure_at + margin_minutes * interval '1 minute'"
            " + (ceil(duration_s * (1 + max_detour_ratio)) + 1) * interval '1 second')",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="offer",
            name="active_window",
            field=django.contrib.postgres.fields.ranges.DateTimeRangeField(),
        ),
        migrations.AddIndex(
            model_name="offer",
            index=django.contrib.postgres.indexes.GistIndex(
                fields=["reach", "active_window"], name="offer_reach_window"
            ),
        ),
    ]
