//! protoviz: the command line over the protoviz engine.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod hpack;

#[derive(Parser, Debug)]
#[command(
    name = "protoviz",
    version,
    about = "HTTP/1.1 vs HTTP/2 vs HTTP/3 from a real protocol engine"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// HPACK (RFC 7541) header compression over stdin, one block per line.
    #[command(subcommand)]
    Hpack(hpack::HpackCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Hpack(cmd) => {
            match hpack::run(&cmd, std::io::stdin().lock(), std::io::stdout().lock()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("protoviz hpack: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
