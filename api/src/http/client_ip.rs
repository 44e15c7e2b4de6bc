//! The client's address for rate limits: the socket's peer, or, when that peer is one of the
//! configured trusted proxies, the nearest address in `X-Forwarded-For` that is not itself a
//! trusted proxy. A client can put anything in `X-Forwarded-For`, so it is believed only as
//! far as trusted proxies wrote it (from the right).

use std::net::IpAddr;
use std::str::FromStr;

use actix_web::HttpRequest;

/// An address or a network (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`): the maintained
/// `ipnet` type, read also from a bare address (a network of one), with IPv4-mapped IPv6
/// addresses matched as IPv4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet(ipnet::IpNet);

impl IpNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(&canonical(ip))
    }
}

impl FromStr for IpNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let net = match text.split_once('/') {
            Some(_) => text.parse::<ipnet::IpNet>().map_err(|_| {
                format!("'{s}' is not an address or network (or has a bad prefix length)")
            })?,
            None => ipnet::IpNet::from(
                text.parse::<IpAddr>()
                    .map_err(|_| format!("'{s}' is not an address or network"))?,
            ),
        };
        // A network written as IPv4-mapped IPv6 (`::ffff:10.0.0.0/104`) is that IPv4 network.
        let net = match net {
            ipnet::IpNet::V6(v6) if v6.prefix_len() >= 96 => match v6.addr().to_ipv4_mapped() {
                Some(v4) => ipnet::Ipv4Net::new(v4, v6.prefix_len() - 96)
                    .map(ipnet::IpNet::V4)
                    .unwrap_or(net),
                None => net,
            },
            other => other,
        };
        Ok(Self(net))
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) count as their IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client address as described in the module documentation; `None` only when the
/// socket address is unknown (tests calling handlers directly).
pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = canonical(req.peer_addr()?.ip());
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    Some(resolve(peer, &forwarded, trusted))
}

/// One `X-Forwarded-For` entry: an address, or an address with a port (`1.2.3.4:5678`,
/// `[2001:db8::1]:443`), as some proxies write them.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .and_then(|h| h.parse().ok())
        })
}

fn resolve(peer: IpAddr, forwarded: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut client = peer;
    let hops = forwarded
        .iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .rev();
    for hop in hops {
        match parse_hop(hop) {
            Some(ip) => {
                client = canonical(ip);
                if !is_trusted(client) {
                    break;
                }
            }
            // Garbage where a trusted proxy should have written an address: stop at the
            // last address we could believe.
            None => break,
        }
    }
    client
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_parse_and_contain_what_they_should() {
        let net: IpNet = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains(ip("10.200.3.4")));
        assert!(net.contains(ip("::ffff:10.1.1.1")));
        assert!(!net.contains(ip("11.0.0.1")));
        let one: IpNet = "192.0.2.7".parse().unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6: IpNet = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        let all: IpNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("8.8.8.8")));
        for bad in ["10.0.0.0/33", "nonsense", "10.0.0.0/x", "::/129"] {
            assert!(bad.parse::<IpNet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // An untrusted peer: its header is ignored.
        assert_eq!(
            resolve(ip("203.0.113.9"), &["1.2.3.4"], &trusted),
            ip("203.0.113.9")
        );
        // A trusted proxy: the nearest untrusted hop, not a spoofed leftmost one.
        assert_eq!(
            resolve(
                ip("10.0.0.2"),
                &["6.6.6.6, 198.51.100.4, 10.0.0.5"],
                &trusted
            ),
            ip("198.51.100.4")
        );
        // Entries with ports, as some proxies write them.
        assert_eq!(
            resolve(ip("10.0.0.2"), &["198.51.100.4:5678"], &trusted),
            ip("198.51.100.4")
        );
        assert_eq!(
            resolve(ip("10.0.0.2"), &["[2001:db8::7]:443"], &trusted),
            ip("2001:db8::7")
        );
        assert_eq!(
            resolve(ip("10.0.0.2"), &["[2001:db8::8]"], &trusted),
            ip("2001:db8::8")
        );
        // Several headers count as one list.
        assert_eq!(
            resolve(ip("10.0.0.2"), &["6.6.6.6", "198.51.100.4"], &trusted),
            ip("198.51.100.4")
        );
        // A trusted proxy without the header, or with garbage: the proxy itself.
        assert_eq!(resolve(ip("10.0.0.2"), &[], &trusted), ip("10.0.0.2"));
        assert_eq!(
            resolve(ip("10.0.0.2"), &["not-an-ip"], &trusted),
            ip("10.0.0.2")
        );
        // Nothing trusted: always the peer.
        assert_eq!(resolve(ip("10.0.0.2"), &["1.2.3.4"], &[]), ip("10.0.0.2"));
    }
}
