"""The client's IP behind a load balancer: ``X-Forwarded-For`` counts only when the connection
comes from a proxy the server was told to trust; otherwise a forged header changes nothing.

The address used is the rightmost one in the header that is not itself a trusted proxy: each
trusted proxy appends the address it saw, so everything left of that could be forged.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

__all__ = ["TrustedProxies"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    def __init__(self, proxies: Iterable[str]) -> None:
        self.networks: tuple[Network, ...] = tuple(
            ipaddress.ip_network(proxy, strict=False) for proxy in proxies
        )

    def __bool__(self) -> bool:
        return bool(self.networks)

    def trusts(self, ip: str) -> bool:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def client_ip(self, peer: str, headers: Sequence[tuple[bytes, bytes]]) -> str:
        """The client's address for a request whose TCP peer is ``peer``."""
        if not self.trusts(peer):
            return peer
        forwarded: list[str] = []
        for name, value in headers:
            if name == b"x-forwarded-for":
                forwarded.extend(part.strip() for part in value.decode("latin-1").split(","))
        for hop in reversed(forwarded):
            if not hop:
                continue
            if not self.trusts(hop):
                try:
                    return str(ipaddress.ip_address(hop))
                except ValueError:
                    return peer  # garbage from a trusted proxy's client: use what we know
        return peer
