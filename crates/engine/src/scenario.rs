//! The scenario: everything a simulation depends on, as plain data.

use core::fmt;
use serde::{Deserialize, Serialize};

use crate::ids::AssetId;
use crate::page::{Page, PresetId};
use crate::time::SimDuration;

/// The protocols a lane can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Protocol {
    /// HTTP/1.1 over TLS 1.3 over TCP, up to six keep-alive connections per host.
    #[serde(rename = "h1")]
    Http1,
    /// HTTP/2 over TLS 1.3 over TCP, one connection, every request multiplexed.
    #[serde(rename = "h2")]
    Http2,
}

impl Protocol {
    pub const ALL: [Protocol; 2] = [Protocol::Http1, Protocol::Http2];

    /// The short id used on the command line, in URLs and in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Protocol::Http1 => "h1",
            Protocol::Http2 => "h2",
        }
    }
    /// The name a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Protocol::Http1 => "HTTP/1.1",
            Protocol::Http2 => "HTTP/2",
        }
    }
    pub fn from_id(id: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.id() == id)
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The one network path every lane of a scenario runs over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    /// Round-trip propagation delay; each direction gets half.
    pub rtt: SimDuration,
    /// Bottleneck bandwidth from server to client, bits per second.
    pub downlink_bps: u64,
    /// Bottleneck bandwidth from client to server, bits per second.
    pub uplink_bps: u64,
}

impl Network {
    /// Smallest round trip accepted: 1 ms.
    pub const MIN_RTT: SimDuration = SimDuration::from_millis(1);
    /// Largest round trip accepted: 10 s.
    pub const MAX_RTT: SimDuration = SimDuration::from_secs(10);
    /// Slowest link accepted: 56 kbit/s (a dial-up modem).
    pub const MIN_BPS: u64 = 56_000;
    /// Fastest link accepted: 10 Gbit/s.
    pub const MAX_BPS: u64 = 10_000_000_000;
}

impl Default for Network {
    fn default() -> Self {
        Network {
            rtt: SimDuration::from_millis(100),
            downlink_bps: 10_000_000,
            uplink_bps: 5_000_000,
        }
    }
}

/// Everything one run of [`crate::simulate`] depends on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    pub page: Page,
    pub network: Network,
    /// One lane per protocol, in this order.
    pub protocols: Vec<Protocol>,
}

impl Scenario {
    /// A preset page on the default network with every protocol.
    pub fn preset(id: PresetId) -> Scenario {
        Scenario {
            page: Page::preset(id),
            network: Network::default(),
            protocols: Protocol::ALL.to_vec(),
        }
    }

    /// Checks every field; the error names the field, the value and what is allowed.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let n = &self.network;
        if n.rtt < Network::MIN_RTT || n.rtt > Network::MAX_RTT {
            return Err(ScenarioError::OutOfRange {
                field: "network.rtt",
                value: format!("{} µs", n.rtt.as_micros()),
                allowed: "1 ms to 10 s",
            });
        }
        for (field, bps) in [
            ("network.downlink_bps", n.downlink_bps),
            ("network.uplink_bps", n.uplink_bps),
        ] {
            if !(Network::MIN_BPS..=Network::MAX_BPS).contains(&bps) {
                return Err(ScenarioError::OutOfRange {
                    field,
                    value: format!("{bps} bit/s"),
                    allowed: "56 kbit/s to 10 Gbit/s",
                });
            }
        }
        if self.protocols.is_empty() {
            return Err(ScenarioError::NoProtocols);
        }
        for (i, p) in self.protocols.iter().enumerate() {
            if self.protocols[..i].contains(p) {
                return Err(ScenarioError::DuplicateProtocol(*p));
            }
        }
        self.page.validate()
    }
}

/// Why a scenario cannot be simulated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    OutOfRange {
        field: &'static str,
        value: String,
        allowed: &'static str,
    },
    NoProtocols,
    DuplicateProtocol(Protocol),
    EmptyPage,
    TooManyAssets {
        count: usize,
        max: usize,
    },
    FirstAssetNotHtml,
    BadAsset {
        asset: AssetId,
        problem: String,
    },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::OutOfRange {
                field,
                value,
                allowed,
            } => write!(f, "{field} is {value}; allowed: {allowed}"),
            ScenarioError::NoProtocols => {
                f.write_str("protocols is empty; give at least one of h1, h2")
            }
            ScenarioError::DuplicateProtocol(p) => {
                write!(
                    f,
                    "protocols lists {} twice; give each at most once",
                    p.id()
                )
            }
            ScenarioError::EmptyPage => f.write_str("page.assets is empty; a page needs its HTML"),
            ScenarioError::TooManyAssets { count, max } => {
                write!(
                    f,
                    "page.assets has {count} assets; at most {max} are allowed"
                )
            }
            ScenarioError::FirstAssetNotHtml => f.write_str(
                "page.assets[0] must be the HTML document (kind \"html\", discovered_by null)",
            ),
            ScenarioError::BadAsset { asset, problem } => {
                write!(f, "page.assets[{}]: {problem}", asset.0)
            }
        }
    }
}

impl std::error::Error for ScenarioError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_field_value_and_range() {
        let mut s = Scenario::preset(PresetId::Blog);
        s.network.rtt = SimDuration::ZERO;
        let e = s.validate().unwrap_err().to_string();
        assert_eq!(e, "network.rtt is 0 µs; allowed: 1 ms to 10 s");

        let mut s = Scenario::preset(PresetId::Blog);
        s.network.downlink_bps = 0;
        assert!(s
            .validate()
            .unwrap_err()
            .to_string()
            .starts_with("network.downlink_bps is 0 bit/s"));

        let mut s = Scenario::preset(PresetId::Blog);
        s.protocols = vec![Protocol::Http2, Protocol::Http2];
        assert_eq!(
            s.validate().unwrap_err(),
            ScenarioError::DuplicateProtocol(Protocol::Http2)
        );
        assert!(Scenario::preset(PresetId::Blog).validate().is_ok());
    }
}
