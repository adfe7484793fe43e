//! Per-asset timings of every lane as CSV (RFC 4180: comma-separated, CRLF-free `\n` line
//! ends as spreadsheets and pandas read them, a field quoted when it holds a comma, a
//! quote or a line break, quotes doubled).

use crate::export::millis;
use crate::time::SimTime;
use crate::trace::{Source, Trace};

/// The header row, and the order of each row's fields.
pub const COLUMNS: [&str; 18] = [
    "protocol",
    "asset",
    "path",
    "kind",
    "size",
    "source",
    "connection",
    "stream",
    "discovered_ms",
    "request_sent_ms",
    "first_byte_ms",
    "last_byte_ms",
    "executed_ms",
    "request_header_bytes",
    "response_header_bytes",
    "blocked_ms",
    "blocked_intervals",
    "wasted_bytes",
];

/// One row per asset per lane, lanes in the trace's order, assets in page order. Times are
/// milliseconds since the navigation started, exact to the microsecond; a time the lane
/// never reached (it stopped at its limit) is empty.
pub fn timings(trace: &Trace) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    let t = |at: Option<SimTime>| at.map(|t| millis(t.as_micros())).unwrap_or_default();
    for lane in &trace.lanes {
        for a in &lane.assets {
            let blocked: u64 = a
                .blocked
                .iter()
                .map(|b| b.to.saturating_since(b.from).as_micros())
                .sum();
            let source = match a.source {
                Source::Request => "request",
                Source::EarlyHint => "early_hint",
                Source::Push => "push",
                Source::Cache => "cache",
            };
            let row = [
                lane.protocol.id().to_owned(),
                a.asset.0.to_string(),
                field(&a.path),
                a.kind.to_string(),
                a.size.to_string(),
                source.to_owned(),
                a.connection.0.to_string(),
                a.stream.map(|s| s.0.to_string()).unwrap_or_default(),
                millis(a.discovered.as_micros()),
                t(a.request_sent),
                t(a.first_byte),
                t(a.last_byte),
                t(a.executed),
                a.request_header_bytes.to_string(),
                a.response_header_bytes.to_string(),
                millis(blocked),
                a.blocked.len().to_string(),
                a.wasted_bytes.to_string(),
            ];
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

/// RFC 4180 §2.6–2.7: quoted when it must be, with its quotes doubled.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{simulate, PresetId, Scenario};

    #[test]
    fn one_row_per_asset_per_lane_with_the_traces_times() {
        let mut s = Scenario::preset(PresetId::Blog);
        s.page.assets[6].path = "/img/a,\"b\".svg".into();
        let trace = simulate(&s).unwrap();
        let text = timings(&trace);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        assert_eq!(lines.len(), 1 + 4 * s.page.assets.len());
        let h3 = trace
            .lanes
            .iter()
            .position(|l| l.protocol.id() == "h3")
            .unwrap();
        let a = &trace.lanes[h3].assets[7];
        let row = lines[1 + h3 * s.page.assets.len() + 7];
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells[0], "h3");
        assert_eq!(cells[2], a.path);
        assert_eq!(cells[11], millis(a.last_byte.unwrap().as_micros()));
        // A path with a comma and quotes is one quoted field.
        assert!(text.contains(",\"/img/a,\"\"b\"\".svg\",image,"), "{text}");
    }
}
