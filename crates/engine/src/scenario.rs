//! The scenario: everything a simulation depends on, as plain data.

use core::fmt;
use serde::{Deserialize, Serialize};

use crate::link::{LinkConfig, LossModel, PPM};
use crate::options::{BrowserOptions, Http1Options, Http2Options, Http3Options, ServerOptions};
use crate::page::{Page, PageError, PresetId};
use crate::time::SimDuration;
use crate::transport::cc::Algorithm;
use crate::transport::tcp::{RtoRule, TcpConfig, LINUX_MIN_RTO, RFC6298_MIN_RTO};
use crate::transport::tls::{TlsConfig, TlsMode};

/// The protocols a lane can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Protocol {
    /// HTTP/1.1 over TLS 1.3 over TCP, up to six keep-alive connections per host.
    #[serde(rename = "h1")]
    Http1,
    /// HTTP/2 over TLS 1.3 over TCP, one connection, every request multiplexed.
    #[serde(rename = "h2")]
    Http2,
    /// HTTP/2 whose server pushes (RFC 9113 §8.4) what [`Http2Options::push`] names, with
    /// the HTML response: the lesson of what push saved and what it wasted.
    #[serde(rename = "h2-push")]
    Http2Push,
    /// HTTP/3 over QUIC (RFC 9114, RFC 9000): one connection, TLS 1.3 inside the QUIC
    /// handshake, every request on its own QUIC stream.
    #[serde(rename = "h3")]
    Http3,
}

impl Protocol {
    pub const ALL: [Protocol; 4] = [
        Protocol::Http1,
        Protocol::Http2,
        Protocol::Http2Push,
        Protocol::Http3,
    ];

    /// The short id used on the command line, in URLs and in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Protocol::Http1 => "h1",
            Protocol::Http2 => "h2",
            Protocol::Http2Push => "h2-push",
            Protocol::Http3 => "h3",
        }
    }
    /// The name a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Protocol::Http1 => "HTTP/1.1",
            Protocol::Http2 => "HTTP/2",
            Protocol::Http2Push => "HTTP/2 + push",
            Protocol::Http3 => "HTTP/3",
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

/// The one network path every lane of a scenario runs over. Each lane gets a fresh
/// [`crate::link::Link`] with this configuration and seed, so the n-th packet in each
/// direction has the same luck in every lane.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Network {
    /// Round-trip propagation delay; each direction gets half.
    pub rtt: SimDuration,
    /// Bottleneck bandwidth from server to client, bits per second.
    pub downlink_bps: u64,
    /// Bottleneck bandwidth from client to server, bits per second.
    pub uplink_bps: u64,
    /// How packets are lost after the bottleneck.
    pub loss: LossModel,
    /// Drop-tail queue at each bottleneck in bytes; `None`: one bandwidth-delay product, at
    /// least 64 KiB ([`crate::link::DEFAULT_QUEUE_FLOOR`]).
    pub queue_bytes: Option<u64>,
    /// Seed of the loss draws.
    pub seed: u64,
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
    /// Highest loss rate accepted: 50 % (in ppm). Beyond it TCP spends its time in
    /// exponential RTO back-off (RFC 6298 §5.5) and a page never loads in a useful time.
    pub const MAX_LOSS_PPM: u32 = PPM / 2;
    /// Longest mean burst accepted, packets.
    pub const MAX_MEAN_BURST: u32 = 1_000;
    /// Most scripted loss ordinals per direction.
    pub const MAX_SCRIPTED: usize = 10_000;
    /// Smallest queue accepted: one 1500-byte packet (RFC 894 Ethernet MTU).
    pub const MIN_QUEUE: u64 = 1_500;
    /// Largest queue accepted: 1 GB.
    pub const MAX_QUEUE: u64 = 1_000_000_000;

    /// The link configuration every lane's fresh link is built from.
    pub fn link_config(&self) -> LinkConfig {
        LinkConfig {
            rtt: self.rtt,
            downlink_bps: self.downlink_bps,
            uplink_bps: self.uplink_bps,
            queue_bytes: self.queue_bytes,
            loss: self.loss.clone(),
            seed: self.seed,
        }
    }

    fn validate(&self) -> Result<(), ScenarioError> {
        let range = |field, value: String, allowed| {
            Err(ScenarioError::OutOfRange {
                field,
                value,
                allowed,
            })
        };
        if self.rtt < Network::MIN_RTT || self.rtt > Network::MAX_RTT {
            return range(
                "network.rtt",
                format!("{} µs", self.rtt.as_micros()),
                "1 ms to 10 s",
            );
        }
        for (field, bps) in [
            ("network.downlink_bps", self.downlink_bps),
            ("network.uplink_bps", self.uplink_bps),
        ] {
            if !(Network::MIN_BPS..=Network::MAX_BPS).contains(&bps) {
                return range(field, format!("{bps} bit/s"), "56 kbit/s to 10 Gbit/s");
            }
        }
        if let Some(q) = self.queue_bytes {
            if !(Network::MIN_QUEUE..=Network::MAX_QUEUE).contains(&q) {
                return range(
                    "network.queue_bytes",
                    format!("{q} bytes"),
                    "1500 bytes to 1 GB, or null for one bandwidth-delay product (at least 64 KiB)",
                );
            }
        }
        match &self.loss {
            LossModel::None => {}
            LossModel::Random { ppm } | LossModel::Bursty { ppm, .. }
                if *ppm > Network::MAX_LOSS_PPM =>
            {
                return range(
                    "network.loss.ppm",
                    format!("{ppm} ppm"),
                    "0 to 500000 ppm (0 % to 50 %)",
                );
            }
            LossModel::Random { .. } => {}
            LossModel::Bursty { mean_burst, .. } => {
                if !(1..=Network::MAX_MEAN_BURST).contains(mean_burst) {
                    return range(
                        "network.loss.mean_burst",
                        format!("{mean_burst} packets"),
                        "1 to 1000 packets",
                    );
                }
            }
            LossModel::Scripted { up, down } => {
                for (field, v) in [("network.loss.up", up), ("network.loss.down", down)] {
                    if v.len() > Network::MAX_SCRIPTED {
                        return range(
                            field,
                            format!("{} ordinals", v.len()),
                            "at most 10000 ordinals",
                        );
                    }
                }
            }
        }
        Ok(())
    }
}

