//! Which addresses and host names belong to private networks: the places a
//! feed on the public internet must not be able to send syndic to.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The kind of non-public range an address is in, named in refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// `0.0.0.0/8`, `::`: connecting to it reaches this machine.
    Unspecified,
    Loopback,
    /// RFC 1918.
    Private,
    /// `100.64.0.0/10`, carrier-grade NAT: another customer's machine.
    SharedNat,
    LinkLocal,
    /// `fc00::/7`, and the deprecated site-local `fec0::/10`.
    UniqueLocal,
    Multicast,
    /// Documentation, benchmarking, protocol and future-use ranges: never a
    /// feed server on the internet.
    Reserved,
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Range::Unspecified => "an unspecified (this-host) address",
            Range::Loopback => "a loopback address",
            Range::Private => "a private-network address",
            Range::SharedNat => "a carrier-grade NAT address",
            Range::LinkLocal => "a link-local address",
            Range::UniqueLocal => "a unique-local address",
            Range::Multicast => "a multicast address",
            Range::Reserved => "a reserved address",
        })
    }
}

/// The non-public range `ip` is in, or `None` for a public address.
pub fn private_range(ip: IpAddr) -> Option<Range> {
    match ip {
        IpAddr::V4(v4) => v4_range(v4),
        IpAddr::V6(v6) => v6_range(v6),
    }
}

fn v4_range(ip: Ipv4Addr) -> Option<Range> {
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        (0, _, _) => Some(Range::Unspecified),
        (127, _, _) => Some(Range::Loopback),
        (10, _, _) | (172, 16..=31, _) | (192, 168, _) => Some(Range::Private),
        (100, 64..=127, _) => Some(Range::SharedNat),
        (169, 254, _) => Some(Range::LinkLocal),
        (224..=239, _, _) => Some(Range::Multicast),
        (192, 0, 0)
        | (192, 0, 2)
        | (198, 18..=19, _)
        | (198, 51, 100)
        | (203, 0, 113)
        | (240..=255, _, _) => Some(Range::Reserved),
        _ => None,
    }
}

fn v6_range(ip: Ipv6Addr) -> Option<Range> {
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some(Range::Unspecified);
    }
    if ip.is_loopback() {
        return Some(Range::Loopback);
    }
    // Addresses that carry an IPv4 address reach it: `::ffff:a.b.c.d`
    // (mapped), `::a.b.c.d` (compatible, deprecated) and the NAT64 prefix.
    if let Some(v4) = embedded_v4(&ip) {
        return v4_range(v4);
    }
    match s[0] {
        0xfc00..=0xfdff | 0xfec0..=0xfeff => Some(Range::UniqueLocal),
        0xfe80..=0xfebf => Some(Range::LinkLocal),
        0xff00..=0xffff => Some(Range::Multicast),
        // `64:ff9b:1::/48`: NAT64 for local use only.
        0x0064 if s[1] == 0xff9b && s[2] == 1 => Some(Range::Private),
        // `100::/64`: discard-only; `2001:db8::/32`: documentation.
        0x0100 if s[1..4] == [0, 0, 0] => Some(Range::Reserved),
        0x2001 if s[1] == 0x0db8 => Some(Range::Reserved),
        _ => None,
    }
}

fn embedded_v4(ip: &Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s[..6] {
        [0, 0, 0, 0, 0, 0xffff] | [0, 0, 0, 0, 0, 0] | [0x0064, 0xff9b, 0, 0, 0, 0] => Some(tail),
        _ => None,
    }
}

/// Host names that by definition name a machine on the local network
/// (RFC 6761 `localhost`, mDNS `.local`, `.internal`, `.home.arpa`): no one
/// on the internet can own them, so a source configured with one is meant to
/// be private.
pub fn is_local_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost"
        || [".localhost", ".local", ".internal", ".home.arpa"]
            .iter()
            .any(|suffix| host.ends_with(suffix))
}

/// Whether a URL's host is private: a literal address in a non-public
/// range or a local name. Names are not looked up, so this needs no network.
pub fn is_private_host(host: &url::Host<&str>) -> bool {
    is_private_host_by(host, private_range)
}

