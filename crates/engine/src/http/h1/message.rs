//! HTTP/1.1 messages as browsers and servers write them (RFC 9112).

use crate::headers::{request_fields, response_fields};
use crate::ids::AssetId;
use crate::page::Page;
use crate::wire::h1;

/// The `Connection` option of both heads: `keep-alive` on a persistent connection (RFC 9112
/// §9.3), `close` when the connection carries this one exchange (RFC 9112 §9.6).
fn connection(keep_alive: bool) -> &'static str {
    if keep_alive {
        "keep-alive"
    } else {
        "close"
    }
}

/// The request head for `id`, as text (RFC 9112 §3).
pub fn request(page: &Page, id: AssetId, keep_alive: bool) -> String {
    h1::request_head_with(
        "GET",
        &page.asset(id).path,
        &page.host,
        connection(keep_alive),
        &request_fields(page, id),
    )
}

/// The `200 OK` response head for `id`, as text (RFC 9112 §4); the body follows it.
pub fn response(page: &Page, id: AssetId, keep_alive: bool) -> String {
    h1::response_head_with(200, connection(keep_alive), &response_fields(page, id))
}

/// RFC 8297 on HTTP/1.1: the interim `103 Early Hints` head with one `Link` preload field
/// per asset of `ids` (RFC 9112 §4: status line, fields, empty line; no `Connection` field,
/// the final response carries that).
pub fn early_hints(page: &Page, ids: &[AssetId]) -> String {
    let mut s = String::from("HTTP/1.1 103 Early Hints\r\n");
    for (_, value) in crate::http::early_hints::fields(page, ids) {
        s.push_str("Link: ");
        s.push_str(&value);
        s.push_str("\r\n");
    }
    s.push_str("\r\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PresetId;

    /// Without keep-alive both heads say `Connection: close` (RFC 9112 §9.6) and are
    /// exactly as much shorter as "close" is than "keep-alive" (5 bytes).
    #[test]
    fn heads_say_close_without_keep_alive() {
        let p = Page::preset(PresetId::Blog);
        let (ka, close) = (
            request(&p, AssetId(1), true),
            request(&p, AssetId(1), false),
        );
        assert!(ka.contains("\r\nConnection: keep-alive\r\n"));
        assert!(close.contains("\r\nConnection: close\r\n") && !close.contains("keep-alive"));
        assert_eq!(ka.len() - close.len(), 5);
        let (ka, close) = (
            response(&p, AssetId(1), true),
            response(&p, AssetId(1), false),
        );
        assert!(close.starts_with("HTTP/1.1 200 OK\r\nConnection: close\r\n"));
        assert_eq!(ka.len() - close.len(), 5);
    }
}
