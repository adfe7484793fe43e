//! protoviz-engine: a pure, deterministic, sans-IO model of one web page loading over
//! HTTP/1.1, HTTP/2 and HTTP/3. Same scenario, same trace, bit for bit, on every target.
//!
//! The one entry point is [`simulate`]; everything it returns is plain serde data.

#![forbid(unsafe_code)]

pub mod browser;
pub mod export;
pub mod har;
pub mod headers;
pub mod http;
pub mod ids;
pub mod lane;
pub mod lessons;
pub mod link;
pub mod options;
pub mod page;
pub mod page_edit;
pub mod scenario;
pub mod sim;
pub mod time;
pub mod timeline;
pub mod trace;
pub mod transport;
pub mod url;
pub mod verdict;
pub mod winner_map;
pub mod wire;

pub use ids::{AssetId, ConnId, PacketNumber, StreamId};
pub use page::{Asset, AssetKind, Discovery, Page, PageError, PresetId};
pub use scenario::{Network, Protocol, Scenario, ScenarioError};
pub use time::{SimDuration, SimTime};
pub use trace::{digest, Lane, Metrics, Trace, TRACE_VERSION};

/// Runs every lane of the scenario and returns the trace.
pub fn simulate(scenario: &Scenario) -> Result<Trace, ScenarioError> {
    scenario.validate()?;
    let lanes = scenario
        .protocols
        .iter()
        .map(|&p| {
            lane::run(scenario, p).map_err(|e| ScenarioError::Engine {
                protocol: p,
                error: e.to_string(),
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Trace {
        version: TRACE_VERSION,
        scenario: scenario.clone(),
        lanes,
    })
}