/// [`is_private_host`], with addresses judged by `range`.
pub fn is_private_host_by(host: &url::Host<&str>, range: impl Fn(IpAddr) -> Option<Range>) -> bool {
    match host {
        url::Host::Domain(name) => is_local_name(name),
        url::Host::Ipv4(ip) => range(IpAddr::V4(*ip)).is_some(),
        url::Host::Ipv6(ip) => range(IpAddr::V6(*ip)).is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(s: &str) -> Option<Range> {
        private_range(s.parse().expect("test address"))
    }

    #[test]
    fn ipv4_ranges() {
        for (ip, want) in [
            ("0.0.0.0", Range::Unspecified),
            ("0.1.2.3", Range::Unspecified),
            ("127.0.0.1", Range::Loopback),
            ("127.0.0.2", Range::Loopback),
            ("127.255.255.254", Range::Loopback),
            ("10.0.0.1", Range::Private),
            ("172.16.0.1", Range::Private),
            ("172.31.255.255", Range::Private),
            ("192.168.1.1", Range::Private),
            ("100.64.0.1", Range::SharedNat),
            ("100.127.255.255", Range::SharedNat),
            ("169.254.169.254", Range::LinkLocal),
            ("224.0.0.1", Range::Multicast),
            ("239.255.255.250", Range::Multicast),
            ("255.255.255.255", Range::Reserved),
            ("240.0.0.1", Range::Reserved),
            ("192.0.2.7", Range::Reserved),
        ] {
            assert_eq!(range(ip), Some(want), "{ip}");
        }
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "172.15.255.255",
            "172.32.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "169.253.0.1",
            "192.169.0.1",
            "223.255.255.255",
            "11.0.0.1",
        ] {
            assert_eq!(range(ip), None, "{ip}");
        }
    }

    #[test]
    fn ipv6_ranges() {
        for (ip, want) in [
            ("::", Range::Unspecified),
            ("::1", Range::Loopback),
            ("fc00::1", Range::UniqueLocal),
            ("fd12:3456::1", Range::UniqueLocal),
            ("fec0::1", Range::UniqueLocal),
            ("fe80::1", Range::LinkLocal),
            ("febf::1", Range::LinkLocal),
            ("ff02::1", Range::Multicast),
            ("2001:db8::1", Range::Reserved),
            ("64:ff9b:1::1", Range::Private),
        ] {
            assert_eq!(range(ip), Some(want), "{ip}");
        }
        for ip in [
            "2606:4700::1111",
            "2001:4860:4860::8888",
            "fbff::1",
            "64:ff9b::808:808",
        ] {
            assert_eq!(range(ip), None, "{ip}");
        }
    }

    #[test]
    fn ipv6_addresses_carrying_ipv4_are_judged_by_it() {
        assert_eq!(range("::ffff:127.0.0.1"), Some(Range::Loopback));
        assert_eq!(range("::ffff:10.1.2.3"), Some(Range::Private));
        assert_eq!(range("::ffff:169.254.169.254"), Some(Range::LinkLocal));
        assert_eq!(range("::127.0.0.1"), Some(Range::Loopback));
        assert_eq!(range("64:ff9b::7f00:1"), Some(Range::Loopback));
        assert_eq!(range("::ffff:0.0.0.0"), Some(Range::Unspecified));
        assert_eq!(range("::ffff:93.184.216.34"), None);
    }

    #[test]
    fn local_names() {
        for name in [
            "localhost",
            "LOCALHOST.",
            "admin.localhost",
            "printer.local",
            "db.internal",
            "router.home.arpa",
        ] {
            assert!(is_local_name(name), "{name}");
        }
        for name in [
            "example.org",
            "localhost.example.org",
            "notlocal",
            "feeds.internal.example",
        ] {
            assert!(!is_local_name(name), "{name}");
        }
    }

    #[test]
    fn hosts_of_urls() {
        let private = |u: &str| {
            let url = url::Url::parse(u).expect("test url");
            is_private_host(&url.host().expect("a host"))
        };
        assert!(private("http://127.0.0.2/internal-admin"));
        assert!(private("http://[::1]:8080/"));
        assert!(private("http://[::ffff:7f00:1]/"));
        assert!(
            private("http://2130706433/"),
            "127.0.0.1 written as a number"
        );
        assert!(private("http://0x7f.1/"));
        assert!(private("http://localhost:8080/feed"));
        assert!(!private("https://example.org/feed"));
        assert!(!private("http://93.184.216.34/"));
    }
}
