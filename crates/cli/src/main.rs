//! `protoviz`: the command line over the protoviz engine, for scripting, figures and
//! black-box tests. Reads files or stdin, writes stdout; bad input exits non-zero with a
//! message that says what is wrong and where.

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod frames;
mod hpack;
mod scenario_args;
mod simulate;
mod sweep;

#[derive(Parser)]
#[command(
    name = "protoviz",
    version,
    about = "How one web page loads over HTTP/1.1, HTTP/2 (+ push) and HTTP/3, from a real protocol engine"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a page load and print a per-lane summary or the whole trace.
    Simulate(simulate::Args),
    /// Median and 90th-percentile load time per protocol over a grid of round trips and
    /// loss rates, as CSV with the winner of each cell. Percentiles are nearest-rank over
    /// seeds 1 to N (the ⌈p·N/100⌉-th smallest load time).
    Sweep(sweep::Args),
    /// HTTP/2 frames: decode a hex dump to JSON lines, or encode JSON lines to hex.
    #[command(subcommand)]
    Frames(frames::FramesCommand),
    /// HPACK (RFC 7541) header compression over stdin, one block per line.
    #[command(subcommand)]
    Hpack(hpack::HpackCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Simulate(args) => simulate::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Hpack(cmd) => hpack::run(&cmd, std::io::stdin().lock(), std::io::stdout().lock())
            .map_err(|e| Failure::Io(format!("hpack: {e}"))),
        Command::Frames(cmd) => {
            let mut input = String::new();
            match std::io::stdin().read_to_string(&mut input) {
                Err(e) => Err(format!("cannot read stdin: {e}")),
                Ok(_) => {
                    let stdout = std::io::stdout();
                    let mut out = stdout.lock();
                    frames::run(&cmd, &input, &mut out)
                        .and_then(|()| out.flush().map_err(|e| e.to_string()))
                }
            }
            .map_err(Failure::Io)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("protoviz: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Io(msg)) => {
            eprintln!("protoviz: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// Why a command failed, which decides its exit code.
pub enum Failure {
    /// A bad flag or scenario: the message names the flag or field, the value and what is
    /// allowed; exit code 2, as for the flags clap itself rejects.
    Usage(String),
    /// Bad input data (hpack, frames) or a failed read or write: exit code 1.
    Io(String),
}
