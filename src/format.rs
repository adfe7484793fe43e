//! Numbers as a person reads them (the same rounding as the engine's verdict).

use protoviz_engine::verdict;
use protoviz_engine::{SimDuration, SimTime};

/// "1.23 s" or "456 ms", from microseconds.
pub fn ms(us: u64) -> String {
    verdict::ms(us)
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
    verdict::bytes_text(n)
}

/// Exactly: "10 Mbit/s", "2.5 Mbit/s", "3.125 Mbit/s", "800 kbit/s", "56 kbit/s".
pub fn bandwidth(bps: u64) -> String {
    if bps >= 1_000_000 {
        format!("{} Mbit/s", decimal(bps, 6))
    } else {
        format!("{} kbit/s", decimal(bps, 3))
    }
}

/// Milliseconds exactly: "100 ms", "52.5 ms".
pub fn rtt(d: SimDuration) -> String {
    format!("{} ms", decimal(d.as_micros(), 3))
}

/// `v / 10^places` without trailing zeros.
fn decimal(v: u64, places: u32) -> String {
    let unit = 10u64.pow(places);
    let (whole, frac) = (v / unit, v % unit);
    if frac == 0 {
        whole.to_string()
    } else {
        let digits = format!("{frac:0width$}", width = places as usize);
        format!("{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// "0 %", "0.25 %", "1.5 %", from parts per million.
pub fn percent_ppm(ppm: u32) -> String {
    format!("{} %", decimal(u64::from(ppm), 4))
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
        assert_eq!(bandwidth(3_000_000), "3 Mbit/s");
        assert_eq!(bandwidth(800_000), "800 kbit/s");
        assert_eq!(bandwidth(56_000), "56 kbit/s");
        assert_eq!(rtt(SimDuration::from_micros(52_500)), "52.5 ms");
        assert_eq!(rtt(SimDuration::from_millis(2_000)), "2000 ms");
        assert_eq!(percent_ppm(0), "0 %");
        assert_eq!(percent_ppm(2_500), "0.25 %");
        assert_eq!(percent_ppm(15_000), "1.5 %");
        assert_eq!(percent_ppm(20_000), "2 %");
    }
}
