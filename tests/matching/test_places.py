"""The territory's place index, built from the real Andorra extract with the test graph: what
people type finds the place they mean (ski resorts, hospitals, streets, addresses), a click
names the street it is on, and a typed text that names one place is enough for a form."""

import gzip
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context

from matching.gazetteer import normalise
from matching.graphs import graph_build, graph_path
from matching.models import PlaceName
from matching.selectors import place_at, places_named, places_search
from tenants.models import Area
from tenants.signals import areas_loaded
from tests.factories import tomorrow_at
from trips.forms import SearchForm

DATA = Path(__file__).resolve().parents[2] / "data" / "osm"

CONTRACT = {"label", "name", "kind", "kind_label", "commune", "lon", "lat"}
# A point ~25 m beside the road over the Port d'Envalira, 1.6 km from the middle of that
# 9.7 km road: the old index (one point per street, its middle node) had no name for it.
ENVALIRA_SIDE = (1.69795, 42.55015)


def found(client: Client, query: str) -> list[dict]:
    response = client.get("/places/", {"q": query})
    assert response.status_code == 200
    return response.json()


def test_a_prefix_finds_the_ski_resort_village_first(alpha):
    first = places_search("andorra", "grau r")[0]
    assert (first.name, first.kind, first.commune) == ("Grau Roig", "village", "Encamp")
    assert first.label == "Grau Roig (Encamp)"


def test_the_ski_areas_of_the_extract_are_ski_resorts(alpha):
    results = places_search("andorra", "vallnord")
    assert "Vallnord: Sector Pal" in [p.name for p in results]
    assert {p.kind for p in results} == {"ski"}  # the three sectors, nothing else
    assert len(results) == 3


def test_pas_de_la_casa_finds_the_only_place_of_that_name(alpha):
    # The 2013 extract has no place node "Pas de la Casa": the only thing of that name is
    # the chairlift leaving the resort, indexed at its lower station.
    first = places_search("andorra", "Pas de la Casa")[0]
    assert (first.name, first.kind, first.commune) == ("TSD4 Pas de la Casa", "ski_lift", "Encamp")


def test_hopital_in_french_finds_the_unnamed_hospitals_by_kind_and_commune(alpha):
    client = Client(HTTP_HOST=alpha.host)  # French, the territory's language
    results = found(client, "hopital")
    assert len(results) >= 4 and {p["kind"] for p in results[:4]} == {"hospital"}
    assert "Hôpital (Escaldes-Engordany)" in [p["label"] for p in results]
    assert all(p["kind_label"] == "Hôpital" and p["name"] == "Hôpital" for p in results[:4])
    (escaldes, *_rest) = found(client, "hôpital escaldes")
    assert escaldes["label"] == "Hôpital (Escaldes-Engordany)"
    assert escaldes["commune"] == "Escaldes-Engordany"


def test_an_address_of_the_extract_is_found_with_its_number(alpha):
    (first, *_rest) = found(Client(HTTP_HOST=alpha.host), "11 avinguda merit")
    assert first["kind"] == "address" and first["kind_label"] == "Adresse"
    assert first["label"] == "11 Avinguda Meritxell (Andorra la Vella)"
    assert PlaceName.objects.filter(graph="andorra", kind="address").count() == 3


def test_case_accents_and_a_typing_error_do_not_matter(alpha):
    assert places_search("andorra", "SANT JULIA DE LORIA")[0].name == "Sant Julià de Lòria"
    assert places_search("andorra", "canilo")[0].name == "Canillo"
    assert places_search("andorra", "crarer major")[0].name == "Carrer Major"
    assert places_search("andorra", "x") == [] and places_search("andorra", "--") == []


def test_the_territory_own_places_come_first(alpha, beta):
    for cast, parish in ((alpha, "Encamp"), (beta, "Escaldes-Engordany")):
        results = found(Client(HTTP_HOST=cast.host), "carrer")
        assert [p["commune"] for p in results[:5]] == [parish] * 5, cast.host


def test_a_town_comes_before_its_parish_and_a_meeting_point_kind_is_searchable(alpha):
    (encamp, *_rest) = places_search("andorra", "Encamp")
    assert (encamp.label, encamp.kind) == ("Encamp", "town")


def test_the_json_answer_keeps_its_contract(alpha):
    client = Client(HTTP_HOST=alpha.host)
    results = found(client, "carrer")
    assert len(results) == 8 and all(set(p) == CONTRACT for p in results)
    street = results[0]
    assert street["kind"] == "street" and street["kind_label"] == "Rue"
    assert street["label"] == f"{street['name']} ({street['commune']})"
    at = client.get("/places/at/", {"lon": ENVALIRA_SIDE[0], "lat": ENVALIRA_SIDE[1]}).json()
    assert set(at) == CONTRACT


