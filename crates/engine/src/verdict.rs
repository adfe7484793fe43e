//! The verdict: which protocol loads the page first, by how much, and why — in one
//! structured value and one paragraph a student can read.
//!
//! Pure: traces in, a [`Verdict`] out. [`Outcome::of`] boils a trace down to what the
//! verdict needs per lane (times, stalls, losses, pushes); [`verdict`] compares the lanes of
//! one run, or, under random loss, the median over several seeds ([`seeds`] names them, so
//! the app's web worker, the CLI and the tests all run the same ones); [`evaluate`] does
//! both for a scenario. The sentence never calls a ratio a percentage ("3.7× faster", or
//! "27 % less time"), names first paint as well as load, leaves out a lane that did not
//! finish, and gives one reason taken from the trace.

use serde::{Deserialize, Serialize};

use crate::link::{DropReason, LossModel};
use crate::options::Cache;
use crate::scenario::{Protocol, Scenario, ScenarioError};
use crate::time::SimDuration;
use crate::trace::{BlockedCause, EventKind, Lane, Source, Trace};

/// Seeds the median runs over under random loss (nearest rank: the 5th of 9 is an actual
/// run, never an interpolation).
pub const SEEDS: u64 = 9;

/// How long a lane may run before the engine gives up on it (the lanes' time limit).
const LIMIT_TEXT: &str = "1 h";

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

/// What the figures of a verdict are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum Basis {
    /// No random loss: every seed gives the same run.
    Exact,
    /// Random loss, one seed's luck: the median is not known (yet).
    ThisSeed { seed: u64 },
    /// Random loss: each lane's median (nearest rank) over `seeds` seeds.
    Median { seeds: u64 },
}

/// The fastest and the slowest lane on one figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub best: Protocol,
    pub best_time: SimDuration,
    pub worst: Protocol,
    pub worst_time: SimDuration,
}

impl Comparison {
    /// Among lanes with a time (the earlier lane wins a tie); `None` with fewer than one.
    fn of(times: &[(Protocol, Option<SimDuration>)]) -> Option<Comparison> {
        let timed: Vec<(Protocol, SimDuration)> =
            times.iter().filter_map(|&(p, t)| Some((p, t?))).collect();
        let &(best, best_time) = timed.iter().min_by_key(|(_, t)| *t)?;
        let &(worst, worst_time) = timed.iter().rev().max_by_key(|(_, t)| *t)?;
        Some(Comparison {
            best,
            best_time,
            worst,
            worst_time,
        })
    }

    fn tie(&self) -> bool {
        self.best_time == self.worst_time
    }

    /// "3.7× faster than", "in 27 % less time than", or "in about the same time as" (within
    /// 1 %).
    pub fn how(&self) -> String {
        let (b, w) = (self.best_time.as_micros(), self.worst_time.as_micros());
        if w.saturating_mul(100) <= b.saturating_mul(101) {
            "in about the same time as".to_string()
        } else if w.saturating_mul(2) >= b.saturating_mul(3) {
            // One decimal, rounded half up: worst / best.
            let tenths = (w.saturating_mul(10) + b / 2) / b.max(1);
            format!("{}.{}× faster than", tenths / 10, tenths % 10)
        } else {
            let pct = ((w - b) * 100 + w / 2) / w.max(1);
            format!("in {pct} % less time than")
        }
    }
}

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

/// The verdict on one scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub basis: Basis,
    /// Fastest and slowest to load, among lanes that finished.
    pub load: Option<Comparison>,
    /// First and last to paint, among lanes that finished.
    pub first_paint: Option<Comparison>,
    pub reason: Option<Reason>,
    /// Lanes that did not finish within the time limit (left out of the comparison).
    pub unfinished: Vec<Protocol>,
    /// All of it, in words.
    pub sentence: String,
}

/// The seeds to take the median over: `Some` under random or bursty loss (the scenario's
/// own seed first, then the next ones), `None` when every seed gives the same run.
pub fn seeds(scenario: &Scenario) -> Option<Vec<u64>> {
    match scenario.network.loss {
        LossModel::Random { ppm } | LossModel::Bursty { ppm, .. } if ppm > 0 => Some(
            (0..SEEDS)
                .map(|i| scenario.network.seed.wrapping_add(i))
                .collect(),
        ),
        _ => None,
    }
}

