"""One reading of a `Host` header for HTTP and websockets alike: `Encamp.Localhost.:8000` and
`www.encamp.localhost` are the territory of `encamp.localhost` (DNS names are case-blind and
a trailing dot is the same name)."""

from django.http.request import split_domain_port
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import remove_www


def normalised_host(raw: str) -> str:
    """Lower-case, without port, trailing dot or `www.` (IPv6 literals keep their brackets)."""
    domain, _port = split_domain_port(raw or "")
    return remove_www(domain)


class TerritoryMiddleware(TenantMainMiddleware):
    """django-tenants' routing, with the host read as above."""

    @staticmethod
    def hostname_from_request(request) -> str:
        return normalised_host(request.get_host())
