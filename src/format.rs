//! Numbers as a person reads them.

use protoviz_engine::{SimDuration, SimTime};

/// "1.23 s" or "456 ms", from microseconds.
pub fn ms(us: u64) -> String {
    if us >= 10_000_000 {
        format!("{:.1} s", us as f64 / 1e6)
    } else if us >= 1_000_000 {
        format!("{:.2} s", us as f64 / 1e6)
    } else {
        format!("{} ms", (us + 500) / 1_000)
    }
}

pub fn dur(d: SimDuration) -> String {
    ms(d.as_micros())
}

pub fn at(t: SimTime) -> String {
    ms(t.as_micros())
}

/// A time that may never have come (the lane stopped at the engine's time limit): "—".
pub fn maybe_dur(d: Option<SimDuration>) -> String {
    d.map_or_else(|| "\u{2014}".to_owned(), dur)
}

/// The same for an instant.
pub fn maybe_at(t: Option<SimTime>) -> String {
    t.map_or_else(|| "never".to_owned(), at)
}

/// Microseconds of a time that may be missing, for a `data-us` hook ("" when missing).
pub fn us_attr(d: Option<SimDuration>) -> String {
    d.map(|d| d.as_micros().to_string()).unwrap_or_default()
}

/// "1.2 MB", "34.5 kB", "512 B" (decimal units, as network tools count).
pub fn bytes(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.2} MB", n as f64 / 1e6)
    } else if n >= 1_000 {
        format!("{:.1} kB", n as f64 / 1e3)
    } else {
        format!("{n} B")
    }
}

/// "10 Mbit/s", "2.5 Mbit/s", "800 kbit/s".
pub fn bandwidth(bps: u64) -> String {
    if bps >= 1_000_000 {
        let m = bps as f64 / 1e6;
        if (m - m.round()).abs() < 1e-9 {
            format!("{m:.0} Mbit/s")
        } else {
            format!("{m:.1} Mbit/s")
        }
    } else {
        format!("{} kbit/s", bps / 1_000)
    }
}

/// "0 %", "0.25 %", "2 %", from parts per million.
pub fn percent_ppm(ppm: u32) -> String {
    let whole = ppm / 10_000;
    let frac = ppm % 10_000;
    if frac == 0 {
        format!("{whole} %")
    } else {
        let digits = format!("{frac:04}");
        format!("{whole}.{} %", digits.trim_end_matches('0'))
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn readable_figures() {
        assert_eq!(ms(308_828), "309 ms");
        assert_eq!(ms(1_359_201), "1.36 s");
        assert_eq!(ms(12_345_678), "12.3 s");
        assert_eq!(bytes(1_082_280), "1.08 MB");
        assert_eq!(bytes(15_358), "15.4 kB");
        assert_eq!(bytes(60), "60 B");
        assert_eq!(bandwidth(10_000_000), "10 Mbit/s");
        assert_eq!(bandwidth(2_500_000), "2.5 Mbit/s");
        assert_eq!(bandwidth(800_000), "800 kbit/s");
        assert_eq!(percent_ppm(0), "0 %");
        assert_eq!(percent_ppm(2_500), "0.25 %");
        assert_eq!(percent_ppm(20_000), "2 %");
        assert_eq!(percent_ppm(5_000), "0.5 %");
    }
}
