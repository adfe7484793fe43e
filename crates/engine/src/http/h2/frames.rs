//! The HTTP/2 frames the endpoints write (RFC 9113 §6), built as [`Frame`]s and encoded with
//! [`crate::wire::frame`], and what the trace records of each ([`FrameInfo`]).

use super::flow_control::DEFAULT_WINDOW;
use crate::ids::StreamId;
use crate::options::FlowWindows;
use crate::transport::tls::MAX_RECORD;
use crate::wire::frame::{
    ErrorCode, Frame, FrameHeader, FrameType, RstStream, Setting, SettingId, Settings,
    WindowUpdate, END_STREAM, FRAME_HEADER_LEN, PREFACE,
};

/// Chrome's SETTINGS (RFC 9113 §6.5.2) with `windows` and push: a 64 KiB HPACK table,
/// SETTINGS_ENABLE_PUSH (0 since Chrome 106; 1 for a browser that accepted push), the
/// stream window unless it is the RFC default, and a 256 KiB header list.
pub fn client_settings(windows: FlowWindows, push: bool) -> Vec<(SettingId, u32)> {
    let mut v = vec![
        (SettingId::HeaderTableSize, CLIENT_HEADER_TABLE_SIZE),
        (SettingId::EnablePush, u32::from(push)),
    ];
    let (stream, _) = windows.sizes();
    if stream != DEFAULT_WINDOW {
        v.push((
            SettingId::InitialWindowSize,
            u32::try_from(stream).unwrap_or(u32::MAX),
        ));
    }
    v.push((SettingId::MaxHeaderListSize, 262_144));
    v
}

/// Chrome's SETTINGS_HEADER_TABLE_SIZE: the server's encoder may grow its table to this.
pub const CLIENT_HEADER_TABLE_SIZE: u32 = 65_536;

/// The increment of the client's connection WINDOW_UPDATE in its preface (RFC 9113 §6.9):
/// from the initial 65,535 bytes (§6.9.2) to the connection window; none for the RFC
/// windows.
pub fn client_connection_increment(windows: FlowWindows) -> Option<u32> {
    let (_, conn) = windows.sizes();
    (conn > DEFAULT_WINDOW).then(|| u32::try_from(conn - DEFAULT_WINDOW).unwrap_or(u32::MAX))
}

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

/// One frame as the trace shows it: type, stream, payload length and flags, and the
/// payload itself for a connection-control frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameInfo {
    pub kind: FrameType,
    pub stream: StreamId,
    /// Payload bytes (without the 9-byte header).
    pub payload: u64,
    pub flags: u8,
    /// The payload's bytes for the frames whose payload is neither body nor header block
    /// (SETTINGS, WINDOW_UPDATE, RST_STREAM, PING, GOAWAY, PRIORITY); `None` for DATA
    /// (the body, not materialised), HEADERS, PUSH_PROMISE and CONTINUATION (the trace
    /// keeps their header block apart).
    pub bytes: Option<Vec<u8>>,
}

impl FrameInfo {
    /// Bytes on the wire, header included.
    pub fn wire(&self) -> u64 {
        self.payload + FRAME_HEADER_LEN as u64
    }

    /// What the trace records of `frame`, whose encoding is `bytes`.
    pub fn of(frame: &Frame, bytes: &[u8]) -> FrameInfo {
        let control = !matches!(
            frame,
            Frame::Data(_) | Frame::Headers(_) | Frame::PushPromise(_) | Frame::Continuation(_)
        );
        FrameInfo {
            kind: frame.frame_type(),
            stream: frame.stream_id(),
            payload: (bytes.len() - FRAME_HEADER_LEN.min(bytes.len())) as u64,
            flags: frame.flags(),
            bytes: control.then(|| bytes.get(FRAME_HEADER_LEN..).unwrap_or_default().to_vec()),
        }
    }
}

/// RFC 9113 §6: the frame type's name as the RFC spells it ("UNKNOWN" for an extension).
pub fn frame_name(kind: FrameType) -> &'static str {
    kind.name().unwrap_or("UNKNOWN")
}

/// A built frame: the frame, its bytes, and its trace record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Built {
    pub frame: Frame,
    pub bytes: Vec<u8>,
    pub info: FrameInfo,
}

/// Encodes `frame`. The engine builds only frames that encode (stream ids below 2^31,
/// payloads below 2^24); one that did not would be written as nothing.
pub fn build(frame: Frame) -> Built {
    let bytes = frame.to_bytes().unwrap_or_default();
    let info = FrameInfo::of(&frame, &bytes);
    Built { frame, bytes, info }
}

pub fn settings(ack: bool, list: &[(SettingId, u32)]) -> Built {
    build(Frame::Settings(Settings {
        ack,
        settings: list
            .iter()
            .map(|&(id, value)| Setting { id, value })
            .collect(),
    }))
}

