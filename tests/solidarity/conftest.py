"""A solidarity structure in Alpha (Encamp) with its operator, volunteers around the valley and
a beneficiary from Canillo going to the hospital in Escaldes-Engordany."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from core.services import user_ensure_verified
from matching.network import Place
from solidarity.models import PERIOD_HOURS, Need, Period, Purpose, Structure
from solidarity.services.beneficiaries import beneficiary_register
from solidarity.services.requests import request_create
from solidarity.services.volunteers import availability_set, volunteer_accept, volunteer_apply
from tenants.members.services import membership_join
from tests.factories import PASSWORD
from themes.selectors import settings_get

CANILLO = Place(1.5975, 42.5670, "Canillo, plaça Major")
ENCAMP = Place(1.5800, 42.5360, "Encamp")
ANDORRA_LA_VELLA = Place(1.5215, 42.5070, "Andorra la Vella")
SANT_JULIA = Place(1.4910, 42.4650, "Sant Julià de Lòria")
HOSPITAL = Place(1.5370, 42.5110, "Hospital Nostra Senyora de Meritxell")
EVERY_SLOT = [(day, period, *PERIOD_HOURS[period]) for day in range(7) for period in Period.values]


def next_thursday_at(hour: int, minute: int = 0) -> datetime:
    today = timezone.localdate()
    days = (3 - today.weekday()) % 7 or 7
    return timezone.make_aware(datetime.combine(today + timedelta(days=days), time(hour, minute)))


@dataclass
class Solidarity:
    cast: object
    structure: Structure
    operator: object
    purpose: Purpose
    wheelchair: Need
    bags: Need
    volunteers: dict = field(default_factory=dict)
    beneficiary: object = None

    def request(self, **changes):
        values = {
            "operator": self.operator,
            "beneficiary": self.beneficiary,
            "purpose": self.purpose,
            "destination": HOSPITAL,
            "window_start": next_thursday_at(9),
            "window_end": next_thursday_at(10),
            "return_kind": "wait",
        }
        return request_create(**{**values, **changes})


def volunteer(structure, name: str, home: Place, operator, needs=(), **extra):
    user = user_ensure_verified(f"{name}@volunteers.test", password=PASSWORD, first_name=name)
    membership_join(user)
    v = volunteer_apply(user=user, structure=structure, home=home, needs=needs, **extra)
    volunteer_accept(v, operator=operator)
    availability_set(v, EVERY_SLOT)
    return v


@pytest.fixture
def sol(alpha):
    with schema_context(alpha.territory.schema_name):
        current = settings_get()
        current.solidarity_enabled = True
        current.save()
        structure = Structure.objects.create(name="Entraide Encamp")
        operator = alpha["operator"]
        structure.operators.add(operator)
        purpose = Purpose.objects.create(structure=structure, name="Rendez-vous médical")
        wheelchair = Need.objects.create(
            structure=structure, name="Fauteuil roulant", requires_accessible_vehicle=True
        )
        bags = Need.objects.create(structure=structure, name="Aide aux bagages")
        s = Solidarity(alpha, structure, operator, purpose, wheelchair, bags)
        s.volunteers = {
            "encamp": volunteer(structure, "Pere", ENCAMP, operator, needs=[bags]),
            "canillo": volunteer(structure, "Laia", CANILLO, operator),
            "vella": volunteer(
                structure,
                "Jordi",
                ANDORRA_LA_VELLA,
                operator,
                needs=[wheelchair, bags],
                accessible_vehicle=True,
            ),
        }
        s.beneficiary = beneficiary_register(
            operator=operator,
            structure=structure,
            first_name="Maria",
            last_name="Casals",
            phone="+376 000 000",
            home=CANILLO,
            social_criterion="aspa",
        )
        yield s
