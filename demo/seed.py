"""The demo archipel: three territories built from real Andorran parish boundaries.

Andorra is used because its OpenStreetMap extract is the largest real road network available
offline to the project; a French authority is created the same way from its EPCI or communes."""

import io
import random
import zlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image, ImageDraw, ImageFont

from core.services import user_ensure_verified
from incentives.models import Campaign
from incentives.services.campaigns import (
    campaign_activate,
    campaign_create,
    simulate,
    siret_checks,
)
from interop.models import Partner
from interop.partners import partner_register
from matching.graphs import graph_build, graph_path
from matching.maps import tiles_build, tiles_path
from matching.models import PlaceName, RoadGraphRecord
from matching.network import Place, commune_at
from provisioning.services import BoundarySource, territory_create
from solidarity.models import (
    PERIOD_HOURS,
    Beneficiary,
    Need,
    Period,
    Purpose,
    Structure,
    Volunteer,
)
from solidarity.services.beneficiaries import beneficiary_register
from solidarity.services.volunteers import availability_set, volunteer_accept, volunteer_apply
from tenants.management.commands.load_areas import load_areas
from tenants.members.models import Role
from tenants.members.services import membership_join
from tenants.models import Domain, Territory
from themes.services import settings_update, theme_update
from trips.models import Booking, Confirmation, Journey
from trips.pricing import share
from trips.services.rides import RideTerms, departure_offer, ride_fields

DEMO_PASSWORD = "archipel-demo"
SUPERUSER_EMAIL = "superadmin@archipel.example"
PUBLIC_DOMAINS = ["localhost", "127.0.0.1"]
PARISHES_FILE = settings.BASE_DIR / "data" / "geo" / "andorra-parishes.geojson"
CROSS_TERRITORY_EMAIL = "marie@archipel.example"
DEMO_GRAPH = "andorra"
ANDORRA_EXTRACT = settings.BASE_DIR / "data" / "osm" / "andorra.osm.gz"


@dataclass(frozen=True)
class DemoTerritory:
    slug: str
    name: str
    area_codes: tuple[str, ...]
    initials: str
    theme: dict
    solidarity: bool


DEMO_TERRITORIES = (
    DemoTerritory(
        "andorra-la-vella",
        "Andorra la Vella",
        ("AD-07",),
        "AV",
        {
            "display_name": "Covoit' Andorra la Vella",
            "primary_colour": "#0b4f8a",
            "on_primary_colour": "#ffffff",
            "secondary_colour": "#fde7a5",
            "on_secondary_colour": "#1b1b1b",
            "welcome_text": "Partagez vos trajets quotidiens dans la capitale et ses vallées.",
        },
        True,
    ),
    DemoTerritory(
        "escaldes-engordany",
        "Escaldes-Engordany",
        ("AD-08",),
        "EE",
        {
            "display_name": "Escaldes en commun",
            "primary_colour": "#7a1f3d",
            "on_primary_colour": "#ffffff",
            "secondary_colour": "#e3f1ea",
            "on_secondary_colour": "#14301f",
            "welcome_text": "Le covoiturage de proximité entre Escaldes, Engordany et les vallées.",
        },
        False,
    ),
    DemoTerritory(
        "encamp",
        "Encamp",
        ("AD-03",),
        "EN",
        {
            "display_name": "Encamp Mobilité",
            "primary_colour": "#1d6b3a",
            "on_primary_colour": "#ffffff",
            "secondary_colour": "#fbe3d3",
            "on_secondary_colour": "#3b1d0e",
            "welcome_text": "Montez ensemble vers les pistes et descendez ensemble vers la ville.",
        },
        True,
    ),
)

ROLE_ACCOUNTS = (
    ("citizen", "Camille", [Role.CITIZEN]),
    ("admin", "Alex", [Role.CITIZEN, Role.TERRITORY_ADMIN]),
    ("data", "Dominique", [Role.CITIZEN, Role.DATA_OFFICER]),
    ("operator", "Olivia", [Role.CITIZEN, Role.OPERATOR]),
    ("volunteer", "Victor", [Role.CITIZEN, Role.VOLUNTEER]),
    ("beneficiary", "Berthe", [Role.BENEFICIARY]),
    ("incentives", "Inès", [Role.CITIZEN, Role.INCENTIVE_MANAGER]),
)


