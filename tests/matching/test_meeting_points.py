"""The national carpool meeting points (BNLC): import, and suggestion in place search."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.gis.geos import Polygon
from django.core.management import CommandError, call_command
from django.utils import timezone

from matching.models import MeetingPoint, RoadGraphRecord
from matching.selectors import places_search

DATA = Path(__file__).resolve().parents[2] / "data" / "meeting-points" / "bnlc.csv"


def test_import_is_complete_and_idempotent(archipel, db):
    out = StringIO()
    call_command("import_meeting_points", str(DATA), stdout=out)
    count = MeetingPoint.objects.count()
    assert count > 2400 and f"{count} meeting points imported" in out.getvalue()
    call_command("import_meeting_points", str(DATA), stdout=StringIO())
    assert MeetingPoint.objects.count() == count


def test_meeting_points_inside_the_graph_area_are_suggested(archipel, db):
    call_command("import_meeting_points", str(DATA), stdout=StringIO())
    point = MeetingPoint.objects.get(ref="01004-C-002")  # Ambérieu-en-Bugey station
    x, y = point.point.x, point.point.y
    RoadGraphRecord.objects.create(
        name="ain-test",
        source="test",
        built_at=timezone.now(),
        nodes=1,
        edges=1,
        extent=Polygon.from_bbox((x - 0.1, y - 0.1, x + 0.1, y + 0.1)),
    )
    found = places_search("ain-test", "covoit'ici Ambérieu")
    assert found and found[0].kind == "meeting_point" and "Ambérieu" in found[0].label
    assert places_search("andorra", "covoit'ici Ambérieu") == []  # outside Andorra's graph


def test_a_file_without_the_columns_changes_nothing(archipel, db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="missing columns"):
        call_command("import_meeting_points", str(bad))
    assert not MeetingPoint.objects.exists()
