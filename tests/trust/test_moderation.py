"""Reports and the moderation desk: a report reaches the territory's moderators with its
context; a decision needs a reason, is logged, told to the person concerned and to the
reporter; a suspended person can neither publish nor book here — and nothing of it shows in
another territory; a ban is only "cannot join"."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.errors import Conflict
from notifications.models import Notification
from tenants.members.models import Membership, Role
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, PASSWORD, book, tomorrow_at
from trips.models import Offer
from trips.services.rides import offer_publish
from trust.models import AuditEntry, Report, Sanction

pytestmark = pytest.mark.django_db


def report(cast, role, **data):
    return cast.client(role).post("/report/", data)


def texts(cast, user):
    with schema_context(cast.territory.schema_name):
        return [n.text for n in Notification.objects.filter(user=user)]


def test_report_reaches_the_desk_and_a_suspension_stops_the_driver_here_only(
    ride, in_alpha, alpha, beta
):
    driver = in_alpha["driver"]
    sent = report(alpha, "citizen", offer=ride.pk, reason="dangerous", text="Excès de vitesse")
    assert sent.status_code == 302
    with schema_context(alpha.territory.schema_name):
        made = Report.objects.get()
        assert (made.reported, made.offer_id) == (driver, ride.pk)
    assert any("Nouveau signalement" in t for t in texts(alpha, alpha["admin"]))
    desk = alpha.client("admin").get("/manage/moderation/").content.decode()
    assert f"/manage/moderation/reports/{made.pk}/" in desk
    page = alpha.client("admin").get(f"/manage/moderation/reports/{made.pk}/").content.decode()
    assert "Excès de vitesse" in page and "Encamp → Andorra la Vella" in page
    # Only this territory's moderators, only this territory's reports.
    assert alpha.client("citizen").get("/manage/moderation/").status_code == 403
    assert beta.client("admin").get(f"/manage/moderation/reports/{made.pk}/").status_code == 404
    assert "Excès" not in beta.client("admin").get("/manage/moderation/").content.decode()
    # A decision needs a reason.
    url = f"/manage/moderation/reports/{made.pk}/"
    empty = alpha.client("admin").post(url, {"action": "suspend", "days": 7, "reason": ""})
    assert empty.status_code == 400
    decided = alpha.client("admin").post(
        url, {"action": "suspend", "days": 7, "reason": "Conduite dangereuse signalée"}
    )
    assert decided.status_code == 302
    with schema_context(alpha.territory.schema_name):
        sanction = Sanction.objects.get(user=driver)
        assert sanction.kind == "suspension" and sanction.report_id == made.pk
        entry = AuditEntry.objects.get()
        assert (entry.action, entry.actor, entry.target_user) == ("suspend", alpha["admin"], driver)
        assert "Conduite dangereuse signalée" in entry.reason
        made.refresh_from_db()
        assert made.status == "actioned"
    told = texts(alpha, driver)
    assert any("suspendu" in t and "Conduite dangereuse signalée" in t for t in told)
    reporter_told = texts(alpha, in_alpha["citizen"])
    assert any("la personne a été suspendue" in t for t in reporter_told)
    assert not any("Conduite dangereuse" in t for t in reporter_told)  # the reason is not theirs
    again = alpha.client("admin").post(url, {"action": "warn", "reason": "encore"})
    assert again.status_code == 400 and "déjà été traité" in again.content.decode()
    # The driver cannot publish nor book here any more …
    with schema_context(alpha.territory.schema_name):
        with pytest.raises(Conflict, match="suspendu"):
            offer_publish(
                driver=driver,
                origin=ENCAMP,
                destination=ANDORRA_LA_VELLA,
                departure_at=tomorrow_at(17),
            )
        with pytest.raises(Conflict, match="suspendu"):
            book(_other_ride(in_alpha), driver)
    # … but in Beta, where they are also a member, nothing happened and nothing shows.
    with schema_context(beta.territory.schema_name):
        Membership.objects.create(user=driver, roles=[Role.CITIZEN], consented_at=made.created_at)
        offer_publish(
            driver=driver, origin=ENCAMP, destination=ANDORRA_LA_VELLA, departure_at=tomorrow_at(19)
        )
        assert not Sanction.objects.exists()
    assert "Conduite dangereuse" not in str(texts(beta, driver))


def _other_ride(in_alpha):
    return offer_publish(
        driver=in_alpha["volunteer"],
        origin=ENCAMP,
        destination=ANDORRA_LA_VELLA,
        departure_at=tomorrow_at(9),
    )


def test_report_refusals(ride, in_alpha, alpha):
    me = in_alpha["citizen"]
    itself = report(alpha, "citizen", person=me.pk, reason="spam")
    assert itself.status_code == 400 and "vous signaler vous-même" in itself.content.decode()
    no_reason = report(alpha, "citizen", person=in_alpha["driver"].pk, reason="bored")
    assert no_reason.status_code == 400
    not_his = report(alpha, "volunteer", person=me.pk, offer=ride.pk, reason="fake")
    assert not_his.status_code == 400 and "pas celui de cette personne" in not_his.content.decode()
    by_ride = report(alpha, "volunteer", offer=ride.pk, reason="fake")
    assert by_ride.status_code == 302  # the ride names its driver: the report is about them
    with schema_context(alpha.territory.schema_name):
        assert Report.objects.get().reported == in_alpha["driver"]
    assert alpha.client("citizen").get("/report/", {"person": 999999}).status_code == 404


def test_warn_hide_ban_and_lift(ride, in_alpha, alpha):
    driver = in_alpha["driver"]
    report(alpha, "citizen", offer=ride.pk, reason="professional", text="Taxi déguisé")
    with schema_context(alpha.territory.schema_name):
        made = Report.objects.get()
    url = f"/manage/moderation/reports/{made.pk}/"
    hidden = alpha.client("admin").post(url, {"action": "hide_ride", "reason": "Tarif abusif"})
    assert hidden.status_code == 302
    with schema_context(alpha.territory.schema_name):
        assert Offer.objects.get(pk=ride.pk).status == "cancelled"
    # A moderator (not an admin) acts on the person directly, from the desk: a ban.
    with schema_context(alpha.territory.schema_name):
        Membership.objects.filter(user=in_alpha["volunteer"]).update(
            roles=[Role.CITIZEN, Role.MODERATOR]
        )
    moderator = alpha.client("volunteer")
    assert moderator.get("/manage/moderation/").status_code == 200
    banned = moderator.post(
        f"/manage/moderation/people/{driver.pk}/", {"action": "ban", "reason": "Récidive"}
    )
    assert banned.status_code == 302
    with schema_context(alpha.territory.schema_name):
        assert not Membership.objects.filter(user=driver).exists()
    # The banned person signs in: they cannot join again; the reason is not shown there.
    visitor = Client(HTTP_HOST=alpha.host)
    visitor.post("/accounts/login/", {"login": driver.email, "password": PASSWORD})
    refused = visitor.get("/join/")
    assert refused.status_code == 403 and "ne pouvez pas rejoindre" in refused.content.decode()
    assert "Récidive" not in refused.content.decode()
    assert visitor.post("/join/", {"decision": "accept", "charter": "on"}).status_code == 403
    # Lifting needs a reason too, and is logged.
    with schema_context(alpha.territory.schema_name):
        ban = Sanction.objects.get(kind="ban")
    assert moderator.post(f"/manage/moderation/measures/{ban.pk}/lift/", {"reason": ""})
    moderator.post(f"/manage/moderation/measures/{ban.pk}/lift/", {"reason": "Appel accepté"})
    with schema_context(alpha.territory.schema_name):
        assert Sanction.objects.get(pk=ban.pk).lifted_at
        assert list(AuditEntry.objects.values_list("action", flat=True)) == [
            "lift",
            "ban",
            "hide_ride",
        ]
    log = alpha.client("admin").get("/manage/moderation/log/").content.decode()
    assert "Appel accepté" in log and "Récidive" in log
    assert visitor.post("/join/", {"decision": "accept", "charter": "on"}).status_code == 302
    # The reporter follows their report.
    mine = alpha.client("citizen").get("/account/reports/").content.decode()
    assert "le trajet a été retiré" in mine


def test_the_charter_is_published_edited_and_accepted(alpha):
    assert "partager des frais" in Client(HTTP_HOST=alpha.host).get("/charter/").content.decode()
    admin = alpha.client("admin")
    assert (
        admin.post("/manage/charter/", {"charter": "Règle unique : la courtoisie."}).status_code
        == 302
    )
    assert "Règle unique" in Client(HTTP_HOST=alpha.host).get("/charter/").content.decode()
    assert alpha.client("citizen").post("/manage/charter/", {"charter": "x"}).status_code == 403


def test_review_regressions_messages_stay_private_and_moderators_stay_in_their_place(
    ride, in_alpha, alpha
):
    """Found by review: the report form showed any message to anyone; a moderator could lift
    their own measure or sanction an administrator; bad ids gave 500s."""
    from trips import conversations
    from trips.services.bookings import booking_decide

    with schema_context(alpha.territory.schema_name):
        booking = booking_decide(
            book(ride, in_alpha["citizen"]), by=in_alpha["driver"], accept=True
        )
        said = conversations.message_post(
            conversations.conversation_of(booking), in_alpha["driver"], "Mon code de porte : 4521"
        )
    outsider = alpha.client("volunteer").get("/report/", {"message": said.pk})
    assert outsider.status_code == 404 and "4521" not in outsider.content.decode()
    mine = alpha.client("citizen").get("/report/", {"message": said.pk})
    assert mine.status_code == 200 and "4521" in mine.content.decode()
    for bad in ("²", "9" * 5000, "abc", "0"):
        assert alpha.client("citizen").get("/report/", {"person": bad}).status_code == 404
    assert alpha.client("citizen").post("/account/blocks/", {"person": "abc"}).status_code == 302
    share = alpha.client("citizen").post(f"/rides/{ride.pk}/share/", {"booking": "abc"})
    assert share.status_code == 404
    # A moderator does not sanction an administrator, nor lift their own measure.
    with schema_context(alpha.territory.schema_name):
        Membership.objects.filter(user=in_alpha["volunteer"]).update(
            roles=[Role.CITIZEN, Role.MODERATOR]
        )
    moderator = alpha.client("volunteer")
    refused = moderator.post(
        f"/manage/moderation/people/{alpha['admin'].pk}/", {"action": "warn", "reason": "x"}
    )
    assert refused.status_code == 400 and "administrateur" in refused.content.decode()
    alpha.client("admin").post(
        f"/manage/moderation/people/{in_alpha['volunteer'].pk}/",
        {"action": "suspend", "days": 3, "reason": "Abus"},
    )
    with schema_context(alpha.territory.schema_name):
        measure = Sanction.objects.get(user=in_alpha["volunteer"])
    moderator.post(f"/manage/moderation/measures/{measure.pk}/lift/", {"reason": "Moi"})
    with schema_context(alpha.territory.schema_name):
        assert Sanction.objects.get(pk=measure.pk).lifted_at is None


def test_moderators_reach_only_people_known_in_their_territory(alpha, beta, mailoutbox):
    """Regression: Alpha's admin opened /manage/moderation/people/<id>/ for anyone of the
    archipel, read their first name and could warn (e-mail) or ban them. A person who is not a
    member here is a 404, exactly like an id that does not exist, and nothing is written."""
    admin = alpha.client("admin")
    stranger = beta["citizen"]
    with schema_context(alpha.territory.schema_name):
        assert not Membership.objects.filter(user=stranger).exists()
    unknown = admin.get("/manage/moderation/people/987654321/")
    page = admin.get(f"/manage/moderation/people/{stranger.pk}/")
    assert unknown.status_code == page.status_code == 404
    assert stranger.first_name not in page.content.decode()
    warned = admin.post(
        f"/manage/moderation/people/{stranger.pk}/", {"action": "warn", "reason": "Spam"}
    )
    assert warned.status_code == 404
    with schema_context(alpha.territory.schema_name):
        assert not Sanction.objects.filter(user=stranger).exists()
        assert not AuditEntry.objects.filter(target_user=stranger).exists()
    assert not [m for m in mailoutbox if stranger.email in m.to]
    # A member of Alpha stays within reach.
    assert admin.get(f"/manage/moderation/people/{alpha['citizen'].pk}/").status_code == 200
