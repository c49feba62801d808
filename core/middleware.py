from django.conf import settings
from django.db import connection
from django.utils import translation


class LanguageMiddleware:
    """French unless the person chose another language (cookie set by Django's set_language).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a French public
    service speaks French first and switches only when asked."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


SESSION_TERRITORY_KEY = "archipel_schema"


class SessionScopeMiddleware:
    """Sessions are per domain: browsers never send one territory's cookie to another, and this
    makes the server refuse it too. A session signed in on territory A and replayed on B's host
    is ignored there (the person is anonymous on B); the session itself is left intact on A."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        owner = session.get(SESSION_TERRITORY_KEY)
        if owner is not None and owner != connection.schema_name:
            request.session = session.__class__()
        return self.get_response(request)


def bind_session_to_territory(sender, request, user, **kwargs) -> None:
    request.session[SESSION_TERRITORY_KEY] = connection.schema_name