impl Default for Network {
    fn default() -> Self {
        Network {
            rtt: SimDuration::from_millis(100),
            downlink_bps: 10_000_000,
            uplink_bps: 5_000_000,
            loss: LossModel::None,
            queue_bytes: None,
            seed: 0,
        }
    }
}

/// The TCP retransmission timer's rule and floor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MinRto {
    /// Linux (`tcp_rtt_estimator` / `tcp_set_rto`): SRTT + max(4·mdev, 200 ms).
    #[default]
    Linux200ms,
    /// RFC 6298 §2: SRTT + 4·RTTVAR, §2.4: at least 1 s.
    Rfc1s,
}

/// Which TLS handshake each connection runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsVersion {
    /// RFC 8446 full handshake: one round trip.
    #[default]
    Tls13,
    /// RFC 5246 full handshake: two round trips.
    Tls12,
}

/// Transport knobs shared by every connection of every lane: TCP's, and QUIC's for the
/// congestion controller and HyStart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransportOptions {
    pub congestion: Algorithm,
    /// SACK (RFC 2018) with RFC 6675 recovery; NewReno recovery (RFC 6582) without.
    pub sack: bool,
    pub min_rto: MinRto,
    pub tls: TlsVersion,
    /// Delay-based slow-start exit (HyStart, Linux CUBIC and Chromium QUIC) for TCP and
    /// QUIC; off: classic slow start up to the first loss.
    pub hystart: bool,
}

impl Default for TransportOptions {
    fn default() -> Self {
        TransportOptions {
            // Linux's default (`net.ipv4.tcp_congestion_control = cubic`), which the TCP
            // lanes stand for; QUIC follows it (see `browser_h3::lane_config`).
            congestion: Algorithm::Cubic,
            sack: true,
            min_rto: MinRto::Linux200ms,
            tls: TlsVersion::Tls13,
            hystart: true,
        }
    }
}

impl TransportOptions {
    pub fn tcp_config(&self) -> TcpConfig {
        let (rto, min_rto) = match self.min_rto {
            MinRto::Linux200ms => (RtoRule::Linux, LINUX_MIN_RTO),
            MinRto::Rfc1s => (RtoRule::Rfc6298, RFC6298_MIN_RTO),
        };
        TcpConfig {
            congestion: self.congestion,
            sack: self.sack,
            hystart: self.hystart,
            rto,
            min_rto,
            ..TcpConfig::default()
        }
    }

