"""Pages about people: a member's profile as others see it (verified facts and reviews), and
blocks (block from a profile, list and unblock)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import blocks
from core.errors import Conflict
from core.params import object_id

from . import selectors


@login_required
def profile(request, pk: int):
    """A member of this territory as others see them: verified facts and reviews."""
    if not selectors.member_exists(pk):
        raise Http404
    person = get_object_or_404(get_user_model(), pk=pk, deleted_at__isnull=True)
    return render(
        request,
        "trust/profile.html",
        {
            "person": person,
            "facts": selectors.facts_verified(person),
            "blocked": blocks.between(request.user, person),
            "reviews": selectors.reviews_about(person),
        },
    )


@require_POST
@login_required
def block_person(request, pk: int):
    other = get_object_or_404(get_user_model(), pk=pk)
    if not selectors.member_exists(other.pk):
        raise Http404  # only the members of this territory are found from here
    try:
        blocks.block_create(request.user, other)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("my_blocks")
    messages.success(
        request,
        _(
            "%(name)s is blocked: in every territory of the archipel you no longer "
            "see each other's rides, book them or write to each other."
        )
        % {"name": other.display_name},
    )
    return redirect("my_blocks")


@login_required
def my_blocks(request):
    if request.method == "POST":
        person = object_id(request.POST.get("person"))
        if person and blocks.block_remove(request.user, person):
            messages.success(request, _("Unblocked."))
        return redirect("my_blocks")
    return render(request, "trust/blocks.html", {"blocked": selectors.blocks_by(request.user)})
