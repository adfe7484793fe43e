//! A run boiled down to what the verdict needs, per lane: times, stalls, losses, pushes.

use super::*;
use crate::link::DropReason;
use crate::trace::{BlockedCause, EventKind, Lane, Source, Trace};

/// Time spent stalled by one cause, over a lane's assets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stalls {
    /// Assets (streams) that stalled at least once.
    pub assets: u32,
    /// The stalls' durations added up, over every asset.
    pub total: SimDuration,
}

impl Stalls {
    fn add(&mut self, spans: impl Iterator<Item = SimDuration>) {
        let mut any = false;
        for d in spans {
            any = true;
            self.total += d;
        }
        self.assets += u32::from(any);
    }
}

/// What the verdict needs to know about one lane of one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaneOutcome {
    pub protocol: Protocol,
    /// `false` when the lane hit the engine's time limit: it has no load time.
    pub finished: bool,
    pub ttfb: Option<SimDuration>,
    pub first_paint: Option<SimDuration>,
    pub load: Option<SimDuration>,
    pub connections: u32,
    /// Stalls of responses whose bytes TCP held back behind a lost segment.
    pub tcp_head_of_line: Stalls,
    /// Stalls of QUIC streams waiting for their own lost packet.
    pub quic_head_of_line: Stalls,
    /// HTTP/1.1 requests that waited for a free connection.
    pub connection_limit: Stalls,
    /// Packets the link lost (random, bursty or scripted loss).
    pub link_losses: u64,
    /// Packets the full bottleneck queue dropped.
    pub queue_drops: u64,
    /// Assets the browser took from a server push.
    pub pushed: u32,
    /// Assets requested early because of 103 Early Hints.
    pub hinted: u32,
    /// Bytes pushed for nothing (the browser had them cached).
    pub wasted_bytes: u64,
}

impl LaneOutcome {
    /// The facts of one lane. The only place the verdict reads a lane's metrics.
    pub fn of(lane: &Lane) -> LaneOutcome {
        let m = &lane.metrics;
        let mut o = LaneOutcome {
            protocol: lane.protocol,
            finished: m.finished,
            ttfb: m.ttfb,
            first_paint: m.first_paint,
            load: m.load.filter(|_| m.finished),
            connections: m.connections,
            tcp_head_of_line: Stalls::default(),
            quic_head_of_line: Stalls::default(),
            connection_limit: Stalls::default(),
            link_losses: 0,
            queue_drops: 0,
            pushed: 0,
            hinted: 0,
            wasted_bytes: m.bytes_wasted,
        };
        for a in &lane.assets {
            let spans = |f: fn(&BlockedCause) -> bool| {
                a.blocked
                    .iter()
                    .filter(move |b| f(&b.cause))
                    .map(|b| b.to.saturating_since(b.from))
            };
            o.tcp_head_of_line
                .add(spans(|c| matches!(c, BlockedCause::TcpHeadOfLine { .. })));
            o.quic_head_of_line.add(spans(|c| {
                matches!(c, BlockedCause::QuicStreamHeadOfLine { .. })
            }));
            o.connection_limit
                .add(spans(|c| matches!(c, BlockedCause::ConnectionLimit)));
            o.pushed += u32::from(a.source == Source::Push);
            o.hinted += u32::from(a.source == Source::EarlyHint);
        }
        for e in &lane.events {
            if let EventKind::PacketSent {
                dropped: Some(why), ..
            } = e.kind
            {
                match why {
                    DropReason::QueueOverflow => o.queue_drops += 1,
                    DropReason::Random | DropReason::Burst | DropReason::Scripted => {
                        o.link_losses += 1
                    }
                }
            }
        }
        o
    }
}

/// One run of a scenario, boiled down: what a batch of seeds sends back from the worker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub seed: u64,
    pub lanes: Vec<LaneOutcome>,
}

impl Outcome {
    pub fn of(trace: &Trace) -> Outcome {
        Outcome {
            seed: trace.scenario.network.seed,
            lanes: trace.lanes.iter().map(LaneOutcome::of).collect(),
        }
    }
}