    /// TLS as the lanes run it, the server cutting its records by `records`.
    pub fn tls_config(&self, records: crate::options::TlsRecords) -> TlsConfig {
        TlsConfig {
            mode: match self.tls {
                TlsVersion::Tls13 => TlsMode::Tls13,
                TlsVersion::Tls12 => TlsMode::Tls12,
            },
            server_records: records.sizing(),
            ..TlsConfig::default()
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
    #[serde(default)]
    pub transport: TransportOptions,
    #[serde(default)]
    pub http1: Http1Options,
    #[serde(default)]
    pub http2: Http2Options,
    #[serde(default)]
    pub http3: Http3Options,
    #[serde(default)]
    pub server: ServerOptions,
    #[serde(default)]
    pub browser: BrowserOptions,
}

impl Scenario {
    /// A preset page on the default network with every protocol.
    pub fn preset(id: PresetId) -> Scenario {
        Scenario {
            page: Page::preset(id),
            network: Network::default(),
            protocols: Protocol::ALL.to_vec(),
            transport: TransportOptions::default(),
            http1: Http1Options::default(),
            http2: Http2Options::default(),
            http3: Http3Options::default(),
            server: ServerOptions::default(),
            browser: BrowserOptions::default(),
        }
    }

    /// Checks every field; the error names the field, the value and what is allowed.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        self.network.validate()?;
        if self.protocols.is_empty() {
            return Err(ScenarioError::NoProtocols);
        }
        for (i, p) in self.protocols.iter().enumerate() {
            if self.protocols[..i].contains(p) {
                return Err(ScenarioError::DuplicateProtocol(*p));
            }
        }
        self.page.validate()?;
        crate::options::validate(&self.page, &self.http1, &self.http2, &self.browser)
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
    Page(PageError),
    /// The engine broke its own protocol while simulating the `protocol` lane: a bug.
    Engine {
        protocol: Protocol,
        error: String,
    },
}

impl From<PageError> for ScenarioError {
    fn from(e: PageError) -> Self {
        ScenarioError::Page(e)
    }
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
                f.write_str("protocols is empty; give at least one of h1, h2, h2-push, h3")
            }
            ScenarioError::DuplicateProtocol(p) => {
                write!(
                    f,
                    "protocols lists {} twice; give each at most once",
                    p.id()
                )
            }
            ScenarioError::Page(e) => e.fmt(f),
            ScenarioError::Engine { protocol, error } => write!(
                f,
                "the {} lane could not be simulated: {error} (an engine bug; please report it \
                 with this scenario)",
                protocol.label()
            ),
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

        s.protocols.clear();
        assert_eq!(
            s.validate().unwrap_err().to_string(),
            "protocols is empty; give at least one of h1, h2, h2-push, h3"
        );
    }

    #[test]
    fn every_protocol_round_trips_its_id() {
        assert_eq!(
            Protocol::ALL.map(Protocol::id),
            ["h1", "h2", "h2-push", "h3"]
        );
        for p in Protocol::ALL {
            assert_eq!(Protocol::from_id(p.id()), Some(p));
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.id())
            );
        }
        assert_eq!(Protocol::Http3.label(), "HTTP/3");
        assert_eq!(Protocol::from_id("h4"), None);
    }

    #[test]
    fn loss_validation_names_field_value_and_range() {
        let mut s = Scenario::preset(PresetId::Blog);
        s.network.loss = LossModel::Random { ppm: PPM };
        assert_eq!(
            s.validate().unwrap_err().to_string(),
            "network.loss.ppm is 1000000 ppm; allowed: 0 to 500000 ppm (0 % to 50 %)"
        );
        s.network.loss = LossModel::Bursty {
            ppm: 10_000,
            mean_burst: 0,
        };
        assert_eq!(
            s.validate().unwrap_err().to_string(),
            "network.loss.mean_burst is 0 packets; allowed: 1 to 1000 packets"
        );
        s.network.loss = LossModel::Random { ppm: 20_000 };
        s.network.queue_bytes = Some(100);
        assert!(s
            .validate()
            .unwrap_err()
            .to_string()
            .starts_with("network.queue_bytes is 100 bytes; allowed: 1500 bytes"));
        s.network.queue_bytes = None;
        assert!(s.validate().is_ok());
    }

    #[test]
    fn old_json_without_loss_or_transport_still_reads() {
        let mut v = serde_json::to_value(Scenario::preset(PresetId::Blog)).unwrap();
        let net = v["network"].as_object_mut().unwrap();
        net.remove("loss");
        net.remove("queue_bytes");
        net.remove("seed");
        v.as_object_mut().unwrap().remove("transport");
        let s: Scenario = serde_json::from_value(v).unwrap();
        assert_eq!(s, Scenario::preset(PresetId::Blog));
        assert_eq!(s.network.link_config(), LinkConfig::default());
        assert_eq!(s.transport.tcp_config(), TcpConfig::default());
    }
}
