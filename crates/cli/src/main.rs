//! `protoviz`: the command line over the protoviz engine, for scripting, figures and
//! black-box tests. Reads files or stdin, writes stdout; bad input exits non-zero with a
//! message that says what is wrong and where.

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod frames;
mod hpack;
mod simulate;

#[derive(Parser)]
#[command(
    name = "protoviz",
    version,
    about = "How one web page loads over HTTP/1.1, HTTP/2 and HTTP/3, from a real protocol engine"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a page load and print a per-lane summary or the whole trace.
    Simulate(simulate::Args),
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
        Command::Hpack(cmd) => hpack::run(&cmd, std::io::stdin().lock(), std::io::stdout().lock())
            .map_err(|e| format!("hpack: {e}")),
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
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("protoviz: {msg}");
            ExitCode::FAILURE
        }
    }
}