/// Each protocol's median run over `runs` (by load, nearest rank; an unfinished run counts
/// as the slowest), its first paint the median of first paints. `None` if `runs` is empty
/// or the runs do not have the same lanes.
pub fn median(runs: &[Outcome]) -> Option<Outcome> {
    let first = runs.first()?;
    let protocols: Vec<Protocol> = first.lanes.iter().map(|l| l.protocol).collect();
    let rank = runs.len().div_ceil(2) - 1;
    let lanes = protocols
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let mut lanes: Vec<&LaneOutcome> = runs
                .iter()
                .map(|r| r.lanes.get(i).filter(|l| l.protocol == p))
                .collect::<Option<_>>()?;
            let key = |t: Option<SimDuration>| t.map_or(u64::MAX, SimDuration::as_micros);
            lanes.sort_by_key(|l| key(l.load));
            let mut median = lanes[rank].clone();
            lanes.sort_by_key(|l| key(l.first_paint));
            median.first_paint = lanes[rank].first_paint;
            Some(median)
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Outcome {
        seed: first.seed,
        lanes,
    })
}

/// The verdict on `run` (the trace on screen), or, given the runs of every seed of
/// [`seeds`], on their medians.
pub fn verdict(scenario: &Scenario, run: &Outcome, seed_runs: Option<&[Outcome]>) -> Verdict {
    let (basis, outcome) = match (seeds(scenario), seed_runs.and_then(median)) {
        (None, _) => (Basis::Exact, run.clone()),
        (Some(_), Some(m)) => (
            Basis::Median {
                seeds: seed_runs.map_or(0, |r| r.len() as u64),
            },
            m,
        ),
        (Some(_), None) => (Basis::ThisSeed { seed: run.seed }, run.clone()),
    };
    let lanes = &outcome.lanes;
    let unfinished: Vec<Protocol> = lanes
        .iter()
        .filter(|l| !l.finished)
        .map(|l| l.protocol)
        .collect();
    let load = Comparison::of(
        &lanes
            .iter()
            .map(|l| (l.protocol, l.load))
            .collect::<Vec<_>>(),
    );
    let first_paint = Comparison::of(
        &lanes
            .iter()
            .map(|l| (l.protocol, l.first_paint))
            .collect::<Vec<_>>(),
    );
    let finished = lanes.iter().filter(|l| l.finished).count();
    let reason = match load {
        Some(c) if finished >= 2 && !c.tie() => {
            let of = |p: Protocol| lanes.iter().find(|l| l.protocol == p);
            match (of(c.best), of(c.worst)) {
                (Some(b), Some(w)) => reason(scenario, b, w),
                _ => None,
            }
        }
        _ => None,
    };
    let sentence = sentence(
        basis,
        scenario,
        load,
        first_paint,
        finished,
        &reason,
        &unfinished,
    );
    Verdict {
        basis,
        load,
        first_paint,
        reason,
        unfinished,
        sentence,
    }
}

