//! The moments a viewer steps between in a replay: each request sent, each first byte,
//! each loss (a packet the link or the full queue dropped) and each completion, over every
//! lane of a trace, in time order.

use crate::trace::{EventKind, Trace};

/// Moments closer than this fraction of the axis to the previous one are the same step
/// (1/200: under 5 pixels on a 1000-pixel axis, where a step would not show).
pub const MERGE_FRACTION: u64 = 200;

/// The times (µs) of the trace's requests, first bytes, losses and completions, sorted;
/// of several within `axis_us / MERGE_FRACTION` of each other only the first is kept.
pub fn moments(trace: &Trace, axis_us: u64) -> Vec<u64> {
    let mut all: Vec<u64> = trace
        .lanes
        .iter()
        .flat_map(|l| &l.events)
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::RequestSent { .. }
                    | EventKind::FirstByte { .. }
                    | EventKind::Complete { .. }
                    | EventKind::PacketSent {
                        dropped: Some(_),
                        ..
                    }
            )
        })
        .map(|e| e.at.as_micros())
        .collect();
    all.sort_unstable();
    let gap = axis_us / MERGE_FRACTION;
    let mut out: Vec<u64> = Vec::new();
    for t in all {
        match out.last() {
            Some(&last) if t <= last + gap => {}
            _ => out.push(t),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{simulate, url};

    #[test]
    fn moments_are_the_traces_events_in_order_and_spaced() {
        let t = simulate(&url::decode("page=blog&loss=2").unwrap()).unwrap();
        let axis = 3_000_000;
        let m = moments(&t, axis);
        assert!(m.len() > 10, "{m:?}");
        assert!(m.windows(2).all(|w| w[1] > w[0] + axis / MERGE_FRACTION));
        // Every moment is an event's time; the first is the first request.
        let first_request = t
            .lanes
            .iter()
            .flat_map(|l| &l.events)
            .filter(|e| matches!(e.kind, EventKind::RequestSent { .. }))
            .map(|e| e.at.as_micros())
            .min();
        assert_eq!(m.first().copied(), first_request);
        let times: Vec<u64> = t
            .lanes
            .iter()
            .flat_map(|l| &l.events)
            .map(|e| e.at.as_micros())
            .collect();
        assert!(m.iter().all(|x| times.contains(x)));
        // Unmerged, every completion is there.
        let all = moments(&t, 0);
        let complete = t
            .lanes
            .iter()
            .flat_map(|l| &l.events)
            .filter(|e| matches!(e.kind, EventKind::Complete { .. }));
        for e in complete {
            assert!(all.contains(&e.at.as_micros()));
        }
    }
}
