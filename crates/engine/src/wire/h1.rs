//! HTTP/1.1 message heads as real text (RFC 9112 §3, §4), so their sizes are real, and the
//! parser a receiver reads them back with.

use core::fmt;

use crate::headers::Field;
use crate::wire::Decoded;

/// Longest head the parser accepts (nginx's `large_client_header_buffers` default, 4 × 8 KiB,
/// is the same order): a guard, so untrusted bytes cannot make it buffer without bound.
pub const MAX_HEAD: usize = 64 * 1024;

/// The first line of a head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartLine {
    /// RFC 9112 §3: method SP request-target SP HTTP-version.
    Request { method: String, target: String },
    /// RFC 9112 §4: HTTP-version SP status-code SP [reason-phrase].
    Status { code: u16, reason: String },
}

/// A parsed head: its start line and its fields, names in lower case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub start: StartLine,
    pub fields: Vec<Field>,
}

impl Head {
    /// The value of the first field called `name` (lower case).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    /// RFC 9112 §6.3: the body length a `Content-Length` field gives.
    pub fn content_length(&self) -> Option<u64> {
        self.field("content-length")?.trim().parse().ok()
    }
}

/// Why bytes are not an HTTP/1.1 head, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadError {
    /// Offset of the offending byte from the start of the head.
    pub offset: usize,
    pub reason: &'static str,
}

impl fmt::Display for HeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP/1.1 head, byte {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for HeadError {}

/// Reads one head from the front of `buf` (RFC 9112 §2.1: start-line, fields, empty line).
/// An unfinished head is [`Decoded::Incomplete`]; bytes that cannot be a head are an error.
pub fn decode_head(buf: &[u8]) -> Result<Decoded<Head>, HeadError> {
    let err = |offset, reason| Err(HeadError { offset, reason });
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        if buf.len() > MAX_HEAD {
            return err(MAX_HEAD, "head longer than the parser's limit");
        }
        return Ok(Decoded::Incomplete {
            needed: buf.len() + 1,
        });
    };
    let Ok(text) = core::str::from_utf8(&buf[..end]) else {
        return err(0, "not text");
    };
    let mut lines = text.split("\r\n");
    let first = lines.next().unwrap_or_default();
    let start = if let Some(rest) = first.strip_prefix("HTTP/1.1 ") {
        let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
        match code.parse::<u16>() {
            Ok(code) if (100..=599).contains(&code) => StartLine::Status {
                code,
                reason: reason.to_owned(),
            },
            _ => return err(9, "status code is not three digits 100-599"),
        }
    } else {
        let mut parts = first.split(' ');
        let (Some(method), Some(target), Some("HTTP/1.1"), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return err(0, "start line is neither a request line nor a status line");
        };
        StartLine::Request {
            method: method.to_owned(),
            target: target.to_owned(),
        }
    };
    let mut fields = Vec::new();
    let mut at = first.len() + 2;
    for line in lines {
        // RFC 9112 §5: field-line = field-name ":" OWS field-value OWS.
        let Some((name, value)) = line.split_once(':') else {
            return err(at, "field line without a colon");
        };
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
            return err(at, "field name empty or with white space (RFC 9112 §5.1)");
        }
        fields.push(Field::new(&name.to_ascii_lowercase(), value.trim()));
        at += line.len() + 2;
    }
    Ok(Decoded::Complete {
        item: Head { start, fields },
        len: end + 4,
    })
}

/// Renders a request head: request line, `Host`, `Connection: keep-alive`, the fields,
/// empty line. Field names are written in the capitalisation browsers use on HTTP/1.1.
pub fn request_head(method: &str, path: &str, host: &str, fields: &[Field]) -> String {
    request_head_with(method, path, host, "keep-alive", fields)
}

