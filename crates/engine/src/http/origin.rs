//! The origin server, the same for every HTTP version: what it answers for each path, what
//! it sends unasked (103 hints, pushes), and how far it has produced each response by a
//! given instant (think time, an early-flushed head, streamed chunks).

use std::collections::BTreeMap;

use crate::headers::{response_fields, Field};
use crate::http::priority::Priority;
use crate::ids::AssetId;
use crate::page::Page;
use crate::time::SimTime;

/// What the server answers for one path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteEntry {
    pub fields: Vec<Field>,
    pub body: u64,
}

/// The origin: its authority and its responses by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Site {
    pub authority: String,
    pub by_path: BTreeMap<String, SiteEntry>,
}

impl Site {
    /// Every asset of `page` with its browser-like response fields and size.
    pub fn from_page(page: &Page) -> Site {
        Site {
            authority: page.host.clone(),
            by_path: page
                .ids()
                .map(|id| {
                    let a = page.asset(id);
                    (
                        a.path.clone(),
                        SiteEntry {
                            fields: response_fields(page, id),
                            body: a.size,
                        },
                    )
                })
                .collect(),
        }
    }
}

/// The server's view of the page: which asset each path is, and what it sends unasked.
#[derive(Clone, Debug)]
pub struct Origin<'a> {
    pub page: &'a Page,
    /// Asset by path (the first with that path).
    paths: BTreeMap<&'a str, AssetId>,
    /// What a `103 Early Hints` names before the HTML's response (RFC 8297); empty: none.
    pub early_hints: Vec<AssetId>,
    /// What HTTP/2 server push promises with the HTML (RFC 9113 §8.4), each with the
    /// priority its response is sent at; empty: nothing.
    pub push: Vec<(AssetId, Priority)>,
}

impl<'a> Origin<'a> {
    pub fn new(
        page: &'a Page,
        early_hints: Vec<AssetId>,
        push: Vec<(AssetId, Priority)>,
    ) -> Origin<'a> {
        Origin {
            page,
            paths: page.by_path(),
            early_hints,
            push,
        }
    }

    /// The asset served at `path`.
    pub fn asset_at(&self, path: &str) -> Option<AssetId> {
        self.paths.get(path).copied()
    }
}

/// How far the server has produced one response: the page's release schedule
/// ([`crate::page::Asset::release`]) counted from when the request arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Production {
    pub asset: AssetId,
    /// When the request reached the server (a push: when it was promised).
    pub arrived: SimTime,
}

/// What a response has ready at some instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ready {
    /// The head may go out (it leaves with the first part of the body).
    pub head: bool,
    /// Body bytes produced so far.
    pub body: u64,
    /// When more is produced (the head, or the next part); `None`: all of it is.
    pub next: Option<SimTime>,
}

impl Production {
    pub fn ready(&self, page: &Page, now: SimTime) -> Ready {
        let a = page.asset(self.asset);
        let since = now.saturating_since(self.arrived);
        let head_after = a.head_after();
        if since < head_after {
            return Ready {
                head: false,
                body: 0,
                next: Some(self.arrived + head_after),
            };
        }
        let (body, next) = a.released(since);
        Ready {
            head: true,
            // No later part: the whole body is ready (a valid release ends at the size).
            body: if next.is_none() { a.size } else { body },
            next: next.map(|after| self.arrived + after),
        }
    }
}