def test_a_click_beside_a_long_road_far_from_its_middle_takes_its_name(alpha):
    lon, lat = ENVALIRA_SIDE
    answer = Client(HTTP_HOST=alpha.host).get("/places/at/", {"lon": lon, "lat": lat}).json()
    assert (answer["name"], answer["kind"], answer["commune"]) == (
        "Port d'Envalira",
        "street",
        "Encamp",
    )
    assert answer["label"] == "Port d'Envalira (Encamp)" and answer["kind_label"] == "Rue"
    assert (answer["lon"], answer["lat"]) == (lon, lat)  # the point clicked is kept
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(ST_Distance(point::geography,"
            " ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography))"
            " FROM matching_placename WHERE graph = 'andorra' AND name = %s",
            [lon, lat, "Port d'Envalira"],
        )
        assert cursor.fetchone()[0] > 1_000  # its search point is far: found along its line


def test_a_click_with_nothing_named_near_is_a_point_on_the_map_of_its_parish(alpha):
    with translation.override("fr"):
        point = place_at("andorra", 1.5800, 42.5360)
    assert (point.kind, point.name, point.commune) == ("map", "Point sur la carte", "Encamp")
    assert point.label == "Point sur la carte (Encamp)"


def _search(alpha, origin: str, **extra) -> SearchForm:
    data = {
        "origin_0": origin,
        "destination_0": "Andorra la Vella",
        "date": tomorrow_at(8).date().isoformat(),
        "time": "08:00",
        "window": 60,
        "seats": 1,
        **extra,
    }
    with schema_context(alpha.territory.schema_name), translation.override("fr"):
        form = SearchForm(data)
        form.is_valid()
        return form


def test_a_typed_text_that_names_one_place_is_located_there(alpha):
    form = _search(alpha, "grau roig")  # no coordinates: the text alone
    assert not form.errors.get("origin"), form.errors
    origin = form.cleaned_data["origin"]
    assert origin.label == "Grau Roig (Encamp)"
    grau_roig = places_named("andorra", "Grau Roig")[0]
    assert (origin.lon, origin.lat) == (grau_roig.lon, grau_roig.lat)
    assert form.cleaned_data["destination"].label == "Andorra la Vella"  # the town, not the parish
    label = _search(alpha, "Hôpital (Escaldes-Engordany)")  # a full label, as suggested
    assert label.cleaned_data["origin"].label == "Hôpital (Escaldes-Engordany)"


def test_an_ambiguous_or_unknown_text_is_refused_clearly(alpha):
    ambiguous = _search(alpha, "Hôpital")  # seven hospitals
    assert ambiguous.errors["origin"] == [
        "Plusieurs lieux s’appellent «\u00a0Hôpital\u00a0»\u00a0: choisissez-en un parmi les "
        "suggestions."
    ]
    assert _search(alpha, "Carrer Major").errors["origin"]  # two streets of La Massana
    unknown = _search(alpha, "Nowhere at all")
    assert unknown.errors["origin"] == ["Choisissez un lieu parmi les suggestions."]


def test_the_home_page_search_takes_a_typed_place_and_explains_an_ambiguous_one(alpha):
    page = Client(HTTP_HOST=alpha.host).get(
        "/",
        {
            "origin_0": "Encamp",
            "destination_0": "Hôpital",
            "date": tomorrow_at(8).date().isoformat(),
            "time": "08:00",
            "window": 60,
            "seats": 1,
        },
    )
    assert page.status_code == 400  # the form's answer to an error
    text = page.content.decode()
    assert "Plusieurs lieux s’appellent «\u00a0Hôpital\u00a0»" in text
    assert "origin" not in page.context["form"].errors


@pytest.fixture
def monaco_graph(archipel, db):
    """A second graph (Monaco's roads), as another territory of the archipel would have."""
    graph_build(DATA / "monaco.osm.gz", "monaco-places")
    yield "monaco-places"
    graph_path("monaco-places").unlink(missing_ok=True)


def test_place_search_reads_only_the_territory_graph(alpha, beta, monaco_graph):
    beta.territory.graph_name = monaco_graph
    beta.territory.save(update_fields=["graph_name"])
    monaco_name = PlaceName.objects.filter(graph=monaco_graph, kind="street").first().name
    on_alpha, on_beta = Client(HTTP_HOST=alpha.host), Client(HTTP_HOST=beta.host)
    assert found(on_alpha, "grau roig") and not found(on_beta, "grau roig")
    assert found(on_beta, monaco_name)
    assert monaco_name not in [p["name"] for p in found(on_alpha, monaco_name)]
    assert all(42.4 < p["lat"] < 42.7 for p in found(on_alpha, monaco_name[:4]))
    near_envalira = on_beta.get("/places/at/", {"lon": ENVALIRA_SIDE[0], "lat": ENVALIRA_SIDE[1]})
    assert near_envalira.status_code == 400  # not on Beta's roads any more


def test_areas_loaded_later_join_the_index(alpha):
    escaldes = Area.objects.get(code="AD-08")
    Area.objects.create(
        code="AD-99", kind=Area.Kind.FOREIGN, country="AD", name="Parròquia de Prova",
        geometry=escaldes.geometry,
    )  # fmt: skip
    assert not places_search("andorra", "parroquia de prova")
    areas_loaded.send(sender=Area)
    (area, *_rest) = places_search("andorra", "parroquia de prova")
    assert (area.kind, area.label) == ("area", "Parròquia de Prova")


BAN_HEADER = (
    "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;"
    "code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;"
    "libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;"
    "cad_parcelles"
)


def ban_row(number: str, rep: str, street: str, lon: str, lat: str) -> str:
    return (
        f"AD03_x_{number};;{number};{rep};{street};AD200;AD-03;Encamp;;;;;{lon};{lat};"
        "entrée;;;ENCAMP;;commune;commune;1;"
    )


def test_ban_addresses_are_imported_into_the_graph_and_replaced_on_import(alpha, tmp_path):
    rows = [
        ban_row("12", "bis", "Carrer de la Plana", "1.5901", "42.5316"),
        ban_row("3", "", "Carrer de la Plana", "1.5905", "42.5318"),
        ban_row("7", "", "Rue de Rivoli", "2.3522", "48.8566"),  # Paris: not in this graph
        ban_row("", "", "Carrer de la Plana", "1.59", "42.53"),  # no number
        ban_row("5", "", "Carrer de la Plana", "x", "42.53"),  # no longitude
    ]
    path = tmp_path / "adresses-ad.csv.gz"
    path.write_bytes(gzip.compress(("\n".join([BAN_HEADER, *rows]) + "\n").encode()))
    call_command("import_addresses", str(path), "--graph", "andorra", stdout=(out := StringIO()))
    assert "2 addresses imported into andorra, 1 outside its extent, 2 skipped" in out.getvalue()
    (door, *_rest) = places_search("andorra", "12 bis carrer de la plana", local_areas=["AD-03"])
    assert (door.label, door.kind, door.commune) == (
        "12 bis Carrer de la Plana (Encamp)",
        "address",
        "Encamp",
    )
    assert (door.lon, door.lat) == (1.5901, 42.5316)
    call_command("import_addresses", str(path), "--graph", "andorra", stdout=StringIO())
    assert PlaceName.objects.filter(graph="andorra", source="ban").count() == 2  # replaced


def test_a_ban_file_without_its_columns_or_for_no_graph_changes_nothing(alpha, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("numero,nom_voie\n1,Rue\n")
    with pytest.raises(CommandError, match="missing columns code_insee, lat, lon, nom_commune"):
        call_command("import_addresses", str(bad), "--graph", "andorra")
    with pytest.raises(CommandError, match="Unknown road graph"):
        call_command("import_addresses", str(bad), "--graph", "nowhere")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(
        "numero,rep,nom_voie,code_insee,nom_commune,lon,lat\n1,,Pré,x,y,1.5,42.5\n".encode(
            "latin-1"
        )
    )
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_addresses", str(latin1), "--graph", "andorra")
    assert not PlaceName.objects.filter(graph="andorra", source="ban").exists()
    nul = tmp_path / "nul.csv"
    nul.write_bytes(
        b"numero,rep,nom_voie,code_insee,nom_commune,lon,lat\n1,,R\x00ue,x,y,1.5,42.5\n"
    )
    call_command("import_addresses", str(nul), "--graph", "andorra", stdout=(out := StringIO()))
    assert "0 addresses imported into andorra, 0 outside its extent, 1 skipped" in out.getvalue()


def test_normalised_text_has_no_case_accents_or_punctuation():
    assert normalise("Hôpital Notre-Dame") == "hopital notre dame"
    assert normalise("ŒUVRE  de l’Église, Straße") == "oeuvre de l eglise strasse"
    assert normalise("Vallnord: Sector Pal") == "vallnord sector pal"
