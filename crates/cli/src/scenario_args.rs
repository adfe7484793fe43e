//! The flags `simulate` and `sweep` share: where the scenario comes from, and the protocol,
//! server and browser options laid over it.

use clap::{ValueEnum, ValueHint};
use protoviz_engine::link::LossModel;
use protoviz_engine::options::{Cache, FlowWindows, PushPolicy, SchedulerKind, TlsRecords};
use protoviz_engine::{url, AssetId, PresetId, Protocol, Scenario, SimDuration};

#[derive(clap::Args, Clone)]
pub struct ScenarioArgs {
    /// A preset page (see --help for the list).
    #[arg(long, value_parser = parse_preset, conflicts_with_all = ["scenario", "url", "har"],
          required_unless_present_any = ["scenario", "url", "har"], help = preset_help())]
    pub preset: Option<PresetId>,
    /// A page recorded as a HAR (HTTP Archive 1.2 or 1.3, as DevTools saves it); `-`
    /// reads stdin. It replaces the page of --scenario / --url, or runs on the defaults.
    #[arg(long, value_hint = ValueHint::FilePath)]
    pub har: Option<String>,
    /// A scenario as JSON (as printed in a trace's "scenario" field); `-` reads stdin.
    #[arg(long, value_hint = ValueHint::FilePath, conflicts_with = "url")]
    pub scenario: Option<String>,
    /// A scenario as the app's compact string (its location hash), e.g. `page=blog&rtt=50`.
    #[arg(long, value_name = "STATE")]
    pub url: Option<String>,
    /// A lane to run, repeatable, in order: h1, h2, h2-push, h3. Default: all four (or
    /// the scenario's own list with --scenario / --url).
    #[arg(long = "protocol", value_parser = parse_protocol)]
    pub protocols: Vec<Protocol>,
    /// Downlink (server to client) bandwidth in Mbit/s.
    #[arg(long)]
    pub bandwidth_mbps: Option<f64>,
    /// Uplink (client to server) bandwidth in Mbit/s. Default: half the downlink when
    /// --bandwidth-mbps is given.
    #[arg(long)]
    pub uplink_mbps: Option<f64>,
    /// How losses are spread: `random` (independent) or `bursty` (Gilbert–Elliott).
    #[arg(long, value_enum, default_value_t = LossKind::Random)]
    pub loss_model: LossKind,
    /// Mean number of packets lost in a row with `--loss-model bursty`.
    #[arg(long, default_value_t = 3)]
    pub mean_burst: u32,
    /// Browser cache: `cold` (first visit) or `warm` (cacheable assets are fresh).
    #[arg(long, value_enum)]
    pub cache: Option<CacheArg>,
    /// HTTP/2 and HTTP/3 response order: `sequential` (RFC 9218) or `round-robin`.
    #[arg(long, value_enum)]
    pub scheduler: Option<SchedulerArg>,
    /// The server sends 103 Early Hints for the critical assets (h1, h2, h3 lanes).
    #[arg(long)]
    pub early_hints: bool,
    /// HTTP/3 resumes with 0-RTT: the HTML request goes with the first flight.
    #[arg(long)]
    pub zero_rtt: bool,
    /// HTTP/1.1 connections per host, 1 to 32 (default 6).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=32))]
    pub h1_connections: Option<u32>,
    /// HTTP/1.1 without keep-alive: a new connection per request.
    #[arg(long)]
    pub no_keep_alive: bool,
    /// HTTP/1.1 pipelining.
    #[arg(long)]
    pub pipelining: bool,
    /// What the h2-push lane pushes: `none`, `critical`, or asset ids like `1,2,3`.
    #[arg(long, value_parser = parse_push)]
    pub push: Option<PushPolicy>,
    /// HTTP/2 flow-control windows: `rfc` (65,535 bytes) or `browser` (Chrome's).
    #[arg(long, value_enum)]
    pub windows: Option<WindowsArg>,
    /// Classic slow start up to the first loss: no delay-based exit (HyStart) on TCP or QUIC.
    #[arg(long)]
    pub no_hystart: bool,
    /// The server's TLS records on the TCP lanes: `16k` (nginx's default), `4k`, `dynamic`
    /// (Cloudflare's), `per-write`.
    #[arg(long, value_enum)]
    pub tls_records: Option<RecordsArg>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RecordsArg {
    #[value(name = "16k")]
    Nginx16k,
    #[value(name = "4k")]
    Small4k,
    Dynamic,
    PerWrite,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LossKind {
    Random,
    Bursty,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CacheArg {
    Cold,
    Warm,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SchedulerArg {
    Sequential,
    RoundRobin,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum WindowsArg {
    Rfc,
    Browser,
}

fn preset_help() -> String {
    let ids: Vec<&str> = PresetId::ALL.iter().map(|p| p.id()).collect();
    format!("A preset page: {}", ids.join(", "))
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

fn parse_push(s: &str) -> Result<PushPolicy, String> {
    match s {
        "none" => Ok(PushPolicy::None),
        "critical" => Ok(PushPolicy::Critical),
        _ => s
            .split(',')
            .map(|x| x.trim().parse::<u32>().ok().map(AssetId))
            .collect::<Option<Vec<_>>>()
            .map(PushPolicy::List)
            .ok_or_else(|| {
                format!(
                    "{s:?} is not none, critical, or asset ids separated by commas (like 1,2,3)"
                )
            }),
    }
}

/// Converts a decimal figure from the command line to an integer, or says which flag is wrong.
pub fn scaled(flag: &str, value: f64, unit: f64, what: &str) -> Result<u64, String> {
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

/// Round trip in ms to the scenario's duration.
pub fn rtt(ms: f64) -> Result<SimDuration, String> {
    scaled("rtt-ms", ms, 1_000.0, "milliseconds").map(SimDuration::from_micros)
}

/// Loss in per cent to the scenario's loss model.
pub fn loss(pct: f64, kind: LossKind, mean_burst: u32) -> Result<LossModel, String> {
    if !pct.is_finite() || pct < 0.0 {
        return Err(format!(
            "--loss-pct is {pct}; it must be a percentage from 0 to 50"
        ));
    }
    // Parts per million; the scenario's validation names the allowed range.
    let ppm = (pct * 10_000.0).round().min(f64::from(u32::MAX)) as u32;
    Ok(match (ppm, kind) {
        (0, _) => LossModel::None,
        (ppm, LossKind::Random) => LossModel::Random { ppm },
        (ppm, LossKind::Bursty) => LossModel::Bursty { ppm, mean_burst },
    })
}

impl ScenarioArgs {
    /// The scenario named by --preset, --scenario or --url, with the option flags laid over.
    pub fn scenario(&self) -> Result<Scenario, String> {
        let mut scenario = match (&self.preset, &self.scenario, &self.url) {
            (Some(p), _, _) => Scenario::preset(*p),
            (None, Some(path), _) => {
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
            (None, None, Some(state)) => url::decode(state).map_err(|e| format!("--url: {e}"))?,
            (None, None, None) if self.har.is_some() => Scenario::preset(PresetId::Blog),
            (None, None, None) => {
                return Err("give --preset ID, --scenario FILE, --url STATE or --har FILE".into())
            }
        };
        if let Some(path) = &self.har {
            let text = if path == "-" {
                std::io::read_to_string(std::io::stdin())
                    .map_err(|e| format!("cannot read the HAR from stdin: {e}"))?
            } else {
                std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read HAR file {path}: {e}"))?
            };
            let got =
                protoviz_engine::har::import(&text).map_err(|e| format!("--har {path}: {e}"))?;
            for note in &got.notes {
                eprintln!("protoviz: note: {note}");
            }
            scenario.page = got.page;
        }
        if !self.protocols.is_empty() {
            scenario.protocols = self.protocols.clone();
        }
        if let Some(mbps) = self.bandwidth_mbps {
            scenario.network.downlink_bps = scaled("bandwidth-mbps", mbps, 1e6, "Mbit/s")?;
            if self.uplink_mbps.is_none() {
                scenario.network.uplink_bps = (scenario.network.downlink_bps / 2).max(1);
            }
        }
        if let Some(mbps) = self.uplink_mbps {
            scenario.network.uplink_bps = scaled("uplink-mbps", mbps, 1e6, "Mbit/s")?;
        }
        if let Some(c) = self.cache {
            scenario.browser.cache = match c {
                CacheArg::Cold => Cache::Cold,
                CacheArg::Warm => Cache::Warm,
            };
        }
        if let Some(s) = self.scheduler {
            scenario.server.scheduler = match s {
                SchedulerArg::Sequential => SchedulerKind::Sequential,
                SchedulerArg::RoundRobin => SchedulerKind::RoundRobin,
            };
        }
        if self.early_hints {
            scenario.server.early_hints = true;
        }
        if self.zero_rtt {
            scenario.http3.zero_rtt = true;
        }
        if let Some(n) = self.h1_connections {
            scenario.http1.connections = n;
        }
        if self.no_keep_alive {
            scenario.http1.keep_alive = false;
        }
        if self.pipelining {
            scenario.http1.pipelining = true;
        }
        if let Some(p) = &self.push {
            scenario.http2.push = p.clone();
        }
        if let Some(w) = self.windows {
            scenario.http2.windows = match w {
                WindowsArg::Rfc => FlowWindows::Rfc,
                WindowsArg::Browser => FlowWindows::Browser,
            };
        }
        if self.no_hystart {
            scenario.transport.hystart = false;
        }
        if let Some(r) = self.tls_records {
            scenario.server.tls_records = match r {
                RecordsArg::Nginx16k => TlsRecords::Nginx16k,
                RecordsArg::Small4k => TlsRecords::Small4k,
                RecordsArg::Dynamic => TlsRecords::Dynamic,
                RecordsArg::PerWrite => TlsRecords::PerWrite,
            };
        }
        Ok(scenario)
    }
}
