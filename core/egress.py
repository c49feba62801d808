"""Calls the server makes to addresses a territory's admin typed — providers' APIs
(`interop/outbound.py`), partners' callback URLs (`interop/events.py`), the national registry
(`observatory/registry.py`): never to this machine, its network or the cloud's metadata
service (server-side request forgery).

The address is judged when the connection is made, on the address connected to:
requests-hardened (Saleor's) resolves the name once, connects to that very address and keeps
the name for the Host header, TLS SNI and the certificate check, so a name whose DNS answer
changes between a check and the connection (DNS rebinding) gains nothing. On that address,
besides the library's own filter, `refusal` refuses loopback (unless EGRESS_ALLOW_LOOPBACK),
private, link-local, multicast, reserved, unspecified and every other non-global address,
IPv4-mapped IPv6 judged as the IPv4 it carries.

Besides: https only when EGRESS_HTTPS_ONLY (the default outside DEBUG); redirects never
followed; proxies from the environment ignored (the check must see the address connected to);
`timeout` seconds to connect, for each read and for the whole answer; the answer read as a
stream and cut past EGRESS_MAX_RESPONSE_BYTES. Whatever is refused raises `Refused`, a
`requests.RequestException`: callers already treat those as a partner that does not answer.

`url_validator` tells the admin the same when the address is saved (the form's error at the
field); it resolves the name then, but the guard is the check at connection time."""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from requests_hardened.ip_filter import InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
CHUNK = 64 * 1024
# Global by Python's tables, yet a way into a private network: carrier-grade NAT, IPv6
# site-local (deprecated, still routed by some), NAT64 and 6to4 (they carry any IPv4 inside).
ALSO_REFUSED = tuple(
    ipaddress.ip_network(net)
    for net in ("100.64.0.0/10", "fec0::/10", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16")
)


class Refused(requests.RequestException):
    """A call the guard does not make or does not finish: the address, the scheme, a redirect,
    an answer too large."""


def refusal(address: Address) -> str | None:
    """What kind of address the server may not connect to `address` is (None: it may)."""
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if address.is_loopback:
        return None if settings.EGRESS_ALLOW_LOOPBACK else "loopback"
    for kind in ("unspecified", "link_local", "multicast", "reserved", "site_local", "private"):
        if getattr(address, f"is_{kind}", False):
            return kind.replace("_", "-")
    if not address.is_global or any(address in net for net in ALSO_REFUSED):
        return "reserved"
    return None


class _GuardedAdapter(IPFilterAdapter):
    """requests-hardened's adapter (it connects to the address it resolved and filtered), with
    `refusal` on that same address."""

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host = urlsplit(request.url).hostname
        try:
            host_params, pool_kwargs = super().build_connection_pool_key_attributes(
                request, verify, cert
            )
        except InvalidIPAddress as exc:  # the library's filter: private, loopback, …
            address = exc.args[0]
            raise _refused(
                f"{host} leads to {address}, a {refusal(address) or 'reserved'} address"
            ) from exc
        address = ipaddress.ip_address(host_params["host"].strip("[]"))
        kind = refusal(address)
        if kind:
            raise _refused(f"{host} leads to {address}, a {kind} address")
        return host_params, pool_kwargs


def _refused(reason: str) -> Refused:
    logger.warning("Outgoing call refused: %s", reason)
    return Refused(reason)


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment, no ~/.netrc credentials
    loopback = settings.EGRESS_ALLOW_LOOPBACK
    session.mount("http://", _GuardedAdapter(is_https_proto=False, allow_loopback=loopback))
    session.mount("https://", _GuardedAdapter(is_https_proto=True, allow_loopback=loopback))
    return session


def _scheme_refusal(url: str) -> str | None:
    scheme = urlsplit(url).scheme.lower()
    if scheme == "https" or (scheme == "http" and not settings.EGRESS_HTTPS_ONLY):
        return None
    return f"{scheme or 'no scheme'}: only https:// addresses are called"


def request(
    method: str, url: str, *, timeout: float, max_bytes: int | None = None, **kwargs
) -> requests.Response:
    """`requests.request(method, url, **kwargs)` through the guard, its answer read in full
    (at most `max_bytes`, EGRESS_MAX_RESPONSE_BYTES by default). Raises `Refused`, or any
    other `requests.RequestException` as requests does (unreachable, timeout)."""
    reason = _scheme_refusal(url)
    if reason:
        raise _refused(reason)
    limit = max_bytes or settings.EGRESS_MAX_RESPONSE_BYTES
    with _session() as session:
        response = session.request(
            method,
            url,
            timeout=(timeout, timeout),
            allow_redirects=False,
            stream=True,
            **kwargs,
        )
        with response:
            if response.is_redirect:
                location = response.headers["Location"]
                raise _refused(f"{response.status_code} to {location}: redirects are not followed")
            response._content = _body(response, limit, timeout)
    return response


def _body(response: requests.Response, limit: int, timeout: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _refused(f"an answer of {declared} bytes, over the limit of {limit}")
    deadline = time.monotonic() + timeout  # a server sending a byte a second is cut too
    chunks, size = [], 0
    while chunk := _read1(response):  # decoded: a small gzip is no way around the limit
        size += len(chunk)
        if size > limit:
            raise _refused(f"an answer over the limit of {limit} bytes: cut off")
        if time.monotonic() > deadline:
            raise requests.Timeout(f"the answer took more than {timeout} s to arrive")
        chunks.append(chunk)
    return b"".join(chunks)


def _read1(response: requests.Response) -> bytes:
    """What one read of the socket brings (never waiting to fill a buffer, so that the
    deadline is checked), urllib3's errors as requests' (as `iter_content` would)."""
    try:
        return response.raw.read1(CHUNK, decode_content=True)
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.ReadTimeout(exc) from exc
    except urllib3.exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from exc
    except urllib3.exceptions.SSLError as exc:
        raise requests.exceptions.SSLError(exc) from exc
    except urllib3.exceptions.ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise requests.ConnectionError(exc) from exc


def url_validator(url: str) -> None:
    """A form field's validator for an address the server will call: the scheme, and every
    address the name resolves to now. A name that does not resolve (yet) passes: the call will
    simply fail until it does, and be judged then."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    if not host:  # not a URL: the field's own validator says so
        return
    if _scheme_refusal(url):
        raise ValidationError(
            gettext("Address not allowed: only https:// addresses can be called."),
            code="egress",
        )
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return
    for *_rest, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if not refusal(address):
            continue
        if host.strip("[]") == sockaddr[0]:
            message = gettext(
                "Address not allowed: %(address)s is an address of this machine or of a "
                "private or reserved network."
            )
        else:
            message = gettext(
                "Address not allowed: %(host)s leads to %(address)s, an address of this "
                "machine or of a private or reserved network."
            )
        raise ValidationError(message, code="egress", params={"host": host, "address": address})
