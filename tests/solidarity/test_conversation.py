"""Operators and the volunteer assigned to a trip talk in the trip's conversation; nobody else
reads it, and each side is told in their feed of proposals and assignment changes."""

from django.test import Client
from django_tenants.utils import schema_context

from notifications.models import Kind, Notification
from solidarity.models import Proposal
from tests.factories import PASSWORD
from trips.conversations import conversation_of_request, participants, unread_total


def signed_in(cast, email):
    client = Client(HTTP_HOST=cast.host)
    assert (
        client.post("/accounts/login/", {"login": email, "password": PASSWORD}).status_code == 302
    )
    return client


def test_operator_and_assigned_volunteer_talk_and_nobody_else_reads(sol, alpha, beta):
    schema = alpha.territory.schema_name
    with schema_context(schema):
        request = sol.request()
    operator = alpha.client("operator")
    laia, pere = sol.volunteers["canillo"], sol.volunteers["encamp"]
    path = f"/solidarity/requests/{request.pk}/conversation/"
    assert operator.get(path).status_code == 404  # nobody assigned yet: nothing to talk about
    operator.post(f"/solidarity/requests/{request.pk}/propose/", {"volunteers": [laia.pk, pere.pk]})
    with schema_context(schema):
        assert Notification.objects.filter(user=laia.user, kind=Kind.SOLIDARITY_PROPOSAL).exists()
        proposal = Proposal.objects.get(volunteer=laia)
    laia_page = signed_in(alpha, laia.user.email)
    assert laia_page.post(f"/volunteer/proposals/{proposal.pk}/accept/").status_code == 302
    with schema_context(schema):
        told = Notification.objects.filter(user=sol.operator, kind=Kind.SOLIDARITY_ASSIGNMENT)
        assert told.exists() and told.first().link == f"/solidarity/requests/{request.pk}/"
        # Pere's proposal is released: he is told too, and leaves the conversation.
        assert Notification.objects.filter(user=pere.user, kind=Kind.SOLIDARITY_ASSIGNMENT)
    assert f'href="{path}"' in operator.get(f"/solidarity/requests/{request.pk}/").content.decode()
    assert f'href="{path}"' in laia_page.get("/volunteer/").content.decode()
    assert (
        operator.post(path, {"body": "Mme Casals attend devant la mairie <b>"}).status_code == 302
    )
    with schema_context(schema):
        talk = conversation_of_request(request)
        assert participants(talk) == {sol.operator.pk, laia.user.pk}
        assert unread_total(laia.user) == 1
    page = laia_page.get(path).content.decode()
    assert "Mme Casals attend devant la mairie &lt;b&gt;" in page
    assert f'data-socket="/ws/conversations/{talk.pk}/"' in page
    assert laia_page.post(path, {"body": "Bien noté"}).status_code == 302
    assert laia_page.post(path, {"body": " "}).status_code == 400
    assert "Bien noté" in operator.get(path).content.decode()
    pere_page = signed_in(alpha, pere.user.email)
    assert pere_page.get(path).status_code == 404
    assert alpha.client("citizen").get(path).status_code == 404
    assert beta.client("operator").get(path).status_code == 404
    with schema_context(schema):
        assert unread_total(sol.operator) == 0 and unread_total(laia.user) == 0
