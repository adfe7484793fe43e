//! The verdict in words: the sentence, and how it writes times, sizes and counts.

use super::*;

fn list(ps: &[Protocol]) -> String {
    let names: Vec<&str> = ps.iter().map(|p| p.label()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

pub(super) fn sentence(
    basis: Basis,
    s: &Scenario,
    load: Option<Comparison>,
    paint: Option<Comparison>,
    finished: usize,
    reason: &Option<Reason>,
    unfinished: &[Protocol],
) -> String {
    let mut out = match basis {
        Basis::Exact => String::new(),
        Basis::ThisSeed { seed } => format!("With this seed's losses (seed {seed}): "),
        Basis::Median { seeds } => match seeds_range(s, seeds) {
            Some((from, to)) => format!("Median of {seeds} loss draws (seeds {from}–{to}): "),
            None => format!("Median of {seeds} loss draws: "),
        },
    };
    match (load, finished) {
        (None, _) | (_, 0) => {
            out.clear();
            out.push_str(&format!(
                "No lane finished loading the page within {LIMIT_TEXT} of simulated time."
            ));
            return out;
        }
        (Some(c), 1) => {
            let lone = s.protocols.len() == 1;
            out.push_str(&format!(
                "{}{} loads the page in {}",
                if lone { "" } else { "Only " },
                c.best.label(),
                ms(c.best_time.as_micros())
            ));
            if let Some(p) = paint {
                out.push_str(&format!(
                    " and first paints at {}",
                    ms(p.best_time.as_micros())
                ));
            }
            out.push('.');
        }
        (Some(c), _) if c.tie() => {
            out.push_str(&format!(
                "Every lane loads the page in {}.",
                ms(c.best_time.as_micros())
            ));
        }
        (Some(c), _) => {
            out.push_str(&format!(
                "{} loads the page {} {} ({} against {}).",
                c.best.label(),
                c.how(),
                c.worst.label(),
                ms(c.best_time.as_micros()),
                ms(c.worst_time.as_micros()),
            ));
        }
    }
    if let (Some(c), Some(p)) = (load, paint) {
        if finished >= 2 {
            out.push(' ');
            out.push_str(&if p.tie() {
                format!(
                    "Every lane first paints at {}.",
                    ms(p.best_time.as_micros())
                )
            } else if p.best == c.best && !c.tie() {
                format!(
                    "It paints first too: at {}, against {} on {}.",
                    ms(p.best_time.as_micros()),
                    ms(p.worst_time.as_micros()),
                    p.worst.label()
                )
            } else {
                format!(
                    "{}{} paints first: at {}, against {} on {}.",
                    if c.tie() { "" } else { "But " },
                    p.best.label(),
                    ms(p.best_time.as_micros()),
                    ms(p.worst_time.as_micros()),
                    p.worst.label()
                )
            });
        }
    }
    if let Some(r) = reason {
        out.push_str(" Why: ");
        out.push_str(&r.text());
        out.push('.');
    }
    if !unfinished.is_empty() && finished >= 1 {
        out.push_str(&format!(
            " {} did not finish within {LIMIT_TEXT} of simulated time and {} left out.",
            list(unfinished),
            if unfinished.len() == 1 { "is" } else { "are" }
        ));
    }
    out
}

/// The first and last of the scenario's [`seeds`] when there are `n` of them.
fn seeds_range(s: &Scenario, n: u64) -> Option<(u64, u64)> {
    let seeds = seeds(s)?;
    (seeds.len() as u64 == n).then(|| (seeds[0], seeds[seeds.len() - 1]))
}

pub(super) fn plural(n: u32, what: &str) -> String {
    plural_u64(u64::from(n), what)
}

pub(super) fn plural_u64(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// "309 ms", "1.36 s", "12.3 s" from microseconds (rounded half up, in integers): the app
/// shows times the same way.
pub fn ms(us: u64) -> String {
    if us >= 10_000_000 {
        fixed_seconds(us, 1)
    } else if us >= 1_000_000 {
        fixed_seconds(us, 2)
    } else {
        format!("{} ms", (us + 500) / 1_000)
    }
}

/// Seconds with `decimals` decimals, rounded half up, in integers.
fn fixed_seconds(us: u64, decimals: u32) -> String {
    let unit = 10u64.pow(6 - decimals);
    let scaled = (us + unit / 2) / unit;
    let div = 10u64.pow(decimals);
    format!(
        "{}.{:0width$} s",
        scaled / div,
        scaled % div,
        width = decimals as usize
    )
}

/// "1.2 MB", "34.5 kB", "512 B" (decimal units, as network tools count).
pub fn bytes_text(n: u64) -> String {
    if n >= 1_000_000 {
        let hundredths = (n + 5_000) / 10_000;
        format!("{}.{:02} MB", hundredths / 100, hundredths % 100)
    } else if n >= 1_000 {
        let tenths = (n + 50) / 100;
        format!("{}.{} kB", tenths / 10, tenths % 10)
    } else {
        format!("{n} B")
    }
}
