from django.shortcuts import render
from django.utils.translation import gettext as _

from .selectors import public_site_url, territories_listed


def archipel_home(request):
    """Public site: the territories of the archipel, each with a link to its own domain."""
    return render(
        request, "tenants/archipel_home.html", {"territories": territories_listed(request)}
    )


def unknown_host(request):
    """A host that matches no territory: say so, and point to the list."""
    context = {"host": request.get_host().split(":")[0], "public_url": public_site_url(request)}
    response = render(request, "tenants/unknown_host.html", context, status=404)
    response["X-Archipel-Error"] = _("unknown host")
    return response
