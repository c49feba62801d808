"""The structures page: territory admins create structures and name their operators; admins
and the structures' operators edit purposes and needs. Who may do what is the services'."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tenants.members.models import Role

from .. import selectors
from ..models import Need, Purpose, Structure
from ..services import structures as services
from .common import enabled


def _digits(value: str) -> int:
    return int(value) if value.isdigit() else 0


@login_required
@enabled
def structures(request):
    """Territory admins create structures and name their operators; admins and the
    structures' operators edit purposes and needs."""
    membership = request.membership
    is_admin = membership is not None and membership.has_role(Role.TERRITORY_ADMIN)
    editable = selectors.structures_editable(request.user, is_admin=is_admin)
    if not editable:
        raise PermissionDenied
    if request.method == "POST":
        try:
            _structures_post(request, {s.pk: s for s in editable})
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        return redirect("solidarity_structures")
    return render(
        request,
        "solidarity/structures.html",
        {
            "structures": selectors.structures_detailed(editable),
            "is_admin": is_admin,
            "candidates": selectors.operator_candidates(),
        },
    )


def _structures_post(request, editable: dict[int, Structure]) -> None:
    """One action of the page's forms, on one of the structures the person may edit."""
    post, by = request.POST, request.user
    action = post.get("action", "")
    name = " ".join(post.get("name", "").split())[:120]
    if action == "structure_new":
        services.structure_create(name=name, phone=post.get("phone", ""), by=by)
        messages.success(request, _("Structure created."))
        return
    structure = editable.get(_digits(post.get("structure", "")))
    if structure is None:
        raise Http404
    if action == "operator_add":
        services.structure_operator_add(structure, _digits(post.get("user", "")), by=by)
        done = _("Operator added.")
    elif action == "operator_remove":
        services.structure_operator_remove(structure, _digits(post.get("user", "")), by=by)
        done = _("Operator removed.")
    elif action == "purpose_add":
        services.purpose_add(structure, name, by=by)
        done = _("Purpose added.")
    elif action == "need_add":
        services.need_add(structure, name, post.get("accessible") == "on", by=by)
        done = _("Need added.")
    elif action == "purpose_toggle":
        item = get_object_or_404(Purpose, pk=_digits(post.get("item", "")), structure=structure)
        services.purpose_toggle(item, by=by)
        done = _("Purpose activated.") if item.active else _("Purpose deactivated.")
    elif action == "need_toggle":
        item = get_object_or_404(Need, pk=_digits(post.get("item", "")), structure=structure)
        services.need_toggle(item, by=by)
        done = _("Need activated.") if item.active else _("Need deactivated.")
    else:
        raise Http404
    messages.success(request, done)