def demo_host(slug: str) -> str:
    return f"{slug}.localhost"


def demo_email(account: str, slug: str) -> str:
    return f"{account}@{slug}.example"


def demo_logo(initials: str, background: str, foreground: str) -> bytes:
    image = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 248, 248), radius=48, fill=background)
    font = ImageFont.load_default(size=110)
    draw.text((128, 132), initials, fill=foreground, font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def ensure_public_territory() -> Territory:
    public, _created = Territory.objects.get_or_create(
        schema_name="public", defaults={"slug": "archipel", "name": "Archipel"}
    )
    for index, host in enumerate(PUBLIC_DOMAINS):
        Domain.objects.get_or_create(
            domain=host, defaults={"tenant": public, "is_primary": index == 0}
        )
    return public


def _ensure_territory(spec: DemoTerritory) -> Territory:
    territory = Territory.objects.filter(slug=spec.slug).first()
    if territory is not None:
        return territory
    territory = territory_create(
        slug=spec.slug,
        name=spec.name,
        domains=[demo_host(spec.slug)],
        source=BoundarySource(area_codes=list(spec.area_codes)),
        graph_name=DEMO_GRAPH,
        theme={"display_name": spec.theme["display_name"]},
    )
    with schema_context(territory.schema_name):
        theme_update(
            values=spec.theme,
            logo=demo_logo(
                spec.initials, spec.theme["primary_colour"], spec.theme["on_primary_colour"]
            ),
        )
        settings_update(
            values={
                "solidarity_enabled": spec.solidarity,
                "contact_text": f"Mairie de {spec.name} — covoiturage@{spec.slug}.example",
                "legal_notice": f"Service de covoiturage de {spec.name}, opéré par la "
                "coopérative Archipel. Données hébergées en France.",
            }
        )
    return territory


def _ensure_member(user, roles: list[str]) -> None:
    membership = membership_join(user, roles=roles)
    if set(roles) - set(membership.roles):
        membership.roles = [r for r in Role.values if r in set(roles) | set(membership.roles)]
        membership.save(update_fields=["roles"])


SOLIDARITY_PURPOSES = (
    "Rendez-vous médical",
    "Courses",
    "Démarches administratives",
    "Recherche d'emploi",
    "Visite à un proche",
)
SOLIDARITY_NEEDS = (
    ("Fauteuil roulant", True),
    ("Doit être accompagné·e", False),
    ("Aide pour les bagages", False),
    ("Chien guide", False),
)
# (account, first name, home, wheelchair-accessible vehicle)
SOLIDARITY_VOLUNTEERS = (
    ("volunteer", "Victor", (1.5800, 42.5360, "Encamp"), False),
    ("volunteer2", "Núria", (1.5975, 42.5670, "Canillo"), False),
    ("volunteer3", "Jordi", (1.5410, 42.5100, "Escaldes-Engordany"), True),
)


HISTORY_PLACES = (
    (1.5800, 42.5360, "Encamp"),
    (1.5975, 42.5670, "Canillo"),
    (1.5410, 42.5100, "Escaldes-Engordany"),
    (1.5215, 42.5070, "Andorra la Vella"),
    (1.4910, 42.4650, "Sant Julià de Lòria"),
    (1.5140, 42.5450, "La Massana"),
)
HISTORY_WEEKS = 6
HISTORY_PEOPLE = 36


def _ensure_history(spec: DemoTerritory) -> None:
    """Six weeks of past carpooling (seeded): rides between the parishes, accepted bookings,
    confirmations (some with times and positions) and journeys — so that the authority's
    dashboard has figures above the suppression threshold."""

    if Journey.objects.exists():
        return
    rng = random.Random(spec.slug)
    people = []
    for n in range(HISTORY_PEOPLE):
        user = user_ensure_verified(
            demo_email(f"resident{n}", spec.slug), password=DEMO_PASSWORD, first_name=f"R{n}"
        )
        if not user.phone:
            user.phone, user.last_name = f"+336{10000000 + n:08d}", f"Resident {n}"
            user.save(update_fields=["phone", "last_name"])
        _ensure_member(user, [Role.CITIZEN])
        people.append(user)
    routes: dict = {}
    today = timezone.localdate()
    for days_ago in range(HISTORY_WEEKS * 7, 0, -1):
        day = today - timedelta(days=days_ago)
        if day.weekday() >= 5:
            continue
        free = rng.sample(people, len(people))  # nobody travels twice on one day
        for _ride in range(rng.randint(2, 4)):
            a, b = rng.sample(range(len(HISTORY_PLACES)), 2)
            driver, *passengers = (free.pop() for _n in range(1 + rng.randint(1, 3)))
            key = (a, b)
            if key not in routes:
                routes[key] = ride_fields(
                    driver, Place(*HISTORY_PLACES[a]), Place(*HISTORY_PLACES[b]), RideTerms()
                )
            hour = rng.choice([7, 7, 8, 8, 8, 9, 12, 17, 17, 18])
            departure = timezone.make_aware(
                datetime.combine(day, time(hour, rng.choice([0, 15, 30])))
            )
            _past_ride(routes[key], driver, passengers, departure, rng)
    if spec.slug == DEMO_SIGNALS_TERRITORY:
        _seed_abusive_pattern(people, rng)


def _siret(prefix: str) -> str:
    """A SIRET whose check digit (Luhn) is right: the demo's funders are not real ones."""
    return next(prefix + d for d in "0123456789" if siret_checks(prefix + d))


def _ensure_incentives(spec: DemoTerritory) -> None:
    """One active campaign (0,10 €/km for passengers' trips of 2 to 40 km inside the parish,
    30 € per person a month, 2 000 €) and a draft — the national newcomers' bonus for drivers —
    simulated on the seeded past journeys."""
    if Campaign.objects.exists():
        return
    admin = get_user_model().objects.get(email=demo_email("admin", spec.slug))
    today = timezone.localdate()
    funder = {
        "funder_name": f"Comú de {spec.name}" if spec.slug != "encamp" else "Comú d'Encamp",
        "funder_siret": _siret(f"2{zlib.crc32(spec.slug.encode()) % 10**12:012d}"),
        "funder_iban": "FR7630006000011234567890189",
        "funder_bic": "",
    }
    codes = list(spec.area_codes)
    active = campaign_create(
        by=admin,
        name=f"Covoiturer dans la paroisse – {spec.name}",
        starts_on=today.replace(day=1),
        ends_on=today.replace(month=12, day=31),
        budget=2000,
        paid=Campaign.Paid.PASSENGER,
        rules={
            "per_km": "0.10",
            "distance_min_km": 2,
            "distance_max_km": 40,
            "origin_areas": codes,
            "destination_areas": codes,
            "cap_month": "30",
            "registry_anomalies": True,
        },
        **funder,
    )
    campaign_activate(active, by=admin)
    draft = campaign_create(
        by=admin,
        name="Prime nouveaux conducteurs (CEE)",
        starts_on=today - timedelta(days=HISTORY_WEEKS * 7),
        ends_on=today + timedelta(days=90),
        budget=5000,
        paid=Campaign.Paid.DRIVER,
        rules={
            "milestones": [
                {"trip": 1, "amount": "25"},
                {"trip": 10, "amount": "75", "within_days": 90},
            ],
            "distance_max_km": 80,
            "min_class": "C",
        },
        **funder,
    )
    simulate(draft, today - timedelta(days=HISTORY_WEEKS * 7), today - timedelta(days=1), by=admin)


def _ensure_solidarity(spec: DemoTerritory) -> None:
    """A structure with its operator, three volunteers around the valley and one person from
    Canillo who goes to the hospital in Escaldes-Engordany (docs/solidarity.md)."""

    structure, _created = Structure.objects.get_or_create(name=f"Entraide {spec.name}")
    operator = user_ensure_verified(demo_email("operator", spec.slug), password=DEMO_PASSWORD)
    structure.operators.add(operator)
    for name in SOLIDARITY_PURPOSES:
        Purpose.objects.get_or_create(structure=structure, name=name)
    needs = {
        name: Need.objects.get_or_create(
            structure=structure, name=name, defaults={"requires_accessible_vehicle": accessible}
        )[0]
        for name, accessible in SOLIDARITY_NEEDS
    }
    weekdays = [
        (day, period, *PERIOD_HOURS[period])
        for day in range(5)
        for period in (Period.MORNING, Period.AFTERNOON)
    ]
    for account, first_name, (lon, lat, label), accessible in SOLIDARITY_VOLUNTEERS:
        user = user_ensure_verified(
            demo_email(account, spec.slug), password=DEMO_PASSWORD, first_name=first_name
        )
        _ensure_member(user, [Role.CITIZEN, Role.VOLUNTEER])
        if Volunteer.objects.filter(user=user, structure=structure).exists():
            continue
        volunteer = volunteer_apply(
            user=user,
            structure=structure,
            home=Place(lon, lat, label),
            accessible_vehicle=accessible,
            needs=list(needs.values()) if accessible else [needs["Aide pour les bagages"]],
        )
        volunteer_accept(volunteer, operator=operator)
        availability_set(volunteer, weekdays)
    if not Beneficiary.objects.filter(structure=structure).exists():
        beneficiary_register(
            operator=operator,
            structure=structure,
            first_name="Berthe",
            last_name="Puig",
            phone="+376 800 000",
            home=Place(1.5975, 42.5670, "Canillo, plaça Major"),
            social_criterion="aspa",
            needs=[needs["Aide pour les bagages"]],
            notes="Ne conduit plus ; rendez-vous réguliers à l'hôpital.",
        )


def _past_ride(fields: dict, driver, passengers: list, departure, rng) -> None:
    """A ride that took place: accepted bookings, both sides' confirmations (some with times
    and positions) and the journeys."""

    offer = departure_offer({**fields, "driver": driver}, departure)
    offer.seats_taken = len(passengers)
    offer.seats = max(3, len(passengers))
    offer.save()
    for passenger in passengers:
        pickup_at = departure + timedelta(minutes=2)
        dropoff_at = pickup_at + timedelta(seconds=max(60, offer.duration_s))
        booking = Booking.objects.create(
            offer=offer,
            passenger=passenger,
            seats=1,
            status=Booking.Status.ACCEPTED,
            decided_at=departure - timedelta(days=1),
            pickup_label=offer.origin_label,
            dropoff_label=offer.destination_label,
            pickup=offer.origin,
            dropoff=offer.destination,
            pickup_at=pickup_at,
            dropoff_at=dropoff_at,
            distance_m=offer.distance_m,
            detour_s=0,
            price=share(offer.distance_m, offer.cost_per_km),
            driver_confirmed_at=dropoff_at,
            passenger_confirmed_at=dropoff_at,
        )
        detailed = rng.random() < 0.6
        for side in ("driver", "passenger"):
            Confirmation.objects.create(
                booking=booking,
                side=side,
                pickup_at=pickup_at if detailed else None,
                dropoff_at=dropoff_at if detailed else None,
                pickup=offer.origin if detailed else None,
                dropoff=offer.destination if detailed else None,
            )
        Journey.objects.create(
            booking=booking,
            driver=driver,
            passenger=passenger,
            pickup_at=pickup_at,
            dropoff_at=dropoff_at,
            pickup=offer.origin,
            dropoff=offer.destination,
            distance_m=offer.distance_m,
            duration_s=offer.duration_s,
            seats=1,
            amount=booking.price,
            pickup_commune=commune_at(offer.origin),
            dropoff_commune=commune_at(offer.destination),
            driver_confirmed_at=dropoff_at,
            passenger_confirmed_at=dropoff_at,
        )


# Where the demo seeds a pattern the moderators' signals catch: resident0 drives five short
# rides one early morning, each starting less than 30 minutes after the previous one ended.
DEMO_SIGNALS_TERRITORY = "andorra-la-vella"


def _seed_abusive_pattern(people: list, rng) -> None:

    day = timezone.localdate() - timedelta(days=3)
    there = ride_fields(
        people[0], Place(*HISTORY_PLACES[0]), Place(*HISTORY_PLACES[1]), RideTerms()
    )
    back = ride_fields(people[0], Place(*HISTORY_PLACES[1]), Place(*HISTORY_PLACES[0]), RideTerms())
    for n in range(5):
        departure = timezone.make_aware(
            datetime.combine(day, time(4, 30)) + timedelta(minutes=30 * n)
        )
        _past_ride(there if n % 2 == 0 else back, people[0], [people[1 + n]], departure, rng)


# A MaaS app registered on Andorra la Vella with a published key, to try the standard APIs.
DEMO_PARTNER_TERRITORY = "andorra-la-vella"
DEMO_PARTNER_KEY = "demo.archipel-demo-maas-key"


def _ensure_demo_partner() -> None:

    if not Partner.objects.filter(key_prefix=DEMO_PARTNER_KEY.split(".")[0]).exists():
        partner_register(
            name="MaaS de démonstration",
            operator="maas.demo.example",
            endpoints=["search", "bookings", "messages"],
            key=DEMO_PARTNER_KEY,
        )


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create or complete the demo; returns (territory URL host, e-mail, roles) rows."""

    load_areas(PARISHES_FILE, "AD")  # first: the place index gives each place its parish
    # Rebuilt when the place index predates kinds and communes (its towns were "place").
    graph_known = (
        RoadGraphRecord.objects.filter(name=DEMO_GRAPH).exists()
        and PlaceName.objects.filter(graph=DEMO_GRAPH, kind="town").exclude(commune="").exists()
    )
    if not (graph_known and graph_path(DEMO_GRAPH).exists()):
        graph_build(ANDORRA_EXTRACT, DEMO_GRAPH)
    if not tiles_path(DEMO_GRAPH).exists():  # `setup_archipel` built them with a progress bar
        tiles_build(ANDORRA_EXTRACT, DEMO_GRAPH)

    ensure_public_territory()
    User = get_user_model()
    if not User.objects.filter(email=SUPERUSER_EMAIL).exists():
        User.objects.create_superuser(SUPERUSER_EMAIL, DEMO_PASSWORD, first_name="Sam")
    rows = [(PUBLIC_DOMAINS[0], SUPERUSER_EMAIL, "platform superuser (/admin/)")]
    marie = user_ensure_verified(CROSS_TERRITORY_EMAIL, password=DEMO_PASSWORD, first_name="Marie")
    for spec in DEMO_TERRITORIES:
        territory = _ensure_territory(spec)
        with schema_context(territory.schema_name):
            for account, first_name, roles in ROLE_ACCOUNTS:
                email = demo_email(account, spec.slug)
                user = user_ensure_verified(email, password=DEMO_PASSWORD, first_name=first_name)
                _ensure_member(user, roles)
                rows.append(
                    (demo_host(spec.slug), email, ", ".join(str(Role(r).label) for r in roles))
                )
            _ensure_history(spec)
            _ensure_incentives(spec)
            if spec.solidarity:
                _ensure_solidarity(spec)
                roles = ", ".join(str(Role(r).label) for r in (Role.CITIZEN, Role.VOLUNTEER))
                rows += [
                    (demo_host(spec.slug), demo_email(account, spec.slug), roles)
                    for account, *_rest in SOLIDARITY_VOLUNTEERS[1:]
                ]
            if spec.slug == DEMO_PARTNER_TERRITORY:
                _ensure_demo_partner()
            # One person in two territories shows the archipel's single account.
            if spec.slug != "encamp":
                _ensure_member(marie, [Role.CITIZEN])
    rows.append(
        (
            "andorra-la-vella + escaldes-engordany",
            CROSS_TERRITORY_EMAIL,
            "citizen in two territories; not yet a member of Encamp (consent screen)",
        )
    )
    return rows
