import re

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .selectors import membership_for

# Paths a signed-in person may reach on a territory before joining it.
OPEN_PATHS = (
    "/join/",
    "/accounts/",
    "/static/",
    "/i18n/",
    "/branding/",
    "/legal/",
    "/.well-known/",
    "/charter/",
    "/shared/",
)
OPEN_EXACT = ("/manifest.webmanifest", "/favicon.ico")
# What a visitor can see (search, a ride's page, places and maps): a signed-in person who has
# not joined sees it too, as a visitor; joining is asked for when they act (a POST there).
VISITOR_PAGES = re.compile(r"/$|/rides/\d+/$|/places/|/map/")


class MembershipMiddleware:
    """Attach the person's membership of the current territory to the request.

    Someone signed in with an account from elsewhere is not yet a member: they see what a
    visitor sees (search, rides, maps); other pages send them to the consent screen, acting on
    a visitor's page too; the API and the management pages answer 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        if connection.schema_name == "public":
            return self.get_response(request)
        user = request.user
        request.membership = membership_for(user)
        if not user.is_authenticated or request.membership is not None:
            return self.get_response(request)
        path = request.path
        if path.startswith(OPEN_PATHS) or path in OPEN_EXACT:
            return self.get_response(request)
        if VISITOR_PAGES.match(path):
            if request.method in ("GET", "HEAD"):
                return self.get_response(request)
            # Acting here (booking a ride…): join first, then come back to the page with what
            # was filled in (the places of a booking) as its query.
            kept = request.POST.copy()
            kept.pop("csrfmiddlewaretoken", None)
            back = f"{path}?{kept.urlencode()}" if kept else path
            response = redirect(reverse("join") + "?" + urlencode({"next": back}))
            response.status_code = 303  # See Other: the form's POST becomes a GET of the page
            return response
        if path.startswith("/api/"):
            return JsonResponse(
                {"error": _("You are not a member of this territory."), "status": 403}, status=403
            )
        if request.method == "GET" and not path.startswith("/manage/"):
            return redirect(reverse("join") + "?" + urlencode({"next": request.get_full_path()}))
        raise PermissionDenied
