//! HTTP/2 (RFC 9113) as the browser and the server write it: the connection preface and
//! SETTINGS, HEADERS frames whose blocks come from one HPACK context per direction and
//! connection (so later requests shrink), and DATA frames interleaved by a server
//! scheduler.
//!
//! Frame sizes are those of the frames built with [`crate::wire::frame`]. Flow control is
//! browser-like and generous (a 6 MiB stream window and a 15 MiB connection window, as
//! Chrome announces); the server does not yet wait for WINDOW_UPDATE, so pages whose
//! responses exceed the windows are modelled as if the client kept them open.

use std::collections::VecDeque;

use crate::headers::{request_fields, response_fields, Field};
use crate::ids::{AssetId, StreamId};
use crate::page::Page;
use crate::transport::tls::MAX_RECORD;
use crate::wire::frame::{
    Frame, Headers, Setting, SettingId, Settings, WindowUpdate, FRAME_HEADER_LEN, PREFACE,
};
use crate::wire::hpack::{Encoder, EncoderConfig};

/// Chrome's SETTINGS (RFC 9113 §6.5.2): a 64 KiB HPACK table, no push, a 6 MiB stream
/// window and a 256 KiB header list.
pub const CLIENT_SETTINGS: [(SettingId, u32); 4] = [
    (SettingId::HeaderTableSize, 65_536),
    (SettingId::EnablePush, 0),
    (SettingId::InitialWindowSize, 6 * 1024 * 1024),
    (SettingId::MaxHeaderListSize, 262_144),
];
/// Chrome's connection WINDOW_UPDATE (RFC 9113 §6.9): raises the initial 65,535 bytes of
/// RFC 9113 §6.9.2 to 15 MiB.
pub const CLIENT_CONNECTION_WINDOW_INCREMENT: u32 = 15 * 1024 * 1024 - 65_535;
/// nginx's SETTINGS: 128 concurrent streams, a 64 KiB stream window, 16 MiB − 1 frames.
pub const SERVER_SETTINGS: [(SettingId, u32); 3] = [
    (SettingId::MaxConcurrentStreams, 128),
    (SettingId::InitialWindowSize, 65_536),
    (SettingId::MaxFrameSize, 16_777_215),
];
/// Largest DATA payload the server puts in one frame: the frame (RFC 9113 §4.1 9-byte
/// header) fills one TLS record of 2^14 bytes (RFC 8446 §5.1), as nginx sizes them, and
/// stays within the initial SETTINGS_MAX_FRAME_SIZE of 2^14 (RFC 9113 §4.2).
pub const MAX_DATA_PAYLOAD: u64 = MAX_RECORD - FRAME_HEADER_LEN as u64;

fn settings(ack: bool, list: &[(SettingId, u32)]) -> Frame {
    Frame::Settings(Settings {
        ack,
        settings: list
            .iter()
            .map(|&(id, value)| Setting { id, value })
            .collect(),
    })
}

fn frame_len(f: &Frame) -> u64 {
    f.to_bytes().map_or(0, |b| b.len() as u64)
}

/// RFC 9113 §3.4: the 24-octet preface, the client's SETTINGS and its connection
/// WINDOW_UPDATE, written together.
pub fn client_preface_len() -> u64 {
    PREFACE.len() as u64
        + frame_len(&settings(false, &CLIENT_SETTINGS))
        + frame_len(&Frame::WindowUpdate(WindowUpdate {
            stream_id: StreamId(0),
            window_size_increment: CLIENT_CONNECTION_WINDOW_INCREMENT,
        }))
}

/// RFC 9113 §3.4: the server's preface (its SETTINGS) and the ACK of the client's
/// SETTINGS (§6.5.3).
pub fn server_preface_len() -> u64 {
    frame_len(&settings(false, &SERVER_SETTINGS)) + settings_ack_len()
}

/// RFC 9113 §6.5.3: an empty SETTINGS frame with the ACK flag.
pub fn settings_ack_len() -> u64 {
    frame_len(&settings(true, &[]))
}

/// One side's HPACK context on one connection.
#[derive(Clone, Debug)]
pub struct HeaderCodec {
    enc: Encoder,
}

/// A HEADERS frame: its header block's length and the frame's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeadersFrame {
    pub block: u64,
    pub frame: u64,
}

impl Default for HeaderCodec {
    fn default() -> Self {
        HeaderCodec {
            enc: Encoder::new(EncoderConfig::default()),
        }
    }
}

impl HeaderCodec {
    fn frame(&mut self, stream: StreamId, fields: &[Field], end_stream: bool) -> HeadersFrame {
        let block = self.enc.encode(fields).bytes;
        let n = block.len() as u64;
        let frame = Frame::Headers(Headers {
            stream_id: stream,
            end_stream,
            end_headers: true,
            priority: None,
            header_block_fragment: block,
            padding: None,
        });
        HeadersFrame {
            block: n,
            frame: frame_len(&frame),
        }
    }

