import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.permissions import role_required
from tenants.models import Territory

from . import portability
from .forms import AccountDeleteForm, FederationForm, RolesForm
from .models import Membership, Role
from .selectors import members_counts, members_list
from .services import membership_set_roles


@role_required(Role.TERRITORY_ADMIN)
def manage_home(request):
    return render(request, "members/manage_home.html", {"counts": members_counts(), "roles": Role})


@role_required(Role.TERRITORY_ADMIN)
def members_page(request):
    role = request.GET.get("role") or None
    if role not in Role.values:
        role = None
    query = (request.GET.get("q") or "").strip()[:100]
    page = Paginator(members_list(role=role, query=query), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "members/members.html",
        {"page": page, "role": role, "query": query, "roles": Role.choices},
    )


@role_required(Role.TERRITORY_ADMIN)
@require_http_methods(["GET", "POST"])
def member_edit(request, pk: int):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
    form = RolesForm(request.POST or None, initial={"roles": membership.roles})
    if request.method == "POST" and form.is_valid():
        try:
            membership_set_roles(membership, form.cleaned_data["roles"], by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("roles", message)
        else:
            messages.success(request, _("Roles of %s updated.") % membership.user.display_name)
            return redirect("members")
    status = 400 if form.errors else 200
    return render(
        request, "members/member_edit.html", {"member": membership, "form": form}, status=status
    )


@role_required(Role.TERRITORY_ADMIN)
def federation_settings(request):
    """Whether this territory's rides appear in its neighbours' searches and theirs here."""
    territory = Territory.objects.get(pk=request.tenant.pk)
    form = FederationForm(request.POST or None, instance=territory)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Archipel settings saved."))
        return redirect("federation_settings")
    return render(
        request,
        "members/federation.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def my_data(request):
    """Download everything, or delete the account (on every site of the archipel)."""
    form = AccountDeleteForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        portability.account_delete(request.user)
        logout(request)
        messages.success(request, _("Your account is deleted. Goodbye, and thank you."))
        return redirect("/")
    return render(
        request, "members/my_data.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def my_data_export(request):
    data = json.dumps(portability.personal_data(request.user), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(data, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="archipel-my-data.json"'
    return response
