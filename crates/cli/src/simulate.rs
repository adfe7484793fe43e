//! `protoviz simulate`: run a scenario, print one summary line per lane or the whole trace.

use std::io::Write;

use clap::{ValueEnum, ValueHint};
use protoviz_engine::link::LossModel;
use protoviz_engine::{simulate, Lane, PresetId, Protocol, Scenario, SimDuration};
use serde::Serialize;

#[derive(clap::Args)]
pub struct Args {
    /// A preset page: blog, tiles.
    #[arg(long, value_parser = parse_preset, conflicts_with = "scenario", required_unless_present = "scenario")]
    preset: Option<PresetId>,
    /// A scenario as JSON (as printed in a trace's "scenario" field); `-` reads stdin.
    #[arg(long, value_hint = ValueHint::FilePath)]
    scenario: Option<String>,
    /// Protocol lanes to run, in order (repeatable): h1, h2. Default: all.
    #[arg(long = "protocol", value_parser = parse_protocol)]
    protocols: Vec<Protocol>,
    /// Round-trip time in milliseconds (decimals allowed, e.g. 0.5).
    #[arg(long)]
    rtt_ms: Option<f64>,
    /// Downlink (server to client) bandwidth in Mbit/s.
    #[arg(long)]
    bandwidth_mbps: Option<f64>,
    /// Uplink (client to server) bandwidth in Mbit/s. Default: half the downlink when
    /// --bandwidth-mbps is given.
    #[arg(long)]
    uplink_mbps: Option<f64>,
    /// Packet loss in percent, in each direction (decimals allowed, e.g. 0.5).
    #[arg(long)]
    loss_pct: Option<f64>,
    /// How losses are spread: `random` (independent) or `bursty` (Gilbert–Elliott).
    #[arg(long, value_enum, default_value_t = LossKind::Random)]
    loss_model: LossKind,
    /// Mean number of packets lost in a row with `--loss-model bursty`.
    #[arg(long, default_value_t = 3)]
    mean_burst: u32,
    /// Seed of the loss draws: the same seed gives the same trace.
    #[arg(long)]
    seed: Option<u64>,
    /// `summary`: one JSON object per lane; `json`: the whole trace.
    #[arg(long, value_enum, default_value_t = Format::Summary)]
    format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LossKind {
    Random,
    Bursty,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Summary,
    Json,
}

fn parse_preset(s: &str) -> Result<PresetId, String> {
    PresetId::from_id(s).ok_or_else(|| {
        let known: Vec<_> = PresetId::ALL.iter().map(|p| p.id()).collect();
        format!("unknown preset {s:?}; known presets: {}", known.join(", "))
    })
}

fn parse_protocol(s: &str) -> Result<Protocol, String> {
    Protocol::from_id(s).ok_or_else(|| {
        let known: Vec<_> = Protocol::ALL.iter().map(|p| p.id()).collect();
        format!(
            "unknown protocol {s:?}; known protocols: {}",
            known.join(", ")
        )
    })
}

/// Converts a decimal figure from the command line to an integer, or says which flag is wrong.
fn scaled(flag: &str, value: f64, unit: f64, what: &str) -> Result<u64, String> {
    if !value.is_finite() || value <= 0.0 {
        return Err(format!(
            "--{flag} is {value}; it must be a positive number of {what}"
        ));
    }
    let v = (value * unit).round();
    if !(1.0..=1e15).contains(&v) {
        return Err(format!("--{flag} is {value} {what}; that is out of range"));
    }
    Ok(v as u64)
}

#[derive(Serialize)]
struct Summary {
    protocol: &'static str,
    ttfb_ms: f64,
    load_ms: f64,
    bytes_total: u64,
    bytes_headers: u64,
    bytes_payload: u64,
    bytes_framing: u64,
    bytes_handshake: u64,
    packets: u64,
    connections: u32,
    retransmissions: u64,
    bytes_retransmitted: u64,
}

impl Summary {
    fn of(lane: &Lane) -> Summary {
        let m = &lane.metrics;
        Summary {
            protocol: lane.protocol.id(),
            ttfb_ms: m.ttfb.as_millis_f64(),
            load_ms: m.load.as_millis_f64(),
            bytes_total: m.bytes_total,
            bytes_headers: m.bytes_headers,
            bytes_payload: m.bytes_payload,
            bytes_framing: m.bytes_framing,
            bytes_handshake: m.bytes_handshake,
            packets: m.packets,
            connections: m.connections,
            retransmissions: m.retransmissions,
            bytes_retransmitted: m.bytes_retransmitted,
        }
    }
}

pub fn run(args: Args) -> Result<(), String> {
    let mut scenario = match (&args.preset, &args.scenario) {
        (Some(p), _) => Scenario::preset(*p),
        (None, Some(path)) => {
            let text = if path == "-" {
                std::io::read_to_string(std::io::stdin())
                    .map_err(|e| format!("cannot read the scenario from stdin: {e}"))?
            } else {
                std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read scenario file {path}: {e}"))?
            };
            serde_json::from_str::<Scenario>(&text).map_err(|e| {
                format!(
                    "scenario {path}: line {}, column {}: {e}",
                    e.line(),
                    e.column()
                )
            })?
        }
        (None, None) => return Err("give --preset ID or --scenario FILE".into()),
    };
    if !args.protocols.is_empty() {
        scenario.protocols = args.protocols.clone();
    }
    if let Some(ms) = args.rtt_ms {
        scenario.network.rtt =
            SimDuration::from_micros(scaled("rtt-ms", ms, 1_000.0, "milliseconds")?);
    }
    if let Some(mbps) = args.bandwidth_mbps {
        scenario.network.downlink_bps = scaled("bandwidth-mbps", mbps, 1e6, "Mbit/s")?;
        if args.uplink_mbps.is_none() {
            scenario.network.uplink_bps = (scenario.network.downlink_bps / 2).max(1);
        }
    }
    if let Some(mbps) = args.uplink_mbps {
        scenario.network.uplink_bps = scaled("uplink-mbps", mbps, 1e6, "Mbit/s")?;
    }
    if let Some(pct) = args.loss_pct {
        if !pct.is_finite() || pct < 0.0 {
            return Err(format!(
                "--loss-pct is {pct}; it must be a percentage from 0 to 50"
            ));
        }
        // Parts per million; the scenario's validation names the allowed range.
        let ppm = (pct * 10_000.0).round().min(f64::from(u32::MAX)) as u32;
        scenario.network.loss = match (ppm, args.loss_model) {
            (0, _) => LossModel::None,
            (ppm, LossKind::Random) => LossModel::Random { ppm },
            (ppm, LossKind::Bursty) => LossModel::Bursty {
                ppm,
                mean_burst: args.mean_burst,
            },
        };
    }
    if let Some(seed) = args.seed {
        scenario.network.seed = seed;
    }
    let trace = simulate(&scenario).map_err(|e| format!("invalid scenario: {e}"))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let res = match args.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &trace)
            .map_err(|e| e.to_string())
            .and_then(|_| writeln!(out).map_err(|e| e.to_string())),
        Format::Summary => trace.lanes.iter().try_for_each(|lane| {
            serde_json::to_writer(&mut out, &Summary::of(lane)).map_err(|e| e.to_string())?;
            writeln!(out).map_err(|e| e.to_string())
        }),
    };
    res.map_err(|e| format!("cannot write the output: {e}"))
}
