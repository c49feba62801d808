"""What a standard covoiturage provider on loopback answers, shared by the interop and the
browser tests: one usable journey tomorrow at 08:20 and items a search must drop."""

from tests.factories import ANDORRA_LA_VELLA, ESCALDES, tomorrow_at

PICKUP = int(tomorrow_at(8, 20).timestamp())


def standard_reply(method, path, query, body):
    assert path == "/sc/driver_journeys"
    journey = {
        "id": "j-1", "operator": "other.example", "type": "PLANNED",
        "driver": {"id": "d1", "alias": "Núria", "operator": "other.example"},
        "passengerPickupLat": ESCALDES.lat, "passengerPickupLng": ESCALDES.lon,
        "passengerDropLat": ANDORRA_LA_VELLA.lat, "passengerDropLng": ANDORRA_LA_VELLA.lon,
        "passengerPickupDate": PICKUP, "driverDepartureDate": PICKUP - 600, "duration": 900,
        "availableSeats": 2, "price": {"type": "PAYING", "amount": 2.5, "currency": "EUR"},
        "webUrl": "https://other.example/journeys/j-1",
    }  # fmt: skip
    unusable = [
        {**journey, "webUrl": "javascript:alert(1)"},  # not a link we would show
        {**journey, "driver": {}},
        "not an object",
    ]
    return 200, [journey, *unusable]
