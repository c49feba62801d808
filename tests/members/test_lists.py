"""Lists that scale: sorted as a person reads them and shown a page at a time, the other
query parameters kept from page to page."""

from django_tenants.utils import schema_context

from core.services import user_ensure_verified
from notifications.models import Kind, Notification
from tenants.members.services import membership_join
from tests.factories import PASSWORD
from trust.models import AuditEntry


def test_members_sort_by_name_with_numbers_read_as_numbers(alpha):
    with schema_context(alpha.territory.schema_name):
        for name in ("Résident10", "résident2", "Resident1", "Élodie"):
            user = user_ensure_verified(
                f"{name.lower()}@sort.test", password=PASSWORD, first_name=name
            )
            membership_join(user)
    page = alpha.client("admin").get("/manage/members/?q=sort.test")
    names = [m.user.first_name for m in page.context["page"]]
    assert names == ["Élodie", "Resident1", "résident2", "Résident10"]


def test_the_notifications_come_a_page_at_a_time(alpha):
    person = alpha["citizen"]
    with schema_context(alpha.territory.schema_name):
        Notification.objects.bulk_create(
            Notification(
                user=person, kind=Kind.BOOKING_ACCEPTED, template="Ride %(n)s", params={"n": n}
            )
            for n in range(105)
        )
    client = alpha.client("citizen")
    first = client.get("/notifications/")
    assert len(first.context["notes"]) == 100 and 'href="?page=2"' in first.content.decode()
    second = client.get("/notifications/?page=2")
    assert len(second.context["notes"]) == 5 and "Page 2 sur 2" in second.content.decode()
    with schema_context(alpha.territory.schema_name):
        # Only what was shown is marked read.
        assert Notification.objects.filter(user=person, read_at__isnull=True).count() == 0
        Notification.objects.filter(user=person).delete()


def test_the_audit_log_is_paged_and_says_its_decisions_in_french(alpha):
    with schema_context(alpha.territory.schema_name):
        AuditEntry.objects.bulk_create(
            AuditEntry(actor=alpha["admin"], action="warn", reason=f"n°{n}") for n in range(55)
        )
    admin = alpha.client("admin")
    first = admin.get("/manage/moderation/log/").content.decode()
    assert "personne avertie" in first and "warn" not in first.replace("warning", "")
    assert first.count("<tr>") == 51 and 'href="?page=2"' in first  # 50 rows and the header
    assert admin.get("/manage/moderation/log/?page=2").content.decode().count("<tr>") == 6
    assert admin.get("/manage/moderation/log/?page=99").status_code == 200  # the last page
