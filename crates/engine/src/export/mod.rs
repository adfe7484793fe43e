//! What can be taken out of protoviz, the same for the command line and the app: the
//! versioned JSON of a trace (and its import, which says what is wrong with an older or a
//! foreign file), per-asset timings as CSV, a self-contained SVG of the lanes, and (with
//! the `qlog` feature) a qlog file per lane for qvis.
//!
//! Pure text in, text out: no IO, no clocks.

pub mod csv;
pub mod json;
#[cfg(feature = "qlog")]
pub mod qlog;
pub mod svg;

/// Integer microseconds as milliseconds with three decimals (`1234.567`), exactly: no
/// float rounding in an export.
pub fn millis(us: u64) -> String {
    format!("{}.{:03}", us / 1_000, us % 1_000)
}

/// Thousandths as a short decimal: `100`, `1.5`, `0.025`.
pub fn thousandths(v: u64) -> String {
    if v % 1_000 == 0 {
        return (v / 1_000).to_string();
    }
    let s = millis(v);
    s.trim_end_matches('0').to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn millis_are_exact() {
        assert_eq!(super::millis(0), "0.000");
        assert_eq!(super::millis(1_234_567), "1234.567");
        assert_eq!(super::millis(u64::MAX), "18446744073709551.615");
        assert_eq!(super::thousandths(100_000), "100");
        assert_eq!(super::thousandths(1_500), "1.5");
        assert_eq!(super::thousandths(25), "0.025");
    }
}
