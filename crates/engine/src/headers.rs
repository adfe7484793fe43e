//! The header fields a browser sends and a server answers with, per asset. Every lane uses
//! the same lists, rendered as HTTP/1.1 text or compressed with HPACK / QPACK, so the header
//! bytes each protocol spends are comparable and real.

use crate::ids::AssetId;
use crate::page::{AssetKind, Page};

/// One header field, name in lower case as HTTP/2 and HTTP/3 require (RFC 9113 §8.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub value: String,
}

impl Field {
    pub fn new(name: &str, value: impl Into<String>) -> Field {
        Field {
            name: name.to_owned(),
            value: value.into(),
        }
    }
}

/// Chrome's user agent string, as sent in late 2026 (reduced UA format).
pub const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";
const SEC_CH_UA: &str =
    "\"Chromium\";v=\"142\", \"Google Chrome\";v=\"142\", \"Not_A Brand\";v=\"99\"";
/// A first-party session cookie and an analytics cookie, as a blog with comments would set.
const COOKIE: &str = "wp_session=8f14e45fceea167a5a36dedd4bea2543; _ga=GA1.1.1318296522.1763737200; _ga_X7Q2=GS2.1.s1763737200$o3$g1$t1763737391$j60$l0$h0";

/// Fields of a site's own header lists (an imported HAR) the engine never copies: the
/// connection-specific fields RFC 9113 §8.2.2 and RFC 9114 §4.2 forbid in HTTP/2 and
/// HTTP/3 (`te` is allowed there only as `trailers`, which a page load never asks for),
/// `host` (the engine sends `Host` or `:authority` itself) and `content-length` (the
/// engine's own, the asset's size, which HTTP/1.1 framing needs: RFC 9112 §6.3).
const NOT_COPIED: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "te",
    "host",
    "content-length",
];

fn own_fields(list: &[(String, String)]) -> impl Iterator<Item = Field> + '_ {
    list.iter()
        .filter(|(n, _)| !n.starts_with(':') && !NOT_COPIED.contains(&n.as_str()))
        .map(|(n, v)| Field::new(n, v.clone()))
}

/// The request's fields other than method, scheme, authority and path.
pub fn request_fields(page: &Page, id: AssetId) -> Vec<Field> {
    let a = page.asset(id);
    if !a.request_headers.is_empty() {
        return own_fields(&a.request_headers).collect();
    }
    // Room for every field below at once (at most 14).
    let mut f = Vec::with_capacity(16);
    f.extend([
        Field::new("sec-ch-ua", SEC_CH_UA),
        Field::new("sec-ch-ua-mobile", "?0"),
        Field::new("sec-ch-ua-platform", "\"Linux\""),
    ]);
    if a.kind == AssetKind::Html {
        f.push(Field::new("upgrade-insecure-requests", "1"));
    }
    f.push(Field::new("user-agent", USER_AGENT));
    f.push(Field::new("accept", a.kind.accept()));
    let (site, mode) = match a.kind {
        AssetKind::Html => ("none", "navigate"),
        AssetKind::Font => ("same-origin", "cors"),
        AssetKind::Json => ("same-origin", "cors"),
        _ => ("same-origin", "no-cors"),
    };
    f.push(Field::new("sec-fetch-site", site));
    f.push(Field::new("sec-fetch-mode", mode));
    if a.kind == AssetKind::Html {
        f.push(Field::new("sec-fetch-user", "?1"));
    }
    f.push(Field::new("sec-fetch-dest", a.kind.fetch_dest()));
    if a.kind != AssetKind::Html {
        f.push(Field::new("referer", format!("https://{}/", page.host)));
    }
    f.push(Field::new("accept-encoding", "gzip, deflate, br, zstd"));
    f.push(Field::new("accept-language", "en-US,en;q=0.9"));
    f.push(Field::new("cookie", COOKIE));
    f
}

