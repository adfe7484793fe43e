//! The one reason a verdict gives: the first rule that explains, from the trace's facts,
//! why the fastest lane beat the slowest.

use super::words::{bytes_text, ms, plural, plural_u64};
use super::*;
use crate::options::Cache;

/// The one reason the verdict gives, with the trace's numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// The push lane pushed assets the warm cache already had.
    WastedPush { lane: Protocol, bytes: u64 },
    /// HTTP/3 lost packets too, but each stalled only its own stream; TCP held back every
    /// response behind a lost segment. `overflow`: the losses were queue drops only (this
    /// many on the TCP lane).
    QuicIsolatesLoss {
        tcp_lane: Protocol,
        tcp: Stalls,
        quic: Stalls,
        overflow: Option<u64>,
    },
    /// One TCP connection carrying every stream: each loss cut its one congestion window
    /// and stalled every stream, while HTTP/1.1's connections each slowed down only for
    /// their own losses.
    OneConnection {
        lane: Protocol,
        stalls: Stalls,
        h1_connections: u32,
        overflow: Option<u64>,
    },
    /// Stalls behind lost TCP segments.
    TcpHeadOfLine {
        lane: Protocol,
        stalls: Stalls,
        overflow: Option<u64>,
    },
    /// No link loss, but slow start overflowed the bottleneck queue.
    QueueOverflow { lane: Protocol, drops: u64 },
    /// QUIC's first flight carried the request (0-RTT).
    ZeroRtt {
        h3_ttfb: SimDuration,
        other: Protocol,
        other_ttfb: SimDuration,
    },
    /// QUIC's handshake carries TLS: one round trip less before the first request.
    QuicHandshake {
        h3_ttfb: SimDuration,
        other: Protocol,
        other_ttfb: SimDuration,
    },
    /// HTTP/1.1's connections each paid a handshake and slow start, and requests queued for
    /// them, while one connection carried every request at once.
    Multiplexing {
        lane: Protocol,
        h1_connections: u32,
        queued: u32,
    },
    /// The server pushed the render-blocking CSS and JS with the HTML.
    Push { pushed: u32 },
    /// 103 Early Hints let the browser ask for the CSS and JS before the HTML came.
    EarlyHints { lane: Protocol, hinted: u32 },
    /// HTTP/1.1's connections grew their windows side by side.
    ParallelSlowStart { h1_connections: u32 },
}

impl Reason {
    pub fn text(&self) -> String {
        match self {
            Reason::WastedPush { lane, bytes } => format!(
                "{} pushed {} the browser already had in its cache, and those bytes took the \
                 place of the ones it needed",
                lane.label(),
                bytes_text(*bytes)
            ),
            Reason::QuicIsolatesLoss {
                tcp_lane,
                tcp,
                quic,
                overflow,
            } => format!(
                "{}on {}, {} stalled {} in all behind segments TCP lost{}, while HTTP/3 stalls \
                 only the stream whose packet was lost ({}, {} in all)",
                overflow_text(*overflow, *tcp_lane),
                tcp_lane.label(),
                plural(tcp.assets, "response"),
                ms(tcp.total.as_micros()),
                if multiplexed(*tcp_lane) && tcp.assets > 1 {
                    " (every stream of the connection at once)"
                } else {
                    ""
                },
                plural(quic.assets, "stream"),
                ms(quic.total.as_micros()),
            ),
            Reason::OneConnection {
                lane,
                stalls,
                h1_connections,
                overflow,
            } => format!(
                "{}{} carries every stream on one TCP connection: each loss cuts that one \
                 congestion window and stalls every stream behind the missing segment ({} \
                 stalled, {} in all), while HTTP/1.1's {} each slow down only for their own \
                 losses",
                overflow_text(*overflow, *lane),
                lane.label(),
                plural(stalls.assets, "response"),
                ms(stalls.total.as_micros()),
                plural(*h1_connections, "connection"),
            ),
            Reason::TcpHeadOfLine {
                lane,
                stalls,
                overflow,
            } => format!(
                "{}{}'s responses waited {} in all behind segments TCP lost ({} stalled: \
                 head-of-line blocking)",
                overflow_text(*overflow, *lane),
                lane.label(),
                ms(stalls.total.as_micros()),
                plural(stalls.assets, "response"),
            ),
            Reason::QueueOverflow { lane, drops } => format!(
                "the link lost nothing, but {}'s slow start overflowed the bottleneck queue: \
                 {} dropped and sent again",
                lane.label(),
                plural_u64(*drops, "packet"),
            ),
            Reason::ZeroRtt {
                h3_ttfb,
                other,
                other_ttfb,
            } => format!(
                "with 0-RTT, HTTP/3 sends its request in QUIC's very first flight: first byte \
                 at {}, against {} on {}",
                ms(h3_ttfb.as_micros()),
                ms(other_ttfb.as_micros()),
                other.label()
            ),
            Reason::QuicHandshake {
                h3_ttfb,
                other,
                other_ttfb,
            } => format!(
                "QUIC's handshake carries TLS, so HTTP/3's first request goes out a round trip \
                 sooner: first byte at {}, against {} on {}",
                ms(h3_ttfb.as_micros()),
                ms(other_ttfb.as_micros()),
                other.label()
            ),
            Reason::Multiplexing {
                lane,
                h1_connections,
                queued,
            } => {
                let queued = if *queued > 0 {
                    format!(", and {} waited for a free one", plural(*queued, "request"))
                } else {
                    String::new()
                };
                format!(
                    "HTTP/1.1 opened {}, each paying its own handshakes and slow start{queued}, \
                     while {} sent every request at once on one connection",
                    plural(*h1_connections, "connection"),
                    lane.label()
                )
            }
            Reason::Push { pushed } => format!(
                "the server pushed {} with the HTML, so the browser did not have to ask for \
                 them",
                plural(*pushed, "render-blocking file")
            ),
            Reason::EarlyHints { lane, hinted } => format!(
                "103 Early Hints let {} request {} before the HTML arrived",
                lane.label(),
                plural(*hinted, "critical file")
            ),
            Reason::ParallelSlowStart { h1_connections } => format!(
                "HTTP/1.1's {} each grew its own congestion window, together faster than \
                 one connection's slow start",
                plural(*h1_connections, "connection")
            ),
        }
    }
}

