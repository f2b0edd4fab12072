//! Which `Host` a request may name.
//!
//! A web page on another site can point its own host name at 127.0.0.1
//! (DNS rebinding) and then read the preview as if it were its own origin.
//! The browser still sends that name in `Host`, so the preview answers only
//! names that cannot be rebound: loopback, the address it was bound to, and
//! names the team allowed by hand.

use std::net::IpAddr;

use axum::http::{HeaderMap, Uri, header};

/// The hosts one server answers.
#[derive(Debug, Clone)]
pub(crate) struct AllowedHosts {
    bind: IpAddr,
    names: Vec<String>,
}

/// Why a request's host was refused, as one line for whoever sent it.
pub(crate) const REFUSAL: &str = "This preview answers only requests for localhost, 127.0.0.1 or [::1] (and the --bind address); start `gazette serve --allow-host NAME` to allow another name.\n";

impl AllowedHosts {
    /// Loopback names, the `bind` address when it is not loopback (any IP
    /// address of the machine when it is unspecified, `0.0.0.0` or `::`),
    /// and `names` (compared without case).
    pub(crate) fn new(bind: IpAddr, names: &[String]) -> Self {
        Self {
            bind,
            names: names.iter().map(|name| name.to_ascii_lowercase()).collect(),
        }
    }

    /// Whether a request may be answered: it names a host (in `Host`, or in
    /// an absolute URI, which takes precedence) and every host it names is
    /// allowed.
    pub(crate) fn allows_request(&self, uri: &Uri, headers: &HeaderMap) -> bool {
        let mut named = false;
        if let Some(authority) = uri.authority() {
            named = true;
            if !self.allows(authority.as_str()) {
                return false;
            }
        }
        for value in headers.get_all(header::HOST) {
            named = true;
            match value.to_str() {
                Ok(host) if self.allows(host) => {}
                _ => return false,
            }
        }
        named
    }

    /// Whether a `Host` value (a name, optionally with a port) is allowed.
    pub(crate) fn allows(&self, host: &str) -> bool {
        let Some(name) = without_port(host) else {
            return false;
        };
        let name = name.to_ascii_lowercase();
        if matches!(name.as_str(), "localhost" | "127.0.0.1" | "[::1]") {
            return true;
        }
        if self.names.contains(&name) {
            return true;
        }
        if self.bind.is_loopback() {
            return false;
        }
        let Some(address) = ip_literal(&name) else {
            return false;
        };
        // An IP address cannot be rebound: a page that reaches the preview
        // by address has that address as its origin, not a site of its own.
        self.bind.is_unspecified() || address == self.bind
    }
}

/// `name` from `name`, `name:port`, `[v6]` or `[v6]:port`; `None` when
/// the port is not digits or the value is empty.
fn without_port(host: &str) -> Option<&str> {
    let (name, port) = if host.starts_with('[') {
        host.split_at(host.find(']')? + 1)
    } else {
        host.split_at(host.find(':').unwrap_or(host.len()))
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
    (port_ok && !name.is_empty()).then_some(name)
}

fn ip_literal(name: &str) -> Option<IpAddr> {
    match name
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
    {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6),
        None => name.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(bind: &str, names: &[&str]) -> AllowedHosts {
        let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        AllowedHosts::new(bind.parse().unwrap(), &names)
    }

    #[test]
    fn loopback_names_are_answered_on_any_port() {
        let hosts = allowed("127.0.0.1", &[]);
        for host in [
            "localhost",
            "LOCALHOST:4001",
            "127.0.0.1",
            "127.0.0.1:4001",
            "[::1]",
            "[::1]:4001",
        ] {
            assert!(hosts.allows(host), "{host}");
        }
    }

    #[test]
    fn other_names_and_odd_values_are_refused() {
        let hosts = allowed("127.0.0.1", &[]);
        for host in [
            "evil.example",
            "evil.example:4001",
            "localhost.evil.example",
            "localhost.",
            "192.168.1.20:4001",
            "localhost:port",
            "localhost:",
            "",
            ":4001",
            "[::1]x",
            "::1",
        ] {
            assert!(!hosts.allows(host), "{host}");
        }
    }

    #[test]
    fn a_lan_bind_answers_its_address_and_allowed_names() {
        let hosts = allowed("192.168.1.20", &["Preview.Agency.Example"]);
        assert!(hosts.allows("192.168.1.20:4001"));
        assert!(hosts.allows("preview.agency.example:4001"));
        assert!(!hosts.allows("192.168.1.21:4001"));
        assert!(!hosts.allows("evil.example:4001"));

        let everywhere = allowed("0.0.0.0", &[]);
        assert!(everywhere.allows("10.0.0.7:4001"));
        assert!(everywhere.allows("[fe80::1]:4001"));
        assert!(!everywhere.allows("evil.example:4001"));
    }

    #[test]
    fn a_request_must_name_an_allowed_host() {
        let hosts = allowed("127.0.0.1", &[]);
        let mut headers = HeaderMap::new();
        let path: Uri = "/faq/".parse().unwrap();
        assert!(!hosts.allows_request(&path, &headers), "no host at all");
        headers.insert(header::HOST, "localhost:4001".parse().unwrap());
        assert!(hosts.allows_request(&path, &headers));
        let absolute: Uri = "http://evil.example/faq/".parse().unwrap();
        assert!(!hosts.allows_request(&absolute, &headers));
        headers.append(header::HOST, "evil.example".parse().unwrap());
        assert!(!hosts.allows_request(&path, &headers), "a second Host");
    }
}
