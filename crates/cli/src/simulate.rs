//! `protoviz simulate`: run a scenario, print one summary line per lane or the whole trace.

use std::io::Write;

use clap::ValueEnum;
use protoviz_engine::{export, simulate, verdict, Lane};
use serde::Serialize;

use crate::scenario_args::{self, ScenarioArgs};
use crate::Failure;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Round-trip time in milliseconds (decimals allowed, e.g. 0.5).
    #[arg(long)]
    rtt_ms: Option<f64>,
    /// Packet loss in percent, in each direction (decimals allowed, e.g. 0.5).
    #[arg(long)]
    loss_pct: Option<f64>,
    /// Seed of the loss draws: the same seed gives the same trace.
    #[arg(long)]
    seed: Option<u64>,
    /// `summary`: one JSON object per lane; `json`: the whole trace; `verdict`: which
    /// protocol loads the page first and why, as the app says it (one JSON object with its
    /// `sentence`; under random loss, the median over the seeds it names); `csv`: per-asset
    /// timings of every lane; `qlog`: one qlog trace per lane, for qvis; `svg`: the lanes
    /// as a self-contained picture.
    #[arg(long, value_enum, default_value_t = Format::Summary)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Summary,
    Json,
    Verdict,
    Csv,
    Qlog,
    Svg,
}

#[derive(Serialize)]
struct Summary {
    protocol: &'static str,
    /// False when the lane stopped at the engine's time limit; the times it never reached
    /// are then `null`.
    finished: bool,
    ttfb_ms: Option<f64>,
    first_paint_ms: Option<f64>,
    dcl_ms: Option<f64>,
    load_ms: Option<f64>,
    bytes_total: u64,
    bytes_headers: u64,
    bytes_payload: u64,
    bytes_framing: u64,
    bytes_handshake: u64,
    bytes_retransmitted: u64,
    bytes_wasted: u64,
    packets: u64,
    retransmissions: u64,
    connections: u32,
    round_trips: u32,
}

impl Summary {
    fn of(lane: &Lane) -> Summary {
        let m = &lane.metrics;
        Summary {
            protocol: lane.protocol.id(),
            finished: m.finished,
            ttfb_ms: m.ttfb.map(|t| t.as_millis_f64()),
            first_paint_ms: m.first_paint.map(|t| t.as_millis_f64()),
            dcl_ms: m.dom_content_loaded.map(|t| t.as_millis_f64()),
            load_ms: m.load.map(|t| t.as_millis_f64()),
            bytes_total: m.bytes_total,
            bytes_headers: m.bytes_headers,
            bytes_payload: m.bytes_payload,
            bytes_framing: m.bytes_framing,
            bytes_handshake: m.bytes_handshake,
            bytes_retransmitted: m.bytes_retransmitted,
            bytes_wasted: m.bytes_wasted,
            packets: m.packets,
            retransmissions: m.retransmissions,
            connections: m.connections,
            round_trips: m.round_trips,
        }
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let mut scenario = args.scenario.scenario().map_err(Failure::Usage)?;
    if let Some(ms) = args.rtt_ms {
        scenario.network.rtt = scenario_args::rtt(ms).map_err(Failure::Usage)?;
    }
    if let Some(pct) = args.loss_pct {
        scenario.network.loss =
            scenario_args::loss(pct, args.scenario.loss_model, args.scenario.mean_burst)
                .map_err(Failure::Usage)?;
    }
    if let Some(seed) = args.seed {
        scenario.network.seed = seed;
    }
    let invalid = |e| Failure::Usage(format!("invalid scenario: {e}"));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Format::Verdict = args.format {
        let v = verdict::evaluate(&scenario).map_err(invalid)?;
        return serde_json::to_writer(&mut out, &v)
            .map_err(|e| e.to_string())
            .and_then(|_| writeln!(out).map_err(|e| e.to_string()))
            .map_err(|e| Failure::Io(format!("cannot write the output: {e}")));
    }
    let trace = simulate(&scenario).map_err(invalid)?;
    let res = match args.format {
        Format::Verdict => Ok(()),
        Format::Json => serde_json::to_writer_pretty(&mut out, &trace)
            .map_err(|e| e.to_string())
            .and_then(|_| writeln!(out).map_err(|e| e.to_string())),
        Format::Csv => out
            .write_all(export::csv::timings(&trace).as_bytes())
            .map_err(|e| e.to_string()),
        Format::Qlog => {
            writeln!(out, "{}", export::qlog::to_json(&trace)).map_err(|e| e.to_string())
        }
        Format::Svg => out
            .write_all(export::svg::lanes(&trace).as_bytes())
            .map_err(|e| e.to_string()),
        Format::Summary => trace.lanes.iter().try_for_each(|lane| {
            serde_json::to_writer(&mut out, &Summary::of(lane)).map_err(|e| e.to_string())?;
            writeln!(out).map_err(|e| e.to_string())
        }),
    };
    res.map_err(|e| Failure::Io(format!("cannot write the output: {e}")))
}