/// [`request_head`] with the `Connection` option given: `keep-alive` or `close`
/// (RFC 9112 §9.6: a sender that will close the connection after the response says
/// `close`).
pub fn request_head_with(
    method: &str,
    path: &str,
    host: &str,
    connection: &str,
    fields: &[Field],
) -> String {
    let mut s = String::with_capacity(64 + fields.len() * 48);
    // RFC 9112 §3: request-line = method SP request-target SP HTTP-version CRLF
    s.push_str(method);
    s.push(' ');
    s.push_str(path);
    s.push_str(" HTTP/1.1\r\n");
    // RFC 9112 §3.2: a client MUST send a Host header field in every HTTP/1.1 request.
    push_field(&mut s, "host", host);
    push_field(&mut s, "connection", connection);
    for f in fields {
        push_field(&mut s, &f.name, &f.value);
    }
    s.push_str("\r\n");
    s
}

/// Renders a response head: status line, `Connection: keep-alive`, the fields, empty line.
pub fn response_head(status: u16, fields: &[Field]) -> String {
    response_head_with(status, "keep-alive", fields)
}

/// [`response_head`] with the `Connection` option given (`keep-alive` or `close`).
pub fn response_head_with(status: u16, connection: &str, fields: &[Field]) -> String {
    let mut s = String::with_capacity(32 + fields.len() * 40);
    // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF
    s.push_str("HTTP/1.1 ");
    s.push_str(&status.to_string());
    s.push(' ');
    s.push_str(reason(status));
    s.push_str("\r\n");
    push_field(&mut s, "connection", connection);
    for f in fields {
        push_field(&mut s, &f.name, &f.value);
    }
    s.push_str("\r\n");
    s
}

fn push_field(s: &mut String, name: &str, value: &str) {
    // Browsers and servers write HTTP/1.1 names in Title-Case except the sec-* family.
    let title = !name.starts_with("sec-");
    let mut up = title;
    for c in name.chars() {
        s.push(if up { c.to_ascii_uppercase() } else { c });
        up = title && c == '-';
    }
    s.push_str(": ");
    s.push_str(value);
    s.push_str("\r\n");
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        103 => "Early Hints",
        200 => "OK",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_head_is_exact_text() {
        let h = request_head(
            "GET",
            "/a.css",
            "example.com",
            &[
                Field::new("accept", "text/css"),
                Field::new("sec-fetch-dest", "style"),
            ],
        );
        assert_eq!(
            h,
            "GET /a.css HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive\r\nAccept: text/css\r\nsec-fetch-dest: style\r\n\r\n"
        );
    }

    #[test]
    fn heads_parse_back_to_what_was_written() {
        let text = request_head(
            "GET",
            "/a.css",
            "example.com",
            &[Field::new("accept", "*/*")],
        );
        let (head, len) = decode_head(text.as_bytes()).unwrap().complete().unwrap();
        assert_eq!(len, text.len());
        assert_eq!(
            head.start,
            StartLine::Request {
                method: "GET".into(),
                target: "/a.css".into()
            }
        );
        assert_eq!(head.field("host"), Some("example.com"));
        assert_eq!(head.field("accept"), Some("*/*"));
        let text = response_head(103, &[Field::new("link", "</a.css>; rel=preload")]);
        let (head, _) = decode_head(text.as_bytes()).unwrap().complete().unwrap();
        assert_eq!(
            head.start,
            StartLine::Status {
                code: 103,
                reason: "Early Hints".into()
            }
        );
        // Half a head waits for more; a broken one says where.
        assert!(matches!(
            decode_head(&text.as_bytes()[..20]),
            Ok(Decoded::Incomplete { .. })
        ));
        let e = decode_head(b"HTTP/1.1 200 OK\r\nBad line\r\n\r\n").unwrap_err();
        assert_eq!(e.offset, 17);
        assert!(decode_head(b"HTTP/1.1 2000 OK\r\n\r\n").is_err());
    }

    #[test]
    fn response_head_is_exact_text() {
        let h = response_head(200, &[Field::new("content-length", "5")]);
        assert_eq!(
            h,
            "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\n"
        );
    }
}
