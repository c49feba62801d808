"""Portable reputation: a person's journeys count and the reviews about them, as a JSON
document signed by the territory (JWS compact serialisation, EdDSA over Ed25519, RFC 8037),
so that another platform can check it without asking us: the public keys are published as a
JWK set at `/.well-known/jwks.json` of the territory's domain.

The document carries the payload in clear next to its signature (`jws`); a verifier takes the
`kid` from the JWS header, the key from the JWK set, checks the signature over the first two
parts, and reads the payload from the JWS itself."""

from __future__ import annotations

import base64
import json
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tenants.members.models import Membership
from trips.models import Journey

from .models import Review, SigningKey

FORMAT = "archipel-reputation/1"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@transaction.atomic
def signing_key() -> SigningKey:
    """The territory's current key (made the first time it is needed)."""
    key = SigningKey.objects.select_for_update().first()
    if key is not None:
        return key
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return SigningKey.objects.create(
        kid=secrets.token_hex(8),
        private_pem=private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        public_x=b64url(public),
    )


def jwks() -> dict:
    """Every key of the territory, newest first (RFC 7517, OKP keys of RFC 8037)."""
    if not SigningKey.objects.exists():
        signing_key()
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": key.public_x,
                "kid": key.kid,
                "use": "sig",
                "alg": "EdDSA",
            }  # fmt: skip
            for key in SigningKey.objects.all()
        ]
    }


def _canonical(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(payload: dict) -> str:
    key = signing_key()
    header = {"alg": "EdDSA", "kid": key.kid, "typ": FORMAT}
    signing_input = f"{b64url(_canonical(header))}.{b64url(_canonical(payload))}"
    private = serialization.load_pem_private_key(key.private_pem.encode(), password=None)
    return f"{signing_input}.{b64url(private.sign(signing_input.encode()))}"


def reputation_payload(user, issuer: str) -> dict:
    """What the person carries elsewhere: who issued it, their alias, since when they are a
    member, how many journeys they completed here, and every visible review about them
    (without the reviewers' identity)."""
    membership = Membership.objects.filter(user=user).first()
    journeys = Journey.objects.filter(Q(driver=user) | Q(passenger=user))
    reviews = Review.objects.filter(subject=user, hidden_at__isnull=True).select_related("journey")
    return {
        "format": FORMAT,
        "iss": issuer,
        "iat": int(timezone.now().timestamp()),
        "subject": {
            "alias": user.display_name,
            "member_since": (membership.joined_at if membership else user.date_joined)
            .date()
            .isoformat(),
        },
        "journeys": {
            "as_driver": journeys.filter(driver=user).count(),
            "as_passenger": journeys.filter(passenger=user).count(),
        },
        "reviews": [
            {
                "date": review.created_at.date().isoformat(),
                "role": "driver" if review.journey.driver_id == user.pk else "passenger",
                "text": review.text,
                "facts": review.facts,
                **({"answer": review.answer} if review.answer else {}),
            }
            for review in reviews
        ],
    }


def reputation_document(user, issuer: str) -> dict:
    payload = reputation_payload(user, issuer)
    return {
        "format": FORMAT,
        "keys": f"{issuer}/.well-known/jwks.json",
        "reputation": payload,
        "jws": sign(payload),
    }
