//! The HTTP/3 lane's configuration: the deployed stacks the rig runs (Chromium and
//! quic-go), or RFC 9000/9002 alone.

use crate::http::h3::{H3Config, Scheduling};
use crate::options::SchedulerKind;
use crate::scenario::Scenario;
use crate::transport::quic::{BASE_PLPMTU, ETHERNET_MAX_UDP_PAYLOAD};

#[cfg(doc)]
use crate::browser::priority::chrome_priority;

/// The server's [`Scheduling`] for the scenario's scheduler: `Sequential` is RFC 9218 §10
/// by the client's urgencies ([`chrome_priority`]); `RoundRobin` ignores them.
pub fn scheduling(kind: SchedulerKind) -> Scheduling {
    match kind {
        SchedulerKind::Sequential => Scheduling::ClientPriority,
        SchedulerKind::RoundRobin => Scheduling::RoundRobin,
    }
}

/// The HTTP/3 configuration of the lane for `scenario`: its 0-RTT, and by default the
/// deployed stacks of the reality rig, a Chromium client and a quic-go server (Caddy 2.6.2
/// runs quic-go v0.29.2), each with its own packet size, path MTU discovery, initial window,
/// controller, pacing and ACK frequency (`transport::quic::Config::deployed`,
/// `transport::quic::stack`).
/// quic-go v0.29's HTTP/3 server ignores RFC 9218 priorities (`http3/server.go` reads no
/// `priority` field): its framer serves every stream with data in turn
/// (`framer.go AppendStreamFrames`), so the responses share the connection round-robin
/// whatever the scenario's scheduler; Caddy's `file_server` writes each file with
/// `http.ServeContent` through `io.Copy`'s 32 KiB buffer, one DATA frame per write; and its
/// TLS answers with an X25519 share (`stack::QUIC_GO_SERVER_HELLO`).
///
/// With `http3.rfc_only`: both endpoints follow RFC 9000/9002 alone (the scenario's
/// controller and HyStart switch, the datagram sizes of a 1,500-byte Ethernet path:
/// BASE_PLPMTU until the handshake is confirmed, then the path MTU) and the server the
/// scenario's scheduler.
pub fn lane_config(scenario: &Scenario) -> H3Config {
    let mut c = H3Config {
        scheduling: scheduling(scenario.server.scheduler),
        ..H3Config::default()
    };
    c.quic.max_udp_payload = BASE_PLPMTU;
    c.quic.path_max_udp_payload = Some(ETHERNET_MAX_UDP_PAYLOAD);
    c.quic.zero_rtt = scenario.http3.zero_rtt;
    c.quic.hystart = scenario.transport.hystart;
    c.quic.congestion = scenario.transport.congestion;
    if !scenario.http3.rfc_only {
        let deployed = crate::transport::quic::Config::deployed();
        c.quic.client_stack = deployed.client_stack;
        c.quic.server_stack = deployed.server_stack;
        c.quic.handshake.server_hello = crate::transport::quic::stack::QUIC_GO_SERVER_HELLO;
        c.scheduling = Scheduling::RoundRobin;
        // Go `io.Copy`'s buffer (`io.go copyBuffer`: 32 * 1024).
        c.data_frame_payload = 32 * 1024;
    }
    c
}
