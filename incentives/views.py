"""The incentives' pages: the campaigns (territory admins and incentive managers), the held
journeys (moderators), and "Mes primes" (every member)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.forms import add_errors
from core.permissions import role_required
from tenants.members.models import Role

from . import selectors
from .dashboard import campaign_burn
from .forms import AnnulForm, BankAccountForm, CampaignForm, DecisionForm, SimulationForm
from .models import Campaign, Hold
from .rules import describe, rules_read
from .services import campaigns as service
from .services.decisions import hold_refuse, hold_release, journey_annul
from .services.payouts import bank_account_erase, bank_account_set, statement_mark_paid
from .statements import (
    NotPayable,
    statement_csv,
    statement_data,
    statement_sepa,
    statement_xlsx,
)

MANAGERS = (Role.TERRITORY_ADMIN, Role.INCENTIVE_MANAGER)
MODERATORS = (Role.TERRITORY_ADMIN, Role.MODERATOR)


def _campaign(pk: int) -> Campaign:
    campaign = selectors.campaign_find(pk)
    if campaign is None:
        raise Http404
    return campaign


def _sentences(campaign: Campaign) -> list[str]:
    try:
        return describe(rules_read(campaign.rules), selectors.known_areas())
    except ValueError:
        return []


@role_required(*MANAGERS)
def campaign_list(request):
    return render(request, "incentives/campaigns.html", {"campaigns": selectors.campaigns()})


@role_required(*MANAGERS)
def campaign_new(request):
    areas = selectors.known_areas()
    form = CampaignForm(request.POST or None, areas=areas, initial={"paid": "passenger"})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = service.campaign_create(
                by=request.user, rules=form.cleaned_data["rules"], **form.values()
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The campaign is saved as a draft: simulate it."))
            return redirect("incentive_campaign", pk=campaign.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "title": _("New campaign")}
    return render(request, "incentives/campaign_form.html", context, status=status)


@role_required(*MANAGERS)
def campaign_edit(request, pk: int):
    campaign = _campaign(pk)
    if campaign.status == Campaign.Status.CLOSED:
        raise Http404
    frozen = campaign.status == Campaign.Status.ACTIVE
    form = CampaignForm(
        request.POST or None,
        areas=selectors.known_areas(),
        frozen=frozen,
        initial=CampaignForm.initial_of(campaign),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if frozen:
                values = {k: form.cleaned_data[k] for k in ("budget", "ends_on")}
                service.campaign_update(campaign, by=request.user, rules=campaign.rules, **values)
            else:
                service.campaign_update(
                    campaign, by=request.user, rules=form.cleaned_data["rules"], **form.values()
                )
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The campaign is saved."))
            return redirect("incentive_campaign", pk=campaign.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "campaign": campaign, "title": campaign.name}
    return render(request, "incentives/campaign_form.html", context, status=status)


def _statements(campaign: Campaign) -> list[tuple[date, object]]:
    """The campaign's months so far, newest first, each with its statement if one exists."""
    made = selectors.statements_by_month(campaign)
    last = min(campaign.ends_on, timezone.localdate()).replace(day=1)
    month, months = campaign.starts_on.replace(day=1), []
    while month <= last:
        months.append((month, made.get(month)))
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months[::-1]


@role_required(*MANAGERS)
def campaign_detail(request, pk: int):
    campaign = _campaign(pk)
    today = timezone.localdate()
    initial = {"first": today.replace(year=today.year - 1), "last": today}
    context = {
        "campaign": campaign,
        "sentences": _sentences(campaign),
        "burn": campaign_burn(campaign),
        "simulations": selectors.simulations_of(campaign)[:5],
        "simulation_form": SimulationForm(initial=initial),
        "months": _statements(campaign) if campaign.status != Campaign.Status.DRAFT else [],
        "events": campaign.events.select_related("by")[:30],
    }
    return render(request, "incentives/campaign.html", context)


@role_required(*MANAGERS)
def campaign_action(request, pk: int):
    if request.method != "POST":
        return redirect("incentive_campaign", pk=pk)
    campaign = _campaign(pk)
    action = request.POST.get("action")
    try:
        if action == "activate":
            service.campaign_activate(campaign, by=request.user)
            messages.success(request, _("The campaign is active: its rules are now frozen."))
        elif action == "close":
            service.campaign_close(campaign, by=request.user)
            messages.success(request, _("The campaign is closed."))
        elif action == "delete":
            service.campaign_delete(campaign)
            messages.success(request, _("The draft is deleted."))
            return redirect("incentive_campaigns")
        else:
            raise Http404
    except (Conflict, ValidationError) as exc:
        text = exc.message if isinstance(exc, Conflict) else " ".join(exc.messages)
        messages.error(request, text)
    return redirect("incentive_campaign", pk=campaign.pk)


