"""Searches are logged without who made them; those without result are the unmet demand."""

from django.utils import timezone
from django_tenants.utils import schema_context

from observatory.aggregates import ReportPeriod, indicators
from observatory.datasets import dataset
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, tomorrow_at
from trips.models import SearchLog


def search(client, origin, destination):
    query = {
        "from_lon": origin.lon,
        "from_lat": origin.lat,
        "to_lon": destination.lon,
        "to_lat": destination.lat,
        "date": tomorrow_at(8).date().isoformat(),
    }
    assert client.get("/api/v1/search/", query).status_code == 200


def test_searches_are_logged_by_area_and_unmet_pairs_counted(alpha):
    citizen = alpha.client("citizen")
    search(citizen, ESCALDES, ANDORRA_LA_VELLA)
    search(citizen, ESCALDES, ANDORRA_LA_VELLA)
    search(citizen, ENCAMP, ANDORRA_LA_VELLA)
    home = citizen.get(
        "/",
        {
            "origin_0": "Encamp", "origin_1": ENCAMP.lon, "origin_2": ENCAMP.lat,
            "destination_0": "Escaldes", "destination_1": ESCALDES.lon,
            "destination_2": ESCALDES.lat, "date": tomorrow_at(8).date().isoformat(),
            "time": "08:00", "window": 60, "seats": 1,
        },
    )  # fmt: skip
    assert home.status_code == 200
    today = timezone.localdate()
    with schema_context(alpha.territory.schema_name):
        logged = list(SearchLog.objects.values_list("origin_area", "destination_area", "results"))
        assert ("AD-08", "AD-07", 0) in logged and ("AD-03", "AD-08", 0) in logged
        assert len(logged) == 4
        assert not SearchLog._meta.get_field("at").null
        assert "user" not in {f.name for f in SearchLog._meta.get_fields()}
        table = dataset("unmet_demand", ReportPeriod(today, today), k=2)
        figures = indicators(ReportPeriod(today, today), k=2)
    shown = {(r["origin"], r["destination"]): r for r in table.rows if not r["suppressed"]}
    assert shown[("AD-08", "AD-07")]["searches_without_result"] == 2
    assert table.suppressed_cells == 2  # the two pairs searched once
    assert table.totals == {"searches_without_result": 2, "people_with_alert": 0}
    assert figures["searches"].value == 4 and figures["searches_without_result"].value == 4
