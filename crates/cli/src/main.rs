//! `protoviz`: the command line over the protoviz engine.

mod frames;

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "protoviz",
    version,
    about = "Command line over the protoviz engine"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// HTTP/2 frames: decode a hex dump to JSON lines, or encode JSON lines to hex.
    #[command(subcommand)]
    Frames(frames::FramesCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("protoviz: cannot read stdin: {e}");
        return ExitCode::FAILURE;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = match &cli.command {
        Command::Frames(cmd) => frames::run(cmd, &input, &mut out),
    };
    match result.and_then(|()| out.flush().map_err(|e| e.to_string())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("protoviz: {msg}");
            ExitCode::FAILURE
        }
    }
}
