"""What every solidarity write checks first: the territory's switch, who may act, the needs and
homes given, and the state a request is in."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.errors import Conflict
from matching.network import Place, snap
from themes.selectors import settings_get
from trips.errors import ValidationError

from ..models import Request, Structure


def operator_require(user, structure: Structure) -> None:
    if not structure.operators.filter(pk=user.pk).exists():
        raise PermissionDenied(
            _("You are not an operator of %(structure)s.") % {"structure": structure.name}
        )


def solidarity_require() -> None:
    """Solidarity transport is switched on in this territory."""
    if not settings_get().solidarity_enabled:
        raise Conflict(_("Solidarity transport is not switched on in this territory."))


def needs_check(needs, structure: Structure, errors: dict) -> None:
    if any(n.structure_id != structure.pk for n in needs):
        errors["needs"] = _("These needs belong to another structure.")


def home_snap(graph, home: Place, errors: dict) -> int:
    """The road node of a home, raising every field error gathered so far with its own."""
    try:
        node = snap(graph, home, "home")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return node


def request_lock(request: Request) -> Request:
    return (
        Request.objects.select_for_update()
        .select_related("structure", "beneficiary")
        .get(pk=request.pk)
    )


def request_expect(request: Request, *states: str) -> None:
    if request.status not in states:
        raise Conflict(
            _("This request is %(status)s: this action is not possible now.")
            % {"status": request.get_status_display()}
        )
