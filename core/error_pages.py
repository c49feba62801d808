"""The error pages' handlers (handler404, handler403, handler500 of both URL confs) run in the
request's territory.

Under ASGI, Django turns an exception into its error page in another thread
(`convert_exception_to_response` calls `response_for_exception` with thread_sensitive=False):
that thread's database connection is on the public schema and the territory's URL conf is not
set, so the page would lose the territory's theme and its links. `in_territory` puts both back
for the handler."""

import functools

from django.urls import get_urlconf, set_urlconf
from django.views import defaults
from django_tenants.utils import tenant_context


def in_territory(handler):
    @functools.wraps(handler)
    def handle(request, *args, **kwargs):
        tenant = getattr(request, "tenant", None)
        if tenant is None:
            return handler(request, *args, **kwargs)
        previous = get_urlconf()
        set_urlconf(getattr(request, "urlconf", None) or previous)
        try:
            with tenant_context(tenant):
                return handler(request, *args, **kwargs)
        finally:
            set_urlconf(previous)

    return handle


@in_territory
def permission_denied(request, exception):
    return defaults.permission_denied(request, exception)
