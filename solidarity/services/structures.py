"""Structures and what they are made of: territory admins create structures and name their
operators; admins and the structures' operators edit purposes and needs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from tenants.members.models import Membership, Role
from tenants.members.selectors import membership_for
from trips.errors import ValidationError

from ..models import Need, Purpose, Structure


def _admin_require(user) -> None:
    membership = membership_for(user)
    if membership is None or not membership.has_role(Role.TERRITORY_ADMIN):
        raise PermissionDenied


def _editor_require(user, structure: Structure) -> None:
    """A territory admin, or an operator of the structure."""
    if structure.operators.filter(pk=user.pk).exists():
        return
    _admin_require(user)


def _name_require(name: str, message: str) -> None:
    if not name:
        raise ValidationError(message)


@transaction.atomic
def structure_create(*, name: str, phone: str = "", by) -> Structure:
    _admin_require(by)
    _name_require(name, _("Give the structure's name."))
    if Structure.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("A structure already has this name.")})
    return Structure.objects.create(name=name, phone=phone.strip()[:30])


def _operator_member(user_id: int) -> Membership:
    member = Membership.objects.filter(user_id=user_id, roles__contains=[Role.OPERATOR]).first()
    if member is None:
        raise ValidationError(_("Choose a member with the operator role."))
    return member


@transaction.atomic
def structure_operator_add(structure: Structure, user_id: int, *, by) -> None:
    """Name a member with the operator role an operator of the structure."""
    _admin_require(by)
    structure.operators.add(_operator_member(user_id).user)


@transaction.atomic
def structure_operator_remove(structure: Structure, user_id: int, *, by) -> None:
    _admin_require(by)
    structure.operators.remove(_operator_member(user_id).user)


def purpose_add(structure: Structure, name: str, *, by) -> Purpose:
    _editor_require(by, structure)
    _name_require(name, _("Give a name."))
    if structure.purposes.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("This purpose already exists.")})
    return Purpose.objects.create(structure=structure, name=name[:80])


def need_add(structure: Structure, name: str, accessible: bool = False, *, by) -> Need:
    _editor_require(by, structure)
    _name_require(name, _("Give a name."))
    if structure.needs.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("This need already exists.")})
    return Need.objects.create(
        structure=structure, name=name[:80], requires_accessible_vehicle=accessible
    )


def _active_toggle(item: Purpose | Need, by) -> Purpose | Need:
    """Switch a purpose or a need off (no longer offered for new records) or back on."""
    _editor_require(by, item.structure)
    item.active = not item.active
    item.save(update_fields=["active"])
    return item


def purpose_toggle(purpose: Purpose, *, by) -> Purpose:
    return _active_toggle(purpose, by)


def need_toggle(need: Need, *, by) -> Need:
    return _active_toggle(need, by)