fn is_tcp(p: Protocol) -> bool {
    p != Protocol::Http3
}

fn multiplexed(p: Protocol) -> bool {
    matches!(p, Protocol::Http2 | Protocol::Http2Push | Protocol::Http3)
}

/// "the link lost nothing, but …, and " when every loss was a queue drop.
fn overflow_text(overflow: Option<u64>, lane: Protocol) -> String {
    match overflow {
        None => String::new(),
        Some(n) => format!(
            "the link lost nothing, but slow start overflowed the bottleneck queue ({} \
             dropped on {}), and ",
            plural_u64(n, "packet"),
            lane.label()
        ),
    }
}

/// Whether the link itself loses packets (not counting queue overflow).
fn link_loss(s: &Scenario) -> bool {
    match &s.network.loss {
        LossModel::None => false,
        LossModel::Random { ppm } | LossModel::Bursty { ppm, .. } => *ppm > 0,
        LossModel::Scripted { up, down } => !up.is_empty() || !down.is_empty(),
    }
}

/// The first rule that explains why `b` (fastest) beat `w` (slowest), from the trace's
/// facts about the two.
pub(super) fn reason(s: &Scenario, b: &LaneOutcome, w: &LaneOutcome) -> Option<Reason> {
    let link_loss = link_loss(s);
    let rtt = s.network.rtt.as_micros();
    let b_stalls = b.tcp_head_of_line.total + b.quic_head_of_line.total;
    let gap = w
        .load
        .zip(b.load)
        .map_or(0, |(w, b)| w.as_micros().saturating_sub(b.as_micros()));
    if w.protocol == Protocol::Http2Push && w.wasted_bytes > 0 && s.browser.cache == Cache::Warm {
        return Some(Reason::WastedPush {
            lane: w.protocol,
            bytes: w.wasted_bytes,
        });
    }
    let overflow = (!link_loss && w.queue_drops > 0).then_some(w.queue_drops);
    let w_tcp = w.tcp_head_of_line;
    let lost = w.link_losses + w.queue_drops > 0;
    if lost && w_tcp.assets > 0 {
        if b.protocol == Protocol::Http3 && is_tcp(w.protocol) && w_tcp.total > b_stalls {
            return Some(Reason::QuicIsolatesLoss {
                tcp_lane: w.protocol,
                tcp: w_tcp,
                quic: b.quic_head_of_line,
                overflow,
            });
        }
        if b.protocol == Protocol::Http1 && is_tcp(w.protocol) && multiplexed(w.protocol) {
            return Some(Reason::OneConnection {
                lane: w.protocol,
                stalls: w_tcp,
                h1_connections: b.connections,
                overflow,
            });
        }
        if w_tcp.total.as_micros() >= rtt && w_tcp.total > b_stalls + b_stalls {
            return Some(Reason::TcpHeadOfLine {
                lane: w.protocol,
                stalls: w_tcp,
                overflow,
            });
        }
    }
    if !link_loss && w.queue_drops > 0 && w.queue_drops > 2 * b.queue_drops {
        return Some(Reason::QueueOverflow {
            lane: w.protocol,
            drops: w.queue_drops,
        });
    }
    // QUIC's handshake: first when the round trip it saves is most of the gap.
    let handshake = match (b.protocol, is_tcp(w.protocol), b.ttfb, w.ttfb) {
        (Protocol::Http3, true, Some(bt), Some(wt))
            if bt.as_micros() + rtt / 2 <= wt.as_micros() =>
        {
            let (h3_ttfb, other, other_ttfb) = (bt, w.protocol, wt);
            let saved = wt.as_micros() - bt.as_micros();
            let r = if s.http3.zero_rtt {
                Reason::ZeroRtt {
                    h3_ttfb,
                    other,
                    other_ttfb,
                }
            } else {
                Reason::QuicHandshake {
                    h3_ttfb,
                    other,
                    other_ttfb,
                }
            };
            Some((r, 2 * saved >= gap))
        }
        _ => None,
    };
    if let Some((r, true)) = &handshake {
        return Some(r.clone());
    }
    if w.protocol == Protocol::Http1 && multiplexed(b.protocol) && w.connections > 1 {
        return Some(Reason::Multiplexing {
            lane: b.protocol,
            h1_connections: w.connections,
            queued: w.connection_limit.assets,
        });
    }
    if let Some((r, _)) = handshake {
        return Some(r);
    }
    if b.protocol == Protocol::Http2Push && b.pushed > 0 {
        return Some(Reason::Push { pushed: b.pushed });
    }
    if b.hinted > 0 && w.hinted == 0 {
        return Some(Reason::EarlyHints {
            lane: b.protocol,
            hinted: b.hinted,
        });
    }
    if b.protocol == Protocol::Http1 && multiplexed(w.protocol) && b.connections > 1 && !link_loss {
        return Some(Reason::ParallelSlowStart {
            h1_connections: b.connections,
        });
    }
    None
}