@role_required(*MANAGERS)
def campaign_simulate(request, pk: int):
    campaign = _campaign(pk)
    latest = selectors.simulation_latest(campaign)
    today = timezone.localdate()
    initial = (
        {"first": latest.first, "last": latest.last}
        if latest
        else {"first": today.replace(year=today.year - 1), "last": today}
    )
    form = SimulationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        simulation = service.simulate(campaign, data["first"], data["last"], by=request.user)
        return redirect(f"{request.path}?show={simulation.pk}")
    shown = selectors.simulations_of(campaign).filter(pk=request.GET.get("show") or 0).first()
    shown = shown or latest
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "campaign": campaign,
        "form": form,
        "simulation": shown,
        "sentences": _sentences(campaign),
    }
    return render(request, "incentives/simulation.html", context, status=status)


@role_required(*MANAGERS)
def campaign_compare(request):
    """Several campaigns' latest simulations side by side."""
    chosen = [int(v) for v in request.GET.getlist("c") if v.isdigit()]
    columns = []
    for campaign in selectors.campaigns().filter(pk__in=chosen):
        simulation = selectors.simulation_latest(campaign)
        if simulation:
            columns.append((campaign, simulation, _sentences(campaign)))
    context = {"columns": columns, "all": selectors.campaigns(), "chosen": chosen}
    return render(request, "incentives/compare.html", context)


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise Http404 from None


@role_required(*MANAGERS)
def statement(request, pk: int, month: str):
    campaign = _campaign(pk)
    first = _month(month)
    if request.method == "POST":
        try:
            statement_mark_paid(campaign, first, by=request.user)
            messages.success(request, _("The month is marked paid; the payouts are recorded."))
        except Conflict as exc:
            messages.error(request, exc.message)
        return redirect("incentive_statement", pk=pk, month=month)
    data = statement_data(campaign, first)
    context = {"campaign": campaign, "data": data, "month": first, "month_text": month}
    return render(request, "incentives/statement.html", context)


@role_required(*MANAGERS)
def statement_file(request, pk: int, month: str, fmt: str):
    campaign = _campaign(pk)
    data = statement_data(campaign, _month(month))
    stem = f"primes-{campaign.pk}-{month}"
    if fmt == "csv":
        body, kind = statement_csv(data), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = statement_xlsx(data)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "xml":
        try:
            body, kind = statement_sepa(data), "application/xml"
        except NotPayable as exc:
            messages.error(request, str(exc))
            return redirect("incentive_statement", pk=pk, month=month)
        stem = f"virements-{campaign.pk}-{month}"
    else:
        raise Http404
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@role_required(*MODERATORS)
def held(request):
    annul = AnnulForm(request.POST if request.POST.get("action") == "annul" else None)
    decision = DecisionForm(
        request.POST if request.POST.get("action") in ("release", "refuse") else None
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "annul" and annul.is_valid():
                journey = selectors.carpool_journey(annul.cleaned_data["journey"])
                if journey is None:
                    annul.add_error("journey", _("No carpool journey has this number here."))
                else:
                    journey_annul(
                        journey, moderator=request.user, reason=annul.cleaned_data["reason"]
                    )
                    messages.success(request, _("The journey is annulled; its lines reversed."))
                    return redirect("incentive_held")
            elif action in ("release", "refuse") and decision.is_valid():
                hold = selectors.holds_waiting().filter(pk=request.POST.get("hold") or 0).first()
                if hold is None:
                    raise Http404
                decide = hold_release if action == "release" else hold_refuse
                decide(hold, moderator=request.user, reason=decision.cleaned_data["reason"])
                messages.success(request, _("Decision recorded."))
                return redirect("incentive_held")
        except ValidationError as exc:
            add_errors(annul if action == "annul" else decision, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
    status = 400 if request.method == "POST" else 200
    context = {"holds": selectors.holds_waiting(), "annul": annul, "decision": decision}
    return render(request, "incentives/held.html", context, status=status)


@role_required(*Role.values)
def mine(request):
    """Mes primes: what each journey earned and why, what is held, what was paid."""
    person = request.user
    account = selectors.bank_account_of(person)
    form = BankAccountForm(request.POST if request.POST.get("action") == "account" else None)
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            bank_account_erase(person)
            messages.success(request, _("Your bank account is removed."))
            return redirect("incentives_mine")
        if form.is_valid():
            try:
                bank_account_set(person, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Your bank account is saved."))
                return redirect("incentives_mine")
    holds = [h for h in selectors.person_holds(person) if h.status != Hold.Status.RELEASED]
    context = {
        "lines": selectors.lines_of(person),
        "holds": holds,
        "balance": selectors.person_balance(person),
        "account": account,
        "used_up": selectors.campaigns_used_up(),
        "form": form,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "incentives/mine.html", context, status=status)
