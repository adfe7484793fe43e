//! HTTP/2 flow control (RFC 9113 §5.2, §6.9): the receiver's side, as Chromium returns
//! credit. The sender's windows (a stream's and the connection's) are kept with the
//! scheduler that spends them ([`super::prioritize::Scheduler`]).

/// RFC 9113 §6.9.2: the initial flow-control window of every stream and of the connection.
pub const DEFAULT_WINDOW: u64 = 65_535;

/// Chromium's rule for returning flow-control credit (net/spdy: `SpdySession::
/// IncreaseRecvWindowSize`, `SpdyStream::IncreaseRecvWindowSize`): once the bytes consumed
/// but not yet acknowledged exceed half the window, a WINDOW_UPDATE returns all of them.
pub fn window_update_due(unacked: u64, window: u64) -> bool {
    unacked > window / 2
}

/// Bytes a receiver consumed on one window (a stream's or the connection's) and has not
/// returned yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecvWindow {
    unacked: u64,
}

impl RecvWindow {
    /// `n` bytes of DATA payload were consumed of a `window`-byte window; the increment of
    /// the WINDOW_UPDATE due now, if one is.
    pub fn consume(&mut self, n: u64, window: u64) -> Option<u32> {
        self.unacked += n;
        window_update_due(self.unacked, window)
            .then(|| u32::try_from(std::mem::take(&mut self.unacked)).unwrap_or(u32::MAX))
    }

    /// [`RecvWindow::consume`], returning credit only while `receiving` (Chromium's stream
    /// stops sending WINDOW_UPDATEs once its response is complete; the bytes still count).
    pub fn consume_while(&mut self, n: u64, window: u64, receiving: bool) -> Option<u32> {
        self.unacked += n;
        (receiving && window_update_due(self.unacked, window))
            .then(|| u32::try_from(std::mem::take(&mut self.unacked)).unwrap_or(u32::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_returns_past_half_the_window_all_at_once() {
        let mut w = RecvWindow::default();
        assert_eq!(w.consume(30_000, DEFAULT_WINDOW), None);
        // 33,000 > 32,767: all of it goes back.
        assert_eq!(w.consume(3_000, DEFAULT_WINDOW), Some(33_000));
        assert_eq!(w.consume(1, DEFAULT_WINDOW), None);
    }
}
