"""Checking an exported reputation the way another platform would."""

import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from trust.reputation import b64url_decode


def verify_reputation(document: dict, jwks: dict) -> dict:
    """What another platform does: the key named in the JWS header, the signature over the
    first two parts, the payload read from the JWS."""
    header_b64, payload_b64, signature_b64 = document["jws"].split(".")
    header = json.loads(b64url_decode(header_b64))
    [key] = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    assert (header["alg"], key["kty"], key["crv"]) == ("EdDSA", "OKP", "Ed25519")
    public = Ed25519PublicKey.from_public_bytes(b64url_decode(key["x"]))
    public.verify(b64url_decode(signature_b64), f"{header_b64}.{payload_b64}".encode())
    return json.loads(b64url_decode(payload_b64))
