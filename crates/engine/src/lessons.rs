//! The guided lessons: the nine the course follows, each a few steps. A step is a scenario
//! (a scenario string, as in the app's link), one sentence, what to look at, a question
//! and its answer — and the [`Claim`]s its words make, which [`Claim::check`] tests
//! against the engine's trace for that scenario (the app shows the words; the tests at the
//! bottom of this file run every step's scenario and check every claim, so a lesson cannot
//! say what the engine does not do).
//!
//! Plain data, no web dependencies: the app reads it, and so do the native tests.

mod claim;
pub use claim::{Claim, Metric};

use crate::{url, Protocol, Scenario};

/// What to look at: the app highlights it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    /// One lane, whole.
    Lane(Protocol),
    /// A lane's figure, by its class (`ttfb`, `first-paint`, `load`, `connections`,
    /// `headers`).
    Figure(Protocol, &'static str),
    /// A lane's rows.
    Rows(Protocol),
    /// A lane's stall overlays (head-of-line blocking).
    Stalls(Protocol),
    /// A lane's row of one asset, by path.
    Row(Protocol, &'static str),
}

impl Look {
    /// A CSS selector for it in the app's page.
    pub fn selector(&self, page: &crate::Page) -> String {
        match *self {
            Look::Lane(p) => format!(".lane[data-protocol=\"{}\"]", p.id()),
            Look::Figure(p, class) => {
                format!(".lane[data-protocol=\"{}\"] dd.{class}", p.id())
            }
            Look::Rows(p) => format!(".lane[data-protocol=\"{}\"] .assets", p.id()),
            Look::Stalls(p) => format!(".lane[data-protocol=\"{}\"] .seg.blocked", p.id()),
            Look::Row(p, path) => {
                let id = page.assets.iter().position(|a| a.path == path).unwrap_or(0);
                format!(
                    ".lane[data-protocol=\"{}\"] .asset-row[data-asset=\"{id}\"]",
                    p.id()
                )
            }
        }
    }
}

/// One step of a lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// The scenario string (as in the app's link).
    pub link: &'static str,
    /// The one sentence the step says.
    pub say: &'static str,
    pub look: Look,
    /// Predict first…
    pub question: &'static str,
    /// …then reveal.
    pub answer: &'static str,
    /// What the words claim, checked against the trace.
    pub claims: &'static [Claim],
}

