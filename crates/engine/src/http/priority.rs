//! RFC 9218 extensible priorities, the same for HTTP/2 and HTTP/3: the `priority` field the
//! browser sends (§5) and the server reads. The scheduling that follows them is each
//! version's own ([`crate::http::h2::prioritize`], QUIC's stream scheduler).

pub use crate::transport::quic::Priority;

/// RFC 9218 §4.1: "The default urgency is 3"; §4.2: incremental defaults to false.
pub const DEFAULT_PRIORITY: Priority = Priority {
    urgency: 3,
    incremental: false,
};

/// RFC 9218 §4.1: urgency is an integer "between 0 and 7 inclusive".
pub const MAX_URGENCY: u8 = 7;

/// Formats an RFC 9218 §5 `priority` field value, or `None` for the default (§4: absent
/// parameters take their defaults, so Chrome omits the field then).
pub fn priority_field(p: Priority) -> Option<String> {
    let urgency = p.urgency.min(MAX_URGENCY);
    match (urgency == DEFAULT_PRIORITY.urgency, p.incremental) {
        (true, false) => None,
        (true, true) => Some("i".to_owned()),
        (false, false) => Some(format!("u={urgency}")),
        (false, true) => Some(format!("u={urgency}, i")),
    }
}

/// Parses an RFC 9218 `priority` field value (a Structured Fields Dictionary, RFC 8941
/// §3.2). RFC 9218 §4: unknown parameters, out-of-range values and values of the wrong type
/// are ignored, leaving the defaults.
pub fn parse_priority(value: &str) -> Priority {
    let mut p = DEFAULT_PRIORITY;
    for member in value.split(',') {
        let member = member.trim();
        let (key, val) = member.split_once('=').unwrap_or((member, "?1"));
        match key.trim() {
            "u" => {
                if let Ok(u) = val.trim().parse::<u8>() {
                    if u <= MAX_URGENCY {
                        p.urgency = u;
                    }
                }
            }
            "i" => match val.trim() {
                "?1" => p.incremental = true,
                "?0" => p.incremental = false,
                _ => {}
            },
            _ => {}
        }
    }
    p
}
