"""The client's address for sign-in throttling (django-axes), safe behind a reverse proxy.

Behind nginx every request comes from the proxy, so throttling by REMOTE_ADDR would lock a
username out for everybody. The proxy's X-Forwarded-For is believed only when the request
really comes from a configured trusted proxy (TRUSTED_PROXIES); anyone else could write that
header themselves. axes' ipware settings cannot say this: ipware's trusted-proxy list is matched
against the addresses inside the header, never against the connecting address.
"""

import ipaddress
from functools import cache

from django.conf import settings


@cache
def _trusted_networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not remote or not _is_trusted(remote, networks):
        return remote
    # nginx appends the address it saw ($proxy_add_x_forwarded_for): read from the right and
    # stop at the first hop that is not one of our proxies; what lies left of it is the client's
    # own claim.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a malformed hop: fall back to the proxy, never to the claim
    return remote
