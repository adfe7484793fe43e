//! Shared by the black-box CLI tests: run the built `protoviz` binary as a user would.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `protoviz ARGS` with `stdin` as its standard input and returns what it did.
pub fn protoviz(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_protoviz"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the protoviz binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
        .expect("stdin accepts the input");
    child.wait_with_output().expect("protoviz finishes")
}
