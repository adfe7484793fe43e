//! HTTP/1.1 message heads as real text (RFC 9112 §3, §4), so their sizes are real.

use crate::headers::Field;

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
    fn response_head_is_exact_text() {
        let h = response_head(200, &[Field::new("content-length", "5")]);
        assert_eq!(
            h,
            "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\n"
        );
    }
}
