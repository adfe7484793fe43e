//! `protoviz hpack decode|encode`: HPACK (RFC 7541) over lines of stdin.
//!
//! Each line is one header block and all lines share one compression context, as the blocks
//! of one HTTP/2 connection direction do. A blank line is the empty header block: `decode`
//! prints `[]` for it and `encode` prints an empty line for `[]`, so input and output lines
//! always pair up.

use std::fmt;
use std::io::{self, BufRead, Write};

use clap::{Subcommand, ValueEnum};
use protoviz_engine::wire::hpack::{
    Decoder, DecoderConfig, Encoder, EncoderConfig, HpackError, HuffmanMode, DEFAULT_TABLE_SIZE,
};

#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum HpackCommand {
    /// Decode one hex header block per line into a JSON array of [name, value] pairs.
    Decode {
        /// SETTINGS_HEADER_TABLE_SIZE: the dynamic table's initial and largest size.
        #[arg(long, default_value_t = DEFAULT_TABLE_SIZE)]
        table_size: usize,
    },
    /// Encode one JSON array of [name, value] pairs per line into a lowercase hex block.
    Encode {
        /// SETTINGS_HEADER_TABLE_SIZE: the dynamic table's size (no size update is sent).
        #[arg(long, default_value_t = DEFAULT_TABLE_SIZE)]
        table_size: usize,
        /// When to Huffman-code string literals.
        #[arg(long, value_enum, default_value_t = HuffmanArg::Shorter)]
        huffman: HuffmanArg,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum HuffmanArg {
    Always,
    Never,
    Shorter,
}

impl From<HuffmanArg> for HuffmanMode {
    fn from(h: HuffmanArg) -> HuffmanMode {
        match h {
            HuffmanArg::Always => HuffmanMode::Always,
            HuffmanArg::Never => HuffmanMode::Never,
            HuffmanArg::Shorter => HuffmanMode::Shorter,
        }
    }
}

/// What went wrong, and on which input line (1-based).
#[derive(Debug)]
pub enum HpackCliError {
    /// A character that is not a hex digit, at a 0-based character offset in the line.
    BadHex {
        line: usize,
        column: usize,
        found: char,
    },
    /// An odd number of hex digits.
    OddHex {
        line: usize,
        digits: usize,
    },
    /// The block does not decode; the error names the byte offset within the block.
    Decode {
        line: usize,
        error: HpackError,
    },
    /// The line is not a JSON array of [name, value] string pairs.
    Json {
        line: usize,
        column: usize,
        error: serde_json::Error,
    },
    Io(io::Error),
}

impl fmt::Display for HpackCliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HpackCliError::BadHex {
                line,
                column,
                found,
            } => write!(
                f,
                "line {line}, byte offset {}: {found:?} is not a hex digit (character {column})",
                column / 2
            ),
            HpackCliError::OddHex { line, digits } => write!(
                f,
                "line {line}, byte offset {}: odd number of hex digits ({digits})",
                digits / 2
            ),
            HpackCliError::Decode { line, error } => write!(
                f,
                "line {line}, byte offset {}: {error}",
                error.offset()
            ),
            HpackCliError::Json {
                line,
                column,
                error,
            } => write!(
                f,
                "line {line}, byte offset {column}: expected a JSON array of [name, value] string pairs: {error}"
            ),
            HpackCliError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for HpackCliError {}

impl From<io::Error> for HpackCliError {
    fn from(e: io::Error) -> HpackCliError {
        HpackCliError::Io(e)
    }
}

/// Runs the command over `input`, writing one output line per input line.
pub fn run(
    cmd: &HpackCommand,
    input: impl BufRead,
    output: impl Write,
) -> Result<(), HpackCliError> {
    let mut out = io::BufWriter::new(output);
    let result = match *cmd {
        HpackCommand::Decode { table_size } => decode(table_size, input, &mut out),
        HpackCommand::Encode {
            table_size,
            huffman,
        } => encode(table_size, huffman.into(), input, &mut out),
    };
    // Lines done before an error are still written.
    out.flush()?;
    result
}

fn decode(
    table_size: usize,
    input: impl BufRead,
    out: &mut impl Write,
) -> Result<(), HpackCliError> {
    let mut decoder = Decoder::new(DecoderConfig {
        max_table_size: table_size,
        ..DecoderConfig::default()
    });
    for (i, line) in input.lines().enumerate() {
        let line_no = i + 1;
        let block = parse_hex(&line?, line_no)?;
        let decoded = decoder
            .decode(&block)
            .map_err(|error| HpackCliError::Decode {
                line: line_no,
                error,
            })?;
        let pairs: Vec<(&str, &str)> = decoded
            .headers
            .iter()
            .map(|h| (h.name.as_ref(), h.value.as_ref()))
            .collect();
        serde_json::to_writer(&mut *out, &pairs).map_err(io::Error::from)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn encode(
    table_size: usize,
    huffman: HuffmanMode,
    input: impl BufRead,
    out: &mut impl Write,
) -> Result<(), HpackCliError> {
    let mut encoder = Encoder::new(EncoderConfig {
        table_size,
        huffman,
    });
    for (i, line) in input.lines().enumerate() {
        let line_no = i + 1;
        let line = line?;
        let fields: Vec<(String, String)> = if line.trim().is_empty() {
            Vec::new()
        } else {
            serde_json::from_str(&line).map_err(|error| HpackCliError::Json {
                line: line_no,
                column: error.column().saturating_sub(1),
                error,
            })?
        };
        let block = encoder.encode(&fields);
        let mut hex = String::with_capacity(block.bytes.len() * 2 + 1);
        for b in &block.bytes {
            hex.push(char::from(HEX[usize::from(b >> 4)]));
            hex.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        hex.push('\n');
        out.write_all(hex.as_bytes())?;
    }
    Ok(())
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Hex digits, either case; spaces and tabs between them are ignored (as in RFC 7541's
/// examples). Offsets in errors count octets of the block.
fn parse_hex(line: &str, line_no: usize) -> Result<Vec<u8>, HpackCliError> {
    let mut bytes = Vec::with_capacity(line.len() / 2);
    let mut digits = 0usize;
    let mut high = 0u8;
    for c in line.chars() {
        if c == ' ' || c == '\t' || c == '\r' {
            continue;
        }
        let v = c.to_digit(16).ok_or(HpackCliError::BadHex {
            line: line_no,
            column: digits,
            found: c,
        })? as u8;
        if digits % 2 == 0 {
            high = v << 4;
        } else {
            bytes.push(high | v);
        }
        digits += 1;
    }
    if digits % 2 == 1 {
        return Err(HpackCliError::OddHex {
            line: line_no,
            digits,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_str(cmd: HpackCommand, input: &str) -> Result<String, HpackCliError> {
        let mut out = Vec::new();
        run(&cmd, input.as_bytes(), &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    const DEC: HpackCommand = HpackCommand::Decode { table_size: 4096 };

    #[test]
    fn hex_parsing() {
        assert_eq!(parse_hex("82 86\t8A", 1).unwrap(), [0x82, 0x86, 0x8a]);
        assert!(matches!(
            parse_hex("82x6", 4),
            Err(HpackCliError::BadHex {
                line: 4,
                column: 2,
                found: 'x'
            })
        ));
        assert!(matches!(
            parse_hex("828", 1),
            Err(HpackCliError::OddHex { line: 1, digits: 3 })
        ));
    }

    #[test]
    fn decode_and_encode_pair_lines() {
        let hexes = run_str(
            HpackCommand::Encode {
                table_size: 4096,
                huffman: HuffmanArg::Never,
            },
            "[[\":method\",\"GET\"],[\"x\",\"y\"]]\n\n[[\"x\",\"y\"]]\n",
        )
        .unwrap();
        assert_eq!(hexes, "824001780179\n\nbe\n");
        let back = run_str(DEC, &hexes).unwrap();
        assert_eq!(
            back,
            "[[\":method\",\"GET\"],[\"x\",\"y\"]]\n[]\n[[\"x\",\"y\"]]\n"
        );
    }

    #[test]
    fn errors_name_line_and_offset() {
        let e = run_str(DEC, "82\n82be\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2, byte offset 1: index 62 at offset 1 is past the tables (valid: 1..=61)"
        );
        let e = run_str(
            HpackCommand::Encode {
                table_size: 4096,
                huffman: HuffmanArg::Shorter,
            },
            "[[\"a\",\"b\"]]\n[[\"a\", 3]]\n",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("line 2, byte offset 7: "), "{e}");
    }
}
