//! Server push (RFC 9113 §8.4), as nginx's `http2_push` did it and Chrome up to 105 took it.
//!
//! - The server promises each pushed asset on the stream of the request it answers (here
//!   the HTML's), with a PUSH_PROMISE whose header block is the request the push answers
//!   (§8.4.1): the pseudo-headers and the fields nginx copies from the pushing request.
//! - The promises go out before any of the HTML's DATA (§8.4: a promise precedes the
//!   reference to the pushed resource); each pushed response then goes out on its own even,
//!   server-initiated stream (§5.1.1), depending on the HTML's stream.
//! - A browser that already has the asset (cached, or requested) refuses the push with
//!   RST_STREAM (CANCEL) (§8.4.2); what the server sent on that stream was for nothing.

use crate::headers::{request_fields, Field};
use crate::ids::AssetId;
use crate::page::Page;

/// The header list of the request a push of `id` answers: pseudo-headers, and the fields
/// nginx's `http2_push` copies from the pushing request (`accept-encoding`,
/// `accept-language`, `user-agent`).
pub fn promised_request(page: &Page, id: AssetId) -> Vec<Field> {
    let mut fields = super::client::pseudo(page, id);
    fields.extend(request_fields(page, id).into_iter().filter(|f| {
        matches!(
            f.name.as_str(),
            "accept-encoding" | "accept-language" | "user-agent"
        )
    }));
    fields
}
