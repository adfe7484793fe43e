//! What a lesson step claims, as data, and [`Claim::check`]: whether the engine's trace of
//! the step's scenario shows it (the error says what the trace shows instead).

use crate::trace::{BlockedCause, Direction, EventKind, Lane, RepKind, Source, Trace};
use crate::{simulate, url, Protocol, SimDuration};

/// A time a lane reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    FirstByte,
    FirstPaint,
    Load,
}

impl Metric {
    fn of(self, lane: &Lane) -> Option<SimDuration> {
        let m = &lane.metrics;
        match self {
            Metric::FirstByte => m.ttfb,
            Metric::FirstPaint => m.first_paint,
            Metric::Load => m.load.filter(|_| m.finished),
        }
    }
    fn name(self) -> &'static str {
        match self {
            Metric::FirstByte => "first byte",
            Metric::FirstPaint => "first paint",
            Metric::Load => "load",
        }
    }
}

/// Something a step says that the trace must show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The lane opened exactly this many connections.
    Connections(Protocol, u32),
    /// The lane opened one connection per asset it fetched from the network.
    ConnectionPerRequest(Protocol),
    /// On each connection, a request goes out only after the previous response ended.
    OneAtATime(Protocol),
    /// Every request waited at least one round trip for its first byte.
    EachWaitsARoundTrip(Protocol),
    /// Every TCP connection paid its own handshakes (TCP, then TLS).
    HandshakeEach(Protocol),
    /// Some request waited for a free connection.
    WaitedForAConnection(Protocol),
    /// Some pipelined response waited behind an earlier one.
    PipelineBlocked(Protocol),
    /// On each connection, responses began in the order of their requests.
    InOrderPerConnection(Protocol),
    /// Some asset requested later finished before one requested earlier.
    OutOfOrder(Protocol),
    /// DATA frames of different streams alternate (A, B, A) on one connection.
    Interleaved(Protocol),
    /// The first lane's time is earlier than the second's.
    Earlier(Metric, Protocol, Protocol),
    /// The first lane's time is earlier than the second's by at least this many round
    /// trips (minus a tenth of one).
    EarlierByRoundTrips(Metric, Protocol, Protocol, u32),
    /// This lane's time here is earlier than the same lane's in the other scenario by at
    /// least this many round trips (0: just earlier).
    EarlierThanIn(Metric, Protocol, &'static str, u32),
    /// This lane's time here is later than the same lane's in the other scenario.
    LaterThanIn(Metric, Protocol, &'static str),
    /// The lane finished first of all lanes (strictly).
    FinishesFirst(Protocol),
    /// The second request's header block is at most a third of the first's, and most of
    /// its fields are indexes into the tables.
    SecondHeadersSmall(Protocol),
    /// The client's dynamic table holds entries after its first request.
    DynamicTableFilled(Protocol),
    /// At least this many assets came by server push.
    Pushed(Protocol, u32),
    /// Pushed bytes were wasted (the browser had them cached).
    PushWasted(Protocol),
    /// At least this many assets were requested early because of 103 Early Hints.
    Hinted(Protocol, u32),
    /// The asset was requested before the HTML's last byte arrived.
    RequestedBeforeHtmlEnds(Protocol, &'static str),
    /// The asset's bytes arrived over at least this many milliseconds, on one request.
    ArrivesOver(Protocol, &'static str, u64),
    /// At least this many assets stalled behind a lost TCP segment.
    TcpStalls(Protocol, u32),
    /// Fewer assets stalled on the first lane (a QUIC one) than on the second.
    FewerStalled(Protocol, Protocol),
}

fn lane(trace: &Trace, p: Protocol) -> Result<&Lane, String> {
    trace
        .lanes
        .iter()
        .find(|l| l.protocol == p)
        .ok_or_else(|| format!("the scenario has no {p} lane"))
}

fn time(m: Metric, l: &Lane) -> Result<u64, String> {
    m.of(l)
        .map(SimDuration::as_micros)
        .ok_or_else(|| format!("{} has no {}", l.protocol, m.name()))
}

fn other(link: &str) -> Result<Trace, String> {
    let s = url::decode(link).map_err(|e| format!("{link}: {e}"))?;
    simulate(&s).map_err(|e| format!("{link}: {e}"))
}

fn ensure(ok: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(why())
    }
}

/// Assets with `cause` among their waits.
fn blocked_by(l: &Lane, f: fn(&BlockedCause) -> bool) -> u32 {
    l.assets
        .iter()
        .filter(|a| a.blocked.iter().any(|b| f(&b.cause) && b.to > b.from))
        .count() as u32
}

impl Claim {
    /// Whether `trace` (the step's scenario) shows it; the error says what it shows instead.
    pub fn check(&self, trace: &Trace) -> Result<(), String> {
        let rtt = trace.scenario.network.rtt.as_micros();
        match *self {
            Claim::Connections(p, n) => {
                let got = lane(trace, p)?.metrics.connections;
                ensure(got == n, || {
                    format!("{p} opened {got} connections, not {n}")
                })
            }
            Claim::ConnectionPerRequest(p) => {
                let l = lane(trace, p)?;
                let fetched = l
                    .assets
                    .iter()
                    .filter(|a| a.source != Source::Cache)
                    .count();
                let got = l.metrics.connections as usize;
                ensure(got == fetched, || {
                    format!("{p} opened {got} connections for {fetched} requests")
                })
            }
            Claim::OneAtATime(p) => {
                let l = lane(trace, p)?;
                for a in &l.assets {
                    for b in &l.assets {
                        let (Some(sa), Some(sb), Some(ea)) =
                            (a.request_sent, b.request_sent, a.last_byte)
                        else {
                            continue;
                        };
                        if a.asset != b.asset && a.connection == b.connection && sa < sb {
                            ensure(sb >= ea, || {
                                format!(
                                    "{p}: {} went out on #{} before {} had arrived",
                                    b.path, b.connection.0, a.path
                                )
                            })?;
                        }
                    }
                }
                Ok(())
            }
            Claim::EachWaitsARoundTrip(p) => {
                let l = lane(trace, p)?;
                for a in l.assets.iter().filter(|a| a.source == Source::Request) {
                    if let (Some(s), Some(f)) = (a.request_sent, a.first_byte) {
                        let wait = f.as_micros().saturating_sub(s.as_micros());
                        ensure(wait >= rtt, || {
                            format!(
                                "{p}: {} had its first byte {wait} µs after its request",
                                a.path
                            )
                        })?;
                    }
                }
                Ok(())
            }
            Claim::HandshakeEach(p) => {
                let l = lane(trace, p)?;
                ensure(!l.connections.is_empty(), || {
                    format!("{p} has no connections")
                })?;
                for c in &l.connections {
                    let tcp = c.tcp_established.as_micros()
                        - c.opened.as_micros().min(c.tcp_established.as_micros());
                    let tls = c
                        .tls_established
                        .as_micros()
                        .saturating_sub(c.tcp_established.as_micros());
                    ensure(tcp >= rtt && tls >= rtt, || {
                        format!(
                            "{p}: connection #{} took {tcp} µs for TCP, {tls} µs for TLS",
                            c.id.0
                        )
                    })?;
                }
                Ok(())
            }
            Claim::WaitedForAConnection(p) => {
                let n = blocked_by(lane(trace, p)?, |c| {
                    matches!(c, BlockedCause::ConnectionLimit)
                });
                ensure(n > 0, || format!("no {p} request waited for a connection"))
            }
            Claim::PipelineBlocked(p) => {
                let n = blocked_by(lane(trace, p)?, |c| {
                    matches!(c, BlockedCause::PipelineHeadOfLine { .. })
                });
                ensure(n > 0, || format!("no {p} response waited behind another"))
            }
            Claim::InOrderPerConnection(p) => {
                let l = lane(trace, p)?;
                for a in &l.assets {
                    for b in &l.assets {
                        let (Some(sa), Some(sb), Some(fa), Some(fb)) =
                            (a.request_sent, b.request_sent, a.first_byte, b.first_byte)
                        else {
                            continue;
                        };
                        if a.connection == b.connection && sa < sb {
                            ensure(fa <= fb, || {
                                format!(
                                    "{p}: {} began before {}, requested earlier",
                                    b.path, a.path
                                )
                            })?;
                        }
                    }
                }
                Ok(())
            }
            Claim::OutOfOrder(p) => {
                let l = lane(trace, p)?;
                let any = l.assets.iter().any(|a| {
                    l.assets.iter().any(|b| {
                        matches!((a.request_sent, b.request_sent, a.last_byte, b.last_byte),
                            (Some(sa), Some(sb), Some(ea), Some(eb)) if sa < sb && eb < ea)
                    })
                });
                ensure(any, || {
                    format!("{p}: every response ended in request order")
                })
            }
            Claim::Interleaved(p) => {
                let l = lane(trace, p)?;
                let mut seen: Vec<(crate::ConnId, Vec<u64>)> = Vec::new();
                for e in &l.events {
                    if let EventKind::Frame {
                        dir: Direction::Down,
                        conn,
                        stream,
                        ref frame,
                        ..
                    } = e.kind
                    {
                        if frame != "DATA" {
                            continue;
                        }
                        let i = match seen.iter().position(|(c, _)| *c == conn) {
                            Some(i) => i,
                            None => {
                                seen.push((conn, Vec::new()));
                                seen.len() - 1
                            }
                        };
                        let order = &mut seen[i].1;
                        if order.last() != Some(&stream.0) {
                            order.push(stream.0);
                        }
                    }
                }
                // A stream that comes back after another's frames: A, B, A.
                let any = seen.iter().any(|(_, order)| {
                    order
                        .iter()
                        .enumerate()
                        .any(|(i, s)| order[..i].contains(s))
                });
                ensure(any, || {
                    format!("{p}: the DATA frames of each stream came in one run")
                })
            }
            Claim::Earlier(m, a, b) => {
                let (ta, tb) = (time(m, lane(trace, a)?)?, time(m, lane(trace, b)?)?);
                ensure(ta < tb, || {
                    format!("{a}'s {} {ta} µs is not before {b}'s {tb} µs", m.name())
                })
            }
            Claim::EarlierByRoundTrips(m, a, b, n) => {
                let (ta, tb) = (time(m, lane(trace, a)?)?, time(m, lane(trace, b)?)?);
                let want = (rtt * u64::from(n)).saturating_sub(rtt / 10);
                ensure(tb.saturating_sub(ta) >= want && tb > ta, || {
                    format!(
                        "{a}'s {} {ta} µs is not {n} round trips before {b}'s {tb} µs",
                        m.name()
                    )
                })
            }
            Claim::EarlierThanIn(m, p, link, n) => {
                let there = other(link)?;
                let (ta, tb) = (time(m, lane(trace, p)?)?, time(m, lane(&there, p)?)?);
                let want = (rtt * u64::from(n)).saturating_sub(rtt / 10);
                ensure(tb > ta && tb - ta >= want, || {
                    format!(
                        "{p}'s {} {ta} µs is not {n} round trips before its {tb} µs in {link}",
                        m.name()
                    )
                })
            }
            Claim::LaterThanIn(m, p, link) => {
                let there = other(link)?;
                let (ta, tb) = (time(m, lane(trace, p)?)?, time(m, lane(&there, p)?)?);
                ensure(ta > tb, || {
                    format!(
                        "{p}'s {} {ta} µs is not after its {tb} µs in {link}",
                        m.name()
                    )
                })
            }
            Claim::FinishesFirst(p) => {
                let mine = time(Metric::Load, lane(trace, p)?)?;
                for l in trace.lanes.iter().filter(|l| l.protocol != p) {
                    let t = time(Metric::Load, l)?;
                    ensure(mine < t, || {
                        format!("{p} loads at {mine} µs, {} at {t} µs", l.protocol)
                    })?;
                }
                Ok(())
            }
            Claim::SecondHeadersSmall(p) => {
                let l = lane(trace, p)?;
                let mut ups = l
                    .header_blocks
                    .iter()
                    .filter(|b| b.dir == Direction::Up && b.frame == "HEADERS");
                let (Some(first), Some(second)) = (ups.next(), ups.next()) else {
                    return Err(format!("{p} sent fewer than two header blocks"));
                };
                let (a, b) = (first.bytes.len() / 2, second.bytes.len() / 2);
                let indexed = second
                    .fields
                    .iter()
                    .filter(|f| f.rep == RepKind::Indexed)
                    .count();
                ensure(b * 3 <= a && indexed * 2 > second.fields.len(), || {
                    format!(
                        "{p}: the first request's headers took {a} bytes, the second's {b} \
                         ({indexed} of {} fields indexed)",
                        second.fields.len()
                    )
                })
            }
            Claim::DynamicTableFilled(p) => {
                let l = lane(trace, p)?;
                let first = l
                    .header_blocks
                    .iter()
                    .find(|b| b.dir == Direction::Up && b.frame == "HEADERS")
                    .ok_or_else(|| format!("{p} sent no header block"))?;
                ensure(first.table_size > 0, || {
                    format!("{p}: the dynamic table is empty after the first request")
                })
            }
            Claim::Pushed(p, n) => {
                let got = lane(trace, p)?
                    .assets
                    .iter()
                    .filter(|a| a.source == Source::Push)
                    .count() as u32;
                ensure(got >= n, || {
                    format!("{p} took {got} assets from pushes, not {n}")
                })
            }
            Claim::PushWasted(p) => {
                let w = lane(trace, p)?.metrics.bytes_wasted;
                ensure(w > 0, || format!("{p} wasted no pushed bytes"))
            }
            Claim::Hinted(p, n) => {
                let got = lane(trace, p)?
                    .assets
                    .iter()
                    .filter(|a| a.source == Source::EarlyHint)
                    .count() as u32;
                ensure(got >= n, || {
                    format!("{p} requested {got} assets on early hints, not {n}")
                })
            }
            Claim::RequestedBeforeHtmlEnds(p, path) => {
                let l = lane(trace, p)?;
                let html = l.assets.first().and_then(|a| a.last_byte);
                let asset = l
                    .assets
                    .iter()
                    .find(|a| a.path == path)
                    .ok_or_else(|| format!("{p} has no {path}"))?;
                ensure(
                    matches!((asset.request_sent, html), (Some(s), Some(h)) if s < h),
                    || format!("{p}: {path} was requested after the HTML had arrived"),
                )
            }
            Claim::ArrivesOver(p, path, ms) => {
                let l = lane(trace, p)?;
                let a = l
                    .assets
                    .iter()
                    .find(|a| a.path == path)
                    .ok_or_else(|| format!("{p} has no {path}"))?;
                let span = match (a.first_byte, a.last_byte) {
                    (Some(f), Some(e)) => e.as_micros().saturating_sub(f.as_micros()),
                    _ => 0,
                };
                ensure(span >= ms * 1_000, || {
                    format!("{p}: {path} arrived over {span} µs, not {ms} ms")
                })
            }
            Claim::TcpStalls(p, n) => {
                let got = blocked_by(lane(trace, p)?, |c| {
                    matches!(c, BlockedCause::TcpHeadOfLine { .. })
                });
                ensure(got >= n, || {
                    format!("{got} {p} assets stalled behind TCP, not {n}")
                })
            }
            Claim::FewerStalled(a, b) => {
                let stalled = |l: &Lane| {
                    blocked_by(l, |c| {
                        matches!(
                            c,
                            BlockedCause::TcpHeadOfLine { .. }
                                | BlockedCause::QuicStreamHeadOfLine { .. }
                        )
                    })
                };
                let (na, nb) = (stalled(lane(trace, a)?), stalled(lane(trace, b)?));
                ensure(na < nb && nb > 0, || {
                    format!("{na} {a} assets stalled, {nb} {b} assets")
                })
            }
        }
    }
}