    /// The browser's request for `id` on `stream` (RFC 9113 §8.3.1 pseudo-headers in
    /// Chrome's order), with END_STREAM: a GET has no body.
    pub fn request(&mut self, page: &Page, id: AssetId, stream: StreamId) -> HeadersFrame {
        let mut fields = vec![
            Field::new(":method", "GET"),
            Field::new(":authority", page.host.clone()),
            Field::new(":scheme", "https"),
            Field::new(":path", page.asset(id).path.clone()),
        ];
        fields.extend(request_fields(page, id));
        self.frame(stream, &fields, true)
    }

    /// The server's `200` response head (RFC 9113 §8.3.2); END_STREAM when there is no body.
    pub fn response(&mut self, page: &Page, id: AssetId, stream: StreamId) -> HeadersFrame {
        let mut fields = vec![Field::new(":status", "200")];
        fields.extend(response_fields(page, id));
        self.frame(stream, &fields, page.asset(id).size == 0)
    }
}

/// How the server picks the stream of its next frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SchedulePolicy {
    /// One frame per active stream in turn (equal weights, RFC 9218 incremental).
    #[default]
    RoundRobin,
    /// Finish each response before starting the next, in request order.
    Sequential,
}

/// The next frame the server writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFrame {
    Headers {
        asset: AssetId,
        frame: u64,
    },
    /// A DATA frame: `frame` bytes, `payload` of them body.
    Data {
        asset: AssetId,
        frame: u64,
        payload: u64,
    },
}

#[derive(Clone, Debug)]
struct OutStream {
    asset: AssetId,
    headers: Option<u64>,
    body_left: u64,
}

/// The server's response scheduler: streams with frames to send, in request order.
#[derive(Clone, Debug, Default)]
pub struct Scheduler {
    pub policy: SchedulePolicy,
    streams: VecDeque<OutStream>,
}

impl Scheduler {
    /// A response is ready: its HEADERS frame of `headers_frame` bytes, then `body` bytes.
    pub fn push(&mut self, asset: AssetId, headers_frame: u64, body: u64) {
        self.streams.push_back(OutStream {
            asset,
            headers: Some(headers_frame),
            body_left: body,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }

    /// The next frame, by the policy.
    pub fn next_frame(&mut self) -> Option<OutFrame> {
        let mut s = self.streams.pop_front()?;
        let out = if let Some(frame) = s.headers.take() {
            OutFrame::Headers {
                asset: s.asset,
                frame,
            }
        } else {
            let payload = s.body_left.min(MAX_DATA_PAYLOAD);
            s.body_left -= payload;
            OutFrame::Data {
                asset: s.asset,
                frame: payload + FRAME_HEADER_LEN as u64,
                payload,
            }
        };
        if s.headers.is_some() || s.body_left > 0 {
            match self.policy {
                SchedulePolicy::RoundRobin => self.streams.push_back(s),
                SchedulePolicy::Sequential => self.streams.push_front(s),
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PresetId;

    #[test]
    fn preface_and_settings_sizes_are_the_encoded_frames() {
        // 24 + (9 + 4·6) + (9 + 4), RFC 9113 §3.4, §6.5.1, §6.9.
        assert_eq!(client_preface_len(), 24 + 33 + 13);
        assert_eq!(server_preface_len(), (9 + 3 * 6) + 9);
        assert_eq!(settings_ack_len(), 9);
    }

    #[test]
    fn hpack_context_carries_across_requests() {
        let page = Page::preset(PresetId::Blog);
        let mut c = HeaderCodec::default();
        let first = c.request(&page, AssetId(1), StreamId(1));
        let second = c.request(&page, AssetId(2), StreamId(3));
        assert_eq!(first.frame, first.block + 9);
        assert!(second.block * 5 < first.block, "{second:?} vs {first:?}");
    }

    #[test]
    fn round_robin_interleaves_and_sequential_does_not() {
        let order = |policy| {
            let mut s = Scheduler {
                policy,
                ..Scheduler::default()
            };
            s.push(AssetId(1), 50, 2 * MAX_DATA_PAYLOAD);
            s.push(AssetId(2), 40, 10);
            std::iter::from_fn(|| s.next_frame())
                .map(|f| match f {
                    OutFrame::Headers { asset, .. } => (asset.0, 'h'),
                    OutFrame::Data { asset, .. } => (asset.0, 'd'),
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            order(SchedulePolicy::RoundRobin),
            [(1, 'h'), (2, 'h'), (1, 'd'), (2, 'd'), (1, 'd')]
        );
        assert_eq!(
            order(SchedulePolicy::Sequential),
            [(1, 'h'), (1, 'd'), (1, 'd'), (2, 'h'), (2, 'd')]
        );
    }
}
