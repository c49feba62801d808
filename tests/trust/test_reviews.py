"""Reviews after a journey: each side about the other, once, within 14 days; the person
reviewed answers once; no review without a journey; reviews are the person's: exported as a
signed document that verifies with the territory's published key."""

import json
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidSignature
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.errors import Conflict
from notifications.models import Notification
from tests.reputation import verify_reputation
from trips.models import Journey
from trust.models import Review
from trust.reputation import b64url_decode
from trust.services import review_answer, review_write

pytestmark = pytest.mark.django_db


def test_both_sides_review_once_and_the_subject_answers_once(journey, in_alpha, alpha, beta):
    passenger, driver = in_alpha["citizen"], in_alpha["driver"]
    page = alpha.client("citizen").get("/reviews/").content.decode()
    assert f"/journeys/{journey.pk}/review/" in page  # offered on the person's reviews page
    form = alpha.client("citizen").get(f"/journeys/{journey.pk}/review/").content.decode()
    assert "Conduite prudente" in form  # the passenger reviews a driver
    posted = alpha.client("citizen").post(
        f"/journeys/{journey.pk}/review/",
        {"text": "Ponctuel et agréable", "on_time": "yes", "safe_driving": "yes"},
    )
    assert posted.status_code == 302
    with schema_context(alpha.territory.schema_name):
        review = Review.objects.get(author=passenger)
        assert review.subject == driver and review.on_time and review.as_described is None
        assert Notification.objects.filter(user=driver, kind="review").exists()
    # The driver reviews the passenger: no "safe driving" about a passenger.
    form = alpha.client("driver").get(f"/journeys/{journey.pk}/review/").content.decode()
    assert "Conduite prudente" not in form
    with schema_context(alpha.territory.schema_name):
        review_write(journey, driver, text="Passagère à l'heure", facts={"on_time": True})
        with pytest.raises(Conflict, match="déjà"):
            review_write(journey, driver, text="Encore", facts={})
        assert Review.objects.count() == 2
        review_answer(review, driver, "Merci !")
        with pytest.raises(Conflict):
            review_answer(review, driver, "Et encore merci")
        with pytest.raises(Conflict):
            review_answer(Review.objects.get(author=driver), driver, "Ce n'est pas à moi")
    profile = alpha.client("citizen").get(f"/people/{driver.pk}/").content.decode()
    assert "Ponctuel et agréable" in profile and "Merci !" in profile
    assert "Trajets effectués ici" in profile
    # Profiles are the territory's: not a member of Beta, not found there.
    assert beta.client("citizen").get(f"/people/{driver.pk}/").status_code == 404


def test_refusals(journey, in_alpha, alpha, beta):
    outsider = in_alpha["volunteer"]
    with schema_context(alpha.territory.schema_name):
        with pytest.raises(Conflict, match="trajet que vous avez fait"):
            review_write(journey, outsider, text="Je n'y étais pas", facts={})
    # A journey one did not take is not found; an empty text is a field error.
    assert alpha.client("volunteer").get(f"/journeys/{journey.pk}/review/").status_code == 404
    empty = alpha.client("citizen").post(f"/journeys/{journey.pk}/review/", {"text": ""})
    assert empty.status_code == 400 and "errorlist" in empty.content.decode()
    # Fourteen days later it is too late.
    with schema_context(alpha.territory.schema_name):
        Journey.objects.filter(pk=journey.pk).update(dropoff_at=timezone.now() - timedelta(days=15))
        journey.refresh_from_db()
        with pytest.raises(Conflict, match="14"):
            review_write(journey, in_alpha["citizen"], text="En retard", facts={})
        assert not Review.objects.exists()
    # Another territory knows nothing of this journey.
    assert beta.client("citizen").get(f"/journeys/{journey.pk}/review/").status_code == 404


def test_the_exported_reputation_verifies_with_the_published_key(journey, in_alpha, alpha, beta):
    with schema_context(alpha.territory.schema_name):
        review_write(
            journey, in_alpha["driver"], text="Passagère charmante", facts={"on_time": True}
        )
    response = alpha.client("citizen").get("/account/reputation.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    document = response.json()
    jwks = Client(HTTP_HOST=alpha.host).get("/.well-known/jwks.json").json()  # public
    payload = verify_reputation(document, jwks)
    assert payload == document["reputation"]
    assert payload["iss"] == "http://alpha.localhost"
    assert payload["journeys"] == {"as_driver": 0, "as_passenger": 1}
    [review] = payload["reviews"]
    assert review["text"] == "Passagère charmante" and review["facts"] == {"on_time": True}
    assert review["role"] == "passenger"
    assert in_alpha["driver"].first_name not in json.dumps(payload)  # reviewers stay private
    # A changed document no longer verifies; Beta's key does not verify Alpha's document.
    forged = dict(document)
    head, body, sig = document["jws"].split(".")
    tampered = json.loads(b64url_decode(body))
    tampered["journeys"]["as_passenger"] = 99
    from trust.reputation import _canonical, b64url

    forged["jws"] = f"{head}.{b64url(_canonical(tampered))}.{sig}"
    with pytest.raises(InvalidSignature):
        verify_reputation(forged, jwks)
    beta_keys = Client(HTTP_HOST=beta.host).get("/.well-known/jwks.json").json()
    assert {k["kid"] for k in beta_keys["keys"]}.isdisjoint({k["kid"] for k in jwks["keys"]})
