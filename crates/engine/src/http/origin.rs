//! The origin server's content: what it answers for each path, the same for every HTTP
//! version.

use std::collections::BTreeMap;

use crate::headers::{response_fields, Field};
use crate::page::Page;

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