/// Simulates the scenario (and, under random loss, each of its [`seeds`]) and gives the
/// verdict on the medians: what the app shows once its worker has run the seeds, and what
/// `protoviz simulate --format verdict` prints.
pub fn evaluate(scenario: &Scenario) -> Result<Verdict, ScenarioError> {
    let run = Outcome::of(&crate::simulate(scenario)?);
    let runs = match seeds(scenario) {
        None => None,
        Some(seeds) => Some(
            seeds
                .into_iter()
                .map(|seed| {
                    let mut s = scenario.clone();
                    s.network.seed = seed;
                    crate::simulate(&s).map(|t| Outcome::of(&t))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    Ok(verdict(scenario, &run, runs.as_deref()))
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
fn reason(s: &Scenario, b: &LaneOutcome, w: &LaneOutcome) -> Option<Reason> {
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

fn list(ps: &[Protocol]) -> String {
    let names: Vec<&str> = ps.iter().map(|p| p.label()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn sentence(
    basis: Basis,
    s: &Scenario,
    load: Option<Comparison>,
    paint: Option<Comparison>,
    finished: usize,
    reason: &Option<Reason>,
    unfinished: &[Protocol],
) -> String {
    let mut out = match basis {
        Basis::Exact => String::new(),
        Basis::ThisSeed { seed } => format!("With this seed's losses (seed {seed}): "),
        Basis::Median { seeds } => match seeds_range(s, seeds) {
            Some((from, to)) => format!("Median of {seeds} loss draws (seeds {from}–{to}): "),
            None => format!("Median of {seeds} loss draws: "),
        },
    };
    match (load, finished) {
        (None, _) | (_, 0) => {
            out.clear();
            out.push_str(&format!(
                "No lane finished loading the page within {LIMIT_TEXT} of simulated time."
            ));
            return out;
        }
        (Some(c), 1) => {
            let lone = s.protocols.len() == 1;
            out.push_str(&format!(
                "{}{} loads the page in {}",
                if lone { "" } else { "Only " },
                c.best.label(),
                ms(c.best_time.as_micros())
            ));
            if let Some(p) = paint {
                out.push_str(&format!(
                    " and first paints at {}",
                    ms(p.best_time.as_micros())
                ));
            }
            out.push('.');
        }
        (Some(c), _) if c.tie() => {
            out.push_str(&format!(
                "Every lane loads the page in {}.",
                ms(c.best_time.as_micros())
            ));
        }
        (Some(c), _) => {
            out.push_str(&format!(
                "{} loads the page {} {} ({} against {}).",
                c.best.label(),
                c.how(),
                c.worst.label(),
                ms(c.best_time.as_micros()),
                ms(c.worst_time.as_micros()),
            ));
        }
    }
    if let (Some(c), Some(p)) = (load, paint) {
        if finished >= 2 {
            out.push(' ');
            out.push_str(&if p.tie() {
                format!(
                    "Every lane first paints at {}.",
                    ms(p.best_time.as_micros())
                )
            } else if p.best == c.best && !c.tie() {
                format!(
                    "It paints first too: at {}, against {} on {}.",
                    ms(p.best_time.as_micros()),
                    ms(p.worst_time.as_micros()),
                    p.worst.label()
                )
            } else {
                format!(
                    "{}{} paints first: at {}, against {} on {}.",
                    if c.tie() { "" } else { "But " },
                    p.best.label(),
                    ms(p.best_time.as_micros()),
                    ms(p.worst_time.as_micros()),
                    p.worst.label()
                )
            });
        }
    }
    if let Some(r) = reason {
        out.push_str(" Why: ");
        out.push_str(&r.text());
        out.push('.');
    }
    if !unfinished.is_empty() && finished >= 1 {
        out.push_str(&format!(
            " {} did not finish within {LIMIT_TEXT} of simulated time and {} left out.",
            list(unfinished),
            if unfinished.len() == 1 { "is" } else { "are" }
        ));
    }
    out
}

/// The first and last of the scenario's [`seeds`] when there are `n` of them.
fn seeds_range(s: &Scenario, n: u64) -> Option<(u64, u64)> {
    let seeds = seeds(s)?;
    (seeds.len() as u64 == n).then(|| (seeds[0], seeds[seeds.len() - 1]))
}

fn plural(n: u32, what: &str) -> String {
    plural_u64(u64::from(n), what)
}

fn plural_u64(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// "309 ms", "1.36 s", "12.3 s" from microseconds (rounded half up, in integers): the app
/// shows times the same way.
pub fn ms(us: u64) -> String {
    if us >= 10_000_000 {
        fixed_seconds(us, 1)
    } else if us >= 1_000_000 {
        fixed_seconds(us, 2)
    } else {
        format!("{} ms", (us + 500) / 1_000)
    }
}

/// Seconds with `decimals` decimals, rounded half up, in integers.
fn fixed_seconds(us: u64, decimals: u32) -> String {
    let unit = 10u64.pow(6 - decimals);
    let scaled = (us + unit / 2) / unit;
    let div = 10u64.pow(decimals);
    format!(
        "{}.{:0width$} s",
        scaled / div,
        scaled % div,
        width = decimals as usize
    )
}

/// "1.2 MB", "34.5 kB", "512 B" (decimal units, as network tools count).
pub fn bytes_text(n: u64) -> String {
    if n >= 1_000_000 {
        let hundredths = (n + 5_000) / 10_000;
        format!("{}.{:02} MB", hundredths / 100, hundredths % 100)
    } else if n >= 1_000 {
        let tenths = (n + 50) / 100;
        format!("{}.{} kB", tenths / 10, tenths % 10)
    } else {
        format!("{n} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url;

    fn scenario(text: &str) -> Scenario {
        url::decode(text).unwrap()
    }

    fn one_run(s: &Scenario) -> Verdict {
        verdict(s, &Outcome::of(&crate::simulate(s).unwrap()), None)
    }

    fn cmp(best_ms: u64, worst_ms: u64) -> Comparison {
        Comparison {
            best: Protocol::Http3,
            best_time: SimDuration::from_millis(best_ms),
            worst: Protocol::Http2,
            worst_time: SimDuration::from_millis(worst_ms),
        }
    }

    /// Never a wrong percentage: a ratio from 1.5 up is "N.N× faster", below it the share
    /// of time saved, within 1 % "about the same".
    #[test]
    fn ratios_and_percentages_are_said_right() {
        assert_eq!(cmp(2_350, 8_640).how(), "3.7× faster than");
        assert_eq!(cmp(1_000, 1_500).how(), "1.5× faster than");
        assert_eq!(cmp(1_030, 1_410).how(), "in 27 % less time than");
        assert_eq!(cmp(1_000, 1_010).how(), "in about the same time as");
        assert_eq!(cmp(1_000, 1_011).how(), "in 1 % less time than");
    }

    /// `spa`: the fastest and slowest lanes named with their times, first paint too, and
    /// none of the old "with 1 connection instead of 1".
    #[test]
    fn the_spa_verdict_names_both_lanes_their_times_and_first_paint() {
        let s = scenario("page=spa");
        let trace = crate::simulate(&s).unwrap();
        let v = one_run(&s);
        let c = v.load.unwrap();
        let best = trace.lanes.iter().min_by_key(|l| l.metrics.load).unwrap();
        let worst = trace.lanes.iter().max_by_key(|l| l.metrics.load).unwrap();
        assert_eq!(
            (c.best, Some(c.best_time)),
            (best.protocol, best.metrics.load)
        );
        assert_eq!(Some(c.worst_time), worst.metrics.load);
        assert!(
            v.sentence.starts_with(&format!(
                "{} loads the page {} {} ({} against {}).",
                c.best.label(),
                c.how(),
                c.worst.label(),
                ms(c.best_time.as_micros()),
                ms(c.worst_time.as_micros())
            )),
            "{}",
            v.sentence
        );
        assert!(v.sentence.contains("paints first"), "{}", v.sentence);
        assert!(!v.sentence.contains("instead of"), "{}", v.sentence);
        assert_eq!(v.basis, Basis::Exact);
        assert!(v.reason.is_some(), "a reason taken from the trace");
    }

    /// A warm cache: load times are close, first paint is not; both are named.
    #[test]
    fn a_warm_cache_names_first_paint() {
        let s = scenario("page=blog&cache=warm");
        let v = one_run(&s);
        let p = v.first_paint.unwrap();
        assert_eq!(p.best, Protocol::Http3);
        assert!(p.worst_time.as_micros() > p.best_time.as_micros() * 3 / 2);
        assert!(
            v.sentence.contains(&format!(
                "at {}, against {} on {}.",
                ms(p.best_time.as_micros()),
                ms(p.worst_time.as_micros()),
                p.worst.label()
            )),
            "{}",
            v.sentence
        );
        assert!(matches!(v.reason, Some(Reason::QuicHandshake { .. })));
    }

    /// Under loss: the median over the seeds of [`seeds`], said so; one seed alone is said
    /// to be this seed's luck.
    #[test]
    fn under_loss_the_median_of_the_seeds_or_this_seed_said_plainly() {
        let s = scenario("page=blog&loss=2&seed=4");
        assert_eq!(seeds(&s), Some((4..13).collect()));
        let alone = one_run(&s);
        assert_eq!(alone.basis, Basis::ThisSeed { seed: 4 });
        assert!(
            alone
                .sentence
                .starts_with("With this seed's losses (seed 4): "),
            "{}",
            alone.sentence
        );
        let v = evaluate(&s).unwrap();
        assert_eq!(v.basis, Basis::Median { seeds: 9 });
        assert!(
            v.sentence
                .starts_with("Median of 9 loss draws (seeds 4–12): "),
            "{}",
            v.sentence
        );
        // The median is the 5th of the 9 load times of that protocol: an actual run.
        let c = v.load.unwrap();
        let i = s.protocols.iter().position(|&p| p == c.best).unwrap();
        let mut loads: Vec<SimDuration> = (4..13)
            .map(|seed| {
                let mut s = s.clone();
                s.network.seed = seed;
                crate::simulate(&s).unwrap().lanes[i].metrics.load.unwrap()
            })
            .collect();
        loads.sort();
        assert_eq!(c.best_time, loads[4]);
        // Without random loss every seed is the same run: no median, no seed named.
        assert_eq!(seeds(&scenario("page=blog")), None);
        assert_eq!(
            evaluate(&scenario("page=blog")).unwrap().basis,
            Basis::Exact
        );
    }

    /// A lane that hit the time limit is named and left out of the comparison.
    #[test]
    fn an_unfinished_lane_is_left_out() {
        let s = scenario("page=blog");
        let mut run = Outcome::of(&crate::simulate(&s).unwrap());
        let h3 = run
            .lanes
            .iter()
            .position(|l| l.protocol == Protocol::Http3)
            .unwrap();
        run.lanes[h3].finished = false;
        run.lanes[h3].load = None;
        run.lanes[h3].first_paint = None;
        let v = verdict(&s, &run, None);
        assert_eq!(v.unfinished, vec![Protocol::Http3]);
        assert_ne!(v.load.unwrap().best, Protocol::Http3);
        assert!(
            v.sentence
                .ends_with(" HTTP/3 did not finish within 1 h of simulated time and is left out."),
            "{}",
            v.sentence
        );
        for l in &mut run.lanes {
            l.finished = false;
            l.load = None;
            l.first_paint = None;
        }
        let v = verdict(&s, &run, None);
        assert_eq!(
            v.sentence,
            "No lane finished loading the page within 1 h of simulated time."
        );
        assert_eq!(v.unfinished.len(), 4);
    }

    /// A real lane at the time limit (49 % loss): the engine says it did not finish, and
    /// the verdict leaves it out and names it.
    #[test]
    fn lanes_at_the_time_limit_are_named_and_left_out() {
        let v = evaluate(&scenario("page=blog&loss=49")).unwrap();
        assert_eq!(
            v.unfinished,
            vec![Protocol::Http1, Protocol::Http2, Protocol::Http2Push]
        );
        assert_eq!(v.load.unwrap().best, Protocol::Http3);
        assert!(
            v.sentence.contains("Only HTTP/3 loads the page in "),
            "{}",
            v.sentence
        );
        assert!(
            v.sentence.ends_with(
                " HTTP/1.1, HTTP/2 and HTTP/2 + push did not finish within 1 h of simulated \
                 time and are left out."
            ),
            "{}",
            v.sentence
        );
    }

    /// The reason is the trace's: tiles waits for HTTP/1.1's connections; 0-RTT on a warm
    /// visit; one TCP connection under loss.
    #[test]
    fn the_reason_comes_from_the_trace() {
        let s = scenario("page=tiles");
        let trace = crate::simulate(&s).unwrap();
        let h1 = &trace.lanes[0];
        let waited = h1
            .assets
            .iter()
            .filter(|a| {
                a.blocked
                    .iter()
                    .any(|b| b.cause == BlockedCause::ConnectionLimit)
            })
            .count() as u32;
        assert!(waited > 50, "{waited}");
        match one_run(&s).reason {
            Some(Reason::Multiplexing {
                h1_connections,
                queued,
                ..
            }) => {
                assert_eq!(h1_connections, h1.metrics.connections);
                assert_eq!(queued, waited);
            }
            r => panic!("{r:?}"),
        }
        assert!(matches!(
            one_run(&scenario("page=blog&cache=warm&zerortt=on")).reason,
            Some(Reason::ZeroRtt { .. })
        ));
        let v = one_run(&scenario("page=blog&loss=2"));
        assert!(
            matches!(v.reason, Some(Reason::OneConnection { .. })),
            "{v:?}"
        );
        assert!(v.sentence.contains(" Why: "), "{}", v.sentence);
    }

    /// One lane: nothing to compare, its figures said; every lane tied: said so.
    #[test]
    fn one_lane_and_ties() {
        let v = one_run(&scenario("page=blog&proto=h3"));
        let c = v.load.unwrap();
        assert_eq!(
            v.sentence,
            format!(
                "HTTP/3 loads the page in {} and first paints at {}.",
                ms(c.best_time.as_micros()),
                ms(v.first_paint.unwrap().best_time.as_micros())
            )
        );
        // HTTP/2 with and without push tie when push pushes nothing.
        let v = one_run(&scenario("page=blog&proto=h2,h2-push&push=none"));
        assert!(
            v.sentence.starts_with("Every lane loads the page in "),
            "{}",
            v.sentence
        );
        assert!(v.sentence.contains("Every lane first paints at "));
        assert_eq!(v.reason, None);
    }

    #[test]
    fn times_and_sizes_read_as_people_read_them() {
        assert_eq!(ms(308_828), "309 ms");
        assert_eq!(ms(1_359_201), "1.36 s");
        assert_eq!(ms(12_345_678), "12.3 s");
        assert_eq!(ms(999_499), "999 ms");
        assert_eq!(bytes_text(1_082_280), "1.08 MB");
        assert_eq!(bytes_text(15_358), "15.4 kB");
        assert_eq!(bytes_text(60), "60 B");
    }
}
