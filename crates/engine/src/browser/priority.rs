//! The priorities Chrome gives its requests, sent as the RFC 9218 `priority` field on HTTP/2
//! and HTTP/3.

use crate::http::priority::Priority;
use crate::page::AssetKind;

/// Chrome's RFC 9218 priority for a request of `kind`. Blink's load priority maps to a net
/// priority (VeryHigh → HIGHEST, High → MEDIUM, Low → LOWEST), and Chromium's QUIC stack
/// sends urgency = HIGHEST − priority (HIGHEST 0, MEDIUM 1, LOW 2, LOWEST 3):
/// - the document: VeryHigh, incremental (`u=0, i`);
/// - stylesheets and fonts: VeryHigh (`u=0`);
/// - scripts and fetched JSON: High (`u=1`);
/// - images: Low, incremental (`i`, the default urgency 3 of RFC 9218 §4.1).
pub fn chrome_priority(kind: AssetKind) -> Priority {
    let (urgency, incremental) = match kind {
        AssetKind::Html => (0, true),
        AssetKind::Css | AssetKind::Font => (0, false),
        AssetKind::Js | AssetKind::Json => (1, false),
        AssetKind::Image => (3, true),
    };
    Priority {
        urgency,
        incremental,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::priority::priority_field;

    #[test]
    fn chrome_priorities_as_sent() {
        assert_eq!(
            priority_field(chrome_priority(AssetKind::Html)).as_deref(),
            Some("u=0, i")
        );
        assert_eq!(
            priority_field(chrome_priority(AssetKind::Css)).as_deref(),
            Some("u=0")
        );
        assert_eq!(
            priority_field(chrome_priority(AssetKind::Js)).as_deref(),
            Some("u=1")
        );
        // Images are the RFC default urgency, incremental.
        assert_eq!(
            priority_field(chrome_priority(AssetKind::Image)).as_deref(),
            Some("i")
        );
    }
}
