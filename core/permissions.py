"""Role checks for territory pages and API. A platform superuser has no implicit role in a
territory: a territory's data is seen only by that territory's own members."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


def role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None or not membership.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class HasTerritoryRole(BasePermission):
    """DRF permission: `HasTerritoryRole.of("territory_admin")`."""

    roles: tuple[str, ...] = ()
    message = _("This requires a role you do not have in this territory.")

    @classmethod
    def of(cls, *roles: str):
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": roles})

    def has_permission(self, request, view) -> bool:
        membership = getattr(request._request, "membership", None)
        if membership is None:
            return False
        return not self.roles or membership.has_role(*self.roles)


class IsTerritoryMember(HasTerritoryRole):
    message = _("You are not a member of this territory.")
