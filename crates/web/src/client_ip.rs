//! Who is asking: the client's IP address, as one extractor ([`ClientIp`])
//! every handler that limits or logs by client uses.
//!
//! By default the client is the peer of the TCP connection, and no header is
//! believed: anyone can send `X-Forwarded-For`. Behind a reverse proxy, list
//! the proxy's addresses (or CIDR blocks) in `COHORT_TRUSTED_PROXIES`
//! ([`TrustedProxies`]); a request whose peer is one of them is attributed to
//! the right-most address of its `X-Forwarded-For` that is not a trusted
//! proxy (each proxy appends the peer it saw, so everything left of the
//! last untrusted hop could have been written by the client itself).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

/// The environment variable that lists trusted proxies.
pub const TRUSTED_PROXIES_ENV: &str = "COHORT_TRUSTED_PROXIES";

/// One address or block of addresses: `10.0.0.1`, `10.0.0.0/8`, `fd00::/8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    fn parse(s: &str) -> Result<Cidr, String> {
        let bad = || format!("{TRUSTED_PROXIES_ENV}: {s:?} is not an IP address or CIDR block");
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b.parse::<u8>().map_err(|_| bad())?)),
            None => (s, None),
        };
        let net = canonical(addr.parse::<IpAddr>().map_err(|_| bad())?);
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        if bits > max {
            return Err(bad());
        }
        Ok(Cidr { net, bits })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), self.bits),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), self.bits),
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let bits = usize::from(bits);
    let (whole, rest) = (bits / 8, bits % 8);
    a[..whole] == b[..whole]
        && (rest == 0 || {
            let mask = 0xffu8 << (8 - rest);
            a[whole] & mask == b[whole] & mask
        })
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed. Empty (the
/// default): no header is believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// None trusted.
    pub fn none() -> Self {
        TrustedProxies::default()
    }

    /// Parse a list of addresses and CIDR blocks separated by commas or
    /// spaces, e.g. `127.0.0.1, 10.0.0.0/8`. An entry that is neither is an
    /// error naming it.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(Cidr::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    /// From `COHORT_TRUSTED_PROXIES` (unset or empty: none).
    pub fn from_env() -> Result<Self, String> {
        match std::env::var(TRUSTED_PROXIES_ENV) {
            Ok(v) => TrustedProxies::parse(&v),
            Err(_) => Ok(TrustedProxies::none()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client of a request from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        // Every X-Forwarded-For line, in order, as one list of hops.
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|v| v.to_str().unwrap_or(""))
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) => {
                    client = canonical(ip);
                    if !self.trusts(client) {
                        break;
                    }
                }
                // Not an address: whoever wrote it is not to be believed
                // further; the last trusted hop is all we know.
                Err(_) => break,
            }
        }
        client
    }
}

/// The client's IP address: the connection's peer, or, when the peer is a
/// trusted proxy, the address it forwarded for. `None` when the server was
/// not started with connection info (only in-process tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
        else {
            return Ok(ClientIp(None));
        };
        let client = match parts.extensions.get::<Arc<TrustedProxies>>() {
            Some(proxies) => proxies.client(peer, &parts.headers),
            None => canonical(peer),
        };
        Ok(ClientIp(Some(client)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    fn forwarded(lines: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for l in lines {
            h.append("x-forwarded-for", HeaderValue::from_str(l).expect("ascii"));
        }
        h
    }

    #[test]
    fn without_trusted_proxies_no_header_is_believed() {
        let none = TrustedProxies::none();
        let h = forwarded(&["203.0.113.9"]);
        assert_eq!(none.client(ip("127.0.0.1"), &h), ip("127.0.0.1"));
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let p = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").expect("parse");
        let h = forwarded(&["198.51.100.1, 203.0.113.9", "10.1.2.3"]);
        assert_eq!(
            p.client(ip("127.0.0.1"), &h),
            ip("203.0.113.9"),
            "a client's own claim (198.51.100.1) is left of the last untrusted hop"
        );
        assert_eq!(
            p.client(ip("192.0.2.7"), &h),
            ip("192.0.2.7"),
            "an untrusted peer's header is ignored"
        );
        assert_eq!(
            p.client(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1"),
            "a trusted peer without a header is the client"
        );
        assert_eq!(
            p.client(ip("127.0.0.1"), &forwarded(&["garbage, 10.0.0.9"])),
            ip("10.0.0.9"),
            "a hop that is not an address ends the walk"
        );
        assert_eq!(
            p.client(ip("::ffff:127.0.0.1"), &forwarded(&["::ffff:203.0.113.9"])),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn lists_parse_addresses_and_blocks_and_name_a_bad_entry() {
        let p = TrustedProxies::parse("fd00::/8 192.168.0.0/16").expect("parse");
        assert!(p.trusts(ip("fd12::1")));
        assert!(p.trusts(ip("192.168.44.1")));
        assert!(!p.trusts(ip("192.169.0.1")));
        assert!(TrustedProxies::parse("").expect("parse").is_empty());
        let e = TrustedProxies::parse("10.0.0.1, proxy.local").unwrap_err();
        assert!(
            e.contains("proxy.local") && e.contains(TRUSTED_PROXIES_ENV),
            "{e}"
        );
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    }
}
