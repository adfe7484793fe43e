//! The parts of a HAR the import reads (HAR 1.2 §4 and Chromium's custom fields, which
//! start with `_`); everything else in the file is ignored.

use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct File {
    pub(super) log: Log,
}

#[derive(Deserialize)]
pub(super) struct Log {
    pub(super) version: String,
    #[serde(default)]
    pub(super) pages: Vec<HarPage>,
    pub(super) entries: Vec<Entry>,
}

#[derive(Deserialize)]
pub(super) struct HarPage {
    #[serde(default)]
    pub(super) title: String,
}

#[derive(Deserialize)]
pub(super) struct Entry {
    #[serde(rename = "startedDateTime")]
    pub(super) started: String,
    pub(super) request: Request,
    pub(super) response: Response,
    #[serde(default)]
    pub(super) timings: Option<Timings>,
    /// DevTools' own export: an object; `chrome-har`: the initiator's URL, with the
    /// object as JSON text in `_initiator_detail` and its type in `_initiator_type`.
    #[serde(rename = "_initiator", default)]
    pub(super) initiator: Option<InitiatorField>,
    #[serde(rename = "_initiator_detail", default)]
    pub(super) initiator_detail: Option<String>,
    #[serde(rename = "_initiator_type", default)]
    pub(super) initiator_type: Option<String>,
    /// Chromium's `Network.Request.renderBlockingBehavior` as `chrome-har` keeps it
    /// (`blocking`, `nonblocking`, `in_body_parser_blocking`, …): only `blocking` holds
    /// back first paint.
    #[serde(rename = "_renderBlocking", default)]
    pub(super) render_blocking: Option<String>,
    #[serde(rename = "_resourceType", default)]
    pub(super) resource_type: Option<String>,
    #[serde(rename = "_priority", default)]
    pub(super) priority: Option<String>,
    #[serde(rename = "_transferSize", default)]
    pub(super) transfer_size: Option<f64>,
}

#[derive(Deserialize)]
pub(super) struct Request {
    pub(super) method: String,
    pub(super) url: String,
    pub(super) headers: Vec<Header>,
}

#[derive(Deserialize)]
pub(super) struct Header {
    pub(super) name: String,
    pub(super) value: String,
}

#[derive(Deserialize)]
pub(super) struct Response {
    pub(super) status: f64,
    pub(super) headers: Vec<Header>,
    pub(super) content: Content,
    #[serde(rename = "headersSize", default = "unknown")]
    pub(super) headers_size: f64,
    #[serde(rename = "bodySize", default = "unknown")]
    pub(super) body_size: f64,
}

#[derive(Deserialize)]
pub(super) struct Content {
    #[serde(default = "unknown")]
    pub(super) size: f64,
    #[serde(rename = "mimeType", default)]
    pub(super) mime_type: String,
    #[serde(default)]
    pub(super) compression: Option<f64>,
}

pub(super) fn unknown() -> f64 {
    -1.0
}

/// HAR 1.2 `timings`, milliseconds; -1: does not apply.
#[derive(Deserialize)]
pub(super) struct Timings {
    #[serde(default = "unknown")]
    pub(super) blocked: f64,
    #[serde(default = "unknown")]
    pub(super) dns: f64,
    #[serde(default = "unknown")]
    pub(super) connect: f64,
    #[serde(default = "unknown")]
    pub(super) send: f64,
    #[serde(default = "unknown")]
    pub(super) wait: f64,
    #[serde(default = "unknown")]
    pub(super) receive: f64,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum InitiatorField {
    Url(String),
    Detail(Initiator),
}

/// Chromium's `_initiator` (DevTools' `Network.Initiator`): `parser` with the `url` of the
/// document or stylesheet that named it, `script` with the `stack` that requested it,
/// `preload`, or `other`.
#[derive(Deserialize)]
pub(super) struct Initiator {
    #[serde(rename = "type", default)]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) url: Option<String>,
    #[serde(default)]
    pub(super) stack: Option<Stack>,
}

#[derive(Deserialize)]
pub(super) struct Stack {
    #[serde(rename = "callFrames", default)]
    pub(super) call_frames: Vec<CallFrame>,
    #[serde(default)]
    pub(super) parent: Option<Box<Stack>>,
}

#[derive(Deserialize)]
pub(super) struct CallFrame {
    #[serde(default)]
    pub(super) url: String,
}
