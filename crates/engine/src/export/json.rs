//! The JSON a person takes out of protoviz and brings back: a whole trace (versioned by
//! [`TRACE_VERSION`], with the scenario it was computed from), a scenario (what
//! `--scenario` reads), or a page (what the asset editor exports). Importing reads any of
//! the three, and says what is wrong with anything else, with the JSON path of it.

use core::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::page::Page;
use crate::scenario::Scenario;
use crate::trace::{Trace, TRACE_VERSION};

/// Largest JSON file accepted: 200 MB (the trace of a 5,000-asset page under loss).
pub const MAX_BYTES: usize = 200_000_000;

/// The trace as the versioned JSON file (the same as `protoviz simulate --format json`).
pub fn trace(trace: &Trace) -> String {
    serde_json::to_string_pretty(trace).unwrap_or_default()
}

/// A page as JSON (the asset editor's export; `import` reads it back).
pub fn page(page: &Page) -> String {
    serde_json::to_string_pretty(page).unwrap_or_default()
}

/// What an imported file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Imported {
    /// A trace's or a scenario file's scenario: run it again to get the trace (the engine
    /// is deterministic, so the same trace, bit for bit).
    Scenario(Box<Scenario>),
    /// A page alone: it replaces the current scenario's page.
    Page(Page),
}

/// Why a file could not be imported: where (`scenario.network.rtt`; `$` for the whole
/// file) and what is wrong there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    pub path: String,
    pub problem: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JSON {}: {}", self.path, self.problem)
    }
}

impl std::error::Error for ImportError {}

fn error(path: impl Into<String>, problem: impl Into<String>) -> ImportError {
    ImportError {
        path: path.into(),
        problem: problem.into(),
    }
}

/// The top level of any of the three shapes; only what tells them apart is read here.
#[derive(Deserialize)]
struct Shape<'a> {
    #[serde(borrow, default)]
    version: Option<&'a RawValue>,
    #[serde(borrow, default)]
    scenario: Option<&'a RawValue>,
    #[serde(borrow, default)]
    lanes: Option<&'a RawValue>,
    #[serde(borrow, default)]
    page: Option<&'a RawValue>,
    #[serde(borrow, default)]
    network: Option<&'a RawValue>,
    #[serde(borrow, default)]
    assets: Option<&'a RawValue>,
    #[serde(borrow, default)]
    log: Option<&'a RawValue>,
}

/// A JSON path as people write them: `log.entries[3].response`, a key that is not a plain
/// name quoted (`headers["x y"]`); empty (the top level, or not inside any value yet): "".
pub(crate) fn json_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                let plain = !key.is_empty()
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                if plain {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                } else {
                    out.push_str(&format!(
                        "[{}]",
                        serde_json::to_string(key).unwrap_or_default()
                    ));
                }
            }
            Segment::Unknown => {}
        }
    }
    out
}

fn parse<'a, T: Deserialize<'a>>(text: &'a str, prefix: &str) -> Result<T, ImportError> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = json_path(e.path());
        let path = match (prefix, inner.as_str()) {
            ("", "") => "$".to_owned(),
            (p, "") => p.to_owned(),
            ("", i) => i.to_owned(),
            (p, i) if i.starts_with('[') => format!("{p}{i}"),
            (p, i) => format!("{p}.{i}"),
        };
        error(path, e.into_inner().to_string())
    })
}

