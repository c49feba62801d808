"""Beneficiaries: whether a person is eligible, their registration by an operator, and their
erasure on request (RGPD art. 17). Their export (art. 15) is a read: `selectors`."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Conflict
from matching.network import Place, commune_at, node_point, territory_graph
from tenants.members.models import Membership
from tenants.models import Area
from themes.selectors import settings_get
from trips.models import Journey

from ..models import Beneficiary, Need, Structure
from .checks import home_snap, needs_check, operator_require, solidarity_require

# Listed social criteria an operator may attest (décret 2019-850: people with low resources).
SOCIAL_CRITERIA = {
    "rsa": gettext_lazy("Revenu de solidarité active (RSA)"),
    "aspa": gettext_lazy("Allocation de solidarité aux personnes âgées (ASPA)"),
    "aah": gettext_lazy("Allocation aux adultes handicapés (AAH)"),
    "ass": gettext_lazy("Allocation de solidarité spécifique (ASS)"),
    "css": gettext_lazy("Complémentaire santé solidaire (CSS)"),
}


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    basis: str
    detail: str


def eligibility(home: Point, social_criterion: str = "") -> Eligibility:
    """The territory's rule applied to a home: the French frame by default (home commune
    under the population threshold, or a listed social criterion), or everyone registered."""
    current = settings_get()
    if current.solidarity_rule == "anyone":
        return Eligibility(True, Beneficiary.Basis.TERRITORY, _("Territory rule: everyone"))
    area = Area.objects.filter(geometry__intersects=home).only("name", "population").first()
    threshold = current.solidarity_population_threshold
    if area and area.population is not None and area.population < threshold:
        return Eligibility(
            True,
            Beneficiary.Basis.COMMUNE,
            _("%(area)s: %(population)d inhabitants, under %(threshold)d")
            % {"area": area.name, "population": area.population, "threshold": threshold},
        )
    if social_criterion in SOCIAL_CRITERIA:
        return Eligibility(True, Beneficiary.Basis.SOCIAL, str(SOCIAL_CRITERIA[social_criterion]))
    if area is None or area.population is None:
        why = _("population of the home commune unknown and no social criterion")
    else:
        why = _("%(area)s: %(population)d inhabitants, not under %(threshold)d") % {
            "area": area.name,
            "population": area.population,
            "threshold": threshold,
        }
    return Eligibility(False, Beneficiary.Basis.NONE, why)


@transaction.atomic
def beneficiary_register(
    *,
    operator,
    structure: Structure,
    first_name: str,
    last_name: str,
    home: Place,
    phone: str = "",
    needs: list[Need] | tuple = (),
    notes: str = "",
    social_criterion: str = "",
    email: str = "",
) -> Beneficiary:
    """Register a person; `email` links their account (a member of this territory) when they
    can also ask online."""
    solidarity_require()
    operator_require(operator, structure)
    errors = {}
    if not first_name.strip():
        errors["first_name"] = _("This field is required.")
    if not last_name.strip():
        errors["last_name"] = _("This field is required.")
    if social_criterion and social_criterion not in SOCIAL_CRITERIA:
        errors["social_criterion"] = _("Unknown social criterion.")
    needs_check(needs, structure, errors)
    account = None
    if email:
        member = Membership.objects.filter(user__email__iexact=email).select_related("user")
        account = member.first().user if member.exists() else None
        if account is None:
            errors["email"] = _("No member of this territory has this e-mail address.")
    graph = territory_graph()
    node = home_snap(graph, home, errors)
    point = node_point(graph, node)
    decision = eligibility(point, social_criterion)
    beneficiary = Beneficiary.objects.create(
        structure=structure,
        first_name=first_name.strip()[:80],
        last_name=last_name.strip()[:80],
        phone=phone.strip()[:30],
        home_label=home.label[:200] or _("Home"),
        home=point,
        home_area=commune_at(point),
        notes=notes[:2000],
        eligible=decision.eligible,
        eligibility_basis=decision.basis,
        eligibility_detail=decision.detail[:300],
        social_criterion=social_criterion if decision.basis == Beneficiary.Basis.SOCIAL else "",
        decided_by=operator,
        user=account,
    )
    beneficiary.needs.set(needs)
    return beneficiary


def _coarse(point: Point | None) -> Point | None:
    """About a kilometre of precision: enough for figures by commune, not an address."""
    return Point(round(point.x, 2), round(point.y, 2), srid=4326) if point else None


@transaction.atomic
def beneficiary_erase(beneficiary: Beneficiary, *, operator) -> Beneficiary:
    """Erase a person on request (RGPD art. 17): their identity, contact, notes and exact
    places go; their trips stay, anonymous, for the territory's figures."""
    operator_require(operator, beneficiary.structure)
    if beneficiary.requests.filter(
        status__in=["new", "proposed", "accepted", "confirmed"]
    ).exists():
        raise Conflict(_("Cancel this person's open requests first."))
    erased = _("Erased")
    beneficiary.first_name, beneficiary.last_name = erased, str(beneficiary.pk)
    beneficiary.phone = beneficiary.notes = beneficiary.social_criterion = ""
    beneficiary.home_label = "—"
    beneficiary.home = None
    beneficiary.user = None
    beneficiary.erased_at = timezone.now()
    beneficiary.save()
    beneficiary.needs.clear()
    for request in beneficiary.requests.all():
        request.pickup_label = request.destination_label = "—"
        request.pickup, request.destination = _coarse(request.pickup), _coarse(request.destination)
        request.notes = ""
        request.save(
            update_fields=["pickup_label", "destination_label", "pickup", "destination", "notes"]
        )
        request.diary.update(note="")
    for journey in Journey.objects.filter(solidarity_request__beneficiary=beneficiary):
        journey.pickup, journey.dropoff = _coarse(journey.pickup), _coarse(journey.dropoff)
        journey.save(update_fields=["pickup", "dropoff"])
    return beneficiary
