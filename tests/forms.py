"""Form data the pages' tests post or search with, shared by every test directory."""

from .factories import ANDORRA_LA_VELLA, ESCALDES, tomorrow_at

# The search form of the home page: Escaldes → Andorra la Vella tomorrow around 08:15.
SEARCH = {
    "origin_0": "Escaldes", "origin_1": ESCALDES.lon, "origin_2": ESCALDES.lat,
    "destination_0": "Andorra la Vella", "destination_1": ANDORRA_LA_VELLA.lon,
    "destination_2": ANDORRA_LA_VELLA.lat, "date": tomorrow_at(8).date().isoformat(),
    "time": "08:15", "window": 60, "seats": 1,
}  # fmt: skip

# A valid appearance form of the territory admin (/manage/appearance/): theme and settings.
VALID_APPEARANCE = {
    "theme-display_name": "Alpha Covoit",
    "theme-primary_colour": "#0b4f8a",
    "theme-on_primary_colour": "#ffffff",
    "theme-secondary_colour": "#fde7a5",
    "theme-on_secondary_colour": "#1b1b1b",
    "theme-welcome_text": "Bienvenue",
    "settings-contact_text": "mairie@alpha.test",
    "settings-legal_notice": "Mentions",
    "settings-cost_per_km_default": "0.09",
    "settings-cost_per_km_max": "0.15",
    "settings-publication_horizon_days": "365",
    "settings-solidarity_enabled": "on",
    "settings-solidarity_rule": "french",
    "settings-solidarity_population_threshold": "10000",
    "settings-solidarity_max_trip_km": "80",
    "settings-solidarity_cost_per_km": "0.300",
    "settings-solidarity_cost_per_km_cap": "0.320",
    "settings-observatory_min_people": "11",
    "settings-co2_kg_per_km": "0.218",
    "settings-data_licence": "Licence Ouverte 2.0",
}


def place_fields(prefix, place):
    """The three inputs of a place widget (label, longitude, latitude)."""
    return {f"{prefix}_0": place.label, f"{prefix}_1": place.lon, f"{prefix}_2": place.lat}