/// RFC 9113 §3.4: the client's preface — the 24 octets, then its SETTINGS and, with browser
/// windows, its connection WINDOW_UPDATE, written together — as bytes and frames.
pub fn client_preface(windows: FlowWindows, push: bool) -> (Vec<u8>, Vec<FrameInfo>) {
    let mut frames = vec![settings(false, &client_settings(windows, push))];
    if let Some(inc) = client_connection_increment(windows) {
        frames.push(window_update(StreamId(0), inc));
    }
    let mut bytes = PREFACE.to_vec();
    for f in &frames {
        bytes.extend_from_slice(&f.bytes);
    }
    (bytes, frames.into_iter().map(|f| f.info).collect())
}

/// RFC 9113 §3.4: the server's preface (its SETTINGS) and the ACK of the client's SETTINGS
/// (§6.5.3), written together.
pub fn server_preface() -> (Vec<u8>, Vec<FrameInfo>) {
    let frames = [settings(false, &SERVER_SETTINGS), settings_ack()];
    let bytes = frames
        .iter()
        .flat_map(|f| f.bytes.iter().copied())
        .collect();
    (bytes, frames.into_iter().map(|f| f.info).collect())
}

/// RFC 9113 §6.5.3: an empty SETTINGS frame with the ACK flag.
pub fn settings_ack() -> Built {
    settings(true, &[])
}

/// RFC 9113 §6.9: a WINDOW_UPDATE frame (13 bytes).
pub fn window_update(stream: StreamId, increment: u32) -> Built {
    build(Frame::WindowUpdate(WindowUpdate {
        stream_id: stream,
        window_size_increment: increment,
    }))
}

/// RFC 9113 §6.4, §8.4.2: RST_STREAM with CANCEL, as a browser refuses a push (13 bytes).
pub fn rst_stream_cancel(stream: StreamId) -> Built {
    build(Frame::RstStream(RstStream {
        stream_id: stream,
        error_code: ErrorCode::Cancel,
    }))
}

/// RFC 9113 §6.1: the 9-byte header of a DATA frame of `payload` body bytes (no padding),
/// and its trace record; the payload itself is the body, not materialised.
pub fn data_header(stream: StreamId, payload: u64, end_stream: bool) -> ([u8; 9], FrameInfo) {
    let flags = if end_stream { END_STREAM } else { 0 };
    let mut out = Vec::with_capacity(FRAME_HEADER_LEN);
    FrameHeader {
        length: u32::try_from(payload).unwrap_or(u32::MAX),
        frame_type: FrameType::Data,
        flags,
        stream_id: u32::try_from(stream.0).unwrap_or(u32::MAX),
    }
    .write(&mut out);
    let mut header = [0u8; 9];
    header.copy_from_slice(&out[..9]);
    let info = FrameInfo {
        kind: FrameType::Data,
        stream,
        payload,
        flags,
        bytes: None,
    };
    (header, info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preface_and_settings_sizes_are_the_encoded_frames() {
        // 24 + (9 + 4·6) + (9 + 4), RFC 9113 §3.4, §6.5.1, §6.9: four settings and the
        // connection WINDOW_UPDATE.
        let (bytes, frames) = client_preface(FlowWindows::Browser, false);
        assert_eq!(bytes.len(), 24 + 33 + 13);
        assert_eq!(frames.len(), 2);
        // RFC windows: no SETTINGS_INITIAL_WINDOW_SIZE and no WINDOW_UPDATE.
        assert_eq!(
            client_preface(FlowWindows::Rfc, true).0.len(),
            24 + 9 + 3 * 6
        );
        assert_eq!(server_preface().0.len(), (9 + 3 * 6) + 9);
        assert_eq!(settings_ack().bytes.len(), 9);
        // RFC 9113 §6.9, §6.4: 4-byte payloads.
        assert_eq!(window_update(StreamId(3), 40_000).info.wire(), 13);
        let rst = rst_stream_cancel(StreamId(2));
        assert_eq!(
            (rst.info.wire(), rst.info.kind, rst.info.stream),
            (13, FrameType::RstStream, StreamId(2))
        );
        let push = client_settings(FlowWindows::Browser, true);
        assert!(push.contains(&(SettingId::EnablePush, 1)));
        assert!(push.contains(&(SettingId::InitialWindowSize, 6 * 1024 * 1024)));
        assert_eq!(
            client_connection_increment(FlowWindows::Browser),
            Some(15 * 1024 * 1024 - 65_535)
        );
        // A DATA header parses back to what it says.
        let (h, info) = data_header(StreamId(5), 1_000, true);
        let parsed = FrameHeader::parse(&h).unwrap();
        assert_eq!(
            (
                parsed.length,
                parsed.frame_type,
                parsed.flags,
                parsed.stream_id
            ),
            (1_000, FrameType::Data, END_STREAM, 5)
        );
        assert_eq!(info.wire(), 1_009);
    }
}
