//! The HTTP/3 lane's trace at the end of the run: every datagram's bytes by what its first
//! transmission carried (handshake, headers, payload, framing, retransmission), each
//! asset's timings, and the connection's one set-up.

use super::*;

impl QuicLane<'_> {
    /// The lane: every datagram's bytes by what its first transmission carried, and the
    /// connection's one set-up (the HTML's request waited for it; later ones found it up).
    pub(super) fn finish(mut self, ledgers: [&Ledger; 2]) -> Lane {
        let writes = [index(ledgers[0]), index(ledgers[1])];
        let owner = stream_assets(ledgers);
        let trace = &mut self.st.trace;
        for c in std::mem::take(&mut self.st.crossings) {
            let d = &c.datagram;
            let payload = d.payload_len();
            let m = &mut trace.m;
            let handshake = d
                .packets
                .first()
                .is_some_and(|p| matches!(p.ty, PacketType::Initial | PacketType::Handshake));
            if handshake {
                m.bytes_handshake += c.link.bytes - payload;
            } else {
                m.bytes_framing += c.link.bytes - payload;
            }
            let mut retransmission = false;
            let mut carried = Vec::new();
            for p in &d.packets {
                if matches!(p.ty, PacketType::Initial | PacketType::Handshake) {
                    // CRYPTO data, ACKs and padding of the handshake (first sent or not).
                    m.bytes_handshake += p.wire_len();
                    continue;
                }
                let mut data = 0;
                for f in &p.frames {
                    let Frame::Stream(s) = f else {
                        continue;
                    };
                    data += s.len;
                    if let Some(&asset) = owner.get(&s.id) {
                        carry(&mut carried, asset, s.len);
                    }
                    if s.first_sent_in.is_some() {
                        retransmission = true;
                        m.bytes_retransmitted += s.len;
                    } else {
                        let side = usize::from(c.from == Side::Server);
                        classify(&writes[side], s.id, s.offset, s.len, m);
                    }
                }
                m.bytes_framing += p.wire_len() - data;
            }
            if retransmission {
                m.retransmissions += 1;
            }
            let seq = d.packets.first().map_or(0, |p| p.pn.0);
            trace.packet(c.sent, CONN, seq, payload, retransmission, &c.link, carried);
        }
        let ready = self.st.ready.unwrap_or(SimTime::ZERO);
        trace.conns[0].tcp_end = Some(ready);
        trace.conns[0].tls_end = Some(ready);
        trace.asset(AssetId(0)).connect = Some(ConnectPhases {
            start: SimTime::ZERO,
            tcp_end: ready,
            tls_end: ready,
        });
        self.st
            .trace
            .finish(self.scenario, Protocol::Http3, &self.browser)
    }
}

/// The asset of each request stream, from what either endpoint wrote on it.
fn stream_assets(ledgers: [&Ledger; 2]) -> BTreeMap<StreamId, AssetId> {
    let mut owner = BTreeMap::new();
    for w in ledgers.iter().flat_map(|l| l.writes()) {
        match w.content {
            Content::Headers { asset, .. }
            | Content::InterimHeaders { asset, .. }
            | Content::DataHeader { asset }
            | Content::Body { asset } => {
                owner.entry(w.stream).or_insert(asset);
            }
            Content::StreamType { .. } | Content::Settings => {}
        }
    }
    owner
}

/// What one range of stream bytes is, for the metrics.
#[derive(Clone, Copy)]
enum Cat {
    Handshake,
    Framing,
    /// A HEADERS frame whose last `block` bytes are the QPACK field section.
    Headers {
        block: u64,
    },
    Payload,
}

/// Each stream's writes of one endpoint: (offset, len, category), by offset.
type Index = BTreeMap<StreamId, Vec<(u64, u64, Cat)>>;

fn index(ledger: &Ledger) -> Index {
    let mut ix = Index::new();
    for w in ledger.writes() {
        let cat = match w.content {
            // Stream types and SETTINGS set the connection up, like HTTP/2's preface.
            Content::StreamType { .. } | Content::Settings => Cat::Handshake,
            Content::Headers { block, .. } | Content::InterimHeaders { block, .. } => {
                Cat::Headers { block }
            }
            Content::DataHeader { .. } => Cat::Framing,
            Content::Body { .. } => Cat::Payload,
        };
        ix.entry(w.stream).or_default().push((w.offset, w.len, cat));
    }
    ix
}

/// Adds the first transmission of `stream`'s bytes [offset, offset + len) to the metrics by
/// what the writer put there.
fn classify(ix: &Index, stream: StreamId, offset: u64, len: u64, m: &mut Metrics) {
    let end = offset + len;
    let mut known = 0;
    if let Some(ws) = ix.get(&stream) {
        let first = ws.partition_point(|&(o, l, _)| o + l <= offset);
        for &(o, l, cat) in ws[first..].iter().take_while(|&&(o, _, _)| o < end) {
            let (lo, hi) = (o.max(offset), (o + l).min(end));
            let n = hi.saturating_sub(lo);
            known += n;
            match cat {
                Cat::Handshake => m.bytes_handshake += n,
                Cat::Framing => m.bytes_framing += n,
                Cat::Payload => m.bytes_payload += n,
                Cat::Headers { block } => {
                    // The field section is the write's tail [o + l - block, o + l).
                    let b0 = o + l - block.min(l);
                    let h = hi.saturating_sub(lo.max(b0)).min(n);
                    m.bytes_headers += h;
                    m.bytes_framing += n - h;
                }
            }
        }
    }
    // Bytes no write accounts for (none in practice) count as framing, so the categories
    // still add up to the wire.
    m.bytes_framing += len - known;
}
