"""API tokens for the authority's tools: authentication and a rate limit per token (they are
created and revoked in `services`)."""

from __future__ import annotations

import hashlib

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken

PREFIX = "arch_"


def key_digest(key: str) -> str:
    """What is stored of a key: its SHA-256."""
    return hashlib.sha256(key.encode()).hexdigest()


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>`; the key is looked up in the territory of the host only."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Give the key after “Bearer”."))
        key = parts[1].decode(errors="replace")
        token = (
            ApiToken.objects.filter(key_hash=key_digest(key)).select_related("created_by").first()
        )
        if token is None or token.revoked_at is not None:
            raise AuthenticationFailed(_("Unknown or revoked key for this territory."))
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return (token.created_by, token)

    def authenticate_header(self, request):
        return 'Bearer realm="observatory"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "observatory.tokens.TokenAuthentication"
    name = "observatoryToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A key created by the territory's admin (Administration → API keys).",
        }


class TokenRateThrottle(SimpleRateThrottle):
    """Per token (per person for session calls), per territory."""

    scope = "observatory"
    rate = "60/min"

    def get_cache_key(self, request, view):
        who = (
            f"token-{request.auth.pk}"
            if isinstance(request.auth, ApiToken)
            else f"user-{request.user.pk}"
        )
        return f"throttle-observatory-{connection.schema_name}-{who}"
