"""The app's side of a territory's move between cells, run in its own process with a cell's
settings (`python tests/cluster/cell_side.py COMMAND …`, from test_cells.py, DATABASE_URL
naming that cell's database). It prints one JSON document.

- `referential`: what a new cell loads in its public schema before it takes a territory — the
  areas (the demo's Andorran parishes) and the road graph with its place index, built into the
  cell's own GRAPH_DIR;
- `serves SLUG`: what the moved territory answers on this cell, through Django's test client
  (the territory's home page, a member's own page signed in, the place search on the cell's
  referential, and how a moved person's first sign-in goes)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archipel.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from demo.seed import ANDORRA_EXTRACT, DEMO_GRAPH, PARISHES_FILE  # noqa: E402
from tenants.members.models import Membership  # noqa: E402
from tenants.models import Domain, Territory  # noqa: E402
from trips.models import Booking  # noqa: E402

PLACE_QUERY = "Encamp"


def referential() -> dict:
    started = time.monotonic()
    call_command("load_areas", str(PARISHES_FILE), country="AD", verbosity=0)
    areas_s = time.monotonic() - started
    call_command("build_road_graph", str(ANDORRA_EXTRACT), name=DEMO_GRAPH, verbosity=0)
    return {"areas_s": round(areas_s, 2), "graph_s": round(time.monotonic() - started - areas_s, 2)}


def serves(slug: str) -> dict:
    territory = Territory.objects.get(slug=slug)
    host = territory.primary_host
    with schema_context(territory.schema_name):
        members = Membership.objects.count()
        busiest = (
            Booking.objects.values("passenger").annotate(n=Count("pk")).order_by("-n", "passenger")
        ).first()
    passenger = get_user_model().objects.get(pk=busiest["passenger"])

    anonymous = Client(HTTP_HOST=host)
    home = anonymous.get("/")
    places = anonymous.get("/places/", {"q": PLACE_QUERY})
    signed_in = Client(HTTP_HOST=host)
    signed_in.force_login(passenger)
    my_trips = signed_in.get("/my-trips/")

    # A moved person has no password here (the archive carries none) and no allauth address
    # row: give them one as "forgot password" would, and sign in with it.
    passenger.set_password("moved-between-cells")
    passenger.save(update_fields=["password"])
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        signin = Client(HTTP_HOST=host).post(
            "/accounts/login/", {"login": passenger.email, "password": "moved-between-cells"}
        )
    return {
        "host": host,
        "domains": sorted(Domain.objects.filter(tenant=territory).values_list("domain", flat=True)),
        "areas": sorted(territory.areas.values_list("code", flat=True)),
        "members": members,
        "home": home.status_code,
        "home_names_territory": territory.name in home.content.decode(),
        "places": places.status_code,
        "places_found": [p["label"] for p in places.json()] if places.status_code == 200 else [],
        "my_trips": my_trips.status_code,
        "my_trips_bookings": busiest["n"],
        "signin": signin.status_code,
        "signin_to": signin.headers.get("Location", ""),
    }


def main(command: str, *args: str) -> None:
    out = {"referential": referential, "serves": serves}[command](*args)
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main(*sys.argv[1:])
