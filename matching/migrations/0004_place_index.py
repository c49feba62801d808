"""The place index: kinds, communes, streets' lines, a normalised search column with its
trigram index, full-text documents for word-prefix matches, a rank for ties, the areas of
each graph; the unaccent extension for the meeting points searched live. Rows of the earlier
index (kinds "place" and "street", one point each) are kept and completed; `build_road_graph`
rebuilds them with the kinds."""

import django.contrib.gis.db.models.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

import matching.models

from matching.gazetteer import normalise


def complete_earlier_rows(apps, schema_editor):
    PlaceName = apps.get_model("matching", "PlaceName")
    rows = list(PlaceName.objects.only("id", "name", "kind"))
    for row in rows:
        row.search = normalise(row.name)[:200]
        row.weight = 25 if row.kind == "street" else 90  # a place before its area, as before
        row.rank = row.weight * 1000 - min(len(row.search), 999)
    PlaceName.objects.bulk_update(rows, ["search", "weight", "rank"], batch_size=2000)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE matching_placename p SET commune = a.name, commune_code = a.code "
            "FROM tenants_area a WHERE ST_Intersects(a.geometry, p.point)"
        )
    for code, name in PlaceName.objects.values_list("commune_code", "commune").distinct():
        PlaceName.objects.filter(commune_code=code).update(commune_search=normalise(name)[:120])
    # The areas were searched live; they are now part of each graph's index.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(AREAS_SQL)


AREAS_SQL = """
INSERT INTO matching_placename (graph, kind, name, search, keywords, commune, commune_code,
    commune_search, weight, rank, source, point, shape)
SELECT g.name, 'area', a.name, s.search, '', a.name, a.code, s.search, 80,
    80000 - least(length(s.search), 999), 'area', ST_PointOnSurface(a.geometry),
    ST_PointOnSurface(a.geometry)
FROM matching_roadgraphrecord g
JOIN tenants_area a ON ST_Intersects(a.geometry, g.extent)
CROSS JOIN LATERAL (
    SELECT btrim(regexp_replace(lower(unaccent(a.name)), '[^a-z0-9]+', ' ', 'g')) AS search
) s
"""


WORDS_SQL = """
INSERT INTO matching_placeword (graph, word, count)
SELECT graph, w, count(*)
FROM (
    SELECT graph,
        regexp_split_to_table(search || ' ' || keywords || ' ' || commune_search, ' +') AS w
    FROM matching_placename
) words
WHERE w <> '' AND length(w) <= 100
GROUP BY graph, w
"""


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0003_meetingpoint"),
        ("tenants", "0001_initial"),
    ]

    operations = [
        UnaccentExtension(),
        migrations.RemoveIndex(model_name="placename", name="placename_name_trgm"),
        migrations.AlterField(
            model_name="placename", name="kind", field=models.CharField(max_length=20)
        ),
        migrations.AlterField(
            model_name="placename",
            name="name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="placename",
            name="search",
            field=models.CharField(default="", max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="placename",
            name="keywords",
            field=models.CharField(blank=True, default="", max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="placename",
            name="commune",
            field=models.CharField(blank=True, default="", max_length=120),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="placename",
            name="commune_code",
            field=models.CharField(blank=True, default="", max_length=12),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="placename",
            name="commune_search",
            field=models.CharField(blank=True, default="", max_length=120),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="placename",
            name="weight",
            field=models.SmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="placename",
            name="rank",
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name="placename",
            name="source",
            field=models.CharField(
                choices=[
                    ("osm", "OpenStreetMap"),
                    ("ban", "Base Adresse Nationale"),
                    ("area", "tenants.Area"),
                ],
                default="osm",
                max_length=4,
            ),
        ),
        migrations.AddField(
            model_name="placename",
            name="shape",
            field=django.contrib.gis.db.models.fields.GeometryField(null=True, srid=4326),
        ),
        migrations.RunSQL("UPDATE matching_placename SET shape = point", migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="placename",
            name="shape",
            field=django.contrib.gis.db.models.fields.GeometryField(srid=4326),
        ),
        migrations.RunPython(complete_earlier_rows, migrations.RunPython.noop),
        migrations.AddField(
            model_name="placename",
            name="words",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.contrib.postgres.search.SearchVector(
                    matching.models.graph_terms("search"), config="simple"
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddField(
            model_name="placename",
            name="document",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.contrib.postgres.search.SearchVector(
                    matching.models.graph_terms("search", "keywords", "commune_search"),
                    config="simple",
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="placename",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["document"], name="placename_document", fastupdate=False
            ),
        ),
        migrations.AddIndex(
            model_name="placename",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["words"], name="placename_words", fastupdate=False
            ),
        ),
        migrations.AddIndex(
            model_name="placename",
            index=models.Index(fields=["graph", "source", "kind"], name="placename_graph_kind"),
        ),
        migrations.AddIndex(
            model_name="placename",
            index=models.Index(fields=["graph", "search"], name="placename_graph_search"),
        ),
        migrations.AddIndex(
            model_name="placename",
            index=models.Index(fields=["graph", "-rank"], name="placename_graph_rank"),
        ),
        migrations.AddIndex(
            model_name="placename",
            index=models.Index(
                fields=["graph", "commune_code", "-rank"], name="placename_commune_rank"
            ),
        ),
        migrations.CreateModel(
            name="PlaceWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("graph", models.CharField(max_length=64)),
                ("word", models.CharField(max_length=100)),
                ("count", models.PositiveIntegerField()),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        fastupdate=False,
                        fields=["word"],
                        name="placeword_word_trgm",
                        opclasses=["gin_trgm_ops"],
                    ),
                    models.Index(
                        fields=["graph", "word"],
                        name="placeword_prefix",
                        opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("graph", "word"), name="placeword_graph_word")
                ],
            },
        ),
        migrations.RunSQL(WORDS_SQL, migrations.RunSQL.noop),
    ]