/// The response's fields other than the status.
pub fn response_fields(page: &Page, id: AssetId) -> Vec<Field> {
    let a = page.asset(id);
    if !a.response_headers.is_empty() {
        // Where the site's server put its Content-Length (or its framing, when it sent
        // the body chunked), the engine's goes, with the asset's size.
        let at = a
            .response_headers
            .iter()
            .filter(|(n, _)| !n.starts_with(':'))
            .position(|(n, _)| n == "content-length" || n == "transfer-encoding");
        let mut f: Vec<Field> = own_fields(&a.response_headers).collect();
        let length = Field::new("content-length", a.size.to_string());
        let at = at
            .map(|i| {
                // Position among the copied fields: those before it that were copied.
                a.response_headers
                    .iter()
                    .filter(|(n, _)| !n.starts_with(':'))
                    .take(i)
                    .filter(|(n, _)| !NOT_COPIED.contains(&n.as_str()))
                    .count()
            })
            .unwrap_or(f.len());
        f.insert(at, length);
        return f;
    }
    // Room for the fields below and a few more at once.
    let mut f = Vec::with_capacity(12);
    f.extend([
        Field::new("date", "Sat, 21 Nov 2026 12:00:00 GMT"),
        Field::new("content-type", a.kind.content_type(&a.path)),
        Field::new("content-length", a.size.to_string()),
        Field::new("server", "nginx"),
    ]);
    match a.kind {
        AssetKind::Html => {
            f.push(Field::new("cache-control", "no-cache"));
            f.push(Field::new("content-encoding", "br"));
            f.push(Field::new("vary", "Accept-Encoding"));
            f.push(Field::new(
                "strict-transport-security",
                "max-age=31536000; includeSubDomains",
            ));
        }
        AssetKind::Css | AssetKind::Js | AssetKind::Json => {
            f.push(Field::new(
                "cache-control",
                "public, max-age=31536000, immutable",
            ));
            f.push(Field::new("content-encoding", "br"));
            f.push(Field::new("vary", "Accept-Encoding"));
        }
        AssetKind::Image | AssetKind::Font => {
            f.push(Field::new(
                "cache-control",
                "public, max-age=31536000, immutable",
            ));
            f.push(Field::new("accept-ranges", "bytes"));
        }
    }
    // A strong validator, as nginx derives it from mtime and size.
    f.push(Field::new(
        "etag",
        format!("\"6731f0c8-{:x}\"", a.size.wrapping_add(u64::from(id.0))),
    ));
    f
}

/// A header list's problem, starting with where it is (`[3]: ...`, or `: ...` for the
/// whole list). RFC 9110 §5.1: a name is a token (RFC 9113 §8.2.1: in lower case for
/// HTTP/2 and HTTP/3); §5.5: a value holds no CR, LF or NUL. Pseudo-header fields
/// (RFC 9113 §8.3) are the engine's own.
pub(crate) fn check_list(list: &[(String, String)]) -> Result<(), String> {
    if list.len() > Page::MAX_HEADERS {
        return Err(format!(
            " has {} fields; at most {} are allowed",
            list.len(),
            Page::MAX_HEADERS
        ));
    }
    let tchar = |b: u8| {
        (b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b))
            && !b.is_ascii_uppercase()
    };
    for (k, (name, value)) in list.iter().enumerate() {
        if name.is_empty() || !name.bytes().all(tchar) {
            return Err(format!(
                "[{k}]: name {name:?} must be a lower-case token (letters, digits, !#$%&'*+-.^_`|~)"
            ));
        }
        if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(format!("[{k}]: the value of {name} holds CR, LF or NUL"));
        }
        if name.len() + value.len() > Page::MAX_HEADER_LEN {
            return Err(format!(
                "[{k}]: {name} is {} bytes with its value; at most {} are allowed",
                name.len() + value.len(),
                Page::MAX_HEADER_LEN
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PresetId;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    /// A site's own fields are sent as they were, less the connection-specific ones, with
    /// the engine's Content-Length where the site's framing was.
    #[test]
    fn a_sites_own_fields_are_sent_with_the_engines_length() {
        let mut page = Page::preset(PresetId::Blog);
        let a = &mut page.assets[1];
        a.request_headers = pairs(&[
            (":method", "GET"),
            ("host", "blog.example"),
            ("user-agent", "curl/8"),
            ("connection", "keep-alive"),
            ("accept", "text/css"),
        ]);
        a.response_headers = pairs(&[
            (":status", "200"),
            ("content-type", "text/css"),
            ("transfer-encoding", "chunked"),
            ("x-cache", "HIT"),
        ]);
        let id = AssetId(1);
        let names = |f: Vec<Field>| -> Vec<String> {
            f.into_iter()
                .map(|f| format!("{}={}", f.name, f.value))
                .collect()
        };
        assert_eq!(
            names(request_fields(&page, id)),
            ["user-agent=curl/8", "accept=text/css"]
        );
        assert_eq!(
            names(response_fields(&page, id)),
            [
                "content-type=text/css",
                "content-length=72000",
                "x-cache=HIT"
            ]
        );
        // A list the engine cannot send is refused, naming the asset, list and field.
        let mut bad = page.clone();
        // (Asset 1's lists above hold pseudo-header fields: the engine's own, so not valid
        // in a page; the import leaves them out.)
        bad.assets[1].request_headers.clear();
        bad.assets[1].response_headers.clear();
        assert!(bad.validate().is_ok());
        bad.assets[2].request_headers = pairs(&[("accept", "*/*"), ("X-Up", "a")]);
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "page.assets[2]: request_headers[1]: name \"X-Up\" must be a lower-case token (letters, digits, !#$%&'*+-.^_`|~)"
        );
        bad.assets[2].request_headers = pairs(&[("x-up", "a\r\nb")]);
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "page.assets[2]: request_headers[0]: the value of x-up holds CR, LF or NUL"
        );
        // Without its own lists an asset gets the browser-like ones.
        assert!(request_fields(&page, AssetId(2))
            .iter()
            .any(|f| f.name == "sec-fetch-dest" && f.value == "style"));
    }
}
