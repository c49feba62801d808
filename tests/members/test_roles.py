"""A territory admin gives and removes roles; the territory always keeps one admin."""

from django_tenants.utils import schema_context

from tenants.members.models import Membership, Role


def test_admin_grants_a_role(alpha):
    with schema_context(alpha.territory.schema_name):
        target = Membership.objects.get(user=alpha["citizen"])
    client = alpha.client("admin")
    response = client.post(f"/manage/members/{target.pk}/", {"roles": ["citizen", "volunteer"]})
    assert response.status_code == 302
    with schema_context(alpha.territory.schema_name):
        target.refresh_from_db()
    assert target.roles == [Role.CITIZEN, Role.VOLUNTEER]


def test_last_admin_cannot_remove_their_own_admin_role(alpha):
    with schema_context(alpha.territory.schema_name):
        me = Membership.objects.get(user=alpha["admin"])
    response = alpha.client("admin").post(f"/manage/members/{me.pk}/", {"roles": ["citizen"]})
    assert response.status_code == 400
    assert "au moins un administrateur" in response.content.decode()
    with schema_context(alpha.territory.schema_name):
        me.refresh_from_db()
    assert Role.TERRITORY_ADMIN in me.roles


def test_unknown_role_is_a_field_error(alpha):
    with schema_context(alpha.territory.schema_name):
        target = Membership.objects.get(user=alpha["citizen"])
    response = alpha.client("admin").post(f"/manage/members/{target.pk}/", {"roles": ["emperor"]})
    assert response.status_code == 400
    assert response.context["form"].errors["roles"]


def test_unknown_member_is_404(alpha):
    assert alpha.client("admin").get("/manage/members/999999/").status_code == 404


def test_filter_members_by_role(alpha):
    page = alpha.client("admin").get("/manage/members/?role=volunteer")
    emails = [m.user.email for m in page.context["page"]]
    assert emails == [alpha.email("volunteer")]
