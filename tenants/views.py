from django.shortcuts import render
from django.utils.translation import gettext as _

from .selectors import public_site_url


def unknown_host(request):
    """A host that matches no territory: say so, and point to the list."""
    context = {"host": request.get_host().split(":")[0], "public_url": public_site_url(request)}
    response = render(request, "tenants/unknown_host.html", context, status=404)
    response["X-Archipel-Error"] = _("unknown host")
    return response