impl Step {
    /// The step's scenario (every step's link is a valid scenario: a test checks).
    pub fn scenario(&self) -> Scenario {
        url::decode_lenient(self.link).scenario
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lesson {
    pub title: &'static str,
    pub steps: &'static [Step],
}

use Claim::*;
use Metric::*;
use Protocol::{Http1 as H1, Http2 as H2, Http2Push as Push, Http3 as H3};

const ONE_CONN: &str = "page=blog&proto=h1&h1conn=1";
const SIX_CONNS: &str = "page=blog&proto=h1";
const H2_NO_LOSS: &str = "page=blog&proto=h2,h3";
const LOSSY: &str = "page=blog&proto=h2,h3&loss=2";

/// The nine lessons, in the course's order (`lesson=1` is `LESSONS[0]`).
pub const LESSONS: [Lesson; 9] = [
    Lesson {
        title: "HTTP/1.1: one request per round trip",
        steps: &[
            Step {
                link: ONE_CONN,
                say: "On one HTTP/1.1 connection the browser sends a request, waits for the whole response, then sends the next: each request costs at least a round trip.",
                look: Look::Rows(H1),
                question: "How many connections does this lane open for its 16 files?",
                answer: "One: every request waited for the previous response to end, a round trip or more each.",
                claims: &[Connections(H1, 1), OneAtATime(H1), EachWaitsARoundTrip(H1)],
            },
            Step {
                link: "page=blog&proto=h1&h1conn=1&keepalive=off",
                say: "Without keep-alive, the server closes the connection after each response, so every request opens a new one and pays the TCP and TLS handshakes again.",
                look: Look::Figure(H1, "connections"),
                question: "Will the page load sooner or later than with keep-alive?",
                answer: "Later: one new connection per request, each with its handshakes before the request can go.",
                claims: &[ConnectionPerRequest(H1), HandshakeEach(H1), LaterThanIn(Load, H1, ONE_CONN)],
            },
        ],
    },
    Lesson {
        title: "Six connections: parallelism and its handshakes",
        steps: &[
            Step {
                link: SIX_CONNS,
                say: "Browsers open up to six HTTP/1.1 connections per host so six requests can be in flight at once — and each connection pays its own TCP and TLS handshakes.",
                look: Look::Figure(H1, "connections"),
                question: "Faster or slower than one connection?",
                answer: "Faster: six responses come back at a time, though every connection paid its handshakes.",
                claims: &[Connections(H1, 6), HandshakeEach(H1), EarlierThanIn(Load, H1, ONE_CONN, 1)],
            },
            Step {
                link: "page=tiles&proto=h1",
                say: "With a hundred images, six connections are not enough: most requests queue until a connection is free.",
                look: Look::Rows(H1),
                question: "Do the tiles wait before their requests go out?",
                answer: "Yes: only six can be in flight; the others wait for a free connection (the queued part of each bar).",
                claims: &[Connections(H1, 6), WaitedForAConnection(H1)],
            },
        ],
    },
    Lesson {
        title: "Pipelining: responses in order",
        steps: &[Step {
            link: "page=blog&proto=h1&h1conn=1&pipelining=on",
            say: "With pipelining, the browser sends several requests without waiting, but the server must answer them in order: one slow response holds back every one behind it.",
            look: Look::Rows(H1),
            question: "Can a small image's response overtake a large script's sent before it?",
            answer: "No: on each connection responses come back in request order, and the ones behind a large response wait (head-of-line blocking).",
            claims: &[Connections(H1, 1), InOrderPerConnection(H1), PipelineBlocked(H1), EarlierThanIn(Load, H1, ONE_CONN, 0)],
        }],
    },
    Lesson {
        title: "HTTP/2: one connection, streams interleaved",
        steps: &[
            Step {
                link: "page=blog&proto=h1,h2&sched=round-robin",
                say: "HTTP/2 sends every request at once on one connection; the frames of many streams interleave on it, and responses finish in any order.",
                look: Look::Rows(H2),
                question: "How many connections does HTTP/2 use, and do its responses end in request order?",
                answer: "One connection; small responses finish before large ones requested earlier, their frames interleaved.",
                claims: &[Connections(H2, 1), Interleaved(H2), OutOfOrder(H2)],
            },
            Step {
                link: "page=tiles&proto=h1,h2",
                say: "With a hundred small files, HTTP/2's one connection asks for them all at once while HTTP/1.1 queues them six at a time.",
                look: Look::Lane(H2),
                question: "Which lane finishes first?",
                answer: "HTTP/2: no request waits for a free connection.",
                claims: &[FinishesFirst(H2), WaitedForAConnection(H1)],
            },
        ],
    },
    Lesson {
        title: "HPACK: headers in a few bytes",
        steps: &[Step {
            link: "page=tiles&proto=h2",
            say: "HPACK keeps a dynamic table of the headers sent on a connection: the second request repeats the first's headers as indexes of a byte or two.",
            look: Look::Figure(H2, "headers"),
            question: "How big is the second request's header block next to the first's?",
            answer: "A third or less: most of its fields are single-byte indexes into the static and dynamic tables.",
            claims: &[DynamicTableFilled(H2), SecondHeadersSmall(H2)],
        }],
    },
    Lesson {
        title: "Server push, and 103 Early Hints",
        steps: &[
            Step {
                link: "page=blog&proto=h2,h2-push",
                say: "With server push, the server sends the critical CSS and scripts with the HTML, before the browser finds them and asks.",
                look: Look::Figure(Push, "first-paint"),
                question: "Which lane paints first?",
                answer: "HTTP/2 + push: the render-blocking files were already on their way.",
                claims: &[Pushed(Push, 1), Earlier(FirstPaint, Push, H2)],
            },
            Step {
                link: "page=blog&proto=h2,h2-push&cache=warm",
                say: "On a repeat visit the browser already has those files cached, but the server pushes them anyway: the bytes are wasted.",
                look: Look::Lane(Push),
                question: "Does push still help on a warm cache?",
                answer: "No: the browser cancels the pushes it does not need, and the bytes already sent are waste.",
                claims: &[PushWasted(Push)],
            },
            Step {
                link: "page=blog&proto=h2,h2-push&hints=on",
                say: "103 Early Hints replaced push: the server names the critical files before the HTML, and the browser requests them early — and can use its cache.",
                look: Look::Rows(H2),
                question: "Does plain HTTP/2 with early hints paint sooner than without?",
                answer: "Yes: the hinted files are requested while the server still prepares the HTML.",
                claims: &[Hinted(H2, 1), EarlierThanIn(FirstPaint, H2, "page=blog&proto=h2,h2-push", 0)],
            },
        ],
    },
    Lesson {
        title: "Streaming a response",
        steps: &[
            Step {
                link: "page=streaming&proto=h2",
                say: "The server flushes the page's <head> at once and generates the body afterwards, so the CSS and scripts load while the body is still being made.",
                look: Look::Row(H2, "/css/style.css"),
                question: "Is the stylesheet requested before the HTML has fully arrived?",
                answer: "Yes: it is named in the early-flushed head, so it loads during the body's generation.",
                claims: &[RequestedBeforeHtmlEnds(H2, "/css/style.css"), RequestedBeforeHtmlEnds(H2, "/js/vendor.js")],
            },
            Step {
                link: "page=streaming&proto=h2",
                say: "A live feed streams JSON chunks over one open response: the request is sent once and its bytes keep arriving.",
                look: Look::Row(H2, "/api/live"),
                question: "How long does the feed's one response keep arriving?",
                answer: "Over four seconds: ten chunks, half a second apart, on one request.",
                claims: &[ArrivesOver(H2, "/api/live", 4_000)],
            },
        ],
    },
    Lesson {
        title: "Loss: TCP's head-of-line blocking",
        steps: &[Step {
            link: "page=blog&proto=h2&loss=2",
            say: "When one TCP segment is lost, every byte behind it waits for the retransmission — so every HTTP/2 stream with data behind it stalls (the striped bars).",
            look: Look::Stalls(H2),
            question: "How many streams stall behind the lost segments?",
            answer: "Several: TCP delivers bytes in order, so streams whose own data arrived still wait.",
            claims: &[TcpStalls(H2, 3)],
        }],
    },
    Lesson {
        title: "HTTP/3: QUIC",
        steps: &[
            Step {
                link: H2_NO_LOSS,
                say: "QUIC carries the TLS handshake in its own: HTTP/3 gets its first byte a round trip sooner than HTTP/2 over TCP and TLS.",
                look: Look::Figure(H3, "ttfb"),
                question: "By how much is HTTP/3's first byte earlier?",
                answer: "About one round trip: TCP's handshake and TLS's are one handshake on QUIC.",
                claims: &[EarlierByRoundTrips(FirstByte, H3, H2, 1)],
            },
            Step {
                link: "page=blog&proto=h2,h3&zerortt=on",
                say: "With 0-RTT, a returning browser sends its request in its very first flight: another round trip saved.",
                look: Look::Figure(H3, "ttfb"),
                question: "How much sooner than HTTP/3 without 0-RTT?",
                answer: "Another round trip: the request no longer waits for the handshake.",
                claims: &[EarlierThanIn(FirstByte, H3, H2_NO_LOSS, 1)],
            },
            Step {
                link: LOSSY,
                say: "On QUIC a lost packet stalls only the streams whose data it carried; the other streams go on.",
                look: Look::Stalls(H3),
                question: "Do fewer responses stall on HTTP/3 than on HTTP/2?",
                answer: "Yes: each QUIC stream is delivered on its own, so a loss holds back only its own stream.",
                claims: &[FewerStalled(H3, H2)],
            },
        ],
    },
];

/// Lesson `n` (1 to 9).
pub fn lesson(n: u8) -> Option<&'static Lesson> {
    LESSONS.get(usize::from(n).checked_sub(1)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate;

    #[test]
    fn there_are_nine_lessons_with_valid_steps() {
        assert_eq!(LESSONS.len(), usize::from(url::view::LESSONS));
        for (i, l) in LESSONS.iter().enumerate() {
            assert!(!l.steps.is_empty(), "lesson {}", i + 1);
            assert!(l.steps.len() <= usize::from(url::view::MAX_STEPS));
            for s in l.steps {
                url::decode(s.link).unwrap_or_else(|e| panic!("lesson {}: {}: {e}", i + 1, s.link));
                assert!(
                    !s.claims.is_empty(),
                    "lesson {}: a step that claims nothing",
                    i + 1
                );
                if let Look::Row(_, path) = s.look {
                    assert!(s.scenario().page.assets.iter().any(|a| a.path == path));
                }
            }
        }
    }

    /// Every claim of every step, against the engine's trace of the step's scenario.
    #[test]
    fn every_claim_holds_in_the_engines_trace() {
        let mut failed = Vec::new();
        for (i, l) in LESSONS.iter().enumerate() {
            for (j, s) in l.steps.iter().enumerate() {
                let trace = simulate(&s.scenario()).expect("the step's scenario runs");
                for c in s.claims {
                    if let Err(e) = c.check(&trace) {
                        failed.push(format!(
                            "lesson {} step {} ({}): {c:?}: {e}",
                            i + 1,
                            j + 1,
                            s.link
                        ));
                    }
                }
            }
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }

    /// A claim that is false says so (the checks can fail).
    #[test]
    fn false_claims_fail() {
        let t = simulate(&url::decode("page=blog&proto=h1,h2").unwrap()).unwrap();
        assert!(Connections(H2, 2).check(&t).is_err());
        assert!(Connections(H2, 1).check(&t).is_ok());
        assert!(Connections(H3, 1).check(&t).is_err(), "no such lane");
        assert!(
            TcpStalls(H2, 17).check(&t).is_err(),
            "the page has 16 assets"
        );
        assert!(Hinted(H2, 1).check(&t).is_err(), "no early hints asked for");
        assert!(Pushed(H2, 1).check(&t).is_err());
        assert!(OneAtATime(H2).check(&t).is_err(), "HTTP/2 multiplexes");
        assert!(ConnectionPerRequest(H1).check(&t).is_err(), "keep-alive");
        assert!(PipelineBlocked(H1).check(&t).is_err());
        let a = Earlier(Load, H1, H2).check(&t).is_ok();
        let b = Earlier(Load, H2, H1).check(&t).is_ok();
        assert!(a != b, "exactly one of two lanes is earlier");
    }
}
