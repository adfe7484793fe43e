//! HTTP/1.1 messages as browsers and servers write them (RFC 9112).

use crate::headers::{request_fields, response_fields};
use crate::ids::AssetId;
use crate::page::Page;
use crate::wire::h1;

/// Browsers open at most six HTTP/1.1 connections per host (RFC 9112 §9.4 leaves the limit
/// to them; Chrome, Firefox and Safari all use six).
pub const MAX_CONNECTIONS_PER_HOST: usize = 6;

/// The request head for `id`, as text (RFC 9112 §3).
pub fn request(page: &Page, id: AssetId) -> String {
    h1::request_head(
        "GET",
        &page.asset(id).path,
        &page.host,
        &request_fields(page, id),
    )
}

/// The `200 OK` response head for `id`, as text (RFC 9112 §4); the body follows it.
pub fn response(page: &Page, id: AssetId) -> String {
    h1::response_head(200, &response_fields(page, id))
}

/// RFC 8297 on HTTP/1.1: the interim `103 Early Hints` head with one `Link` preload field
/// per asset of `ids` (RFC 9112 §4: status line, fields, empty line; no `Connection` field,
/// the final response carries that).
pub fn early_hints(page: &Page, ids: &[AssetId]) -> String {
    let mut s = String::from("HTTP/1.1 103 Early Hints\r\n");
    for &id in ids {
        s.push_str("Link: ");
        s.push_str(&crate::http::h2::preload_link(page, id));
        s.push_str("\r\n");
    }
    s.push_str("\r\n");
    s
}