/// Reads a trace, scenario or page file. The scenario or page is checked as the engine
/// checks it, so what comes back runs.
pub fn import(text: &str) -> Result<Imported, ImportError> {
    if text.len() > MAX_BYTES {
        return Err(error(
            "$",
            format!(
                "the file is {} bytes; at most {MAX_BYTES} (200 MB) are allowed",
                text.len()
            ),
        ));
    }
    let shape: Shape = serde_json::from_str(text).map_err(|e| error("$", e.to_string()))?;
    if let (Some(scenario), Some(_)) = (shape.scenario, shape.lanes) {
        let version: u32 = match shape.version {
            None => return Err(error("version", "is missing; a protoviz trace has one")),
            Some(v) => serde_json::from_str(v.get()).map_err(|_| {
                error(
                    "version",
                    format!("is {}; allowed: a trace version number", v.get()),
                )
            })?,
        };
        if version != TRACE_VERSION {
            let when = if version < TRACE_VERSION {
                "an older protoviz"
            } else {
                "a newer protoviz"
            };
            return Err(error(
                "version",
                format!(
                    "is {version}: this trace was written by {when}; this one reads version {TRACE_VERSION} (export the scenario again from a current protoviz, or take its \"scenario\" field as a scenario file)"
                ),
            ));
        }
        return scenario_at(scenario.get(), "scenario");
    }
    if shape.page.is_some() && shape.network.is_some() {
        return scenario_at(text, "");
    }
    if shape.assets.is_some() {
        let page: Page = parse(text, "")?;
        page.validate().map_err(|e| error("$", e.to_string()))?;
        return Ok(Imported::Page(page));
    }
    let what = if shape.log.is_some() {
        "looks like a HAR (it has \"log\"); import it as a HAR instead"
    } else {
        "is not a protoviz file; allowed: a trace (\"version\", \"scenario\", \"lanes\"), a scenario (\"page\", \"network\", \"protocols\") or a page (\"name\", \"host\", \"assets\")"
    };
    Err(error("$", what))
}

fn scenario_at(text: &str, prefix: &str) -> Result<Imported, ImportError> {
    let s: Scenario = parse(text, prefix)?;
    s.validate().map_err(|e| {
        // The engine's messages start with the field (`network.rtt is …`).
        let path = if prefix.is_empty() { "$" } else { prefix };
        error(path, e.to_string())
    })?;
    Ok(Imported::Scenario(Box::new(s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{digest, simulate, PresetId};

    #[test]
    fn a_trace_exported_and_imported_runs_to_the_same_digest() {
        let mut s = Scenario::preset(PresetId::Streaming);
        s.network.seed = 7;
        let t = simulate(&s).unwrap();
        let Imported::Scenario(back) = import(&trace(&t)).unwrap() else {
            panic!("a trace file holds a scenario")
        };
        assert_eq!(*back, s);
        assert_eq!(digest(&simulate(&back).unwrap()), digest(&t));
        // A scenario file, and a page file.
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(
            import(&text).unwrap(),
            Imported::Scenario(Box::new(s.clone()))
        );
        assert_eq!(import(&page(&s.page)).unwrap(), Imported::Page(s.page));
    }

    #[test]
    fn older_foreign_and_malformed_files_say_what_is_wrong() {
        let t = simulate(&Scenario::preset(PresetId::Blog)).unwrap();
        let text = trace(&t);
        let err = |s: &str| import(s).unwrap_err().to_string();
        let old = text.replacen("\"version\": 3", "\"version\": 2", 1);
        assert!(
            err(&old).starts_with(
                "JSON version: is 2: this trace was written by an older protoviz; this one reads version 3"
            ),
            "{}",
            err(&old)
        );
        let bad = text.replacen("\"rtt\": 100000", "\"rtt\": \"fast\"", 1);
        assert!(
            err(&bad).starts_with("JSON scenario.network.rtt: invalid type: string \"fast\""),
            "{}",
            err(&bad)
        );
        let zero = text.replacen("\"rtt\": 100000", "\"rtt\": 0", 1);
        assert_eq!(
            err(&zero),
            "JSON scenario: network.rtt is 0 µs; allowed: 1 ms to 10 s"
        );
        assert!(err("{\"log\":{}}").contains("looks like a HAR"));
        assert!(err("{\"hello\":1}").starts_with("JSON $: is not a protoviz file"));
        assert!(err("[1,2").starts_with("JSON $: "));
        let p = page(&Page::preset(PresetId::Blog)).replacen("\"size\": 38000", "\"size\": -1", 1);
        assert!(
            err(&p).starts_with("JSON assets[0].size: invalid value: integer `-1`"),
            "{}",
            err(&p)
        );
    }
}
