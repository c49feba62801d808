"""What the solidarity pages share: the territory's switch, the operators' check, and a request
created from its form (by an operator, or by the person online)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.errors import Conflict
from core.forms import add_errors
from core.permissions import role_required
from tenants.members.models import Role
from themes.selectors import settings_get

from .. import selectors
from ..forms import RequestForm
from ..models import Beneficiary, Request
from ..services.requests import request_create


def enabled(view):
    def wrapped(request, *args, **kwargs):
        if not settings_get().solidarity_enabled:
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def operator_page(view):
    """Operators of at least one structure; the records shown are those of their structures."""

    @role_required(Role.OPERATOR)
    @enabled
    def wrapped(request, *args, **kwargs):
        request.structures = selectors.structures_operated(request.user)
        if not request.structures:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def request_from_form(request, form: RequestForm, person: Beneficiary) -> Request | None:
    """The request the form describes, created by the signed-in person (an operator, or the
    beneficiary themself); None with the form's errors filled when it cannot be."""
    if request.method != "POST" or not form.is_valid():
        return None
    data = form.cleaned_data
    start, end = form.window()
    try:
        return request_create(
            operator=request.user,
            beneficiary=person,
            purpose=data["purpose"],
            destination=data["destination"],
            pickup=data["pickup"],
            window_start=start,
            window_end=end,
            return_kind=data["return_kind"],
            return_at=form.return_at(),
            needs=list(data["needs"]),
            notes=data["notes"],
        )
    except ValidationError as exc:
        _request_form_errors(form, exc)
    except Conflict as exc:
        form.add_error(None, exc.message)
    return None


def _request_form_errors(form, exc: ValidationError) -> None:
    """The service names the window and the return; the form has a date and a return time."""
    errors = exc.message_dict
    for name in ("window_start", "window_end"):
        if name in errors:
            errors.setdefault("date", []).extend(errors.pop(name))
    if "return_at" in errors:
        errors.setdefault("return_time", []).extend(errors.pop("return_at"))
    add_errors(form, ValidationError(errors))


def error_messages(exc: ValidationError) -> list[str]:
    """Every message of a service's field errors, for a page that shows them as messages."""
    return [error for errors in exc.message_dict.values() for error in errors]
