//! What the frame inspector's HPACK view draws, worked out from a lane of the trace: each
//! HTTP/2 header block with the dynamic table before and after it ([`header_tables`]), the
//! frame event each block was written in ([`frame_blocks`]), and the same headers as
//! HTTP/1.1 text ([`as_http1`]).

use protoviz_engine::headers::Field;
use protoviz_engine::trace::{Direction, EventKind, HeaderBlock, Lane, RepKind};
use protoviz_engine::wire::h1;
use protoviz_engine::wire::hpack::HeaderField;
use protoviz_engine::ConnId;

/// One header block with the table around it (its connection and direction's context).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockTables {
    /// The header list the block encodes.
    pub headers: Vec<HeaderField>,
    /// The dynamic table before the block, newest first.
    pub before: Vec<HeaderField>,
    /// The dynamic table after it, newest first.
    pub after: Vec<HeaderField>,
    /// How many entries at the front of `after` this block added.
    pub added: usize,
    /// Entries of `before` this block evicted (RFC 7541 §4.4), oldest last.
    pub evicted: Vec<HeaderField>,
}

/// Every header block of the lane, in order, with its header list ([`Lane::header_lists`])
/// and the dynamic table before and after it: the trace's table when it recorded one,
/// else the previous table with the block's incrementally indexed fields in front
/// ([`HeaderBlock::table`]).
pub fn header_tables(lane: &Lane) -> Vec<BlockTables> {
    let lists = lane.header_lists();
    let mut tables: Vec<((ConnId, Direction), Vec<HeaderField>)> = Vec::new();
    lane.header_blocks
        .iter()
        .zip(lists)
        .map(|(b, headers)| {
            let key = (b.conn, b.dir);
            let i = match tables.iter().position(|t| t.0 == key) {
                Some(i) => i,
                None => {
                    tables.push((key, Vec::new()));
                    tables.len() - 1
                }
            };
            let before = tables[i].1.clone();
            let mut inserted: Vec<HeaderField> = Vec::new();
            let fields = b.fields.iter().filter(|f| f.rep != RepKind::SizeUpdate);
            for (k, f) in fields.enumerate() {
                if f.rep == RepKind::Incremental {
                    if let Some(h) = headers.get(k) {
                        inserted.insert(0, h.clone());
                    }
                }
            }
            let after = match &b.table {
                Some(t) => t.clone(),
                None => inserted.iter().chain(before.iter()).cloned().collect(),
            };
            let added = inserted.len().min(after.len());
            let kept = after.len() - added;
            let evicted = before.get(kept..).map(<[_]>::to_vec).unwrap_or_default();
            tables[i].1.clone_from(&after);
            BlockTables {
                headers,
                before,
                after,
                added,
                evicted,
            }
        })
        .collect()
}

/// The same header list as HTTP/1.1 text, written by the engine's own HTTP/1.1 writer
/// (pseudo-header fields become the request or status line and `Host`).
pub fn as_http1(headers: &[HeaderField]) -> String {
    let get = |n: &str| {
        headers
            .iter()
            .find(|h| &*h.name == n)
            .map(|h| h.value.to_string())
    };
    let fields: Vec<Field> = headers
        .iter()
        .filter(|h| !h.name.starts_with(':'))
        .map(|h| Field::new(&h.name, h.value.as_ref()))
        .collect();
    match get(":status") {
        Some(st) => h1::response_head(st.parse().unwrap_or(200), &fields),
        None => h1::request_head(
            &get(":method").unwrap_or_else(|| "GET".into()),
            &get(":path").unwrap_or_else(|| "/".into()),
            &get(":authority").unwrap_or_default(),
            &fields,
        ),
    }
}

/// "37 B instead of 412 B: 91 % smaller".
pub fn saving_text(block: usize, text: usize) -> String {
    if text == 0 {
        return format!("{block} B");
    }
    let pct = (text.saturating_sub(block) * 100 + text / 2) / text;
    if block < text {
        format!("{block} B instead of {text} B as HTTP/1.1 text: {pct} % smaller")
    } else {
        format!("{block} B, against {text} B as HTTP/1.1 text")
    }
}

/// Bytes of a block's lower-case hex.
pub fn unhex(s: &str) -> Vec<u8> {
    s.as_bytes()
        .chunks(2)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .filter_map(|c| u8::from_str_radix(c, 16).ok())
        .collect()
}

/// The n-th HEADERS or PUSH_PROMISE frame event of a connection and direction is the n-th
/// header block of that connection and direction: for each frame event index, its block.
pub fn frame_blocks(lane: &Lane) -> Vec<(usize, usize)> {
    let mut by_key: Vec<((ConnId, Direction), Vec<usize>)> = Vec::new();
    for (i, b) in lane.header_blocks.iter().enumerate() {
        let key = (b.conn, b.dir);
        match by_key.iter_mut().find(|k| k.0 == key) {
            Some(k) => k.1.push(i),
            None => by_key.push((key, vec![i])),
        }
    }
    let mut used: Vec<((ConnId, Direction), usize)> = Vec::new();
    let mut out = Vec::new();
    for (ei, e) in lane.events.iter().enumerate() {
        let EventKind::Frame {
            dir,
            conn,
            stream,
            frame,
            ..
        } = &e.kind
        else {
            continue;
        };
        if frame != "HEADERS" && frame != "PUSH_PROMISE" {
            continue;
        }
        let key = (*conn, *dir);
        let n = match used.iter_mut().find(|u| u.0 == key) {
            Some(u) => {
                u.1 += 1;
                u.1 - 1
            }
            None => {
                used.push((key, 1));
                0
            }
        };
        let block = by_key
            .iter()
            .find(|k| k.0 == key)
            .and_then(|k| k.1.get(n).copied());
        if let Some(bi) = block {
            let b: &HeaderBlock = &lane.header_blocks[bi];
            if b.stream == *stream && b.frame == *frame {
                out.push((ei, bi));
            }
        }
    }
    out
}
